import ArgumentParser
import Foundation
import SC2Engine
import Tensor

struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score images with an attribute predictor: PNG files, or a model's images for seeds.",
        discussion: """
        Prints P(attribute present) per image, as a table or (--json) as one object:
        {"attributes": [names], "items": [{"seed": S or "image": PATH, "scores": {NAME: p}}]}.
        Examples:
          sc2gan score --predictor attribute_predictor.pt --image a.png b.png
          sc2gan score --predictor judge.safetensors --model faces.safetensors --seeds 0-15 --json
        Generated images are scored as the 8-bit pictures `generate` writes.
        """)

    @OptionGroup var predictorOptions: ClassifierOptions
    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp("PNG files to score.", valueName: "png"))
    var image: [String] = []
    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "Seeds whose images to score, e.g. 0-3,42.") var seeds: String?
    @Option(help: "Truncation psi of the seeds' images (1 = none).") var truncation: Float?
    @Option(help: "Noise mode of the seeds' images: const, random or none.") var noise: NoiseMode?
    @Option(help: "Images per batch.") var batch: Int = 8
    @Flag(help: "Score the seeds' images as sampling does: synthesis stopped at the first resolution at or above the predictor's input (default: the full-resolution pictures). Compare the two to see what the early stop changes on a model.")
    var earlyStop = false
    @Flag(help: "Print one JSON object instead of a table.") var json = false
    @Flag(help: "Also print the predictor's raw outputs (a ResNet's fc outputs, the classifier's logits).") var logits = false

    func validate() throws {
        try OptionCheck.range(batch, 1...256, "--batch")
        if let truncation { try OptionCheck.finite(truncation, "--truncation") }
        switch (image.isEmpty, seeds == nil) {
        case (true, true): throw ValidationError("give --image PNG... or --seeds S (with --model M)")
        case (false, false): throw ValidationError("--image and --seeds are alternatives: give one")
        case (false, true):
            if modelOptions.model != nil || truncation != nil || noise != nil || earlyStop {
                throw ValidationError("--model, --truncation, --noise and --early-stop go with --seeds, not --image")
            }
        case (true, false): break
        }
    }

    struct Item { let key: String; let value: String; let scores: [Float]; let raw: [Float]? }

    func run() throws {
        var items: [Item] = []
        let predictor: any AttributePredictor
        if let seeds {
            let list = try SeedList.parse(seeds)
            var g = try modelOptions.load()
            g.earlyStopScoring = earlyStop
            predictor = try predictorOptions.load(for: g)
            try checkLogits(predictor)
            let bar = json ? nil : ProgressBar("scoring", total: list.count)
            for chunk in stride(from: 0, to: list.count, by: batch) {
                let s = Array(list[chunk..<min(chunk + batch, list.count)])
                let ws = g.ws(z: g.latents(seeds: s), truncation: truncation ?? 1)
                let imgs = g.scoringImages(ws, for: predictor, noise: noise ?? .const)
                let p = try predictor.probabilities(generated: imgs)
                let raw = logits ? try Self.rawOutputs(predictor, imgs) : nil
                for (i, seed) in s.enumerated() {
                    items.append(Item(key: "seed", value: "\(seed)", scores: p[i], raw: raw?[i]))
                }
                bar?.update(items.count)
            }
            bar?.finish()
        } else {
            predictor = try predictorOptions.load()
            try checkLogits(predictor)
            for path in image {
                let png = try PNG.read(URL(fileURLWithPath: path))
                let x = Tensor(shape: [1, 3, png.height, png.width], data: png.planarCHW())
                let p = try predictor.probabilities(generated: x)
                items.append(Item(key: "image", value: path, scores: p[0], raw: logits ? try Self.rawOutputs(predictor, x)[0] : nil))
            }
        }
        print(json ? Self.json(predictor.attributes, items) : Self.table(predictor.attributes, items))
    }

    private func checkLogits(_ predictor: any AttributePredictor) throws {
        let p = (predictor as? DerivedAttributes)?.base ?? predictor
        guard logits, !(p is TorchVisionResNet), !(p is AttributeClassifier) else { return }
        throw SC2Error("--logits: \(p.path) has no raw outputs to show")
    }

    /// Raw outputs per image [N][outputs], from the same 8-bit pictures the scores come from.
    static func rawOutputs(_ predictor: any AttributePredictor, _ images: Tensor) throws -> [[Float]] {
        let p = (predictor as? DerivedAttributes)?.base ?? predictor
        var q = images
        for i in 0..<q.count { q.data[i] = (Float(RGBImage.quantize(q.data[i])) - 127.5) / 127.5 }
        let l: Tensor
        if let r = p as? TorchVisionResNet { l = r.logits(q) }
        else if let c = p as? AttributeClassifier { l = c.logits(q) }
        else { throw SC2Error("--logits: \(p.path) has no raw outputs to show") }
        let k = l.shape[1]
        return (0..<l.shape[0]).map { Array(l.data[$0 * k ..< ($0 + 1) * k]) }
    }

    static func number(_ v: Float) -> String { v.isFinite ? "\(v)" : "null" }

    static func quoted(_ s: String) -> String {
        let data = try! JSONSerialization.data(withJSONObject: [s], options: [.fragmentsAllowed, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self).dropFirst().dropLast().description
    }

    /// {"attributes": [...], "items": [{"seed": 3, "scores": {...}}, ...]}, scores in attribute order.
    static func json(_ names: [String], _ items: [Item]) -> String {
        let lines = items.map { item -> String in
            let id = item.key == "seed" ? item.value : quoted(item.value)
            let scores = zip(names, item.scores).map { "\(quoted($0)): \(number($1))" }.joined(separator: ", ")
            let raw = item.raw.map { ", \"logits\": [" + $0.map(number).joined(separator: ", ") + "]" } ?? ""
            return "  {\"\(item.key)\": \(id), \"scores\": {\(scores)}\(raw)}"
        }
        return "{\"attributes\": [" + names.map(quoted).joined(separator: ", ") + "],\n \"items\": [\n"
            + lines.joined(separator: ",\n") + "\n]}"
    }

    /// One row per image, one column per attribute (probabilities to 3 decimals).
    static func table(_ names: [String], _ items: [Item]) -> String {
        let first = max(items.map(\.value.count).max() ?? 0, items.first?.key.count ?? 4)
        let widths = names.map { max($0.count, 5) }
        func pad(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
        var out = [pad(items.first?.key ?? "item", first) + "  " + zip(names, widths).map { pad($0, $1) }.joined(separator: "  ")]
        for item in items {
            out.append(pad(item.value, first) + "  " + zip(item.scores, widths).map { pad(String(format: "%.3f", $0), $1) }.joined(separator: "  "))
            if let raw = item.raw { out.append(pad("logits", first) + "  " + raw.map { String(format: "%.4f", $0) }.joined(separator: "  ")) }
        }
        return out.joined(separator: "\n")
    }
}
