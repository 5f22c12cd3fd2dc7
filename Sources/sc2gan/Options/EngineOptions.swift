import ArgumentParser
import Foundation
import SC2Engine

enum ScoringResolution: String, ExpressibleByArgument { case auto, predictor, full }

/// --model, --classifier and the dense sample set: what every direction command needs.
struct EngineOptions: ParsableArguments {
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var classifierOptions: ClassifierOptions
    @Option(help: "Dense samples (seeds 0..<N) to fit directions on.") var samples: Int = SampleSet.defaultCount
    @Option(help: "Truncation psi of the samples (1 = none).") var truncation: Float = 1
    @Option(help: ArgumentHelp("Cache folder for sample sets (default ~/.cache/sc2gan).", valueName: "dir"))
    var cache: String?
    @Option(help: ArgumentHelp("Where images made only to be scored stop: predictor (at the first resolution at or above the predictor's input: the skip architecture's image so far, without the later blocks' detail), full, or auto (predictor when, on 32 faces, the labels agree 99% and the scores move less than 0.01; measured once per model and predictor). `sc2gan score --early-stop` compares the two.", valueName: "auto|predictor|full"))
    var scoringResolution: ScoringResolution = .auto

    func validate() throws {
        try OptionCheck.range(samples, 100...1_000_000, "--samples")
        try OptionCheck.finite(truncation, "--truncation", positive: true)
        if let cache { try OutputCheck.folder(cache, "--cache") }
    }



    func load() throws -> (Generator, any AttributePredictor) {
        var g = try modelOptions.load()
        let p = try classifierOptions.load(for: g)
        switch scoringResolution {
        case .full: g.earlyStopScoring = false
        case .predictor: g.earlyStopScoring = true
        case .auto:
            let dir = cache.map { URL(fileURLWithPath: $0) } ?? Configuration.current.cacheDirectory
            let v = try EarlyStopCheck.verdict(g, p, cache: dir)
            g.earlyStopScoring = v?.accepted ?? false
            if let v { FileHandle.standardError.write(Data((EarlyStopCheck.describe(v, predictorInput: p.inputSize) + "\n").utf8)) }
        }
        return (g, p)
    }

    /// The dense sample set, from the cache when its provenance matches.
    func denseSamples(_ g: Generator, _ c: any AttributePredictor) throws -> SampleSet {
        let dir = cache.map { URL(fileURLWithPath: $0) } ?? Configuration.current.cacheDirectory
        let bar = ProgressBar("sampling", total: samples)
        let (set, cached) = try SampleSet.cached(in: dir, generator: g, classifier: c, seeds: (0..<UInt32(samples)).map { $0 },
                                                 truncation: truncation) { bar.update($0) }
        if cached { FileHandle.standardError.write("samples: \(samples) from cache (\(dir.path))\n".data(using: .utf8)!) }
        else { bar.finish("sampled \(samples) seeds") }
        return set
    }

    func attributeName(_ name: String, _ c: any AttributePredictor) throws -> String {
        c.attributes[try c.requiredIndex(of: name)]
    }

    /// A comma-separated list of attributes other than `target`, each known to the classifier, no repeats.
    func attributeList(_ list: String, _ c: any AttributePredictor, excluding target: String, flag: String) throws -> [String] {
        let names = try list.split(separator: ",").map { try attributeName(String($0), c) }
        guard !names.isEmpty else { throw SC2Error("\(flag) needs at least one attribute") }
        guard !names.contains(target) else { throw SC2Error("\(flag) cannot include the target attribute '\(target)'") }
        guard Set(names).count == names.count else { throw SC2Error("\(flag) lists an attribute twice") }
        return names
    }
}
