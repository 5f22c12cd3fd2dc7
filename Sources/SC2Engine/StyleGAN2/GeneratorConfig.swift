import Foundation
import Tensor

/// The shape of a StyleGAN2 generator, inferred from tensor names and shapes (metadata optional).
public struct GeneratorConfig: Equatable, Sendable, Codable {
    public var resolution: Int
    public var zDim: Int
    public var wDim: Int
    public var mappingLayers: Int
    /// Channels per block resolution (4, 8, ..., resolution).
    public var channels: [Int: Int]
    public var convClamp: Float?
    public var mappingLRMultiplier: Float

    public var resolutions: [Int] { (2...Int(log2(Double(resolution)))).map { 1 << $0 } }
    /// num_ws = 2 log2(res) - 2.
    public var numWs: Int { 2 * Int(log2(Double(resolution))) - 2 }

    public init(resolution: Int, zDim: Int, wDim: Int, mappingLayers: Int, channels: [Int: Int],
                convClamp: Float?, mappingLRMultiplier: Float = 0.01) {
        self.resolution = resolution; self.zDim = zDim; self.wDim = wDim; self.mappingLayers = mappingLayers
        self.channels = channels; self.convClamp = convClamp; self.mappingLRMultiplier = mappingLRMultiplier
    }

    /// Reads the configuration off a canonical (NVIDIA-named) checkpoint.
    public static func infer(from ckpt: Checkpoint) throws -> GeneratorConfig {
        let t = ckpt.tensors
        func fail(_ why: String) -> SC2Error { SC2Error("\(ckpt.path): \(why)") }
        var layers = 0
        while t["mapping.fc\(layers).weight"] != nil { layers += 1 }
        guard layers > 0, let fc0 = t["mapping.fc0.weight"], fc0.rank == 2 else {
            throw fail("not a StyleGAN2 generator (no mapping.fc0.weight)")
        }
        let wDim = fc0.shape[0], zDim = fc0.shape[1]
        var channels: [Int: Int] = [:]
        var res = 4
        while let w = t["synthesis.b\(res).conv1.weight"] {
            guard w.rank == 4 else { throw fail("synthesis.b\(res).conv1.weight must be rank 4, got \(w.shape)") }
            channels[res] = w.shape[0]
            res *= 2
        }
        guard channels[4] != nil else { throw fail("no synthesis.b4.conv1.weight") }
        let resolution = res / 2
        var clamp: Float? = nil
        if let c = ckpt.metadata["conv_clamp"], let v = Float(c), v > 0 { clamp = v }
        let lr = ckpt.metadata["mapping_lr_mul"].flatMap(Float.init) ?? 0.01
        return GeneratorConfig(resolution: resolution, zDim: zDim, wDim: wDim, mappingLayers: layers,
                               channels: channels, convClamp: clamp, mappingLRMultiplier: lr)
    }

    public var summary: String {
        let ch = resolutions.map { "\($0):\(channels[$0]!)" }.joined(separator: " ")
        return "\(resolution)x\(resolution), z \(zDim), w \(wDim) x \(numWs), mapping \(mappingLayers) layers, channels \(ch), conv_clamp \(convClamp.map { "\($0)" } ?? "none")"
    }
}
