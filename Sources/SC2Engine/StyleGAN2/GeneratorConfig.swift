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
    /// Multiply-adds of the synthesis convolutions (3x3 and toRGB) per image up to the block of
    /// `stop` px (nil: all): the cost model of previews.
    public func synthesisMACs(upTo stop: Int? = nil) -> Int {
        var total = 0, previous = channels[4] ?? 0
        for r in resolutions where r <= (stop ?? resolution) {
            let c = channels[r] ?? 0, px = r * r
            total += r == 4 ? px * c * c * 9 : px * (previous * c + c * c) * 9
            total += px * c * 3
            previous = c
        }
        return total
    }

    /// num_ws = 2 log2(res) - 2.
    public var numWs: Int { 2 * Int(log2(Double(resolution))) - 2 }

    public init(resolution: Int, zDim: Int, wDim: Int, mappingLayers: Int, channels: [Int: Int],
                convClamp: Float?, mappingLRMultiplier: Float = 0.01) {
        self.resolution = resolution; self.zDim = zDim; self.wDim = wDim; self.mappingLayers = mappingLayers
        self.channels = channels; self.convClamp = convClamp; self.mappingLRMultiplier = mappingLRMultiplier
    }

    /// What a real StyleGAN2 can be. Anything outside is refused before any allocation: the
    /// official models stay well inside (config-f: 1024 px, 512 channels, z = w = 512, 8 layers).
    public enum Limits {
        public static let resolutions = 4...4096
        public static let channels = 1...4096
        public static let latentDims = 1...4096
        public static let mappingLayers = 1...32
        public static let mappingLRMultiplier: ClosedRange<Float> = 1e-6...100
        public static let convClamp: ClosedRange<Float> = 0...1e6
    }

    /// Reads the configuration off a canonical (NVIDIA-named) checkpoint and validates it against
    /// the architecture: contiguous layer numbering, power-of-two blocks from 4 px, every size in
    /// `Limits`, no tensor the architecture does not have, finite metadata, and a memory estimate
    /// under `ResourceLimits.memoryBytes`. The layers' constructors then check every shape exactly.
    package static func infer(from ckpt: Checkpoint) throws -> GeneratorConfig {
        let t = ckpt.tensors
        func fail(_ why: String) -> SC2Error { SC2Error("\(ckpt.path): \(why)") }

        // Mapping layers: mapping.fcN.*, N = 0, 1, ... with no gap.
        var mappingIndices = Set<Int>()
        var blockResolutions = Set<Int>()
        for name in t.keys.sorted() {
            if let rest = name.dropPrefix("mapping.fc") {
                guard let (i, _) = leadingIndex(rest), Limits.mappingLayers.contains(i + 1) else {
                    throw fail("tensor \(name.quotedForMessage) names a mapping layer beyond the \(Limits.mappingLayers.upperBound) a StyleGAN2 can have")
                }
                mappingIndices.insert(i)
            } else if let rest = name.dropPrefix("synthesis.b") {
                guard let (r, _) = leadingIndex(rest), Limits.resolutions.contains(r), r & (r - 1) == 0 else {
                    throw fail("tensor \(name.quotedForMessage) names a synthesis block that is not a power of two from \(Limits.resolutions.lowerBound) to \(Limits.resolutions.upperBound) px")
                }
                blockResolutions.insert(r)
            }
        }
        guard mappingIndices.contains(0), let fc0 = t["mapping.fc0.weight"] else {
            throw fail("not a StyleGAN2 generator (no mapping.fc0.weight)")
        }
        let layers = mappingIndices.count
        if let gap = (0..<layers).first(where: { !mappingIndices.contains($0) }) {
            throw fail("mapping layers are not numbered 0-\(mappingIndices.max()!): mapping.fc\(gap) is missing")
        }
        guard fc0.rank == 2 else { throw fail("mapping.fc0.weight must be rank 2, got \(fc0.shape)") }
        let wDim = fc0.shape[0], zDim = fc0.shape[1]
        guard Limits.latentDims.contains(zDim), Limits.latentDims.contains(wDim) else {
            throw fail("mapping.fc0.weight has shape \(fc0.shape): z and w dimensions must be \(Limits.latentDims.lowerBound)-\(Limits.latentDims.upperBound)")
        }

        guard blockResolutions.contains(4) else { throw fail("no synthesis.b4 block (not a StyleGAN2 generator?)") }
        let resolution = blockResolutions.max()!
        if let gap = sequence(first: 4, next: { $0 * 2 }).prefix(while: { $0 <= resolution }).first(where: { !blockResolutions.contains($0) }) {
            throw fail("synthesis blocks are not contiguous: synthesis.b\(gap) is missing below b\(resolution)")
        }
        var channels: [Int: Int] = [:]
        for r in blockResolutions.sorted() {
            guard let w = t["synthesis.b\(r).conv1.weight"] else { throw fail("missing tensor 'synthesis.b\(r).conv1.weight'") }
            guard w.rank == 4 else { throw fail("synthesis.b\(r).conv1.weight must be rank 4, got \(w.shape)") }
            guard Limits.channels.contains(w.shape[0]) else {
                throw fail("synthesis.b\(r).conv1.weight has \(w.shape[0]) channels; a block has \(Limits.channels.lowerBound)-\(Limits.channels.upperBound)")
            }
            channels[r] = w.shape[0]
        }

        var clamp: Float? = nil
        if let text = ckpt.metadata["conv_clamp"], text.lowercased() != "none" {
            guard let v = Float(text), v.isFinite, Limits.convClamp.contains(v) else {
                throw fail("metadata conv_clamp \(text.quotedForMessage) is not a number from 0 to \(Limits.convClamp.upperBound) (or 'none')")
            }
            clamp = v > 0 ? v : nil
        }
        var lr: Float = 0.01
        if let text = ckpt.metadata["mapping_lr_mul"] {
            guard let v = Float(text), v.isFinite, Limits.mappingLRMultiplier.contains(v) else {
                throw fail("metadata mapping_lr_mul \(text.quotedForMessage) is not a number from \(Limits.mappingLRMultiplier.lowerBound) to \(Limits.mappingLRMultiplier.upperBound)")
            }
            lr = v
        }
        let config = GeneratorConfig(resolution: resolution, zDim: zDim, wDim: wDim, mappingLayers: layers,
                                     channels: channels, convClamp: clamp, mappingLRMultiplier: lr)

        let expected = config.tensorNames
        if let extra = t.keys.sorted().first(where: { ($0.hasPrefix("mapping.") || $0.hasPrefix("synthesis.")) && !expected.contains($0) }) {
            throw fail("unexpected tensor \(extra.quotedForMessage): a StyleGAN2 generator of this shape (\(resolution) px, \(layers) mapping layers) has no such tensor")
        }
        try ResourceLimits.check(config.estimatedBytes, "this generator", source: ckpt.path)
        return config
    }

    /// Every tensor name of the canonical (NVIDIA) state dict of this architecture.
    public var tensorNames: Set<String> {
        var names: Set<String> = ["mapping.w_avg", "synthesis.b4.const"]
        for i in 0..<mappingLayers { names.formUnion(["mapping.fc\(i).weight", "mapping.fc\(i).bias"]) }
        let conv = ["weight", "bias", "noise_const", "noise_strength", "affine.weight", "affine.bias"]
        let rgb = ["weight", "bias", "affine.weight", "affine.bias"]
        for r in resolutions {
            for layer in r == 4 ? ["conv1"] : ["conv0", "conv1"] { for n in conv { names.insert("synthesis.b\(r).\(layer).\(n)") } }
            for n in rgb { names.insert("synthesis.b\(r).torgb.\(n)") }
        }
        return names
    }

    /// Bytes to hold the weights (raw and transformed) and one image's activations (the largest
    /// layer's input, output and scratch; the skip image).
    package var estimatedBytes: ByteCount {
        var total = ByteCount(), largestLayer = ByteCount()
        total.add(zDim + (mappingLayers + 1) * wDim, wDim, 4)
        for r in resolutions {
            let cout = channels[r] ?? 0, cin = r == 4 ? cout : (channels[r / 2] ?? 0)
            total.add(2 * 9 * (cin + cout), cout, 4)     // conv weights and their transforms
            total.add(2 * wDim, cin + cout, 4)           // style affines
            total.add(r, r, 3 * 4)                       // the skip image
            var layer = ByteCount()
            layer.add(r, r, cin + cout, 4 * 2)
            largestLayer.keepMax(layer)
        }
        total.add(largestLayer.value)
        return total
    }

    public var summary: String {
        let ch = resolutions.map { "\($0):\(channels[$0]!)" }.joined(separator: " ")
        return "\(resolution)x\(resolution), z \(zDim), w \(wDim) x \(numWs), mapping \(mappingLayers) layers, channels \(ch), conv_clamp \(convClamp.map { "\($0)" } ?? "none")"
    }

    /// A decimal index in canonical form ("12", not "012") at the start of `text`, followed by a
    /// dot; nil otherwise, or when the number has more than 6 digits.
    private static func leadingIndex(_ text: Substring) -> (Int, Substring)? {
        let digits = text.prefix(while: { $0.isASCII && $0.isNumber })
        guard !digits.isEmpty, digits.count <= 6, digits == "0" || digits.first != "0",
              let value = Int(digits), text.dropFirst(digits.count).first == "." else { return nil }
        return (value, text.dropFirst(digits.count + 1))
    }
}

extension String {
    /// The rest of the string after `prefix`, or nil when it does not start with it.
    func dropPrefix(_ prefix: String) -> Substring? {
        hasPrefix(prefix) ? dropFirst(prefix.count) : nil
    }
}
