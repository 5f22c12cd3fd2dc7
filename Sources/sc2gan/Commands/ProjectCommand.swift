import ArgumentParser
import Foundation
import SC2Engine
import Tensor

struct ProjectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "project",
        abstract: "Project a PNG into W or W+ (gradient descent through the generator); writes the code and the reconstruction.")
    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "Input PNG (resized to the model's resolution).") var image: String
    @Option(help: "Optimisation steps.") var steps: Int = 300
    @Option(help: "Latent space: w (one code for all layers) or wplus (one per layer).") var space: LatentSpace = .w
    @Option(help: "Output folder: projected.png, target.png, w.json, projected_w.npz (w of shape (1, num_ws, w_dim), as stylegan2-ada's projector writes it) and latents.pt (the same code as torch.save writes a tensor, as e4e and pSp write theirs).") var out: String

    func validate() throws {
        try OptionCheck.range(steps, 1...100_000, "--steps")
        try OutputCheck.folder(out, "--out")
    }

    func run() throws {
        let g = try modelOptions.load()
        let r = g.config.resolution
        let src = try PNG.read(URL(fileURLWithPath: image)).resized(width: r, height: r)
        let target = Tensor(shape: [1, 3, r, r], data: src.planarCHW())
        let proj = try Reprojector(generator: g)
        let avg = Tensor(shape: [1, g.config.wDim], data: g.mapping.wAvg)
        let start = space == .w ? avg : g.broadcast(avg)
        let bar = ProgressBar("projecting", total: steps)
        let result = proj.refine(start: start, target: target, steps: steps) { t, _ in bar.update(t) }
        bar.finish(String(format: "projected into %@ in %d steps: PSNR %.1f dB", space.rawValue, steps, result.psnr[0]))
        let dir = URL(fileURLWithPath: out)
        try PNG.write(Generator.pictures(result.image)[0], to: dir.appendingPathComponent("projected.png"))
        try PNG.write(src, to: dir.appendingPathComponent("target.png"))
        let obj: [String: Any] = ["w": result.w.data.map(Double.init), "psnr": result.psnr[0], "model_hash": g.hash,
                                  "image": image, "steps": steps, "space": space.rawValue, "shape": result.w.shape]
        try AtomicWrite.write(try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), to: dir.appendingPathComponent("w.json"))
        let plus = space == .w ? g.broadcast(result.w) : result.w
        try NPY.writeArchive([(name: "w", shape: [1, g.config.numWs, g.config.wDim], values: plus.data)],
                             to: dir.appendingPathComponent("projected_w.npz"))
        try TorchSave.write(float32: plus.data, shape: [1, g.config.numWs, g.config.wDim], to: dir.appendingPathComponent("latents.pt"))
        print("wrote projected.png, target.png, w.json, projected_w.npz and latents.pt to \(out)")
    }
}
