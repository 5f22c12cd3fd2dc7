import Foundation
import Tensor

/// InterFaceGAN's conditional manipulation: remove the components along the conditions.
public enum ConditionalDirection {
    /// n minus its projection on span(conditions), renormalised (solves (C C^T) x = C n).
    public static func project(_ n: Direction, conditions: [Direction]) throws -> Direction {
        let m = conditions.count
        guard m > 0 else { return n }
        let c = conditions.map(\.vector)
        var gram = [Double](repeating: 0, count: m * m), rhs = [Double](repeating: 0, count: m)
        for i in 0..<m {
            rhs[i] = Double(LinearAlgebra.dot(c[i], n.vector))
            for j in 0..<m { gram[i * m + j] = Double(LinearAlgebra.dot(c[i], c[j])) + (i == j ? 1e-8 : 0) }
        }
        let x = try LinearAlgebra.solveSPD(gram, rhs, n: m)
        var v = n.vector
        for i in 0..<m { for k in 0..<v.count { v[k] -= Float(x[i]) * c[i][k] } }
        var prov = n.provenance
        prov["conditions"] = conditions.map(\.attribute).joined(separator: ",")
        prov["base_method"] = n.method
        return Direction(attribute: n.attribute, method: "conditional", vector: v, layers: n.layers, provenance: prov)
    }
}
