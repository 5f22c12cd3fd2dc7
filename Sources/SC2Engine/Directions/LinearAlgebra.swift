import Foundation
import Tensor

/// Small dense helpers on [Float] vectors (w-space is 128..512 dimensional: plain loops suffice).
package enum LinearAlgebra {
    package static func dot(_ a: [Float], _ b: [Float]) -> Float {
        var s: Float = 0
        for i in 0..<min(a.count, b.count) { s += a[i] * b[i] }
        return s
    }

    package static func norm(_ a: [Float]) -> Float { dot(a, a).squareRoot() }

    package static func normalized(_ a: [Float]) -> [Float] {
        let n = norm(a)
        return n > 0 ? a.map { $0 / n } : a
    }

    /// Solves the symmetric positive definite system A x = b by Cholesky (A is n x n, row-major).
    package static func solveSPD(_ a: [Double], _ b: [Double], n: Int) throws -> [Double] {
        try Cholesky(a, n: n).solve(b)
    }
}
