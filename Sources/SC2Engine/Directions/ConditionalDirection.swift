import Foundation
import Tensor

/// InterFaceGAN's conditional manipulation: remove the components along the conditions.
public enum ConditionalDirection {
    /// n minus its projection on span(conditions), renormalised (solves (C C^T) x = C n).
    public static func project(_ n: Direction, conditions: [Direction]) throws -> Direction {
        guard !conditions.isEmpty else { return n }
        let v = try residual(n.vector, off: conditions.map(\.vector))
        var prov = n.provenance
        prov["conditions"] = conditions.map(\.attribute).joined(separator: ",")
        prov["base_method"] = n.method
        return Direction(attribute: n.attribute, method: "conditional", vector: v, layers: n.layers, provenance: prov)
    }

    /// v minus its orthogonal projection on span(c), not renormalised: v − Cᵀx with (C Cᵀ) x = C v
    /// (the rows of c need not be orthogonal or unit).
    public static func residual(_ v: [Float], off c: [[Float]]) throws -> [Float] {
        let m = c.count
        guard m > 0 else { return v }
        var gram = [Double](repeating: 0, count: m * m), rhs = [Double](repeating: 0, count: m)
        for i in 0..<m {
            rhs[i] = Double(LinearAlgebra.dot(c[i], v))
            for j in 0..<m { gram[i * m + j] = Double(LinearAlgebra.dot(c[i], c[j])) + (i == j ? 1e-8 : 0) }
        }
        let x = try LinearAlgebra.solveSPD(gram, rhs, n: m)
        var out = v
        for i in 0..<m { for k in 0..<out.count { out[k] -= Float(x[i]) * c[i][k] } }
        return out
    }
}
