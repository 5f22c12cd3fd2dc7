import Foundation

/// A linear soft-margin SVM (hinge loss, C), solved in the dual by coordinate descent
/// (Hsieh et al., 2008). The bias is learned as the weight of a constant feature, which
/// regularises it slightly; with features of unit scale that changes the normal negligibly
/// (checked against libsvm's SVC(kernel='linear') on a committed fixture).
package struct LinearSVM: Sendable {
    package let weights: [Float]
    package let bias: Float

    /// x: n rows of d features, y: labels (true = positive class).
    package init(x: [[Float]], y: [Bool], c: Double = 1, biasFeature: Double = 1, tolerance: Double = 1e-4, maxIterations: Int = 2000, seed: UInt64 = 0) {
        let n = x.count, d = x.first?.count ?? 0
        var w = [Double](repeating: 0, count: d + 1)
        var alpha = [Double](repeating: 0, count: n)
        let ys = y.map { $0 ? 1.0 : -1.0 }
        let qii = x.map { row in row.reduce(0.0) { $0 + Double($1) * Double($1) } + biasFeature * biasFeature }
        var order = Array(0..<n)
        var rng = Xoshiro(seed: seed)
        for _ in 0..<maxIterations {
            order.shuffle(using: &rng)
            var maxPG = -Double.infinity, minPG = Double.infinity
            for i in order {
                let xi = x[i]
                var g = 0.0
                for k in 0..<d { g += w[k] * Double(xi[k]) }
                g += w[d] * biasFeature
                g = ys[i] * g - 1
                // Projected gradient for the box 0 <= alpha <= C.
                var pg = g
                if alpha[i] == 0 { pg = min(g, 0) } else if alpha[i] == c { pg = max(g, 0) }
                maxPG = max(maxPG, pg); minPG = min(minPG, pg)
                if pg != 0 {
                    let old = alpha[i]
                    alpha[i] = min(max(old - g / qii[i], 0), c)
                    let delta = (alpha[i] - old) * ys[i]
                    for k in 0..<d { w[k] += delta * Double(xi[k]) }
                    w[d] += delta * biasFeature
                }
            }
            if maxPG - minPG < tolerance { break }
        }
        weights = w[0..<d].map { Float($0) }
        bias = Float(w[d] * biasFeature)
    }

    package func decision(_ x: [Float]) -> Float {
        var s = bias
        for k in 0..<weights.count { s += weights[k] * x[k] }
        return s
    }
}
