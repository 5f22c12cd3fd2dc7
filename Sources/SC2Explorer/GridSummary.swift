import Foundation

/// The grid's numbers for one method over its seeds, counted exactly as the evaluation counts
/// them (`EntanglementEvaluation.evaluate`): a seed's target flipped when it crossed 0.5 the
/// intended way (adding: edited > 0.5); of those, the correlated attribute was kept when it stayed
/// on its side of 0.5. A face is marked when its correlated attribute changed side.
struct GridSummary: Equatable {
    let seeds: Int
    /// Per seed: the target crossed 0.5; the correlated attribute changed side.
    let targetFlipped: [Bool]
    let correlatedFlipped: [Bool]

    init(base: [[Float]], edited: [[Float]], target a: Int, correlated b: Int, removing: Bool = false) {
        var t: [Bool] = [], c: [Bool] = []
        for (p0, p) in zip(base, edited) where a < p.count && b < p.count && b < p0.count {
            t.append(removing ? p[a] < 0.5 : p[a] > 0.5)
            c.append((p[b] > 0.5) != (p0[b] > 0.5))
        }
        seeds = t.count
        targetFlipped = t
        correlatedFlipped = c
    }

    /// The evaluation's flip rate: the share of seeds whose target flipped.
    var flipRate: Double { seeds == 0 ? .nan : Double(targetFlipped.filter { $0 }.count) / Double(seeds) }
    /// The evaluation's P(correlated kept | target flipped).
    var keptGivenFlip: Double {
        let flipped = targetFlipped.indices.filter { targetFlipped[$0] }
        guard !flipped.isEmpty else { return .nan }
        return Double(flipped.filter { !correlatedFlipped[$0] }.count) / Double(flipped.count)
    }
    /// The share of faces whose correlated attribute changed side (the marked ones).
    var correlatedFlipShare: Double { seeds == 0 ? .nan : Double(correlatedFlipped.filter { $0 }.count) / Double(seeds) }
}
