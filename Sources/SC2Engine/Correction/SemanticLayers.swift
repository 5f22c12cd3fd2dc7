import Foundation
import Tensor

/// Which W+ rows carry an attribute: moving along its direction on those rows alone changes
/// the attribute most and the other attributes least. Measured on a few dozen samples for
/// every contiguous window of rows.
package struct SemanticLayers: Sendable {
    package struct Window: Sendable, Codable {
        package let rows: [Int]
        /// Mean change of the target's probability (towards the direction's side).
        package let targetChange: Double
        /// Mean |change| of every other attribute, summed.
        package let leakage: Double
        package var score: Double { targetChange - leakage }
    }

    package let attribute: String
    package let best: Window
    package let all: Window
    package let windows: [Window]

    /// - Parameters:
    ///   - alpha: step along the direction (in w units); the same for every window.
    ///   - minimumShare: a window must reach this share of the all-rows target change.
    ///   - fixed: rows chosen by the user: only they and all rows are measured, and they are `best`.
    package static func measure(generator g: Generator, classifier c: any AttributePredictor, direction: Direction,
                               codes: Tensor, alpha: Float, minimumShare: Double = 0.6, fixed: [Int]? = nil,
                               progress: ((Int, Int) -> Void)? = nil) throws -> SemanticLayers {
        let a = try c.requiredIndex(of: direction.attribute)
        let nw = g.config.numWs
        let base = try g.scores(codes, by: c)
        func effect(_ rows: [Int]) throws -> Window {
            var d = direction
            d.layers = rows
            let p = try g.scores(d.apply(to: codes, alpha: alpha), by: c)
            var target = 0.0, leak = 0.0
            for i in 0..<p.count {
                for k in 0..<c.attributes.count {
                    let delta = Double(p[i][k] - base[i][k])
                    if k == a { target += delta * (alpha >= 0 ? 1 : -1) } else { leak += abs(delta) }
                }
            }
            let n = Double(max(p.count, 1))
            return Window(rows: rows, targetChange: target / n, leakage: leak / n)
        }
        if let fixed {
            if let bad = fixed.first(where: { $0 < 0 || $0 >= nw }) {
                throw SC2Error("row \(bad) is out of range: this generator has \(nw) W+ rows (0-\(nw - 1))")
            }
            let all = try effect(Array(0..<nw))
            progress?(1, 2)
            let chosen = try effect(Array(Set(fixed)).sorted())
            progress?(2, 2)
            return SemanticLayers(attribute: direction.attribute, best: chosen, all: all, windows: [all, chosen])
        }
        var windows: [Window] = []
        let total = nw * (nw + 1) / 2
        var done = 0
        for start in 0..<nw {
            for end in start..<nw {
                windows.append(try effect(Array(start...end)))
                done += 1
                progress?(done, total)
            }
        }
        let all = windows.first { $0.rows.count == nw }!
        let eligible = windows.filter { $0.targetChange >= minimumShare * all.targetChange && $0.rows.count < nw }
        let best = (eligible.isEmpty ? [all] : eligible).max { $0.score < $1.score }!
        return SemanticLayers(attribute: direction.attribute, best: best, all: all, windows: windows)
    }
}
