import Foundation
import Tensor

/// Whether scoring may stop synthesis at the predictor's resolution on this model. The image at
/// an intermediate block is the sum of the RGB outputs so far: how close it is to the final one
/// depends on the model (FaceWorld's 64 px generator puts most of its contrast and colour in the
/// last block; the StyleGAN2 paper's 1024 px models put little in theirs). So it is measured:
/// the predictor scores `images` faces both ways, and the stop is used only when the labels
/// agree and the probabilities barely move. The verdict is kept per (model, predictor).
package enum EarlyStopCheck {
    package struct Verdict: Codable, Sendable, Equatable {
        package let resolution: Int
        package let images: Int
        /// Share of (image, attribute) labels (p > 0.5) the stop leaves unchanged.
        package let labelAgreement: Double
        package let meanAbsChange: Double
        package let accepted: Bool
    }

    package static let minimumAgreement = 0.99
    package static let maximumMeanChange = 0.01
    /// Seeds of the check: from the validation range, so no sample set or table uses them.
    package static func seeds(_ n: Int) -> [UInt32] { (0..<UInt32(n)).map { 9_000_000 + $0 } }

    /// The verdict for `g` and `p`, nil when there is nothing to stop (the predictor reads the
    /// full resolution or more).
    package static func measure(_ g: Generator, _ p: any AttributePredictor, images: Int = 32) throws -> Verdict? {
        var early = g, full = g
        early.earlyStopScoring = true
        full.earlyStopScoring = false
        guard let r = early.scoringResolution(forInput: p.inputSize) else { return nil }
        var same = 0, total = 0, change = 0.0
        let list = seeds(images)
        for start in stride(from: 0, to: list.count, by: 8) {
            let ws = g.ws(z: g.latents(seeds: Array(list[start..<min(start + 8, list.count)])))
            let a = try full.scores(ws, by: p), b = try early.scores(ws, by: p)
            for (x, y) in zip(a, b) {
                for (u, v) in zip(x, y) {
                    total += 1
                    if (u > 0.5) == (v > 0.5) { same += 1 }
                    change += Double(abs(u - v))
                }
            }
        }
        let agreement = Double(same) / Double(max(total, 1)), mean = change / Double(max(total, 1))
        return Verdict(resolution: r, images: images, labelAgreement: agreement, meanAbsChange: mean,
                       accepted: agreement >= minimumAgreement && mean <= maximumMeanChange)
    }

    /// The cached verdict, or a new one measured and cached in `dir`.
    package static func verdict(_ g: Generator, _ p: any AttributePredictor, cache dir: URL) throws -> Verdict? {
        var probe = g
        probe.earlyStopScoring = true
        guard probe.scoringResolution(forInput: p.inputSize) != nil else { return nil }
        let url = dir.appendingPathComponent("early-stop-\(ContentHash.of(Data("\(g.hash)|\(p.identity)".utf8)).prefix(16)).json")
        if let data = try? Data(contentsOf: url), let v = try? JSONDecoder().decode(Verdict.self, from: data) { return v }
        guard let v = try measure(g, p) else { return nil }
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try? AtomicWrite.write(try JSONEncoder().encode(v), to: url)
        return v
    }

    /// One line for the user.
    package static func describe(_ v: Verdict, predictorInput: Int) -> String {
        let measured = String(format: "on %d faces the stop at %d px keeps %.1f%% of the labels, mean |Δp| %.3f", v.images, v.resolution,
                              v.labelAgreement * 100, v.meanAbsChange)
        return v.accepted
            ? "scoring: synthesis stops at \(v.resolution) px for the \(predictorInput) px predictor (\(measured))"
            : "scoring at full resolution: \(measured) (needs \(Int(minimumAgreement * 100))% and \(maximumMeanChange)); --scoring-resolution predictor forces the stop"
    }
}
