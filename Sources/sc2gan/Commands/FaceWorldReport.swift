import ArgumentParser
import Foundation
import SC2Engine
import Tensor

extension FaceWorldCommand {
    /// How well a generator reproduces FaceWorld: confident labels, marginal frequencies and the
    /// designed correlations, generated samples next to the training data.
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare a generator's samples with FaceWorld's training data (frequencies, correlations, confident labels).")
        @OptionGroup var modelOptions: ModelOptions
        @OptionGroup var classifierOptions: ClassifierOptions
        @Option(help: "Correlation preset and seed of the training data.") var preset: String = "biased"
        @Option(help: "Training data seed.") var dataSeed: UInt64 = 1
        @Option(help: "Training data size (labels are redrawn, not re-rendered).") var dataCount: Int = 60000
        @Option(help: "Generated samples.") var samples: Int = 2000
        @Option(help: "First seed of the generated samples.") var firstSeed: UInt32 = 500_000
        @Option(help: "Write a grid of 64 samples here (PNG).") var grid: String?
        @Option(help: "Write the numbers here (JSON).") var json: String?

        func validate() throws {
            try OptionCheck.range(dataCount, 100...2_000_000, "--data-count")
            try OptionCheck.range(samples, 10...100_000, "--samples")
            if let grid { try OutputCheck.file(grid, "--grid") }
            if let json { try OutputCheck.file(json, "--json") }
        }

        func run() throws {
            let g = try modelOptions.load()
            let c = try classifierOptions.load(for: g)
            let p = try CorrelationPreset.named(preset, assets: Configuration.current.requireAssets())
            let names = c.attributes
            if let odd = names.first(where: { FaceAttribute(name: $0) == nil }) {
                throw SC2Error("the classifier's attribute '\(odd)' is not a FaceWorld attribute (\(FaceAttribute.namesList)): the report compares with FaceWorld's training data")
            }
            // Training data labels, exactly as `faceworld render` draws them.
            var dataCols = [[Double]](repeating: [], count: names.count)
            for i in 0..<dataCount {
                let labels = FaceWorldDataset.sample(index: i, seed: dataSeed, preset: p).attributes
                for (k, n) in names.enumerated() { dataCols[k].append(labels[FaceAttribute(name: n)!.index] ? 1 : 0) }
            }
            // Generated samples scored by the classifier.
            let seeds = (0..<UInt32(samples)).map { firstSeed &+ $0 }
            let bar = ProgressBar("scoring samples", total: samples)
            let set = try SampleSet.build(generator: g, classifier: c, seeds: seeds) { bar.update($0) }
            bar.finish("scored \(samples) samples")
            let na = names.count
            var genCols = [[Double]](repeating: [], count: na)
            var confident = 0, confidentPer = [Int](repeating: 0, count: na)
            for i in 0..<set.count {
                var all = true
                for k in 0..<na {
                    let v = set.scores.data[i * na + k]
                    genCols[k].append(v > 0.5 ? 1 : 0)
                    let conf = v > 0.9 || v < 0.1
                    if conf { confidentPer[k] += 1 } else { all = false }
                }
                if all { confident += 1 }
            }
            let dataPhi = Statistics.correlationMatrix(dataCols), genPhi = Statistics.correlationMatrix(genCols)
            let dataFreq = dataCols.map(Statistics.mean), genFreq = genCols.map(Statistics.mean)
            print("model: \(g.path) (\(g.hash)), \(g.config.summary)")
            print(String(format: "confident on every attribute (p > 0.9 or < 0.1): %.1f%% of %d samples", 100 * Double(confident) / Double(samples), samples))
            print("attribute    data freq  generated  confident")
            for k in 0..<na {
                print(names[k].padding(toLength: 13, withPad: " ", startingAt: 0)
                      + String(format: "%8.1f%%  %8.1f%%  %8.1f%%", dataFreq[k] * 100, genFreq[k] * 100, 100 * Double(confidentPer[k]) / Double(samples)))
            }
            print("\nphi (label correlation): training data | generated samples")
            let head = names.map { String($0.prefix(6)).padding(toLength: 7, withPad: " ", startingAt: 0) }.joined()
            print(String(repeating: " ", count: 11) + head + " | " + head)
            for k in 0..<na {
                let row = names[k].padding(toLength: 11, withPad: " ", startingAt: 0)
                    + dataPhi[k].map { String(format: "%+5.2f  ", $0) }.joined() + " | "
                    + genPhi[k].map { String(format: "%+5.2f  ", $0) }.joined()
                print(row)
            }
            if let grid {
                let img = g.generate(seeds: Array(seeds.prefix(64)))
                try PNG.write(RGBImage.grid(Generator.pictures(img), columns: 8).scaled(by: max(1, 128 / g.config.resolution)),
                              to: URL(fileURLWithPath: grid))
            }
            if let json {
                let obj: [String: Any] = ["attributes": names, "model_hash": g.hash, "samples": samples,
                                          "confident_all": Double(confident) / Double(samples),
                                          "confident_per_attribute": confidentPer.map { Double($0) / Double(samples) },
                                          "data_frequency": dataFreq, "generated_frequency": genFreq,
                                          "data_phi": dataPhi, "generated_phi": genPhi]
                try AtomicWrite.write(try JSONSerialization.data(withJSONObject: obj, options: [.prettyPrinted, .sortedKeys]),
                                      to: URL(fileURLWithPath: json))
            }
        }
    }
}
