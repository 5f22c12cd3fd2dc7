import Foundation
import Tensor

/// Style affine "A": s = w A^T + b, with A pre-scaled by its weight gain (and any style gain).
struct StyleAffine: Sendable {
    let weight: Tensor   // [C, wDim]
    let bias: Tensor     // [C]

    init(checkpoint c: Checkpoint, prefix: String, channels: Int, wDim: Int, styleGain: Float = 1) throws {
        var w = try c.tensor("\(prefix).affine.weight", shape: [channels, wDim])
        var b = try c.tensor("\(prefix).affine.bias", shape: [channels])
        let g = styleGain / Float(wDim).squareRoot()
        for k in 0..<w.count { w.data[k] *= g }
        for k in 0..<b.count { b.data[k] *= styleGain }
        weight = w; bias = b
    }

    /// w [N, wDim] -> s [N, C].
    func callAsFunction(_ w: Tensor) -> Tensor {
        var s = Tensor.matmul(w, weight, transB: true)
        let c = bias.count
        for r in 0..<w.shape[0] { for k in 0..<c { s.data[r * c + k] += bias.data[k] } }
        return s
    }
}
