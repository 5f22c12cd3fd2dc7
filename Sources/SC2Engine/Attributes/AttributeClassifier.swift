import Foundation
import Tensor

/// FaceWorld's attribute classifier (tools/training/train_classifier.py): four [conv3x3 + bias, lrelu 0.2,
/// avgpool 2] stages, fc + lrelu, fc to one logit per attribute. Input: RGB in [-1, 1], NCHW,
/// at the classifier's input size (images of other sizes are area-resized first).
public struct AttributeClassifier: AttributePredictor {
    struct ConvLayer: Sendable { let weight: [Float]; let bias: [Float]; let outChannels: Int }
    public let attributes: [String]
    public let inputSize: Int
    let convs: [ConvLayer]
    let fc0: (weight: Tensor, bias: [Float])
    let fc1: (weight: Tensor, bias: [Float])
    public let path: String
    /// The images it was trained on: "faceworld" for FaceWorld's classifier
    /// (tools/training/train_classifier.py, or metadata `domain`); nil: not stated, any model.
    public let domain: String?
    /// The file's content hash.
    public var identity: String { ContentHash.ofFile(path) }

    /// What a FaceWorld-style classifier can be; anything else is refused before allocating.
    public enum Limits {
        public static let attributes = 1...1024
        public static let convStages = 1...8
        public static let channels = 1...2048
        public static let hidden = 1...16384
        public static let inputSize = 4...1024
    }

    public init(contentsOf url: URL) throws {
        try self.init(checkpoint: SafeTensors.read(url))
    }

    /// A classifier from tensors already read; every size is checked against `Limits` and the
    /// memory estimate before anything is allocated for inference.
    package init(checkpoint c: Checkpoint) throws {
        path = c.path
        domain = c.metadata["domain"] ?? (c.metadata["source"] == "tools/train_classifier.py" || c.metadata["architecture"] == "sc2gan-cnn-1"
                                          ? PredictorDomain.faceWorld : nil)
        func fail(_ why: String) -> SC2Error { SC2Error("\(c.path): \(why)") }
        attributes = (c.metadata["attributes"] ?? FaceAttribute.allCases.map(\.rawValue).joined(separator: ","))
            .split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !attributes.contains(""), Set(attributes).count == attributes.count else {
            throw fail("metadata \"attributes\" must name each output once, got \((c.metadata["attributes"] ?? "").quotedForMessage)")
        }
        guard Limits.attributes.contains(attributes.count) else {
            throw fail("metadata \"attributes\" names \(attributes.count) outputs; a classifier has \(Limits.attributes.lowerBound)-\(Limits.attributes.upperBound)")
        }
        for name in c.tensors.keys.sorted() where !c.tensors[name]!.data.allSatisfy(\.isFinite) {
            throw fail("tensor \(name.quotedForMessage) has NaN or infinite values")
        }
        // conv0 ... conv{n-1}, fc0, fc1 and nothing else.
        var stages = 0
        while c.tensors["conv\(stages).weight"] != nil {
            stages += 1
            guard Limits.convStages.contains(stages) else {
                throw fail("more than \(Limits.convStages.upperBound) conv stages; not a FaceWorld classifier")
            }
        }
        guard stages > 0 else { throw fail("not an attribute classifier (no conv0.weight)") }
        var expected: Set<String> = ["fc0.weight", "fc0.bias", "fc1.weight", "fc1.bias"]
        for i in 0..<stages { expected.formUnion(["conv\(i).weight", "conv\(i).bias"]) }
        if let extra = c.tensors.keys.sorted().first(where: { !expected.contains($0) }) {
            throw fail("unexpected tensor \(extra.quotedForMessage) (a classifier with \(stages) conv stages holds conv0-\(stages - 1), fc0 and fc1)")
        }
        var layers: [ConvLayer] = []
        var cin = 3
        for i in 0..<stages {
            let w = c.tensors["conv\(i).weight"]!
            guard w.rank == 4, w.shape[1] == cin, w.shape[2] == 3, w.shape[3] == 3, Limits.channels.contains(w.shape[0]) else {
                throw fail("conv\(i).weight has shape \(w.shape), expected [O, \(cin), 3, 3] with O in \(Limits.channels.lowerBound)-\(Limits.channels.upperBound)")
            }
            let b = try c.tensor("conv\(i).bias", shape: [w.shape[0]])
            layers.append(ConvLayer(weight: w.data, bias: b.data, outChannels: w.shape[0]))
            cin = w.shape[0]
        }
        convs = layers
        let w0 = try c.tensor("fc0.weight", shape: nil)
        guard w0.rank == 2, Limits.hidden.contains(w0.shape[0]), w0.shape[1] > 0, w0.shape[1] % cin == 0 else {
            throw fail("fc0.weight has shape \(w0.shape), expected [H, \(cin) x S x S] with H in \(Limits.hidden.lowerBound)-\(Limits.hidden.upperBound)")
        }
        let spatial = Int(Double(w0.shape[1] / cin).squareRoot())
        guard spatial > 0, spatial * spatial * cin == w0.shape[1] else { throw fail("fc0.weight does not match a square feature map") }
        let (size, overflow) = spatial.multipliedReportingOverflow(by: 1 << stages)
        guard !overflow, Limits.inputSize.contains(size) else {
            throw fail("fc0.weight implies an input of \(spatial) x 2^\(stages) px; a classifier takes \(Limits.inputSize.lowerBound)-\(Limits.inputSize.upperBound) px")
        }
        inputSize = size
        fc0 = (w0, try c.tensor("fc0.bias", shape: [w0.shape[0]]).data)
        let w1 = try c.tensor("fc1.weight", shape: [attributes.count, w0.shape[0]])
        fc1 = (w1, try c.tensor("fc1.bias", shape: [attributes.count]).data)
        // One image's activations: the resized input and each stage's output before pooling.
        var bytes = ByteCount()
        bytes.add(3, size, size, 4)
        var side = size, channelsIn = 3
        for layer in layers {
            bytes.add(channelsIn + 2 * layer.outChannels, side, side, 4)
            channelsIn = layer.outChannels
            side /= 2
        }
        try ResourceLimits.check(bytes, "this classifier", source: c.path)
    }

    /// The shipped FaceWorld classifier.
    public static func faceWorld(assets: Assets) throws -> AttributeClassifier {
        try AttributeClassifier(contentsOf: assets.faceWorldDirectory.appendingPathComponent("classifier.safetensors"))
    }

    /// Logits [N, attributes] for images [N, 3, H, W] in [-1, 1].
    public func logits(_ images: Tensor) -> Tensor {
        var x = Resize.area(images, height: inputSize, width: inputSize)
        let n = x.shape[0]
        for layer in convs {
            var y = Tensor(zeros: [n, layer.outChannels, x.shape[2], x.shape[3]])
            Conv.conv3x3(x, weight: layer.weight, outChannels: layer.outChannels, scale: nil, into: &y)
            let plane = x.shape[2] * x.shape[3]
            y.data.withUnsafeMutableBufferPointer { yp in
                layer.bias.withUnsafeBufferPointer { bp in
                    for i in 0..<n {
                        BiasAct.apply(yp.baseAddress! + i * layer.outChannels * plane, channels: layer.outChannels, plane: plane,
                                      demod: nil, noise: nil, noiseStrength: 0, bias: bp.baseAddress!, lrelu: true, gain: 1, clamp: nil)
                    }
                }
            }
            x = Conv.avgPool2(y)
        }
        let flat = x.reshaped([n, x.count / n])
        var h = Tensor.matmul(flat, fc0.weight, transB: true)
        let hd = fc0.bias.count
        for i in 0..<h.count { let v = h.data[i] + fc0.bias[i % hd]; h.data[i] = v > 0 ? v : 0.2 * v }
        var out = Tensor.matmul(h, fc1.weight, transB: true)
        for i in 0..<out.count { out.data[i] += fc1.bias[i % attributes.count] }
        return out
    }

    /// Probabilities [N][attributes] (sigmoid of the logits).
    public func probabilities(_ images: Tensor) -> [[Float]] {
        let l = logits(images)
        let a = attributes.count
        return (0..<l.shape[0]).map { i in (0..<a).map { 1 / (1 + exp(-l.data[i * a + $0])) } }
    }

    /// Scores of generator output as a person sees it: quantised to 8 bits first.
    public func probabilities(generated images: Tensor) -> [[Float]] {
        var q = images
        for i in 0..<q.count {
            q.data[i] = (Float(RGBImage.quantize(q.data[i])) - 127.5) / 127.5
        }
        return probabilities(q)
    }
}
