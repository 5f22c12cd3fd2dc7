import Foundation
import Tensor

/// Rare attribute combinations made in W+: samples from a frequent combination are moved along
/// the target's direction on its semantic rows only (shift), or take those rows from a donor
/// that has the target (mix). Kept only when the classifier confirms the rare combination:
/// the target flipped, the correlated attribute unchanged.
public struct LowDensitySynthesis: Sendable {
    public enum Mode: String, Codable, Sendable, CaseIterable { case shift, mix }

    public struct Sample: Sendable {
        public let code: [Float]        // W+ code, numWs * wDim
        public let sourceSeed: UInt32
        public let targetPositive: Bool // the target's value in the rare combination
        public let scores: [Float]
    }

    public let generator: Generator
    public let classifier: AttributeClassifier
    public let direction: Direction    // the base direction of the target, with `layers` = semantic rows
    public let correlated: [String]
    public var mode: Mode = .shift
    /// Confidence a kept sample's target must reach (p > margin or p < 1 - margin).
    public var margin: Float = 0.7
    /// Largest change of a correlated attribute's probability a kept sample may show.
    public var maxCorrelatedChange: Float = 0.25

    public init(generator: Generator, classifier: AttributeClassifier, direction: Direction, correlated: [String]) {
        self.generator = generator; self.classifier = classifier; self.direction = direction; self.correlated = correlated
    }

    /// Up to `count` rare samples (both rare combinations, half each) from the dense set.
    /// Sources listed in `used` (dense indices) are skipped, and every source tried is added to
    /// it, so that repeated calls make new samples.
    public func synthesize(dense: SampleSet, count: Int, alphas: [Float], seed: UInt64 = 0, used: inout Set<Int>,
                           progress: ((Int, Int) -> Void)? = nil) throws -> [Sample] {
        let a = try index(direction.attribute)
        let bs = try correlated.map(index)
        let pa = try dense.scores(of: direction.attribute)
        let pb = try correlated.map { try dense.scores(of: $0) }
        let codes = dense.codes
        let nw = generator.config.numWs, d = generator.config.wDim
        var rng = Xoshiro(seed: seed &+ UInt64(used.count))
        // Rare combination = target flipped while each correlated attribute keeps its value.
        // Sources: confident samples with the target off (to switch on) and on (to switch off).
        var out: [Sample] = []
        for positive in [true, false] {
            var sources = (0..<dense.count).filter { i in !used.contains(i) && (positive ? pa[i] < 0.2 : pa[i] > 0.8) }
            // Prefer the sources whose correlated attributes agree with the target's current value
            // (the frequent combination), since flipping the target there makes the rare one.
            let phi = dense.labelCorrelation()
            sources.sort { i, j in
                func freq(_ k: Int) -> Int {
                    bs.enumerated().filter { (m, b) in (pb[m][k] > 0.5) == ((pa[k] > 0.5) == (phi[a][b] > 0)) }.count
                }
                return freq(i) > freq(j)
            }
            let donors = (0..<dense.count).filter { i in positive ? pa[i] > 0.8 : pa[i] < 0.2 }
            let want = (count + 1) / 2
            var kept = 0, tried = 0
            for i in sources where kept < want {
                tried += 1
                used.insert(i)
                var code = [Float](repeating: 0, count: nw * d)
                for r in 0..<nw { code.replaceSubrange(r * d..<(r + 1) * d, with: codes[i]) }
                let rows = direction.layers ?? Array(0..<nw)
                var candidates: [[Float]] = []
                switch mode {
                case .shift:
                    for alpha in alphas {
                        var c = code
                        let s: Float = positive ? alpha : -alpha
                        for r in rows { for k in 0..<d { c[r * d + k] += s * direction.vector[k] } }
                        candidates.append(c)
                    }
                case .mix:
                    guard !donors.isEmpty else { break }
                    for _ in 0..<max(1, alphas.count) {
                        let donor = codes[donors[Int(rng.next() % UInt64(donors.count))]]
                        var c = code
                        for r in rows { c.replaceSubrange(r * d..<(r + 1) * d, with: donor) }
                        candidates.append(c)
                    }
                }
                guard !candidates.isEmpty else { continue }
                let batch = Tensor(shape: [candidates.count, nw, d], data: candidates.flatMap { $0 })
                let p = classifier.probabilities(generated: generator.synthesis(batch))
                for (ci, s) in p.enumerated() {
                    let flipped = positive ? s[a] > margin : s[a] < 1 - margin
                    let kept_b = bs.enumerated().allSatisfy { (m, b) in abs(s[b] - pb[m][i]) <= maxCorrelatedChange && (s[b] > 0.5) == (pb[m][i] > 0.5) }
                    if flipped && kept_b {
                        out.append(Sample(code: candidates[ci], sourceSeed: dense.seeds[i], targetPositive: positive, scores: s))
                        kept += 1
                        break
                    }
                }
                progress?(out.count, count)
                if tried > 20 * want { break }
            }
        }
        return out
    }

    private func index(_ name: String) throws -> Int {
        guard let i = classifier.index(of: name) else {
            throw SC2Error("unknown attribute '\(name)' (known: \(classifier.attributes.joined(separator: ", ")))")
        }
        return i
    }
}
