import ArgumentParser
import Foundation
import SC2Engine

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "The evaluation protocol: leakage of each method at equal target change, judged by an independent predictor, over restarts.",
        discussion: """
        Pairs are TARGET:CORRELATED. With --restarts K (default 1) every method is fitted K times on disjoint \
        blocks of dense seeds (restart r: seeds r*N ..< (r+1)*N) and the table shows the spread across fits and \
        each method's paired difference from --reference on the same held-out seeds. With --directions DIR an \
        existing library is evaluated as one fit. Held-out seeds come from the validation range unless \
        --split test (seed ranges: docs/EVALUATION.md). Images are scored by --judge, by default FaceWorld's \
        judge, a ResNet trained apart from the classifier the directions are fitted with; judging with the \
        fitting predictor itself is refused unless --allow-self-judge. Fits and rows are saved under --out as \
        they finish, so an interrupted run resumes where it stopped.
        """)
    @OptionGroup var engine: EngineOptions
    @OptionGroup(title: "SC² correction (the methods fitted when --directions is not given)") var correction: CorrectionOptions
    @Option(help: ArgumentHelp("Predictor that scores every evaluated image (default on FaceWorld models: assets/faceworld/judge.safetensors).", valueName: "path"))
    var judge: String?
    @Flag(help: "Allow judging with the predictor the directions were fitted with (the judge is then also the player).")
    var allowSelfJudge = false
    @Option(help: "Held-out seeds from the validation or the test range.") var split: SeedRanges.Split = .validation
    @Option(help: "Direction library folder to evaluate as one fit (default: fit every method, see --restarts).") var directions: String?
    @Option(help: "Independent fits on disjoint dense seed blocks (each of --samples seeds).") var restarts: Int = 1
    @Option(help: "Pairs TARGET:CORRELATED, comma-separated.") var pairs: String = "age:eyeglasses,eyeglasses:age,lipstick:long_hair,smile:eyeglasses"
    @Option(help: "Held-out samples per pair and side (8 times as many seeds are drawn).") var count: Int = 200
    @Option(help: ArgumentHelp("Mean target changes every method must reach, comma-separated.", valueName: "list")) var levels: String = "0.5"
    @Option(help: ArgumentHelp("add (held-out samples without the target, step > 0), remove (with it, step < 0), or add,remove.", valueName: "list"))
    var sides: String = "add"
    @Option(help: ArgumentHelp("Methods, comma-separated: \(MethodName.allNames.joined(separator: ", ")).", valueName: "list"))
    var methods: String = "original,conditional,sc2"
    @Option(help: ArgumentHelp("Method the others are compared with, seed by seed (with --bases: the same base's). A list compares with each: the first in table.txt, the others in table-vs-METHOD.txt and summary-vs-METHOD.json (e.g. conditional,sc2-dense-only).", valueName: "list"))
    var reference: String = "conditional"
    @Option(help: ArgumentHelp("Several base methods in one table (interfacegan or svm, class-mean, logistic, ganspace, class-pca, sefa): each fitted, conditioned and SC²-corrected with itself; the methods read BASE/METHOD (default: --base alone).", valueName: "list"))
    var bases: String?
    @Option(help: ArgumentHelp("Dose-response: SC² re-fitted with only this many rare samples, comma-separated (e.g. 0,10,25,50,100,200,400); evaluated on the first fit.", valueName: "list"))
    var doses: String?
    @Flag(help: "Only fit every method of every restart into --out/fits (no judge needed); a later run without it evaluates them.")
    var fitOnly = false
    @Option(help: ArgumentHelp("With --workdir: evaluate only the K-th of N slices of the work (the fits must exist: --fit-only first); a run without --shard merges.", valueName: "K/N"))
    var shard: String?
    @Option(help: ArgumentHelp("Shared work folder of a sharded run (its rows are checksummed there; --out must be inside it, as `sc2gan slurm evaluate` sets).", valueName: "dir"))
    var workdir: String?
    @Option(help: "Output folder: table.txt, summary.csv/json, rows.json, agreement.txt, figures, and fits/ (resumable).") var out: String

    /// --reference as methods, in the order given (the first is the table's).
    func referenceList() throws -> [MethodName] {
        var out: [MethodName] = []
        for name in reference.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let m = MethodName(name) else {
                throw ValidationError("--reference: unknown method '\(name)'; expected one of \(MethodName.allNames.joined(separator: ", "))")
            }
            if !out.contains(m) { out.append(m) }
        }
        return out
    }

    func validate() throws {
        try OptionCheck.range(count, 10...20_000, "--count", "held-out samples per pair; 8 times as many seeds are drawn")
        try OptionCheck.range(restarts, 1...50, "--restarts")
        _ = try parseLevels(); _ = try parseSides(); _ = try MethodName.parse(methods, flag: "--methods"); _ = try parseDoses()
        _ = try referenceList()
        if directions != nil, restarts > 1 { throw ValidationError("--restarts fits the methods itself; it cannot be combined with --directions") }
        if directions != nil, doses != nil { throw ValidationError("--doses fits SC² itself; it cannot be combined with --directions") }
        if bases != nil, directions != nil { throw ValidationError("--bases fits every base itself; it cannot be combined with --directions") }
        _ = try parseBases()
        if let shard { _ = try FlagErrors.naming { try Shard(parsing: shard) } }
        if shard != nil && workdir == nil { throw ValidationError("--shard needs --workdir (where the shards leave their rows)") }
        if shard != nil && fitOnly { throw ValidationError("--fit-only fits in one process; --shard slices the evaluation after it") }
        try OutputCheck.folder(out, "--out")
    }

    func parseLevels() throws -> [Double] {
        let xs = levels.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !xs.isEmpty, xs.allSatisfy({ $0 != nil && $0! >= 0.05 && $0! <= 0.99 }) else {
            throw ValidationError("--levels: expected mean target changes in 0.05-0.99, comma-separated (e.g. 0.25,0.5,0.75,0.9)")
        }
        return xs.map { $0! }
    }

    func parseSides() throws -> [Bool] {
        var out: [Bool] = []
        for s in sides.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard s == "add" || s == "remove" else { throw ValidationError("--sides: '\(s)' is neither add nor remove") }
            if !out.contains(s == "remove") { out.append(s == "remove") }
        }
        guard !out.isEmpty else { throw ValidationError("--sides: expected add, remove or add,remove") }
        return out
    }

    /// The base methods, each once (default: --base alone).
    func parseBases() throws -> [FitMethod] {
        guard let bases else { return correction.baseMethod.map { [$0] } ?? [] }
        var out: [FitMethod] = []
        for name in bases.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let m = FitMethod(name: name) else {
                throw ValidationError("--bases: '\(name)' is not a base method (interfacegan or svm, class-mean, logistic, ganspace, class-pca, sefa)")
            }
            guard !out.contains(m) else { throw ValidationError("--bases: '\(name)' is listed twice") }
            out.append(m)
        }
        return out
    }

    func parseDoses() throws -> [Int] {
        guard let doses else { return [] }
        let xs = doses.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !xs.isEmpty, xs.allSatisfy({ $0 != nil && $0! >= 0 && $0! <= 100_000 }) else {
            throw ValidationError("--doses: expected counts of rare samples, comma-separated (e.g. 0,10,25,50,100,200,400)")
        }
        return xs.map { $0! }
    }

    func run() throws {
        let (g, predictor) = try engine.load()
        if fitOnly && directions != nil { throw SC2Error("--fit-only fits the methods; it cannot be combined with --directions") }
        let judge = fitOnly ? predictor : try loadJudge(for: g)
        if !fitOnly && !allowSelfJudge && EvaluationRun.baseIdentity(judge) == EvaluationRun.baseIdentity(predictor) {
            throw SC2Error("the judge \(judge.path) is the predictor the directions are fitted with: its verdict on its own corrections proves little; pass another --judge (or --allow-self-judge)")
        }
        let pairList = try parsePairs(predictor: predictor, judge: judge)
        try correction.checkRows(g)
        let source: EvaluationRun.Directions
        if let directions {
            source = .library(URL(fileURLWithPath: directions))
        } else {
            let baseList = try parseBases()
            if baseList.isEmpty { throw SC2Error("evaluate fits its base directions itself: --base takes a method here (interfacegan, class-mean, logistic, ganspace, class-pca, sefa), not a file") }
            source = .fit(bases: try baseList.map { base in
                var c = correction
                c.base = base.rawValue
                var b = EvaluationRun.Base(name: base.rawValue, finder: base.finder(generator: g, layers: try correction.layerList), folder: base == .interfacegan ? nil : base.rawValue,
                                           settings: try c.evaluateSettings(samples: engine.samples, truncation: engine.truncation))
                b.layers = try correction.layerList
                return b
            }, restarts: restarts)
        }
        var configuration = EvaluationRun.Configuration(directions: source, pairs: pairList.map { (target: $0.0, correlated: $0.1) },
                                                        methods: try MethodName.parse(methods, flag: "--methods"),
                                                        cacheDirectory: engine.cache.map { URL(fileURLWithPath: $0) } ?? Configuration.current.cacheDirectory,
                                                        out: URL(fileURLWithPath: out))
        configuration.levels = try parseLevels()
        configuration.sides = try parseSides()
        configuration.doses = try parseDoses()
        configuration.split = split
        configuration.count = count
        let references = try referenceList()
        configuration.reference = references[0]
        configuration.otherReferences = Array(references.dropFirst())
        configuration.samples = engine.samples
        configuration.truncation = engine.truncation
        configuration.pipeline = try correction.pipelineOptions()
        configuration.allowSelfJudge = allowSelfJudge
        configuration.fitOnly = fitOnly
        configuration.workFolder = workdir.map { URL(fileURLWithPath: $0) }
        configuration.shard = try shard.map { try Shard(parsing: $0) }
        var evaluation = EvaluationRun(generator: g, predictor: predictor, judge: judge, configuration: configuration)
        evaluation.progress = Self.terminalProgress()
        if case .fitted(let n) = try evaluation.run() { print("fitted \(n) restart\(n == 1 ? "" : "s") into \(out)/fits") }
    }

    /// Bars and notes on standard error, results on standard output.
    static func terminalProgress() -> EvaluationRun.Progress {
        var p = EvaluationRun.Progress()
        p.task = { label, total in
            let bar = ProgressBar(label, total: total)
            return .init(update: { bar.update($0) }, finish: { bar.finish($0) })
        }
        p.note = { FileHandle.standardError.write(Data($0.utf8)) }
        p.output = { print($0, terminator: "") }
        p.corrected = { label, report in FileHandle.standardError.write(Data("\(label): \(CorrectionOptions.summary(report))\n".utf8)) }
        return p
    }

    /// The judge given, else FaceWorld's on a FaceWorld model; refused outside its domain.
    func loadJudge(for g: Generator) throws -> any AttributePredictor {
        let p: any AttributePredictor
        if let judge {
            p = try Predictors.load(URL(fileURLWithPath: judge))
        } else {
            guard g.domain == PredictorDomain.faceWorld else {
                throw SC2Error("no judge for \(g.path): pass --judge with a predictor other than the one the directions are fitted with")
            }
            p = try Predictors.load(Configuration.current.requireAssets().faceWorldDirectory.appendingPathComponent("judge.safetensors"))
        }
        try PredictorDomain.check(p, for: g)
        // The --define attributes the judge can compute too (old=not:Young on a CelebA judge).
        let defs = engine.classifierOptions.define.filter { (try? DerivedAttributes(p, definitions: [$0])) != nil }
        return defs.isEmpty ? p : try DerivedAttributes(p, definitions: defs)
    }

    func parsePairs(predictor: any AttributePredictor, judge: any AttributePredictor) throws -> [(String, String)] {
        try pairs.split(separator: ",").map { p in
            let ab = p.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
            guard ab.count == 2 else { throw SC2Error("bad pair '\(p)': expected TARGET:CORRELATED") }
            let a = predictor.attributes[try predictor.requiredIndex(of: ab[0])], b = predictor.attributes[try predictor.requiredIndex(of: ab[1])]
            guard a != b else { throw SC2Error("bad pair '\(p)': the correlated attribute must differ from the target") }
            for name in [a, b] where judge.index(of: name) == nil {
                throw SC2Error("the judge \(judge.path) has no attribute \("'\(name)'") (it has \(judge.attributes.joined(separator: ", ")))")
            }
            return (a, b)
        }
    }
}
extension SeedRanges.Split: ExpressibleByArgument {}
