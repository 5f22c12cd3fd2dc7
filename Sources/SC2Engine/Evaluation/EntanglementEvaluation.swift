import Foundation
import Tensor

/// The project's evaluation protocol (docs/METHOD.md): on held-out seeds whose target attribute is
/// off, every method's step is chosen so that the mean increase of the target's probability
/// reaches the same value; then leakage into the correlated attribute, the entanglement ratio,
/// the success rate (target on, correlated kept) and the change of the rest of the image are
/// reported with their spread over seeds.
public struct EntanglementEvaluation: Sendable {
    public struct Row: Sendable, Codable {
        public let target: String
        public let correlated: String
        public let method: String
        public let alpha: Double
        public let targetChange: Stat
        public let leakage: Stat            // |delta p| of the correlated attribute
        public let otherLeakage: Stat       // mean |delta p| of all remaining attributes
        public let pixelChange: Stat        // mean |delta| of 8-bit pixels
        public let successRate: Double
        public let samples: Int
        /// Whether the mean target change reached 90% of the requested one (a direction that
        /// barely moves its target, even at alpha 64, has no meaningful leakage ratio).
        public let targetReached: Bool
        /// Leakage per unit of target change; nil when the target was not reached.
        public var ratio: Double? { targetReached ? leakage.mean / targetChange.mean : nil }
    }

    /// Mean, standard deviation over seeds, and a 95% bootstrap interval of the mean.
    public struct Stat: Sendable, Codable {
        public let mean: Double, std: Double, low: Double, high: Double
        public init(_ xs: [Double], seed: UInt64 = 0) {
            mean = Statistics.mean(xs); std = Statistics.std(xs)
            var rng = Xoshiro(seed: seed)
            var means: [Double] = []
            if !xs.isEmpty {
                for _ in 0..<1000 {
                    var s = 0.0
                    for _ in 0..<xs.count { s += xs[Int(rng.next() % UInt64(xs.count))] }
                    means.append(s / Double(xs.count))
                }
            }
            means.sort()
            low = means.isEmpty ? .nan : means[25]; high = means.isEmpty ? .nan : means[974]
        }
    }

    public let generator: Generator
    public let classifier: any AttributePredictor
    /// Mean increase of the target's probability every method must reach.
    public var targetChange: Double = 0.5
    public var truncation: Float = 1

    public init(generator: Generator, classifier: any AttributePredictor) { self.generator = generator; self.classifier = classifier }

    /// Held-out codes whose target is off (p < 0.5), from seeds in `seeds`, at most `count`.
    public func heldOut(target: String, seeds: [UInt32], count: Int) throws -> (codes: Tensor, scores: [[Float]], seeds: [UInt32]) {
        let a = try classifier.requiredIndex(of: target)
        let g = generator, d = g.config.wDim, nw = g.config.numWs
        var kept: [Float] = [], keptScores: [[Float]] = [], keptSeeds: [UInt32] = []
        for start in stride(from: 0, to: seeds.count, by: 32) where keptSeeds.count < count {
            let chunk = Array(seeds[start..<min(start + 32, seeds.count)])
            let ws = g.ws(z: g.latents(seeds: chunk), truncation: truncation)
            let p = try classifier.probabilities(generated: g.synthesis(ws))
            for i in 0..<chunk.count where p[i][a] < 0.5 && keptSeeds.count < count {
                kept.append(contentsOf: ws.data[i * nw * d..<(i + 1) * nw * d]); keptScores.append(p[i]); keptSeeds.append(chunk[i])
            }
        }
        return (Tensor(shape: [keptSeeds.count, nw, d], data: kept), keptScores, keptSeeds)
    }

    /// Evaluates one direction on held-out codes for (target, correlated).
    public func evaluate(_ direction: Direction, method: String, correlated: String,
                         codes: Tensor, baseScores: [[Float]]) throws -> Row {
        let a = try classifier.requiredIndex(of: direction.attribute), b = try classifier.requiredIndex(of: correlated)
        let baseImages = generator.synthesis(codes)
        func meanTargetChange(_ alpha: Float) throws -> Double {
            let p = try classifier.probabilities(generated: generator.synthesis(direction.apply(to: codes, alpha: alpha)))
            return Statistics.mean(p.indices.map { Double(p[$0][a] - baseScores[$0][a]) })
        }
        // Bracket then bisect alpha so the mean target change reaches `targetChange`.
        var lo: Float = 0, hi: Float = 1
        while try meanTargetChange(hi) < targetChange && hi < 64 { lo = hi; hi *= 2 }
        for _ in 0..<12 {
            let mid = (lo + hi) / 2
            if try meanTargetChange(mid) < targetChange { lo = mid } else { hi = mid }
        }
        let alpha = hi
        let edited = generator.synthesis(direction.apply(to: codes, alpha: alpha))
        let p = try classifier.probabilities(generated: edited)
        var dA: [Double] = [], leak: [Double] = [], other: [Double] = [], pix: [Double] = []
        var success = 0
        let per = edited.count / max(p.count, 1)
        for i in p.indices {
            dA.append(Double(p[i][a] - baseScores[i][a]))
            leak.append(Double(abs(p[i][b] - baseScores[i][b])))
            let rest = classifier.attributes.indices.filter { $0 != a && $0 != b }
            other.append(Statistics.mean(rest.map { Double(abs(p[i][$0] - baseScores[i][$0])) }))
            var s = 0.0
            for k in 0..<per {
                s += abs(Double(RGBImage.quantize(edited.data[i * per + k])) - Double(RGBImage.quantize(baseImages.data[i * per + k])))
            }
            pix.append(s / Double(per))
            if p[i][a] > 0.5 && (p[i][b] > 0.5) == (baseScores[i][b] > 0.5) { success += 1 }
        }
        return Row(target: direction.attribute, correlated: correlated, method: method, alpha: Double(alpha),
                   targetChange: Stat(dA), leakage: Stat(leak), otherLeakage: Stat(other), pixelChange: Stat(pix),
                   successRate: p.isEmpty ? .nan : Double(success) / Double(p.count), samples: p.count,
                   targetReached: Statistics.mean(dA) >= 0.9 * targetChange)
    }


    /// The table as text.
    public static func table(_ rows: [Row]) -> String {
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
        var s = pad("target", 11) + pad("correlated", 11) + pad("method", 14) + pad("alpha", 7) + pad("Δtarget", 16)
            + pad("leakage [95% CI]", 23) + pad("ratio", 7) + pad("other leakage", 16) + pad("pixels", 7) + "success\n"
        for r in rows {
            s += pad(r.target, 11) + pad(r.correlated, 11) + pad(r.method, 14) + pad(String(format: "%.2f", r.alpha), 7)
            s += pad(String(format: "%.3f ± %.3f", r.targetChange.mean, r.targetChange.std), 16)
            s += pad(String(format: "%.3f [%.3f, %.3f]", r.leakage.mean, r.leakage.low, r.leakage.high), 23)
            s += pad(r.ratio.map { String(format: "%.3f", $0) } ?? "n/a*", 7)
            s += pad(String(format: "%.3f ± %.3f", r.otherLeakage.mean, r.otherLeakage.std), 16)
            s += pad(String(format: "%.1f", r.pixelChange.mean), 7) + String(format: "%.0f%%", r.successRate * 100) + "\n"
        }
        if rows.contains(where: { !$0.targetReached }) {
            s += "* n/a: the direction did not reach the target change even at alpha \(rows.map(\.alpha).max().map { String(format: "%.0f", $0) } ?? "64"); its leakage is not comparable\n"
        }
        return s
    }

    public static func csv(_ rows: [Row]) -> String {
        var s = "target,correlated,method,alpha,target_change,target_change_std,leakage,leakage_std,leakage_ci_low,leakage_ci_high,ratio,other_leakage,pixel_change,success_rate,samples\n"
        for r in rows {
            s += "\(r.target),\(r.correlated),\(r.method),\(r.alpha),\(r.targetChange.mean),\(r.targetChange.std),\(r.leakage.mean),\(r.leakage.std),\(r.leakage.low),\(r.leakage.high),\(r.ratio.map { "\($0)" } ?? ""),\(r.otherLeakage.mean),\(r.pixelChange.mean),\(r.successRate),\(r.samples)\n"
        }
        return s
    }
}
