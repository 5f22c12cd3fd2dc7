import Foundation
import SC2Engine

/// Where the explorer opens when the user names neither seed nor attribute: the attribute whose
/// original direction leaks most (the largest mean rise of another attribute at the calibrated
/// equal-effect step, on validation faces), and the first seed from 0 where, `steps` equal-effect
/// steps along, the original raises that correlated attribute by `minRise` or more while the
/// SC²-corrected direction keeps it within `maxDrift`, both adding the target (`minTargetRise`). Found once and cached.
package struct FirstScreen: Codable, Equatable, Sendable {
    package let attribute: String
    package let correlated: String
    package let seed: UInt32
    /// The rise of the correlated attribute along the original and its change along the
    /// corrected direction at `steps` steps, on this seed (as found).
    let originalRise: Float
    let correctedChange: Float

    /// Right presses the first screen is chosen for.
    static let steps = 3
    /// Margins above the promise (a rise of 0.3, a drift within 0.1) so that the scores on
    /// screen keep it.
    static let minRise: Float = 0.35
    static let maxDrift: Float = 0.07
    static let maxSeeds: UInt32 = 512
    /// Both the original and the corrected edit must raise the target by this much on the seed.
    static let minTargetRise: Float = 0.5

    /// Finds (or reads from `cacheDirectory`) the first screen; nil when no attribute has both an
    /// original and a corrected direction the predictor can calibrate, or no seed qualifies.
    package static func find(generator: Generator, predictor: any AttributePredictor, store: ExplorerDirectionStore,
                             attributes: [String], truncation: Float, cacheDirectory: URL?, shippedDirectory: URL? = nil,
                             progress: (String) -> Void = { _ in }) -> FirstScreen? {
        var candidates: [(attribute: String, original: (Direction, String), corrected: (Direction, String))] = []
        for a in attributes where predictor.index(of: a) != nil {
            guard case .available(let o, let oid, _) = store.slot(attribute: a, method: .original),
                  case .available(let c, let cid, _) = store.slot(attribute: a, method: .corrected) else { continue }
            candidates.append((a, (o, oid), (c, cid)))
        }
        guard !candidates.isEmpty else { return nil }
        let key = ContentHash.of(Data(([generator.hash, predictor.identity, String(format: "%.3f", truncation), "\(steps)", "target-rises"]
                                       + candidates.flatMap { [$0.attribute, $0.original.1, $0.corrected.1] }).joined(separator: "|").utf8))
        let file = cacheDirectory?.appendingPathComponent("explorer/first-screen-\(key).json")
        for f in [file, shippedDirectory?.appendingPathComponent("explorer/first-screen-\(key).json")].compactMap({ $0 }) {
            if let data = try? Data(contentsOf: f), let cached = try? JSONDecoder().decode(FirstScreen.self, from: data) { return cached }
        }
        let calibrator = StepCalibrator(generator: generator, predictor: predictor, truncation: truncation, cacheDirectory: cacheDirectory,
                                        shippedDirectory: shippedDirectory)
        // The original that leaks most.
        var best: (index: Int, correlated: Int, leak: Float)?
        for (i, c) in candidates.enumerated() {
            progress("calibrating equal-effect steps: \(c.attribute) (once, then cached)")
            guard let cal = calibrator.calibration(c.original.0, id: c.original.1), let t = predictor.index(of: c.attribute) else { continue }
            for j in cal.meanChanges.indices where j != t && (best == nil || cal.meanChanges[j] > best!.leak) {
                best = (i, j, cal.meanChanges[j])
            }
        }
        guard let best else { return nil }
        let pick = candidates[best.index]
        progress("calibrating equal-effect steps: \(pick.attribute), corrected")
        guard let t = predictor.index(of: pick.attribute),
              let oc = calibrator.calibration(pick.original.0, id: pick.original.1),
              let cc = calibrator.calibration(pick.corrected.0, id: pick.corrected.1) else { return nil }
        progress("looking for a seed where the original drags \(predictor.attributes[best.correlated]) along")
        let j = best.correlated
        let ao = Float(steps) * oc.stepAlpha, ac = Float(steps) * cc.stepAlpha
        let chunk: UInt32 = 16
        var found: FirstScreen?
        var start: UInt32 = 0
        while found == nil && start < maxSeeds {
            let seeds = (start..<start + chunk).map { $0 }
            let ws = generator.ws(z: generator.latents(seeds: seeds), truncation: truncation)
            guard let p0 = try? predictor.probabilities(generated: generator.synthesis(ws)),
                  let po = try? predictor.probabilities(generated: generator.synthesis(pick.original.0.apply(to: ws, alpha: ao))),
                  let pc = try? predictor.probabilities(generated: generator.synthesis(pick.corrected.0.apply(to: ws, alpha: ac))) else { return nil }
            for i in seeds.indices where p0[i][t] < 0.3 {
                let rise = po[i][j] - p0[i][j], drift = pc[i][j] - p0[i][j]
                // Both edits must add the target (a corrected pane that leaves the face alone
                // keeps the correlated attribute trivially).
                let added = po[i][t] - p0[i][t] >= minTargetRise && pc[i][t] - p0[i][t] >= minTargetRise
                if added && rise >= minRise && abs(drift) <= maxDrift {
                    found = FirstScreen(attribute: pick.attribute, correlated: predictor.attributes[j], seed: seeds[i],
                                        originalRise: rise, correctedChange: drift)
                    break
                }
            }
            start += chunk
        }
        if let found, let file, let data = try? JSONEncoder().encode(found) {
            try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? AtomicWrite.write(data, to: file)
        }
        return found
    }
}
