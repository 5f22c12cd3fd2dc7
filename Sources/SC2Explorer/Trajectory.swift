import Foundation
import SC2Engine

/// The predictor's scores along each pane's walk, step by step, for the trajectory chart: the
/// steps the worker has rendered so far within `steps` (it fills the rest while idle).
struct Trajectory: Sendable {
    /// The request it belongs to: its seed and walks (the chart is dropped when they change).
    let generation: Int
    let seed: UInt32
    let walkIDs: [DirectionMethod: String]
    let steps: ClosedRange<Int>
    /// Scores per method, per step (step 0 is the unedited seed's).
    var scores: [DirectionMethod: [Int: [Float]]]

    /// The steps the chart covers around `step`: from a little behind 0 to a little past the
    /// step the user is on, at least -2...+8, within the walk's limit.
    static func window(around step: Int) -> ClosedRange<Int> {
        let lo = max(-ExplorerState.maxStep, min(-2, step - 2))
        let hi = min(ExplorerState.maxStep, max(8, step + 2))
        return lo...hi
    }

    /// How many scored points it holds (a fuller trajectory replaces a thinner one).
    var count: Int { scores.values.reduce(0) { $0 + $1.count } }

    /// Whether it shows the walk of `request` (same seed and directions; steps may differ).
    func matches(_ request: RenderRequest) -> Bool {
        seed == request.seed && walkIDs == Trajectory.walkIDs(request)
    }

    /// Each walk's direction and step size: what the chart's points depend on besides the seed.
    static func walkIDs(_ r: RenderRequest) -> [DirectionMethod: String] {
        var ids: [DirectionMethod: String] = [:]
        for w in r.walks { if let id = w.id, w.direction != nil { ids[w.method] = "\(id)@\(w.stepSize ?? r.stepSize)" } }
        return ids
    }

    /// The attribute besides `target` that moved most along any walk in the window (the one the
    /// chart draws next to the target), by index; nil without scores.
    func mostMoved(besides target: Int) -> Int? {
        var best: (Int, Float)?
        for series in scores.values {
            guard let base = series[0] else { continue }
            for s in series.values {
                for i in s.indices where i != target && i < base.count {
                    let d = abs(s[i] - base[i])
                    if d.isFinite, best == nil || d > best!.1 { best = (i, d) }
                }
            }
        }
        return best?.0
    }
}
