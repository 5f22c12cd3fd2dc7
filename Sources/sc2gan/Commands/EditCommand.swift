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
    @Option(name: .customLong("w"), help: ArgumentHelp("Latent code to start from instead of a seed: .npz with 'w' (stylegan2-ada's projected_w.npz, `sc2gan project`) or .npy, shape (1, num_ws, w_dim) or (1, w_dim). Step 0 is exactly its image.", valueName: "file"))
    var code: String?
    @Option(help: "Direction: JSON (from `directions fit` or `correct`) or an InterFaceGAN boundary .npy.") var direction: String
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
        try OutputCheck.file(out, "--out")
    }

    func run() throws {
        let (from, to) = (stepRange!.lowerBound, stepRange!.upperBound)
        let g = try modelOptions.load()
        let d = try Direction.load(URL(fileURLWithPath: direction))
        try d.checkCompatible(wDim: g.config.wDim, numWs: g.config.numWs, source: direction)
        let base = try code.map { try LatentCodes.read(URL(fileURLWithPath: $0), numWs: g.config.numWs, wDim: g.config.wDim) }
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
        print("wrote \(out): \(code.map { "code \($0)" } ?? "seed \(seed!)"), \(d.attribute) (\(d.method)), steps \(from)...\(to) x \(stepSize)")
    }
}
