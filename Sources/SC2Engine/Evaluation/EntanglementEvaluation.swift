import Foundation
import Tensor

/// The project's evaluation protocol (docs/METHOD.md, "Evaluation"): on held-out seeds whose
/// target attribute is off (adding it) or on (removing it), every direction's step is chosen so
/// that the judge sees the same mean change of the target; then the judge's view of the
/// correlated attribute (leakage), of the other attributes, and of the pixels is recorded per
/// seed, so that methods can be compared seed by seed (paired) and fit by fit (restarts).
///
/// The step search does not assume that the target's change grows with the step: it walks a
/// geometric grid of steps and bisects inside the first grid interval that reaches the level;
/// a direction whose change never reaches it is reported as such, with the most it reached.
public struct EntanglementEvaluation: Sendable {
    /// Held-out codes and the judge's scores of their unedited images.
    public struct HeldOut: Sendable {
        public let codes: Tensor          // [n, numWs, wDim]
        public let scores: [[Float]]      // judge, [n][attributes]
        public let seeds: [UInt32]
        public let removing: Bool         // true: the target is on and is to be removed
        /// The same images scored by a second predictor, when asked (agreement with the judge).
        public let otherScores: [[Float]]?
    }

    /// One direction on one held-out set at one target level.
    public struct Row: Sendable, Codable {
        public let target: String
        public let correlated: String
        /// The method's name in the table (set again when a saved row is reused under another label).
        public var method: String
        /// "add" (target off at the start, step > 0) or "remove" (target on, step < 0).
        public let side: String
        public let level: Double
        public let restart: Int
        public let alpha: Double
        /// Whether the mean target change reached `level` (within 2%); if not, `alpha` is where
        /// it peaked and the leakage is not comparable with the other rows.
        public let targetReached: Bool
        public let targetChange: Stat
        public let leakage: Stat            // |Δp| of the correlated attribute
        public let otherLeakage: Stat       // mean |Δp| of every remaining attribute
        public let pixelChange: Stat        // mean |Δ| of 8-bit pixels
        /// Seeds whose target crossed 0.5 the intended way, and of those the share whose
        /// correlated attribute stayed on its side: P(correlated kept | target flipped).
        public let flipRate: Double
        public let keptGivenFlip: Double
        public let seeds: [UInt32]
        /// Per seed, in `seeds` order: leakage and other leakage (the paired comparisons).
        public let perSeedLeakage: [Double]
        public let perSeedOther: [Double]
        /// Attribute dependency (StyleSpace's measure, on the judge's probabilities): the mean over
        /// every attribute but the target of mean |Δp| divided by that attribute's spread (its
        /// standard deviation over the held-out samples, at least 0.05). nil in rows made before.
        public var dependency: Double? = nil
        /// Mean |Δp| of each attribute but the target (nil in rows made before).
        public var attributeChanges: [String: Double]? = nil
        public var ratio: Double? { targetReached ? leakage.mean / max(targetChange.mean, 1e-9) : nil }
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
    /// Scores every image of the evaluation; should not be the predictor the directions were
    /// fitted and corrected with (the command refuses that unless told).
    public let judge: any AttributePredictor
    public var truncation: Float = 1
    /// The step grid: 0.125 * sqrt(2)^k up to 64.
    public var grid: [Float] = (0...18).map { 0.125 * Float(pow(2.0, Double($0) / 2)) }
    /// Bisection steps inside the bracketing grid interval.
    public var bisections = 8

    public init(generator: Generator, judge: any AttributePredictor) { self.generator = generator; self.judge = judge }

    /// Held-out codes from `seeds` whose target is off (or on, when `removing`) by the judge,
    /// at most `count`, in seed order.
    /// With `alsoScoredBy`, the kept images are scored by that predictor too, from the same synthesis.
    public func heldOut(target: String, seeds: [UInt32], count: Int, removing: Bool = false,
                        alsoScoredBy other: (any AttributePredictor)? = nil) throws -> HeldOut {
        let a = try judge.requiredIndex(of: target)
        let g = generator, d = g.config.wDim, nw = g.config.numWs
        var kept: [Float] = [], keptScores: [[Float]] = [], keptSeeds: [UInt32] = [], keptOther: [[Float]] = []
        for start in stride(from: 0, to: seeds.count, by: 32) where keptSeeds.count < count {
            let chunk = Array(seeds[start..<min(start + 32, seeds.count)])
            let ws = g.ws(z: g.latents(seeds: chunk), truncation: truncation)
            let images = g.synthesis(ws)
            let p = try judge.probabilities(generated: images)
            let q = try other?.probabilities(generated: images)
            for i in 0..<chunk.count where (removing ? p[i][a] > 0.5 : p[i][a] < 0.5) && keptSeeds.count < count {
                kept.append(contentsOf: ws.data[i * nw * d..<(i + 1) * nw * d]); keptScores.append(p[i]); keptSeeds.append(chunk[i])
                if let q { keptOther.append(q[i]) }
            }
        }
        return HeldOut(codes: Tensor(shape: [keptSeeds.count, nw, d], data: kept), scores: keptScores, seeds: keptSeeds, removing: removing,
                       otherScores: other == nil ? nil : keptOther)
    }

    /// Where a direction's mean target change reaches each level.
    public struct Step: Sendable {
        public let level: Double
        public let alpha: Float
        public let reached: Bool
    }

    /// Signed mean change of the target (towards adding, or towards removing) at step `alpha`.
    func meanChange(_ direction: Direction, _ held: HeldOut, target a: Int, alpha: Float) throws -> Double {
        let sign: Float = held.removing ? -1 : 1
        let p = try judge.probabilities(generated: generator.synthesis(direction.apply(to: held.codes, alpha: sign * alpha)))
        return Statistics.mean(p.indices.map { Double(sign * (p[$0][a] - held.scores[$0][a])) })
    }

    /// The step for each level: the grid walked until every level is reached, then bisection in
    /// the first grid interval that reaches a level. A level never reached gets the step where
    /// the change peaked, with `reached` false.
    public func steps(_ direction: Direction, held: HeldOut, levels: [Double]) throws -> [Step] {
        let a = try judge.requiredIndex(of: direction.attribute)
        return try Self.search(levels: levels, grid: grid, bisections: bisections) { try meanChange(direction, held, target: a, alpha: $0) }
    }

    /// The search itself over any change curve (grid, then bisection in the first interval
    /// that reaches each level; the peak, marked unreached, where none does).
    static func search(levels: [Double], grid: [Float], bisections: Int, change: (Float) throws -> Double) throws -> [Step] {
        var curve: [(alpha: Float, change: Double)] = []
        for alpha in grid {
            curve.append((alpha, try change(alpha)))
            if let top = levels.max(), curve.last!.change >= top { break }
        }
        return try levels.map { level in
            guard let i = curve.firstIndex(where: { $0.change >= level }) else {
                let peak = curve.max { $0.change < $1.change }!
                return Step(level: level, alpha: peak.alpha, reached: false)
            }
            var lo: Float = i == 0 ? 0 : curve[i - 1].alpha, hi = curve[i].alpha
            for _ in 0..<bisections {
                let mid = (lo + hi) / 2
                if try change(mid) < level { lo = mid } else { hi = mid }
            }
            return Step(level: level, alpha: hi, reached: true)
        }
    }

    /// Step search and evaluation at one level.
    public func evaluate(_ direction: Direction, method: String, correlated: String, held: HeldOut, level: Double,
                         restart: Int = 0) throws -> Row {
        let step = try steps(direction, held: held, levels: [level])[0]
        return try evaluate(direction, method: method, correlated: correlated, held: held, step: step, restart: restart)
    }

    /// Evaluates one direction at one step on held-out codes for (target, correlated).
    public func evaluate(_ direction: Direction, method: String, correlated: String, held: HeldOut, step: Step,
                         restart: Int = 0) throws -> Row {
        let a = try judge.requiredIndex(of: direction.attribute), b = try judge.requiredIndex(of: correlated)
        let sign: Float = held.removing ? -1 : 1
        let baseImages = generator.synthesis(held.codes)
        let edited = generator.synthesis(direction.apply(to: held.codes, alpha: sign * step.alpha))
        let p = try judge.probabilities(generated: edited)
        let base = held.scores
        let rest = judge.attributes.indices.filter { $0 != a && $0 != b }
        var dA: [Double] = [], leak: [Double] = [], other: [Double] = [], pix: [Double] = []
        var flipped = 0, kept = 0
        let per = edited.count / max(p.count, 1)
        for i in p.indices {
            dA.append(Double(sign * (p[i][a] - base[i][a])))
            leak.append(Double(abs(p[i][b] - base[i][b])))
            other.append(rest.isEmpty ? 0 : Statistics.mean(rest.map { Double(abs(p[i][$0] - base[i][$0])) }))
            var s = 0.0
            for k in 0..<per {
                s += abs(Double(RGBImage.quantize(edited.data[i * per + k])) - Double(RGBImage.quantize(baseImages.data[i * per + k])))
            }
            pix.append(s / Double(per))
            if held.removing ? p[i][a] < 0.5 : p[i][a] > 0.5 {
                flipped += 1
                if (p[i][b] > 0.5) == (base[i][b] > 0.5) { kept += 1 }
            }
        }
        var changes: [String: Double] = [:], dependency = 0.0
        let others = judge.attributes.indices.filter { $0 != a }
        for k in others {
            let change = Statistics.mean(p.indices.map { Double(abs(p[$0][k] - base[$0][k])) })
            let spread = max(0.05, Statistics.std(base.map { Double($0[k]) }))
            changes[judge.attributes[k]] = change
            dependency += change / spread / Double(others.count)
        }
        var row = Row(target: direction.attribute, correlated: correlated, method: method, side: held.removing ? "remove" : "add",
                   level: step.level, restart: restart, alpha: Double(step.alpha), targetReached: step.reached,
                   targetChange: Stat(dA), leakage: Stat(leak), otherLeakage: Stat(other), pixelChange: Stat(pix),
                   flipRate: p.isEmpty ? .nan : Double(flipped) / Double(p.count),
                   keptGivenFlip: flipped == 0 ? .nan : Double(kept) / Double(flipped),
                   seeds: held.seeds, perSeedLeakage: leak, perSeedOther: other)
        if !p.isEmpty && !others.isEmpty { row.dependency = dependency; row.attributeChanges = changes }
        return row
    }

    /// Agreement of two predictors' labels (p > 0.5) per attribute on the same scores' samples:
    /// over all samples, and over those the first labels confidently (p < 0.1 or p > 0.9).
    public struct Agreement: Sendable, Codable {
        public let attribute: String
        public let all: Double
        public let confident: Double
        public let confidentSamples: Int
        public let samples: Int
    }

    public static func agreement(_ predictor: [[Float]], _ judge: [[Float]], predictorNames: [String], judgeNames: [String]) -> [Agreement] {
        predictorNames.enumerated().compactMap { (i, name) in
            guard let j = judgeNames.firstIndex(of: name) else { return nil }
            var same = 0, conf = 0, confSame = 0
            for k in predictor.indices {
                let agree = (predictor[k][i] > 0.5) == (judge[k][j] > 0.5)
                if agree { same += 1 }
                if predictor[k][i] < 0.1 || predictor[k][i] > 0.9 { conf += 1; if agree { confSame += 1 } }
            }
            let n = max(predictor.count, 1)
            return Agreement(attribute: name, all: Double(same) / Double(n), confident: conf == 0 ? .nan : Double(confSame) / Double(conf),
                             confidentSamples: conf, samples: predictor.count)
        }
    }
}
