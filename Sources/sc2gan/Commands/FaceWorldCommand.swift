import ArgumentParser
import Foundation
import SC2Engine

struct FaceWorldCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faceworld",
        abstract: "The procedural face world behind the default model.",
        subcommands: [Render.self, Draw.self, Report.self])

    struct PresetOptions: ParsableArguments {
        @Option(help: "Correlation preset: a name from assets/faceworld/presets (biased, independent) or a JSON file.")
        var preset: String = "biased"

        @Option(name: .customLong("strength"), parsing: .upToNextOption,
                help: "Override a link's phi, e.g. --strength age:eyeglasses=0.3 (repeatable).")
        var strengths: [String] = []

        func load() throws -> CorrelationPreset {
            var p = try CorrelationPreset.named(preset, assets: Configuration.current.requireAssets())
            for s in strengths {
                let parts = s.split(separator: "=")
                let pair = parts.first?.split(separator: ":") ?? []
                guard parts.count == 2, pair.count == 2, let phi = Double(parts[1]),
                      let a = FaceAttribute(name: String(pair[0])), let b = FaceAttribute(name: String(pair[1])) else {
                    throw SC2Error("--strength expects PARENT:CHILD=PHI with attributes from: \(FaceAttribute.namesList)")
                }
                try p.setStrength(parent: a, child: b, phi: phi)
            }
            return p
        }
    }

    struct Render: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render a labelled dataset (.images.npy uint8 [N,64,64,3], .labels.npy uint8 [N,6], .json).")

        @OptionGroup var presetOptions: PresetOptions
        @Option(help: "Number of faces.") var count: Int = 1000
        @Option(help: "Dataset seed (sample i depends only on seed and i).") var seed: UInt64 = 1
        @Option(help: "Output stem: writes STEM.images.npy, STEM.labels.npy, STEM.json.") var out: String
        @Option(help: "Optional PNG grid of the first 64 faces.") var preview: String?

        func validate() throws {
            try OptionCheck.range(count, 1...200_000, "--count", "the whole set is held in memory, 12 KiB a face")
            try OutputCheck.file(out + ".images.npy", "--out")
            if let preview { try OutputCheck.file(preview, "--preview") }
        }

        func run() throws {
            let preset = try presetOptions.load()
            let bar = ProgressBar("rendering", total: count)
            let r = FaceRenderer()
            let (images, labels) = FaceWorldDataset.render(count: count, seed: seed, preset: preset, renderer: r) { bar.update($0) }
            bar.finish("rendered \(count) faces")
            try FaceWorldDataset.write(images: images, labels: labels, count: count, size: r.size,
                                       preset: preset, seed: seed, stem: URL(fileURLWithPath: out))
            if let preview {
                let n = min(64, count), px = r.size * r.size * 3
                let imgs = (0..<n).map { RGBImage(width: r.size, height: r.size, pixels: Array(images[$0 * px..<($0 + 1) * px])) }
                try PNG.write(RGBImage.grid(imgs, columns: 8), to: URL(fileURLWithPath: preview))
            }
            print("wrote \(out).images.npy, \(out).labels.npy, \(out).json")
        }
    }

    struct Draw: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Draw one face with chosen attributes.")

        @Option(help: "Attributes, e.g. age=old,eyeglasses=0,smile=1 (others drawn from the preset).")
        var set: String = ""
        @OptionGroup var presetOptions: PresetOptions
        @Option(help: "Seed for the nuisance factors and unset attributes.") var seed: UInt64 = 0
        @Option(help: "Output size in pixels (64 is the dataset's).") var size: Int = 64
        @Option(help: "Output PNG.") var out: String

        func validate() throws {
            try OptionCheck.range(size, 16...1024, "--size")
            try OutputCheck.file(out, "--out")
        }

        func run() throws {
            let preset = try presetOptions.load()
            var p = FaceWorldDataset.sample(index: 0, seed: seed, preset: preset)
            for item in set.split(separator: ",") where !item.isEmpty {
                let kv = item.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2 else {
                    throw SC2Error("--set '\(item)': expected NAME=VALUE, e.g. age=old,eyeglasses=1")
                }
                guard let a = FaceAttribute(name: kv[0]) else {
                    throw AttributeLookup.unknown(String(kv[0]), known: FaceAttribute.allCases.map(\.rawValue), context: "--set")
                }
                let v = kv[1].lowercased()
                let on: Bool
                switch v {
                case "1", "yes", "true", "on", "old", "y": on = true
                case "0", "no", "false", "off", "young", "n": on = false
                default: throw SC2Error("--set: value '\(kv[1])' for \(a.rawValue) must be 1 or 0 (also yes/no, on/off; age: old/young)")
                }
                p.attributes[a.index] = on
            }
            // Hair colour depends on age: redraw nuisance with the final labels, same seed.
            var rng = Xoshiro(seed: seed &+ 0x5EED)
            p = FaceParams.random(attributes: p.attributes, using: &rng)
            try PNG.write(FaceRenderer(size: size).render(p), to: URL(fileURLWithPath: out))
            let labels = FaceAttribute.allCases.filter { p.has($0) }.map(\.positiveLabel)
            print("wrote \(out) (\(labels.isEmpty ? "young, no attributes" : labels.joined(separator: ", ")))")
        }
    }
}
