import Foundation

/// Rows of several restarts (independent fits) folded into one line per (pair, side, level,
/// method): the spread across fits, and the difference from a reference method on the same
/// test seeds with a paired bootstrap interval that resamples fits and seeds.
public struct EvaluationSummary: Sendable, Codable {
    public struct Line: Sendable, Codable {
        public let target: String, correlated: String, method: String, side: String
        public let level: Double
        public let fits: Int
        /// Fits whose target change reached the level.
        public let reached: Int
        public let alpha: Double
        /// Leakage per fit (mean over seeds), and their mean, standard deviation and range.
        public let leakagePerFit: [Double]
        public let leakage: Double, leakageStd: Double
        public let otherLeakage: Double, otherLeakageStd: Double
        public let pixels: Double
        public let keptGivenFlip: Double
        public let flipRate: Double
        /// Mean of (this method's leakage − the reference's) over fits and seeds, with its 95%
        /// paired bootstrap interval; nil for the reference itself or when it is missing.
        public let reference: String?
        public let difference: Double?, differenceLow: Double?, differenceHigh: Double?
        /// The same for the other attributes' leakage.
        public let otherDifference: Double?, otherDifferenceLow: Double?, otherDifferenceHigh: Double?
        /// Attribute dependency (`Row.dependency`), mean over the fits that have it.
        public var dependency: Double? = nil
    }

    public let lines: [Line]

    /// The reference of `method`: with several base methods in one table a method is named
    /// BASE/METHOD ("class-mean/sc2") and is compared with the same base's reference
    /// ("class-mean/conditional"); a plain name is compared with `reference` itself.
    public static func reference(of method: String, _ reference: String) -> String {
        guard let slash = method.firstIndex(of: "/") else { return reference }
        return String(method[..<slash]) + "/" + reference
    }

    /// Folds `rows`; differences are taken against `reference` (a method name) where present.
    public init(rows: [EntanglementEvaluation.Row], reference: String, bootstrap: Int = 2000) {
        struct Key: Hashable { let t: String, c: String, s: String, l: Double }
        var groups: [Key: [String: [EntanglementEvaluation.Row]]] = [:]
        var keyOrder: [Key] = [], methodOrder: [Key: [String]] = [:]
        for r in rows {
            let k = Key(t: r.target, c: r.correlated, s: r.side, l: r.level)
            if groups[k] == nil { keyOrder.append(k) }
            if groups[k, default: [:]][r.method] == nil { methodOrder[k, default: []].append(r.method) }
            groups[k, default: [:]][r.method, default: []].append(r)
        }
        var out: [Line] = []
        for k in keyOrder {
            let byMethod = groups[k]!
            for m in methodOrder[k]! {
                let refName = Self.reference(of: m, reference)
                let ref = byMethod[refName].map { Dictionary($0.map { ($0.restart, $0) }, uniquingKeysWith: { a, _ in a }) }
                let rs = byMethod[m]!.sorted { $0.restart < $1.restart }
                let perFit = rs.map(\.leakage.mean), otherPerFit = rs.map(\.otherLeakage.mean)
                var diff: (Double, Double, Double)? = nil, otherDiff: (Double, Double, Double)? = nil
                if m != refName, let ref {
                    let pairs = rs.compactMap { r in ref[r.restart].flatMap { $0.seeds == r.seeds ? (r, $0) : nil } }
                    if !pairs.isEmpty {
                        diff = Self.pairedBootstrap(pairs.map { zip($0.0.perSeedLeakage, $0.1.perSeedLeakage).map { $0 - $1 } }, count: bootstrap)
                        otherDiff = Self.pairedBootstrap(pairs.map { zip($0.0.perSeedOther, $0.1.perSeedOther).map { $0 - $1 } }, count: bootstrap)
                    }
                }
                out.append(Line(target: k.t, correlated: k.c, method: m, side: k.s, level: k.l, fits: rs.count,
                                reached: rs.filter(\.targetReached).count, alpha: Statistics.mean(rs.map(\.alpha)),
                                leakagePerFit: perFit, leakage: Statistics.mean(perFit), leakageStd: Statistics.std(perFit),
                                otherLeakage: Statistics.mean(otherPerFit), otherLeakageStd: Statistics.std(otherPerFit),
                                pixels: Statistics.mean(rs.map(\.pixelChange.mean)),
                                keptGivenFlip: Statistics.mean(rs.map(\.keptGivenFlip).filter { !$0.isNaN }),
                                flipRate: Statistics.mean(rs.map(\.flipRate)),
                                reference: diff == nil ? nil : refName,
                                difference: diff?.0, differenceLow: diff?.1, differenceHigh: diff?.2,
                                otherDifference: otherDiff?.0, otherDifferenceLow: otherDiff?.1, otherDifferenceHigh: otherDiff?.2,
                                dependency: rs.compactMap(\.dependency).isEmpty ? nil : Statistics.mean(rs.compactMap(\.dependency))))
            }
        }
        lines = out
    }

    /// Mean of `d[fit][seed]` and a 95% interval: each replicate draws fits with replacement and
    /// seeds with replacement (the same seed draw for every fit, since the seeds are shared).
    static func pairedBootstrap(_ d: [[Double]], count: Int) -> (Double, Double, Double) {
        let fits = d.count, n = d.map(\.count).min() ?? 0
        guard fits > 0, n > 0 else { return (.nan, .nan, .nan) }
        let mean = d.reduce(0.0) { $0 + $1.prefix(n).reduce(0, +) } / Double(fits * n)
        var rng = Xoshiro(seed: 12345)
        var reps: [Double] = []
        reps.reserveCapacity(count)
        for _ in 0..<count {
            let fitDraw = (0..<fits).map { _ in Int(rng.next() % UInt64(fits)) }
            let seedDraw = (0..<n).map { _ in Int(rng.next() % UInt64(n)) }
            var s = 0.0
            for f in fitDraw { for i in seedDraw { s += d[f][i] } }
            reps.append(s / Double(fits * n))
        }
        reps.sort()
        return (mean, reps[Int(0.025 * Double(count))], reps[min(count - 1, Int(0.975 * Double(count)))])
    }

    /// The table as text: one block per (pair, side, level).
    public func table() -> String {
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
        func f(_ x: Double?, _ d: Int = 3) -> String { x.map { $0.isNaN ? "n/a" : String(format: "%.\(d)f", $0) } ?? "" }
        let mw = max(20, (lines.map(\.method.count).max() ?? 0) + 2)
        var s = pad("target", 11) + pad("correlated", 11) + pad("side", 7) + pad("level", 6) + pad("method", mw) + pad("fits", 5)
            + pad("alpha", 6) + pad("leakage ± sd (fits)", 21) + pad("Δ vs ref [95% CI]", 26) + pad("other ± sd", 15)
            + pad("Δother vs ref", 24) + pad("pixels", 7) + "kept|flip\n"
        for l in lines {
            s += pad(l.target, 11) + pad(l.correlated, 11) + pad(l.side, 7) + pad(f(l.level, 2), 6)
            s += pad(l.method, mw) + pad(l.reached == l.fits ? "\(l.fits)" : "\(l.reached)/\(l.fits)*", 5) + pad(f(l.alpha, 2), 6)
            s += pad("\(f(l.leakage)) ± \(f(l.leakageStd))", 21)
            s += pad(l.difference.map { _ in "\(f(l.difference, 3)) [\(f(l.differenceLow)), \(f(l.differenceHigh))]" } ?? "(ref)", 26)
            s += pad("\(f(l.otherLeakage)) ± \(f(l.otherLeakageStd))", 15)
            s += pad(l.otherDifference.map { _ in "\(f(l.otherDifference)) [\(f(l.otherDifferenceLow)), \(f(l.otherDifferenceHigh))]" } ?? "", 24)
            s += pad(f(l.pixels, 1), 7) + (l.keptGivenFlip.isNaN ? "n/a" : String(format: "%.0f%%", l.keptGivenFlip * 100)) + "\n"
        }
        if lines.contains(where: { $0.reached < $0.fits }) {
            s += "* fits whose direction never reached the target level (their alpha is where the change peaked); their leakage is not comparable\n"
        }
        return s
    }

    public func csv() -> String {
        var s = "target,correlated,side,level,method,fits,reached,alpha,leakage,leakage_std,leakage_per_fit,difference,difference_low,difference_high,other_leakage,other_leakage_std,other_difference,other_difference_low,other_difference_high,pixels,kept_given_flip,flip_rate\n"
        func o(_ x: Double?) -> String { x.map { "\($0)" } ?? "" }
        for l in lines {
            s += "\(l.target),\(l.correlated),\(l.side),\(l.level),\(l.method),\(l.fits),\(l.reached),\(l.alpha),\(l.leakage),\(l.leakageStd),"
            s += "\(l.leakagePerFit.map { String(format: "%.4f", $0) }.joined(separator: " ")),\(o(l.difference)),\(o(l.differenceLow)),\(o(l.differenceHigh)),"
            s += "\(l.otherLeakage),\(l.otherLeakageStd),\(o(l.otherDifference)),\(o(l.otherDifferenceLow)),\(o(l.otherDifferenceHigh)),\(l.pixels),\(l.keptGivenFlip),\(l.flipRate)\n"
        }
        return s
    }
}
