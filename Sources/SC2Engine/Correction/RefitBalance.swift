import Foundation

/// Chooses which rare samples enter the re-fit, and which dense samples they replace, so that
/// the correlated attributes occur as often in the positive class as in the negative one.
///
/// InterFaceGAN's top/bottom classes inherit the data's bias: the "old" class mostly wears
/// glasses, the "young" class mostly does not, so the SVM normal also separates glasses. A rare
/// sample swapped into a class (an old face without glasses for a dense old face with glasses)
/// moves the class's glasses rate; this greedy search makes the swaps that most reduce
///     J = Σ_b (rate_pos(b) − rate_neg(b))²
/// over the correlated attributes b, stopping when no swap lowers J or a class has taken `cap`
/// rare samples. Class sizes stay fixed. With no bias (J already 0) nothing is swapped, so an
/// unbiased direction is left alone.
package enum RefitBalance {
    package struct Plan: Equatable, Sendable {
        /// Indices into the dense/rare arrays of each class.
        package var dropPositive: [Int] = [], addPositive: [Int] = []
        package var dropNegative: [Int] = [], addNegative: [Int] = []
        /// J before and after the swaps.
        package var imbalanceBefore = 0.0, imbalanceAfter = 0.0
        /// The swaps in the order they were chosen: true = into the positive class.
        package var order: [Bool] = []

        /// The first `n` swaps only (a dose-response point); J is not recomputed (nan).
        package func prefix(_ n: Int) -> Plan {
            let chosen = order.prefix(max(0, n))
            let p = chosen.filter { $0 }.count, q = chosen.count - p
            var out = Plan()
            out.dropPositive = Array(dropPositive.prefix(p)); out.addPositive = Array(addPositive.prefix(p))
            out.dropNegative = Array(dropNegative.prefix(q)); out.addNegative = Array(addNegative.prefix(q))
            out.order = Array(chosen)
            out.imbalanceBefore = imbalanceBefore; out.imbalanceAfter = n >= order.count ? imbalanceAfter : .nan
            return out
        }
    }

    /// J for two classes of correlated labels.
    package static func imbalance(positive: [[Bool]], negative: [[Bool]]) -> Double {
        let m = positive.first?.count ?? 0
        guard m > 0, !negative.isEmpty else { return 0 }
        return (0..<m).reduce(0.0) { acc, b in
            let rp = Double(positive.filter { $0[b] }.count) / Double(positive.count)
            let rn = Double(negative.filter { $0[b] }.count) / Double(negative.count)
            return acc + (rp - rn) * (rp - rn)
        }
    }

    /// Each sample is its correlated labels (one Bool per correlated attribute). Dense and rare
    /// samples are taken in the order given (shuffle them beforehand for a random choice).
    package static func plan(densePositive: [[Bool]], denseNegative: [[Bool]],
                            rarePositive: [[Bool]], rareNegative: [[Bool]], cap: Int) -> Plan {
        let m = (densePositive.first ?? denseNegative.first ?? rarePositive.first ?? rareNegative.first)?.count ?? 0
        var plan = Plan()
        guard m > 0, !densePositive.isEmpty, !denseNegative.isEmpty else { return plan }
        func counts(_ rows: [[Bool]]) -> [Double] {
            var c = [Double](repeating: 0, count: m)
            for r in rows { for b in 0..<m where r[b] { c[b] += 1 } }
            return c
        }
        var cp = counts(densePositive), cn = counts(denseNegative)
        let np = Double(densePositive.count), nn = Double(denseNegative.count)
        func objective(_ p: [Double], _ n: [Double]) -> Double {
            (0..<m).reduce(0.0) { $0 + pow(p[$1] / np - n[$1] / nn, 2) }
        }
        plan.imbalanceBefore = objective(cp, cn)
        var usedDense = [Set<Int>(), Set<Int>()], usedRare = [Set<Int>(), Set<Int>()]
        let dense = [densePositive, denseNegative], rare = [rarePositive, rareNegative]
        var current = plan.imbalanceBefore
        while true {
            // The best single swap over both classes and every (dense pattern, rare pattern) pair.
            var best: (cls: Int, d: Int, r: Int, value: Double)? = nil
            for cls in 0..<2 where usedRare[cls].count < cap {
                var seenD = Set<[Bool]>()
                for (i, dRow) in dense[cls].enumerated() where !usedDense[cls].contains(i) && seenD.insert(dRow).inserted {
                    var seenR = Set<[Bool]>()
                    for (j, rRow) in rare[cls].enumerated() where !usedRare[cls].contains(j) && seenR.insert(rRow).inserted {
                        var p = cp, n = cn
                        for b in 0..<m {
                            let delta = (rRow[b] ? 1.0 : 0) - (dRow[b] ? 1.0 : 0)
                            if cls == 0 { p[b] += delta } else { n[b] += delta }
                        }
                        let v = objective(p, n)
                        if v < current - 1e-12 && (best == nil || v < best!.value) { best = (cls, i, j, v) }
                    }
                }
            }
            guard let s = best else { break }
            usedDense[s.cls].insert(s.d); usedRare[s.cls].insert(s.r)
            for b in 0..<m {
                let delta = (rare[s.cls][s.r][b] ? 1.0 : 0) - (dense[s.cls][s.d][b] ? 1.0 : 0)
                if s.cls == 0 { cp[b] += delta } else { cn[b] += delta }
            }
            if s.cls == 0 { plan.dropPositive.append(s.d); plan.addPositive.append(s.r) } else { plan.dropNegative.append(s.d); plan.addNegative.append(s.r) }
            plan.order.append(s.cls == 0)
            current = s.value
        }
        plan.imbalanceAfter = current
        return plan
    }

    /// The add mode's plan: rare samples added to the classes (no dense sample leaves), greedily,
    /// each time the one that lowers J most with the classes' new sizes, until no addition lowers
    /// it or a class has taken `cap`. The plan's drop lists stay empty.
    package static func addPlan(densePositive: [[Bool]], denseNegative: [[Bool]],
                                rarePositive: [[Bool]], rareNegative: [[Bool]], cap: Int) -> Plan {
        let m = (densePositive.first ?? denseNegative.first ?? rarePositive.first ?? rareNegative.first)?.count ?? 0
        var plan = Plan()
        guard m > 0, !densePositive.isEmpty, !denseNegative.isEmpty else { return plan }
        func counts(_ rows: [[Bool]]) -> [Double] {
            var c = [Double](repeating: 0, count: m)
            for r in rows { for b in 0..<m where r[b] { c[b] += 1 } }
            return c
        }
        var c = [counts(densePositive), counts(denseNegative)]
        var n = [Double(densePositive.count), Double(denseNegative.count)]
        func objective(_ c: [[Double]], _ n: [Double]) -> Double {
            (0..<m).reduce(0.0) { $0 + pow(c[0][$1] / n[0] - c[1][$1] / n[1], 2) }
        }
        plan.imbalanceBefore = objective(c, n)
        var current = plan.imbalanceBefore
        let rare = [rarePositive, rareNegative]
        var used = [Set<Int>(), Set<Int>()]
        while true {
            var best: (cls: Int, r: Int, value: Double)? = nil
            for cls in 0..<2 where used[cls].count < cap {
                var seen = Set<[Bool]>()
                for (j, row) in rare[cls].enumerated() where !used[cls].contains(j) && seen.insert(row).inserted {
                    var cc = c, nn = n
                    for b in 0..<m where row[b] { cc[cls][b] += 1 }
                    nn[cls] += 1
                    let v = objective(cc, nn)
                    if v < current - 1e-12 && (best == nil || v < best!.value) { best = (cls, j, v) }
                }
            }
            guard let s = best else { break }
            used[s.cls].insert(s.r)
            for b in 0..<m where rare[s.cls][s.r][b] { c[s.cls][b] += 1 }
            n[s.cls] += 1
            if s.cls == 0 { plan.addPositive.append(s.r) } else { plan.addNegative.append(s.r) }
            plan.order.append(s.cls == 0)
            current = s.value
        }
        plan.imbalanceAfter = current
        return plan
    }
}
