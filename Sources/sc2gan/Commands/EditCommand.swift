import ArgumentParser
import Foundation
import SC2Engine
import Tensor

struct EditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Walk a seed (or a latent code) along a direction and write the strip as one PNG (and each frame with --frames).")
    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "Seed to start from.") var seed: UInt32?
    @Option(name: .customLong("w"), help: ArgumentHelp("Latent code to start from instead of a seed: .npz with 'w' (stylegan2-ada's projected_w.npz, `sc2gan project`), .npy, or a torch-saved latents.pt (e4e, pSp, ReStyle), shape (N, num_ws, w_dim), (num_ws, w_dim) or (N, w_dim); FILE#INDEX picks code INDEX of a batch (needed when N > 1). Step 0 is exactly its image.", valueName: "file[#index]"))
    var code: String?
    @Option(help: ArgumentHelp("Direction: JSON (from `directions fit` or `correct`), an InterFaceGAN boundary .npy, a torch-saved W+ direction (e4e's pose.pt), or FILE#KEY of a file holding several (anycost-gan's boundary_<config>.pt, GANSpace's .npz, e4e's ffhq_pca.pt); `sc2gan directions show FILE` lists them.", valueName: "file[#key]"))
    var direction: String
    @Option(help: ArgumentHelp("W+ rows to edit, e.g. 0-3 or 2,4 (default: the direction's own rows; all for most files). A GANSpace edit is a component on a row range.", valueName: "rows"))
    var layers: String?
    @Option(help: "Steps as FROM:TO, e.g. -3:3 (step k moves by k * step-size). A negative start needs an equals sign: --steps=-3:3.") var steps: String = "-3:3"
    @Option(help: "Distance per step, in w units.") var stepSize: Float = 1
    @Option(help: "Truncation psi.") var truncation: Float = 0.7
    @Option(help: "Output PNG (the strip).") var out: String
    @Flag(help: "Also write each frame next to the strip.") var frames = false

    /// --steps as a range, or nil when it is malformed.
    var stepRange: ClosedRange<Int>? {
        let parts = steps.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let from = Int(parts[0]), let to = Int(parts[1]), from <= to, to - from <= 64 else { return nil }
        return from...to
    }

    func validate() throws {
        guard (seed == nil) != (code == nil) else { throw ValidationError("give exactly one of --seed and --w") }
        guard stepRange != nil else { throw ValidationError("--steps must be FROM:TO with FROM <= TO and at most 64 steps, e.g. -3:3") }
        guard stepSize.isFinite else { throw ValidationError("--step-size must be finite") }
        guard truncation.isFinite else { throw ValidationError("--truncation must be a finite number (1: none, 0.7: typical)") }
        if let layers { _ = try LayerRange.parse(layers) }
        try OutputCheck.file(out, "--out")
    }

    func run() throws {
        let (from, to) = (stepRange!.lowerBound, stepRange!.upperBound)
        let g = try modelOptions.load()
        var d = try Direction.load(reference: direction)
        if let layers {
            d.layers = try LayerRange.parse(layers)
            try LayerRange.check(d.layers!, g)
        }
        try d.checkCompatible(wDim: g.config.wDim, numWs: g.config.numWs, source: direction)
        let base = try code.map { try LatentCodes.read(reference: $0, numWs: g.config.numWs, wDim: g.config.wDim) }
            ?? g.ws(z: g.latents(seeds: [seed!]), truncation: truncation)
        var images: [RGBImage] = []
        for k in from...to {
            images.append(Generator.pictures(g.synthesis(d.apply(to: base, alpha: Float(k) * stepSize)))[0])
        }
        let url = URL(fileURLWithPath: out)
        try PNG.write(RGBImage.grid(images, columns: images.count), to: url)
        if frames {
            let stem = url.deletingPathExtension().path
            for (k, img) in zip(from...to, images) { try PNG.write(img, to: URL(fileURLWithPath: "\(stem)-step\(k).png")) }
        }
        print("wrote \(out): \(code.map { "code \($0)" } ?? "seed \(seed!)"), \(d.attribute) (\(d.method)), steps \(from)...\(to) x \(stepSize)\(d.layers.map { ", rows \(LayerRange.text($0))" } ?? "")")
    }
}
