import Foundation
import Tensor

/// Rare attribute combinations made in W+: samples from a frequent combination are moved along
/// the target's direction on its semantic rows only (shift), or take those rows from a donor
/// that has the target (mix). Kept only when the classifier confirms the rare combination:
/// the target flipped, the correlated attribute unchanged.
public struct LowDensitySynthesis: Sendable {
    public enum Mode: String, Codable, Sendable, CaseIterable { case shift, mix }

    /// Mix mode: the donors a source may take its rows from. `any`: every confident sample with
    /// the target; `matched`: only those whose correlated attributes have the source's labels (a
    /// young source without glasses takes its rows from old faces without glasses), so the rows
    /// cannot carry the correlated attribute in. Under strong correlation such donors are few; a
    /// source with none gives no candidate.
    public enum Donors: String, Codable, Sendable, CaseIterable { case any, matched }

    public struct Sample: Sendable {
        public let code: [Float]        // W+ code, numWs * wDim
        public let sourceSeed: UInt32
        public let targetPositive: Bool // the target's value in the rare combination
        public let scores: [Float]
    }

    public let generator: Generator
    public let classifier: any AttributePredictor
    public let direction: Direction    // the base direction of the target, with `layers` = semantic rows
    public let correlated: [String]
    public var mode: Mode = .shift
    public var donors: Donors = .any
    /// Confidence a kept sample's target must reach (p > margin or p < 1 - margin).
    public var margin: Float = 0.7
    /// Largest change of a correlated attribute's probability a kept sample may show.
    public var maxCorrelatedChange: Float = 0.25

    public init(generator: Generator, classifier: any AttributePredictor, direction: Direction, correlated: [String]) {
        self.generator = generator; self.classifier = classifier; self.direction = direction; self.correlated = correlated
    }

    /// Up to `count` rare samples (both rare combinations, half each) from the dense set.
    /// Sources listed in `used` (dense indices) are skipped, and every source tried is added to
    /// it, so that repeated calls make new samples. Each source draws its donors from its own
    /// generator (`sourceRNG`), so what a source gives does not depend on which sources were
    /// tried before it (the pipeline's shards rely on that).
    public func synthesize(dense: SampleSet, count: Int, alphas: [Float], seed: UInt64 = 0, used: inout Set<Int>,
                           progress: ((Int, Int) -> Void)? = nil) throws -> [Sample] {
        let ctx = try Context(self, dense)
        var out: [Sample] = []
        for positive in [true, false] {
            let want = (count + 1) / 2
            var kept = 0, tried = 0
            for i in ctx.sources(positive: positive, excluding: used) where kept < want {
                tried += 1
                used.insert(i)
                if let sample = try attempt(ctx, source: i, positive: positive, alphas: alphas, seed: seed) {
                    out.append(sample)
                    kept += 1
                }
                progress?(out.count, count)
                if tried > 20 * want { break }
            }
        }
        return out
    }

    /// One source's try: its candidates (one batch of their own), the first the classifier accepts.
    func attempt(_ ctx: Context, source i: Int, positive: Bool, alphas: [Float], seed: UInt64) throws -> Sample? {
        let rows = direction.layers ?? Array(0..<generator.config.numWs)
        var rng = Self.sourceRNG(seed: seed, sourceSeed: ctx.seeds[i])
        let candidates = ctx.candidates(source: i, positive: positive, rows: rows, alphas: alphas, rng: &rng)
        guard !candidates.isEmpty else { return nil }
        let batch = Tensor(shape: [candidates.count, ctx.nw, ctx.d], data: candidates.flatMap { $0 })
        let p = try generator.scores(batch, by: classifier)
        guard let ci = p.indices.first(where: { ctx.accepts(p[$0], source: i, positive: positive) }) else { return nil }
        return Sample(code: candidates[ci], sourceSeed: ctx.seeds[i], targetPositive: positive, scores: p[ci])
    }

    /// The random generator of one source's candidates (its donors, in mix mode): seeded from
    /// the source's seed, so it is the same whichever process or shard tries the source.
    static func sourceRNG(seed: UInt64, sourceSeed: UInt32) -> Xoshiro {
        Xoshiro(seed: seed &+ UInt64(sourceSeed) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// The rare-sample yield of a set of rows: of the first `perSide` sources on each side (those
    /// `synthesize` would try first), how many give a kept rare sample when synthesised on `rows`.
    public func yield(dense: SampleSet, rows: [Int], perSide: Int, alphas: [Float], seed: UInt64 = 0) throws -> Yield {
        let ctx = try Context(self, dense)
        var kept = [0, 0], tried = [0, 0]
        for (side, positive) in [true, false].enumerated() {
            let sources = Array(ctx.sources(positive: positive, excluding: []).prefix(perSide))
            var owner: [Int] = [], batch: [Float] = []
            for (j, i) in sources.enumerated() {
                var rng = Self.sourceRNG(seed: seed, sourceSeed: ctx.seeds[i])
                for c in ctx.candidates(source: i, positive: positive, rows: rows, alphas: alphas, rng: &rng) {
                    owner.append(j); batch.append(contentsOf: c)
                }
            }
            tried[side] = sources.count
            guard !owner.isEmpty else { continue }
            var ok = Set<Int>()
            for start in stride(from: 0, to: owner.count, by: 64) {
                let n = min(64, owner.count - start)
                let codes = Tensor(shape: [n, ctx.nw, ctx.d], data: Array(batch[start * ctx.nw * ctx.d..<(start + n) * ctx.nw * ctx.d]))
                let p = try generator.scores(codes, by: classifier)
                for (m, s) in p.enumerated() where ctx.accepts(s, source: sources[owner[start + m]], positive: positive) {
                    ok.insert(owner[start + m])
                }
            }
            kept[side] = ok.count
        }
        return Yield(rows: rows, positive: kept[0], negative: kept[1], triedPositive: tried[0], triedNegative: tried[1])
    }

    public struct Yield: Sendable, Codable {
        public let rows: [Int]
        /// Sources that gave a kept rare sample with the target switched on / off...
        public let positive: Int, negative: Int
        /// ...of this many tried.
        public let triedPositive: Int, triedNegative: Int
        public var kept: Int { positive + negative }
        public var rate: Double { Double(kept) / Double(max(triedPositive + triedNegative, 1)) }
    }

    /// What synthesis and yield share: scores, source order, candidates, the acceptance test.
    struct Context {
        let s: LowDensitySynthesis
        let a: Int, bs: [Int]
        let pa: [Float], pb: [[Float]]
        let codes: [[Float]]
        let seeds: [UInt32]
        let phi: [[Double]]
        /// Donors by the target's side, then by their correlated labels (one key, `[]`, unless
        /// `donors` is matched).
        let donors: [Bool: [[Bool]: [Int]]]
        let nw: Int, d: Int

        init(_ s: LowDensitySynthesis, _ dense: SampleSet) throws {
            self.s = s
            a = try s.classifier.requiredIndex(of: s.direction.attribute)
            bs = try s.correlated.map(s.classifier.requiredIndex)
            pa = try dense.scores(of: s.direction.attribute)
            pb = try s.correlated.map { try dense.scores(of: $0) }
            codes = dense.codes
            seeds = dense.seeds
            phi = dense.labelCorrelation()
            let pa = pa, pb = pb, matched = s.donors == .matched
            var pools: [Bool: [[Bool]: [Int]]] = [true: [:], false: [:]]
            for i in 0..<dense.count where pa[i] > 0.8 || pa[i] < 0.2 {
                let key = matched ? pb.map { $0[i] > 0.5 } : []
                pools[pa[i] > 0.8]![key, default: []].append(i)
            }
            donors = pools
            nw = s.generator.config.numWs; d = s.generator.config.wDim
        }

        /// Rare combination = target flipped while each correlated attribute keeps its value.
        /// Sources: confident samples with the target off (to switch on) or on (to switch off),
        /// those in the frequent combination first (correlated attributes agreeing with the
        /// target's current value), since flipping the target there makes the rare one.
        func sources(positive: Bool, excluding used: Set<Int>) -> [Int] {
            let agreeing = (0..<pa.count).map { k in
                bs.enumerated().filter { (m, b) in (pb[m][k] > 0.5) == ((pa[k] > 0.5) == (phi[a][b] > 0)) }.count
            }
            return (0..<pa.count)
                .filter { i in !used.contains(i) && (positive ? pa[i] < 0.2 : pa[i] > 0.8) }
                .sorted { agreeing[$0] != agreeing[$1] ? agreeing[$0] > agreeing[$1] : $0 < $1 }
        }

        /// W+ codes to try for one source: shifted along the direction on `rows` by each alpha,
        /// or with `rows` taken from as many random donors that have the target.
        func candidates(source i: Int, positive: Bool, rows: [Int], alphas: [Float], rng: inout Xoshiro) -> [[Float]] {
            var code = [Float](repeating: 0, count: nw * d)
            for r in 0..<nw { code.replaceSubrange(r * d..<(r + 1) * d, with: codes[i]) }
            switch s.mode {
            case .shift:
                return alphas.map { alpha in
                    var c = code
                    let step: Float = positive ? alpha : -alpha
                    for r in rows { for k in 0..<d { c[r * d + k] += step * s.direction.vector[k] } }
                    return c
                }
            case .mix:
                let pool = donors[positive]![donorKey(i)] ?? []
                guard !pool.isEmpty else { return [] }
                return (0..<max(1, alphas.count)).map { _ in
                    let donor = codes[pool[Int(rng.next() % UInt64(pool.count))]]
                    var c = code
                    for r in rows { c.replaceSubrange(r * d..<(r + 1) * d, with: donor) }
                    return c
                }
            }
        }

        /// The donor pool a source draws from: its correlated labels when donors are matched.
        func donorKey(_ i: Int) -> [Bool] { s.donors == .matched ? pb.map { $0[i] > 0.5 } : [] }

        /// Kept: the target confidently flipped, every correlated attribute on the same side and
        /// moved by at most `maxCorrelatedChange`.
        func accepts(_ p: [Float], source i: Int, positive: Bool) -> Bool {
            let flipped = positive ? p[a] > s.margin : p[a] < 1 - s.margin
            return flipped && bs.enumerated().allSatisfy { (m, b) in
                abs(p[b] - pb[m][i]) <= s.maxCorrelatedChange && (p[b] > 0.5) == (pb[m][i] > 0.5)
            }
        }
    }
}
