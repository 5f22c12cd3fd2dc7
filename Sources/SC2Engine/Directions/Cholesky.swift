import Foundation
import Tensor

/// A Cholesky factor L (A = L L^T) of a symmetric positive definite matrix, for repeated solves.
package struct Cholesky: Sendable {
    package let n: Int
    let l: [Double]

    package init(_ a: [Double], n: Int) throws {
        self.n = n
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var s = a[i * n + j]
                for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                if i == j {
                    guard s > 0, s.isFinite else { throw SC2Error("matrix is not positive definite") }
                    l[i * n + i] = s.squareRoot()
                } else {
                    l[i * n + j] = s / l[j * n + j]
                }
            }
        }
        self.l = l
    }

    package func solve(_ b: [Double]) -> [Double] {
        var y = b
        for i in 0..<n { var s = y[i]; for k in 0..<i { s -= l[i * n + k] * y[k] }; y[i] = s / l[i * n + i] }
        var x = y
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = x[i]; for k in (i + 1)..<n { s -= l[k * n + i] * x[k] }; x[i] = s / l[i * n + i]
        }
        return x
    }
}
