import Foundation

/// L2-regularised logistic regression (with a bias), fitted by Newton's method (iteratively
/// reweighted least squares, Cholesky solves in Double); its weight vector is the normal.
public struct LogisticRegressionFinder: DirectionFinder {
    public var name: String { "logistic" }
    /// Penalty on the weights (not the bias), per sample.
    public var l2: Double = 1e-3
    public var iterations = 25
    public init() {}

    public func fit(train: [[Float]], trainLabels: [Bool], validation: [[Float]], validationLabels: [Bool]) -> (normal: [Float], validationAccuracy: Double) {
        let n = train.count, d = (train.first?.count ?? 0) + 1   // + bias
        var beta = [Double](repeating: 0, count: d)
        func row(_ x: [Float]) -> [Double] { x.map(Double.init) + [1] }
        let rows = train.map(row)
        for _ in 0..<iterations {
            var gradient = [Double](repeating: 0, count: d), hessian = [Double](repeating: 0, count: d * d)
            for (x, y) in zip(rows, trainLabels) {
                let z = zip(x, beta).reduce(0) { $0 + $1.0 * $1.1 }
                let p = 1 / (1 + exp(-z)), w = max(p * (1 - p), 1e-10)
                let r = (y ? 1 : 0) - p
                for i in 0..<d {
                    gradient[i] += r * x[i]
                    let wxi = w * x[i]
                    for j in 0...i { hessian[i * d + j] += wxi * x[j] }
                }
            }
            for i in 0..<d { for j in 0..<i { hessian[j * d + i] = hessian[i * d + j] } }
            for i in 0..<(d - 1) {   // the penalty, scaled with n so it means the same at any size
                gradient[i] -= l2 * Double(n) * beta[i]
                hessian[i * d + i] += l2 * Double(n)
            }
            hessian[(d - 1) * d + (d - 1)] += 1e-9
            guard let step = try? LinearAlgebra.solveSPD(hessian, gradient, n: d) else { break }
            for i in 0..<d { beta[i] += step[i] }
            if step.reduce(0, { max($0, abs($1)) }) < 1e-9 { break }
        }
        let correct = zip(validation, validationLabels).filter { x, y in
            (zip(row(x), beta).reduce(0) { $0 + $1.0 * $1.1 } > 0) == y
        }.count
        return (beta.dropLast().map(Float.init), validation.isEmpty ? .nan : Double(correct) / Double(validation.count))
    }
}
