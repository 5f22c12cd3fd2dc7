import Foundation
import Tensor

/// A torchvision ResNet (resnet18/34/50 and narrower or shallower ones in the same key layout)
/// run natively: conv1 7x7/2 + bn + relu, maxpool 3x3/2, layer1-4 of BasicBlocks or Bottlenecks
/// (stride on the 3x3 conv, conv2), 1x1 conv + bn downsamples, global average pool, fc. Block
/// type, block counts and every width come from the state dict's shapes; batch norms are folded
/// into the convolutions at load. Images are clamped to [-1, 1], resized to the input size,
/// optionally normalised, and the fc outputs read as the configuration's head says.
public struct TorchVisionResNet: AttributePredictor {
    public enum BlockKind: String, Sendable { case basic, bottleneck }

    /// A convolution with its batch norm folded in: weight [O, I*k*k], bias [O].
    struct FoldedConv: Sendable {
        let weight: [Float], bias: [Float]
        let outChannels: Int, inChannels: Int, kernel: Int, stride: Int, padding: Int

        func callAsFunction(_ x: Tensor, residual: Tensor? = nil, relu: Bool) -> Tensor {
            Conv.conv2d(x, weight: weight, bias: bias, outChannels: outChannels, kernel: kernel, stride: stride,
                        padding: padding, residual: residual, relu: relu)
        }
    }

    struct Block: Sendable {
        let convs: [FoldedConv]  // conv1, conv2 (, conv3 for a bottleneck)
        let downsample: FoldedConv?
    }

    public let configuration: PredictorConfiguration
    public let block: BlockKind
    /// Blocks in layer1-4, e.g. [2, 2, 2, 2] for resnet18, [3, 4, 6, 3] for resnet50.
    public let blockCounts: [Int]
    /// Output channels of conv1 and of each layer (64, 64, 128, 256, 512 for resnet18).
    public let widths: [Int]
    let stem: FoldedConv
    let blocks: [Block]
    let fc: (weight: Tensor, bias: [Float])
    public let path: String

    public var attributes: [String] { configuration.attributes }
    public var inputSize: Int { configuration.inputSize }
    public var domain: String? { configuration.domain }
    /// The file's content hash and the configuration (a changed sidecar changes the scores).
    public var identity: String { ContentHash.ofFile(path) + "/" + String(describing: configuration) }

    /// What a ResNet may be; anything else is refused before allocating.
    public enum Limits {
        public static let channels = 1...8192
        public static let blocksPerLayer = 1...64
        public static let fcOutputs = 1...4096
    }

    /// Batch norm epsilon (torchvision's default).
    static let eps = 1e-5

    /// Reads `url` (.safetensors, or a torch zip .pt/.pth) with its configuration: a sidecar
    /// `<file>.json` when there is one, else the safetensors metadata, else anycost-gan's
    /// attribute predictor when the file is an 80-output resnet50.
    public init(contentsOf url: URL) throws {
        self = try PredictorFile.open(url).resNet(configuration: nil)
    }

    /// Reads `url` with `configuration` (no sidecar or metadata is read).
    public init(contentsOf url: URL, configuration: PredictorConfiguration) throws {
        self = try PredictorFile.open(url).resNet(configuration: configuration)
    }

    /// A ResNet from a state dict: `shapes` are checked against the architecture and `Limits` and
    /// the memory estimate first; only then are tensors decoded (`load`), checked finite and folded.
    init(shapes: [String: [Int]], load: (String) throws -> Tensor, configuration: PredictorConfiguration, path: String) throws {
        func fail(_ why: String) -> SC2Error { SC2Error("\(path): \(why)") }
        let plan = try Plan(shapes: shapes, fail: fail)
        let logits = configuration.head.logits(attributes: configuration.attributes.count)
        guard plan.fcOutputs == logits else {
            throw fail("fc.weight has \(plan.fcOutputs) outputs; head \(configuration.head.name.quotedForMessage) with \(configuration.attributes.count) attributes needs \(logits)")
        }
        try plan.checkMemory(inputSize: configuration.inputSize, source: path)

        func tensor(_ name: String) throws -> Tensor {
            let t = try load(name)
            guard t.isFinite else { throw fail("tensor \(name.quotedForMessage) has NaN or infinite values") }
            return t
        }
        func folded(_ conv: String, _ bn: String, stride: Int) throws -> FoldedConv {
            let w = try tensor(conv + ".weight")
            let g = try tensor(bn + ".weight").data, b = try tensor(bn + ".bias").data
            let mean = try tensor(bn + ".running_mean").data, variance = try tensor(bn + ".running_var").data
            let o = w.shape[0], per = w.count / o
            var weight = w.data, bias = [Float](repeating: 0, count: o)
            for c in 0..<o {
                guard variance[c] >= 0 else { throw fail("tensor \((bn + ".running_var").quotedForMessage) has a negative variance") }
                let scale = Double(g[c]) / (Double(variance[c]) + Self.eps).squareRoot()
                for i in 0..<per { weight[c * per + i] = Float(Double(w.data[c * per + i]) * scale) }
                bias[c] = Float(Double(b[c]) - Double(mean[c]) * scale)
            }
            let k = w.shape[2]
            return FoldedConv(weight: weight, bias: bias, outChannels: o, inChannels: w.shape[1], kernel: k, stride: stride, padding: k / 2)
        }
        stem = try folded("conv1", "bn1", stride: 2)
        var blocks: [Block] = []
        for (l, count) in plan.blockCounts.enumerated() {
            for b in 0..<count {
                let p = "layer\(l + 1).\(b)", stride = l > 0 && b == 0 ? 2 : 1
                let convs: [FoldedConv]
                switch plan.block {
                case .basic: convs = [try folded(p + ".conv1", p + ".bn1", stride: stride), try folded(p + ".conv2", p + ".bn2", stride: 1)]
                case .bottleneck:
                    convs = [try folded(p + ".conv1", p + ".bn1", stride: 1), try folded(p + ".conv2", p + ".bn2", stride: stride),
                             try folded(p + ".conv3", p + ".bn3", stride: 1)]
                }
                let down = plan.downsampled.contains(p) ? try folded(p + ".downsample.0", p + ".downsample.1", stride: stride) : nil
                blocks.append(Block(convs: convs, downsample: down))
            }
        }
        self.blocks = blocks
        fc = (try tensor("fc.weight"), try tensor("fc.bias").data)
        block = plan.block
        blockCounts = plan.blockCounts
        widths = plan.widths
        self.configuration = configuration
        self.path = path
    }

    // MARK: Inference

    /// The network's input for images [N, 3, H, W] in about [-1, 1]: clamped, resized to the
    /// input size, normalised when the configuration says so.
    public func prepare(_ images: Tensor) -> Tensor {
        var x = images
        for i in 0..<x.count { x.data[i] = min(max(x.data[i], -1), 1) }
        let s = inputSize
        switch configuration.resize {
        case .bilinear(let alignCorners): x = Resize.bilinear(x, height: s, width: s, alignCorners: alignCorners)
        case .area: x = Resize.area(x, height: s, width: s)
        }
        if let norm = configuration.normalization {
            let plane = s * s
            for n in 0..<x.shape[0] {
                for c in 0..<3 {
                    let base = (n * 3 + c) * plane, m = norm.mean[c], sd = norm.std[c]
                    for i in 0..<plane { x.data[base + i] = ((x.data[base + i] + 1) / 2 - m) / sd }
                }
            }
        }
        return x
    }

    /// fc outputs [N, logits] for images [N, 3, H, W] in about [-1, 1] (any size).
    public func logits(_ images: Tensor) -> Tensor {
        precondition(images.rank == 4 && images.shape[1] == 3, "images must be [N, 3, H, W]")
        var x = stem(prepare(images), relu: true)
        x = Conv.maxPool(x, kernel: 3, stride: 2, padding: 1)
        for b in blocks {
            let identity = b.downsample.map { $0(x, relu: false) } ?? x
            var y = x
            for (i, conv) in b.convs.enumerated() {
                y = i == b.convs.count - 1 ? conv(y, residual: identity, relu: true) : conv(y, relu: true)
            }
            x = y
        }
        var out = Tensor.matmul(Conv.globalAveragePool(x), fc.weight, transB: true)
        let k = fc.bias.count
        for i in 0..<out.count { out.data[i] += fc.bias[i % k] }
        return out
    }

    /// P(present) [N][attributes] from logits [N, logits], as the head says.
    public func probabilities(logits l: Tensor) -> [[Float]] {
        let k = l.shape[1]
        func sigmoid(_ v: Float) -> Float { 1 / (1 + exp(-v)) }
        return (0..<l.shape[0]).map { n in
            let row = Array(l.data[n * k ..< (n + 1) * k])
            switch configuration.head {
            case .sigmoid: return row.map(sigmoid)
            case .softmaxPairs: return (0..<k / 2).map { sigmoid(row[2 * $0 + 1] - row[2 * $0]) }
            case .softmaxGroups(let sizes):
                var p: [Float] = [], start = 0
                for size in sizes {
                    let g = row[start ..< start + size]
                    if size == 1 { p.append(sigmoid(g.first!)) } else {
                        let m = g.max()!, e = g.map { exp($0 - m) }, sum = e.reduce(0, +)
                        p += e.map { $0 / sum }
                    }
                    start += size
                }
                return p
            }
        }
    }

    /// P(present) [N][attributes] for images [N, 3, H, W] in about [-1, 1].
    public func probabilities(_ images: Tensor) -> [[Float]] { probabilities(logits: logits(images)) }

    /// Scores of generator output as a person sees it: quantised to 8 bits first.
    public func probabilities(generated images: Tensor) -> [[Float]] {
        var q = images
        for i in 0..<q.count { q.data[i] = (Float(RGBImage.quantize(q.data[i])) - 127.5) / 127.5 }
        return probabilities(q)
    }
}

extension TorchVisionResNet {
    /// The architecture a state dict's shapes describe, checked in full before anything is decoded.
    struct Plan {
        var block: BlockKind = .basic
        var blockCounts: [Int] = []
        var widths: [Int] = []
        var fcOutputs = 0
        /// Block prefixes ("layer2.0") that have a downsample.
        var downsampled: Set<String> = []
        /// (in, out, kernel, stride) of every convolution, for the memory estimate.
        var convs: [(Int, Int, Int, Int)] = []

        init(shapes: [String: [Int]], fail: (String) -> SC2Error) throws {
            var used: Set<String> = []
            func shape(_ name: String) throws -> [Int] {
                guard let s = shapes[name] else { throw fail("missing tensor \(name.quotedForMessage) (not a torchvision ResNet state dict?)") }
                used.insert(name)
                return s
            }
            func conv(_ name: String, in cin: Int, kernel k: Int, what: String) throws -> Int {
                let s = try shape(name + ".weight")
                guard s.count == 4, s[1] == cin, s[2] == k, s[3] == k, Limits.channels.contains(s[0]) else {
                    throw fail("tensor \((name + ".weight").quotedForMessage) has shape \(s), expected [O, \(cin), \(k), \(k)] (\(what)) with O in \(Limits.channels.lowerBound)-\(Limits.channels.upperBound)")
                }
                if shapes[name + ".bias"] != nil { throw fail("tensor \((name + ".bias").quotedForMessage): a torchvision ResNet's convolutions have no bias") }
                return s[0]
            }
            func bn(_ name: String, _ c: Int) throws {
                for p in ["weight", "bias", "running_mean", "running_var"] {
                    let s = try shape("\(name).\(p)")
                    guard s == [c] else { throw fail("tensor \("\(name).\(p)".quotedForMessage) has shape \(s), expected [\(c)]") }
                }
                if let s = shapes["\(name).num_batches_tracked"] {
                    guard s.isEmpty || s == [1] else { throw fail("tensor \("\(name).num_batches_tracked".quotedForMessage) has shape \(s), expected a scalar") }
                    used.insert("\(name).num_batches_tracked")
                }
            }
            guard shapes["conv1.weight"] != nil else { throw fail("not a torchvision ResNet (no conv1.weight)") }
            var c = try conv("conv1", in: 3, kernel: 7, what: "the 7x7 stem")
            try bn("bn1", c)
            convs.append((3, c, 7, 2))
            widths = [c]
            block = shapes["layer1.0.conv3.weight"] != nil ? .bottleneck : .basic
            for l in 1...4 {
                var count = 0
                while shapes["layer\(l).\(count).conv1.weight"] != nil {
                    count += 1
                    guard Limits.blocksPerLayer.contains(count) else { throw fail("layer\(l) has more than \(Limits.blocksPerLayer.upperBound) blocks") }
                }
                guard count > 0 else { throw fail("missing tensor \("layer\(l).0.conv1.weight".quotedForMessage) (a torchvision ResNet has layer1-4)") }
                for b in 0..<count {
                    let p = "layer\(l).\(b)", stride = l > 1 && b == 0 ? 2 : 1, cin = c, first = convs.count
                    switch block {
                    case .basic:
                        let planes = try conv(p + ".conv1", in: cin, kernel: 3, what: "BasicBlock conv1")
                        try bn(p + ".bn1", planes)
                        let out = try conv(p + ".conv2", in: planes, kernel: 3, what: "BasicBlock conv2")
                        guard out == planes else { throw fail("tensor \((p + ".conv2.weight").quotedForMessage) has \(out) outputs, expected \(planes) (BasicBlock)") }
                        try bn(p + ".bn2", planes)
                        convs += [(cin, planes, 3, stride), (planes, planes, 3, 1)]
                        c = planes
                    case .bottleneck:
                        let width = try conv(p + ".conv1", in: cin, kernel: 1, what: "Bottleneck conv1")
                        try bn(p + ".bn1", width)
                        let w2 = try conv(p + ".conv2", in: width, kernel: 3, what: "Bottleneck conv2, groups 1")
                        guard w2 == width else { throw fail("tensor \((p + ".conv2.weight").quotedForMessage) has \(w2) outputs, expected \(width) (Bottleneck)") }
                        try bn(p + ".bn2", width)
                        c = try conv(p + ".conv3", in: width, kernel: 1, what: "Bottleneck conv3")
                        try bn(p + ".bn3", c)
                        convs += [(cin, width, 1, 1), (width, width, 3, stride), (width, c, 1, 1)]
                    }
                    if shapes[p + ".downsample.0.weight"] != nil {
                        let out = try conv(p + ".downsample.0", in: cin, kernel: 1, what: "downsample")
                        guard out == c else { throw fail("tensor \((p + ".downsample.0.weight").quotedForMessage) has \(out) outputs, expected \(c)") }
                        try bn(p + ".downsample.1", c)
                        downsampled.insert(p)
                        // Estimated at the block's input resolution, ahead of the block's convs.
                        convs.insert((cin, c, 1, 1), at: first)
                    } else if stride != 1 || cin != c {
                        throw fail("missing tensor \((p + ".downsample.0.weight").quotedForMessage): block \(p) changes \(stride != 1 ? "resolution" : "width \(cin) to \(c)")")
                    }
                }
                blockCounts.append(count)
                widths.append(c)
            }
            if let extra = shapes.keys.sorted().first(where: { $0.hasPrefix("layer5.") }) {
                throw fail("unexpected tensor \(extra.quotedForMessage) (a torchvision ResNet has layer1-4)")
            }
            let fw = try shape("fc.weight")
            guard fw.count == 2, fw[1] == c, Limits.fcOutputs.contains(fw[0]) else {
                throw fail("tensor 'fc.weight' has shape \(fw), expected [K, \(c)] with K in \(Limits.fcOutputs.lowerBound)-\(Limits.fcOutputs.upperBound)")
            }
            let fb = try shape("fc.bias")
            guard fb == [fw[0]] else { throw fail("tensor 'fc.bias' has shape \(fb), expected [\(fw[0])]") }
            fcOutputs = fw[0]
            if let extra = shapes.keys.sorted().first(where: { !used.contains($0) }) {
                throw fail("unexpected tensor \(extra.quotedForMessage) (not part of a torchvision \(block == .basic ? "BasicBlock" : "Bottleneck") ResNet with layers \(blockCounts))")
            }
        }

        /// One image's peak: the input, a block's input, its intermediate maps and the largest
        /// im2col scratch, plus the folded weights.
        func checkMemory(inputSize: Int, source: String) throws {
            var bytes = ByteCount()
            bytes.add(2, 3, inputSize, inputSize, 4)
            var side = inputSize, peak = ByteCount()
            for (i, (cin, cout, k, stride)) in convs.enumerated() {
                let out = (side + 2 * (k / 2) - k) / stride + 1
                var step = ByteCount()
                step.add(4, cin, side, side, 4)      // block input, identity, intermediates
                step.add(2, cout, out, out, 4)
                step.add(min(Conv.columnBudget, max(1, cin * k * k * out * out)), 4)
                step.add(cin, cout, k, k, 4)
                peak.keepMax(step)
                side = out
                if i == 0 { side = (side + 2 - 3) / 2 + 1 }  // the stem's max pool
                guard side > 0 else { break }
            }
            bytes.add(peak.value)
            try ResourceLimits.check(bytes, "this ResNet", source: source)
        }
    }
}
