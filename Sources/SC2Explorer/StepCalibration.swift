import Foundation
import SC2Engine

/// Equal effect: how far one direction must go for the predictor to see a given mean change of
/// its target, measured once on validation seeds that lack the target (the evaluation's step
/// search, `EntanglementEvaluation.steps`, on a small set) and cached on disk, keyed by the
/// direction's content hash, the predictor's identity and the truncation.
///
/// The explorer's equal-effect step of a direction is `alpha / stepsToLevel`: two steps along
/// any direction move the target by the same mean amount on those faces.
struct StepCalibration: Codable, Equatable, Sendable {
    /// The direction's cache id (`ExplorerDirectionStore.identity`) and the predictor's identity.
    let direction: String
    let predictor: String
    let truncation: Float
    let target: String
    /// The mean target change searched for, and the step that reaches it (the peak when unreached).
    let level: Double
    let alpha: Float
    let reached: Bool
    /// The validation seeds it was measured on (target absent).
    let seeds: [UInt32]
    /// Per predictor attribute: the mean change at `alpha` on those seeds (the target's is ~`level`).
    let meanChanges: [Float]

    /// The mean target change two equal-effect steps reach.
    static let level = 0.5
    static let stepsToLevel: Float = 2
    /// Held-out faces: the first validation seeds whose target is absent.
    static let seedCount = 32
    static let candidates = 160
    /// A short grid and few bisections: cheap on a 64 px model (about 250 pictures a direction).
    static let grid: [Float] = [0.25, 0.5, 1, 1.5, 2, 3, 4, 6, 8, 12]
    static let bisections = 4

    /// The attribute besides the target that moved most at `alpha` (by index), for `names`.
    func mostMoved(target: Int) -> Int? {
        meanChanges.indices.filter { $0 != target }.max { abs(meanChanges[$0]) < abs(meanChanges[$1]) }
    }

    /// α of one equal-effect step.
    var stepAlpha: Float { alpha / StepCalibration.stepsToLevel }

    /// Runs the search for `direction` (whose attribute the predictor must score).
    static func measure(_ direction: Direction, id: String, generator: Generator, predictor: any AttributePredictor,
                        truncation: Float) throws -> StepCalibration {
        var eval = EntanglementEvaluation(generator: generator, judge: predictor)
        eval.truncation = truncation
        eval.grid = grid
        eval.bisections = bisections
        let seeds = try SeedRanges.heldOut(.validation, count: candidates)
        let held = try eval.heldOut(target: direction.attribute, seeds: seeds, count: seedCount)
        guard !held.seeds.isEmpty else { throw SC2Error("no validation face lacks \(direction.attribute)") }
        let step = try eval.steps(direction, held: held, levels: [level])[0]
        let p = try predictor.probabilities(generated: generator.synthesis(direction.apply(to: held.codes, alpha: step.alpha)))
        let n = predictor.attributes.count
        var changes = [Float](repeating: 0, count: n)
        for (row, base) in zip(p, held.scores) {
            for i in 0..<min(n, row.count, base.count) { changes[i] += (row[i] - base[i]) / Float(p.count) }
        }
        return StepCalibration(direction: id, predictor: predictor.identity, truncation: truncation, target: direction.attribute,
                               level: level, alpha: step.alpha, reached: step.reached, seeds: held.seeds, meanChanges: changes)
    }
}

/// The calibrations on disk (`<cache>/explorer/steps/<direction>-<predictor>-<psi>.json`) and in
/// memory; also read (never written) from a shipped folder of the same layout, the direction
/// library's `explorer-cache/` (`sc2gan directions calibrate`), so that a fresh install opens at
/// once.
package final class StepCalibrator {
    let generator: Generator
    let predictor: any AttributePredictor
    let truncation: Float
    let directory: URL?
    let shipped: URL?
    private var memory: [String: StepCalibration] = [:]

    package init(generator: Generator, predictor: any AttributePredictor, truncation: Float, cacheDirectory: URL?, shippedDirectory: URL? = nil) {
        self.generator = generator; self.predictor = predictor; self.truncation = truncation
        directory = cacheDirectory?.appendingPathComponent("explorer/steps")
        shipped = shippedDirectory?.appendingPathComponent("explorer/steps")
    }

    private func key(_ id: String) -> String {
        "\(id)-\(ContentHash.of(Data(predictor.identity.utf8)).prefix(16))-\(String(format: "%.3f", truncation))"
    }

    /// The cached calibration of `id`, if any (memory, then disk).
    func cached(_ id: String) -> StepCalibration? {
        let k = key(id)
        if let c = memory[k] { return c }
        for dir in [directory, shipped].compactMap({ $0 }) {
            guard let data = try? Data(contentsOf: dir.appendingPathComponent(k + ".json")),
                  let c = try? JSONDecoder().decode(StepCalibration.self, from: data),
                  c.direction == id, c.predictor == predictor.identity, c.meanChanges.count == predictor.attributes.count,
                  c.truncation == truncation else { continue }
            memory[k] = c
            return c
        }
        return nil
    }

    /// The calibration of `direction` (cached, or measured now and cached); nil when the
    /// predictor does not score its attribute or the search fails.
    func calibration(_ direction: Direction, id: String) -> StepCalibration? {
        if let c = cached(id) { return c }
        guard predictor.index(of: direction.attribute) != nil,
              let c = try? StepCalibration.measure(direction, id: id, generator: generator, predictor: predictor, truncation: truncation)
        else { return nil }
        let k = key(id)
        memory[k] = c
        if let dir = directory, let data = try? JSONEncoder().encode(c) {
            try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try? AtomicWrite.write(data, to: dir.appendingPathComponent(k + ".json"))
        }
        return c
    }
}

/// What `sc2gan directions calibrate` ships with a direction library: the first screen and the
/// equal-effect calibration of every direction the predictor scores, in a cache folder's layout.
package enum ExplorerCalibration {
    /// Returns how many directions were calibrated and the first screen (nil when none qualifies).
    package static func precompute(generator g: Generator, predictor c: any AttributePredictor, library: DirectionLibrary,
                                   truncation: Float, into out: URL, progress: (String) -> Void) throws -> (Int, FirstScreen?) {
        let store = ExplorerDirectionStore(library: library, wDim: g.config.wDim, numWs: g.config.numWs, modelHash: g.hash)
        let attributes = c.attributes.filter { a in DirectionMethod.allCases.contains { store.slot(attribute: a, method: $0).direction != nil } }
        guard !attributes.isEmpty else {
            throw SC2Error("\(library.directory.path): no direction for any of the predictor's attributes (\(c.attributes.joined(separator: ", ")))")
        }
        let first = FirstScreen.find(generator: g, predictor: c, store: store, attributes: attributes, truncation: truncation,
                                     cacheDirectory: out, progress: progress)
        let calibrator = StepCalibrator(generator: g, predictor: c, truncation: truncation, cacheDirectory: out)
        var n = 0
        for a in attributes {
            for m in DirectionMethod.allCases {
                guard case .available(let d, let id, _) = store.slot(attribute: a, method: m) else { continue }
                if calibrator.calibration(d, id: id) != nil { n += 1 } else { progress("\(a) \(m.rawValue): not calibrated (the search failed)") }
            }
        }
        return (n, first)
    }
}
