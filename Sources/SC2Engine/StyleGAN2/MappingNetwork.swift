import Foundation
import Tensor

/// z -> w: second-moment normalisation, then fully connected layers with equalised learning
/// rate (weights pre-scaled at load) and lrelu * sqrt(2) after every layer.
public struct MappingNetwork: Sendable {
    public let zDim: Int
    public let wDim: Int
    /// Pre-scaled weights [out, in] and biases.
    let weights: [Tensor]
    let biases: [Tensor]
    public internal(set) var wAvg: [Float]

    init(checkpoint c: Checkpoint, config: GeneratorConfig) throws {
        zDim = config.zDim; wDim = config.wDim
        var ws: [Tensor] = [], bs: [Tensor] = []
        for i in 0..<config.mappingLayers {
            let fin = i == 0 ? config.zDim : config.wDim
            var w = try c.tensor("mapping.fc\(i).weight", shape: [config.wDim, fin])
            var b = try c.tensor("mapping.fc\(i).bias", shape: [config.wDim])
            let g = config.mappingLRMultiplier / Float(fin).squareRoot()
            for k in 0..<w.count { w.data[k] *= g }
            for k in 0..<b.count { b.data[k] *= config.mappingLRMultiplier }
            ws.append(w); bs.append(b)
        }
        weights = ws; biases = bs
        wAvg = try c.tensor("mapping.w_avg", shape: [config.wDim]).data
    }

    /// z [N, zDim] -> w [N, wDim] (before truncation and broadcasting).
    public func callAsFunction(_ z: Tensor) -> Tensor {
        precondition(z.rank == 2 && z.shape[1] == zDim, "z must be [N, \(zDim)]")
        let n = z.shape[0]
        var x = z
        for r in 0..<n {
            var ms: Float = 0
            for k in 0..<zDim { ms += x.data[r * zDim + k] * x.data[r * zDim + k] }
            let inv = 1 / (ms / Float(zDim) + 1e-8).squareRoot()
            for k in 0..<zDim { x.data[r * zDim + k] *= inv }
        }
        let gain = Float(2).squareRoot()
        for (w, b) in zip(weights, biases) {
            var y = Tensor.matmul(x, w, transB: true)
            for r in 0..<n {
                for k in 0..<wDim {
                    let v = y.data[r * wDim + k] + b.data[k]
                    y.data[r * wDim + k] = (v > 0 ? v : 0.2 * v) * gain
                }
            }
            x = y
        }
        return x
    }
}
