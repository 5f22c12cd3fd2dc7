import Foundation
import Tensor

/// A StyleGAN2 generator: mapping + synthesis, loaded from a checkpoint (.safetensors or .pt).
public struct Generator: Sendable {
    public let config: GeneratorConfig
    public private(set) var mapping: MappingNetwork
    public let synthesis: SynthesisNetwork
    /// Where it came from and a content hash (for provenance in caches and exports); the hash
    /// of the non-EMA generator of a training checkpoint differs from the file's.
    public let path: String
    /// Which generator of the file this is (a training checkpoint holds two).
    public let choice: GeneratorChoice
    public let hash: String
    /// True when the checkpoint had no average w (a rosinality training checkpoint) and
    /// `mapping.wAvg` is the mean w of `wAvgSamples` z drawn as RandomState(0).randn(n, z_dim).
    public let wAvgEstimated: Bool
    public static let wAvgSamples = 4096
    /// What the model draws, for predictors that state their domain: "faceworld" for a model
    /// trained by tools/training/train_generator.py (or metadata `domain`), nil when unknown.
    public let domain: String?
    /// Whether images made only to be scored stop at the first resolution at or above the
    /// predictor's input (`scoringImages`). Off by default: the image so far is not the final
    /// one (`EarlyStopCheck` measures how close it is; the command line turns it on after).
    public var earlyStopScoring = false

    /// `convClamp` overrides the checkpoint's metadata (`.some(nil)` forces no clamp).
    package init(checkpoint: Checkpoint, convClamp: Float?? = nil) throws {
        var c = checkpoint
        // rosinality's train.py saves no latent_avg (its generate.py estimates one per run);
        // estimated here the same way, from fixed draws, so that truncation works and repeats.
        let estimate = c.format == TorchZipFile.format && c.tensors["mapping.w_avg"] == nil
        wAvgEstimated = estimate
        if estimate, let fc0 = c.tensors["mapping.fc0.weight"], fc0.rank == 2 {
            c.tensors["mapping.w_avg"] = Tensor(zeros: [fc0.shape[0]])
        }
        var cfg = try GeneratorConfig.infer(from: c)
        if let override = convClamp { cfg.convClamp = override }
        config = cfg
        mapping = try MappingNetwork(checkpoint: c, config: cfg)
        synthesis = try SynthesisNetwork(checkpoint: c, config: cfg)
        path = c.path
        choice = c.choice
        let fileHash = ContentHash.ofFile(c.path)
        hash = c.choice == .ema ? fileHash : ContentHash.of(Data("\(fileHash)/\(c.choice.rawValue)".utf8))
        domain = c.metadata["domain"] ?? (c.metadata["source"] == "tools/train_generator.py" ? PredictorDomain.faceWorld : nil)
        if estimate { mapping.wAvg = estimatedWAvg() }
    }

    public init(contentsOf url: URL, choice: GeneratorChoice = .ema, convClamp: Float?? = nil) throws {
        try self.init(checkpoint: try CheckpointLoader.load(url, choice: choice), convClamp: convClamp)
    }

    /// The mean of mapping(z) over `wAvgSamples` z from RandomState(0), accumulated in Double,
    /// in chunks so that memory stays small on a 512-wide mapping.
    private func estimatedWAvg() -> [Float] {
        var rng = NumPyRandom(seed: 0)
        var sum = [Double](repeating: 0, count: config.wDim)
        let chunk = 512
        for start in stride(from: 0, to: Self.wAvgSamples, by: chunk) {
            let n = min(chunk, Self.wAvgSamples - start)
            let z = Tensor(shape: [n, config.zDim], data: rng.randn(n * config.zDim).map { Float($0) })
            let w = mapping(z)
            for i in 0..<n { for k in 0..<config.wDim { sum[k] += Double(w.data[i * config.wDim + k]) } }
        }
        return sum.map { Float($0 / Double(Self.wAvgSamples)) }
    }

    /// z for a seed, exactly as numpy.random.RandomState(seed).randn(1, z_dim).
    public func z(seed: UInt32) -> [Float] {
        var r = NumPyRandom(seed: seed)
        return r.randn(config.zDim).map { Float($0) }
    }

    /// z for each seed, as rows of [N, zDim]: the one place seeds become latents.
    public func latents(seeds: [UInt32]) -> Tensor {
        var z = Tensor(zeros: [seeds.count, config.zDim])
        for (i, s) in seeds.enumerated() { z.data.replaceSubrange(i * config.zDim..<(i + 1) * config.zDim, with: self.z(seed: s)) }
        return z
    }

    /// Mapping then truncation: w' = w_avg + psi (w - w_avg) on the first `cutoff` rows (all when nil).
    /// Returns W+ codes [N, numWs, wDim].
    public func ws(z: Tensor, truncation psi: Float = 1, cutoff: Int? = nil) -> Tensor {
        let w = mapping(z)
        return broadcast(w, truncation: psi, cutoff: cutoff)
    }

    /// Broadcasts w [N, wDim] to [N, numWs, wDim] with truncation.
    public func broadcast(_ w: Tensor, truncation psi: Float = 1, cutoff: Int? = nil) -> Tensor {
        let n = w.shape[0], d = config.wDim, nw = config.numWs
        var out = Tensor(zeros: [n, nw, d])
        let cut = min(cutoff ?? nw, nw)
        for i in 0..<n { for l in 0..<nw { for k in 0..<d {
            let v = w.data[i * d + k]
            let a = mapping.wAvg[k]
            out.data[(i * nw + l) * d + k] = l < cut ? a + psi * (v - a) : v
        } } }
        return out
    }

    /// Images [N, 3, R, R] in about [-1, 1] for the given seeds.
    public func generate(seeds: [UInt32], truncation psi: Float = 1, cutoff: Int? = nil,
                         noise: NoiseMode = .const) -> Tensor {
        synthesis(ws(z: latents(seeds: seeds), truncation: psi, cutoff: cutoff), noise: noise)
    }

    /// The resolution synthesis stops at for a predictor that reads `inputSize` px: the first
    /// block at or above it, or nil when that is the full resolution (or early stops are off).
    /// The skip architecture sums every block's RGB output into the image, so the image at that
    /// block is the final one without the detail the later blocks add.
    public func scoringResolution(forInput inputSize: Int) -> Int? {
        guard earlyStopScoring, let r = config.resolutions.first(where: { $0 >= inputSize }), r < config.resolution else { return nil }
        return r
    }

    /// Images of `ws` for `predictor` alone: stopped at `scoringResolution(forInput:)`.
    public func scoringImages(_ ws: Tensor, for predictor: any AttributePredictor, noise: NoiseMode = .const) -> Tensor {
        synthesis(ws, noise: noise, stopAt: scoringResolution(forInput: predictor.inputSize))
    }

    /// The predictor's probabilities for the images of `ws` (made as `scoringImages`).
    public func scores(_ ws: Tensor, by predictor: any AttributePredictor, noise: NoiseMode = .const) throws -> [[Float]] {
        try predictor.probabilities(generated: scoringImages(ws, for: predictor, noise: noise))
    }

    /// Splits an image batch [N, 3, H, W] into 8-bit pictures.
    public static func pictures(_ img: Tensor) -> [RGBImage] {
        let n = img.shape[0], h = img.shape[2], w = img.shape[3], plane = 3 * h * w
        return img.data.withUnsafeBufferPointer { p in
            (0..<n).map { RGBImage(planarCHW: UnsafeBufferPointer(rebasing: p[$0 * plane..<($0 + 1) * plane]), width: w, height: h) }
        }
    }
}
