import ArgumentParser
import Foundation
import SC2Engine
import Tensor

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
    @Option(help: "Method the others are compared with, seed by seed (with --bases: the same base's).") var reference: String = "conditional"
    @Option(help: ArgumentHelp("Several base methods in one table (interfacegan or svm, class-mean, logistic, ganspace): each fitted, conditioned and SC²-corrected with itself; the methods read BASE/METHOD (default: --base alone).", valueName: "list"))
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

    func validate() throws {
        try OptionCheck.range(count, 10...20_000, "--count", "held-out samples per pair; 8 times as many seeds are drawn")
        try OptionCheck.range(restarts, 1...50, "--restarts")
        _ = try parseLevels(); _ = try parseSides(); _ = try MethodName.parse(methods, flag: "--methods"); _ = try parseDoses()
        guard MethodName(reference) != nil else { throw ValidationError("--reference: unknown method '\(reference)'; expected one of \(MethodName.allNames.joined(separator: ", "))") }
        if directions != nil, restarts > 1 { throw ValidationError("--restarts fits the methods itself; it cannot be combined with --directions") }
        if directions != nil, doses != nil { throw ValidationError("--doses fits SC² itself; it cannot be combined with --directions") }
        if bases != nil, directions != nil { throw ValidationError("--bases fits every base itself; it cannot be combined with --directions") }
        _ = try parseBases()
        if let shard { _ = try Shard(parsing: shard) }
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
            guard let m = FitMethod(name: name), m != .sefa else {
                throw ValidationError("--bases: '\(name)' is not a base method with a re-fit (interfacegan or svm, class-mean, logistic, ganspace)")
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
        if !fitOnly && !allowSelfJudge && Self.baseIdentity(judge) == Self.baseIdentity(predictor) {
            throw SC2Error("the judge \(judge.path) is the predictor the directions are fitted with: its verdict on its own corrections proves little; pass another --judge (or --allow-self-judge)")
        }
        let pairList = try parsePairs(predictor: predictor, judge: judge)
        defer { if fitOnly { print("fitted \(restarts) restart\(restarts == 1 ? "" : "s") into \(out)/fits") } }
        let methodList = try MethodName.parse(methods, flag: "--methods")
        let levelList = try parseLevels(), sideList = try parseSides(), doseList = try parseDoses()
        try correction.checkRows(g)
        let outURL = URL(fileURLWithPath: out)
        let fits = FitStore(root: outURL.appendingPathComponent("fits"))

        // 1. The directions of every fit (saved as they finish; a rerun reuses them).
        // With several bases each has its own fits (InterFaceGAN's in fits/restart-R, the
        // others' in fits/<base>/restart-R) and its methods are named BASE/METHOD in the table.
        let baseList = try parseBases()
        let prefixed = baseList.count > 1
        var libraries: [(restart: Int, base: FitMethod?, library: DirectionLibrary)] = []
        if let directions {
            let lib = DirectionLibrary(directory: URL(fileURLWithPath: directions))
            for (a, _) in pairList {
                for m in methodList {
                    guard let d = try lib.direction(attribute: a, name: m.fileName) else {
                        throw SC2Error("\(lib.url(attribute: a, name: m.fileName).path): missing; run `sc2gan correct --attribute \(a) --out \(lib.directory.path)`, or evaluate without --directions to fit every method")
                    }
                    try d.checkCompatible(wDim: g.config.wDim, numWs: g.config.numWs, source: lib.url(attribute: a, name: m.fileName).path)
                    if !allowSelfJudge, let h = d.provenance["classifier_hash"], case let j = Self.baseIdentity(judge), h == j || h.hasPrefix(j + "+") {
                        throw SC2Error("\(lib.url(attribute: a, name: m.fileName).path) was fitted with the judge \(judge.path) itself; pass another --judge (or --allow-self-judge)")
                    }
                }
            }
            libraries = [(0, nil, lib)]
        } else {
            let targets = pairList.map(\.0).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            if baseList.isEmpty { throw SC2Error("evaluate fits its base directions itself: --base takes a method here (interfacegan, class-mean, logistic, ganspace), not a file") }
            for r in 0..<restarts {
                for base in baseList {
                    var c = correction
                    c.base = base.rawValue
                    let store = base == .interfacegan ? fits : FitStore(root: fits.root.appendingPathComponent(base.rawValue))
                    let lib = try store.ensure(restart: r, targets: targets, methods: methodList, doses: doseList, generator: g,
                                               predictor: predictor, engine: engine, correction: c, fitMissing: shard == nil)
                    libraries.append((r, prefixed ? base : nil, lib))
                }
            }
        }

        if fitOnly { return }

        // 2. Held-out samples per pair and side, scored by the judge (and by the predictor, for agreement).
        var eval = EntanglementEvaluation(generator: g, judge: judge)
        eval.truncation = engine.truncation
        let seeds = try SeedRanges.heldOut(split, count: count * 8)
        var held: [String: EntanglementEvaluation.HeldOut] = [:]
        var agreementScores: (predictor: [[Float]], judge: [[Float]]) = ([], [])
        var agreementSeeds = Set<UInt32>()
        for (a, b) in pairList {
            for removing in sideList {
                let h = try eval.heldOut(target: a, seeds: seeds, count: count, removing: removing, alsoScoredBy: predictor)
                guard h.seeds.count >= 10 else {
                    throw SC2Error("only \(h.seeds.count) held-out samples have \(a) \(removing ? "on" : "off"); raise --count")
                }
                held["\(a):\(b):\(removing)"] = h
                for i in h.seeds.indices where agreementSeeds.insert(h.seeds[i]).inserted {
                    agreementScores.predictor.append(h.otherScores![i])
                    agreementScores.judge.append(h.scores[i])
                }
            }
        }
        let agreement = EntanglementEvaluation.agreement(agreementScores.predictor, agreementScores.judge,
                                                         predictorNames: predictor.attributes, judgeNames: judge.attributes)
        let agreementText = Self.agreementTable(agreement, predictor: ShownPath.of(predictor.path), judge: ShownPath.of(judge.path))
        FileHandle.standardError.write(Data(agreementText.utf8))

        // 3. Rows: every fit x pair x side x method (x dose), each saved as it finishes.
        let work = try workdir.map { dir -> (folder: WorkFolder, prefix: String) in
            let folder = WorkFolder(URL(fileURLWithPath: dir).standardizedFileURL)
            let rows = outURL.appendingPathComponent("rows").standardizedFileURL.path
            guard rows.hasPrefix(folder.url.path + "/") else { throw SC2Error("--out must be inside --workdir \(dir) for a sharded evaluation") }
            return (folder, String(rows.dropFirst(folder.url.path.count + 1)))
        }
        let rowStore = RowStore(root: outURL.appendingPathComponent("rows"), split: split, judge: judge.identity,
                                work: work.map { ($0.folder, $0.prefix) })
        var units: [(library: Int, pair: (String, String), removing: Bool, method: String, file: String)] = []
        for (li, entry) in libraries.enumerated() {
            let label = { (m: String) in entry.base.map { "\($0.rawValue)/\(m)" } ?? m }
            for (a, b) in pairList {
                for removing in sideList {
                    for m in methodList { units.append((li, (a, b), removing, label(m.display), m.fileName)) }
                    // The dose-response on the first fit (each dose is a full evaluation of its own).
                    if removing == sideList[0] && entry.restart == 0 {
                        for n in doseList { units.append((li, (a, b), removing, label("sc2-dose-\(n)"), "sc2-dose-\(n)")) }
                    }
                }
            }
        }
        // A shard takes a contiguous slice of the units (their list depends on the arguments only,
        // not on N) and leaves its rows, checksummed, in the work folder; the merge run reads them.
        let slice = try shard.map { try Shard(parsing: $0) }
        let chosen = slice.map { $0.units(of: units.count) } ?? 0..<units.count
        let bar = ProgressBar("evaluating", total: chosen.count)
        var rows: [EntanglementEvaluation.Row] = []
        var files: [String] = []
        for (i, u) in units.enumerated() where chosen.contains(i) {
            let (restart, base, lib) = libraries[u.library]
            guard let d = try lib.direction(attribute: u.pair.0, name: u.file) else {
                throw SC2Error("\(lib.url(attribute: u.pair.0, name: u.file).path): missing")
            }
            let fit = directions == nil ? "r\(restart)" + (base.map { $0 == .interfacegan ? "" : "-\($0.rawValue)" } ?? "") : "given"
            let key = "\(fit)-\(u.pair.0)-\(u.pair.1)-\(u.removing ? "remove" : "add")-\(u.file)"
            let h = held["\(u.pair.0):\(u.pair.1):\(u.removing)"]!
            if let cached = rowStore.load(key, direction: d, levels: levelList, seeds: h.seeds) {
                rows += cached.map { var r = $0; r.method = u.method; return r }
            } else {
                let steps = try eval.steps(d, held: h, levels: levelList)
                let made = try steps.map { try eval.evaluate(d, method: u.method, correlated: u.pair.1, held: h, step: $0, restart: restart) }
                try rowStore.save(key, made, direction: d)
                rows += made
            }
            files.append(rowStore.relativeName(key))
            bar.update(i + 1 - chosen.lowerBound)
        }
        bar.finish("evaluated \(chosen.count) direction x held-out sets")
        if let slice, let work {
            try ShardMarker.write(work.folder, stage: "evaluate", shard: slice, files: files)
            print("shard \(slice): \(chosen.count) of \(units.count) units evaluated into \(outURL.appendingPathComponent("rows").path)")
            return
        }

        // 4. Summary, files, figures.
        let summary = EvaluationSummary(rows: rows, reference: MethodName(reference)!.display)
        let fitCount = Set(libraries.map(\.restart)).count
        let header = (prefixed ? "bases \(baseList.map(\.rawValue).joined(separator: ", ")) (methods BASE/METHOD, each compared with its own base's \(reference)); " : "") + "split \(split.rawValue) (seeds from \(split.range.lowerBound)); judge \(ShownPath.of(judge.path)); \(fitCount) fit\(fitCount == 1 ? "" : "s")"
            + (directions == nil ? " on dense blocks of \(engine.samples) seeds" : " (given library \(directions!))") + "; \(count) held-out samples per pair and side\n"
        let table = header + summary.table()
        print(table, terminator: "")
        try FileManager.default.createDirectory(at: outURL, withIntermediateDirectories: true)
        try AtomicWrite.write(Data(table.utf8), to: outURL.appendingPathComponent("table.txt"))
        try AtomicWrite.write(Data(agreementText.utf8), to: outURL.appendingPathComponent("agreement.txt"))
        try AtomicWrite.write(Data(summary.csv().utf8), to: outURL.appendingPathComponent("summary.csv"))
        let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try AtomicWrite.write(try enc.encode(summary), to: outURL.appendingPathComponent("summary.json"))
        try AtomicWrite.write(try enc.encode(rows), to: outURL.appendingPathComponent("rows.json"))
        try AtomicWrite.write(try enc.encode(agreement), to: outURL.appendingPathComponent("agreement.json"))
        var written = ["table.txt", "summary.csv", "summary.json", "rows.json", "agreement.txt"]
        if levelList.count > 1 {
            try AtomicWrite.write(Data(EvaluationCharts.levels(summary, reference: MethodName(reference)!.display).utf8),
                                  to: outURL.appendingPathComponent("levels.svg"))
            written.append("levels.svg")
        }
        if !doseList.isEmpty {
            try AtomicWrite.write(Data(EvaluationCharts.doses(summary, doses: doseList, level: levelList[0]).utf8),
                                  to: outURL.appendingPathComponent("doses.svg"))
            written.append("doses.svg")
        }
        try writeFigure(g, libraries[0].library, libraries[0].base?.rawValue, pairList, methodList, summary, held, levelList[0], sideList[0], to: outURL.appendingPathComponent("figure.png"))
        written.append("figure.png")
        print("wrote \(written.joined(separator: ", ")) to \(out)")
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

    /// The file behind a predictor (its --define attributes aside): who the player and the judge are.
    static func baseIdentity(_ p: any AttributePredictor) -> String { (p as? DerivedAttributes)?.base.identity ?? p.identity }

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


    static func agreementTable(_ rows: [EntanglementEvaluation.Agreement], predictor: String, judge: String) -> String {
        var s = "agreement of predictor (\(predictor)) and judge (\(judge)) on the held-out images, label p > 0.5:\n"
        s += "attribute    all      confident (predictor p < 0.1 or > 0.9)\n"
        for r in rows {
            s += r.attribute.padding(toLength: 13, withPad: " ", startingAt: 0)
            s += String(format: "%5.1f%%   %5.1f%% of %d\n", r.all * 100, r.confident * 100, r.confidentSamples)
        }
        return s
    }

    /// Rows 1-2 of each pair: two held-out seeds, each method's walk in 5 steps to its alpha (first fit).
    func writeFigure(_ g: Generator, _ lib: DirectionLibrary, _ base: String?, _ pairList: [(String, String)], _ methodList: [MethodName],
                     _ summary: EvaluationSummary, _ held: [String: EntanglementEvaluation.HeldOut], _ level: Double, _ removing: Bool,
                     to url: URL) throws {
        var figureRows: [RGBImage] = []
        let nw = g.config.numWs, dd = g.config.wDim
        for (a, b) in pairList {
            guard let h = held["\(a):\(b):\(removing)"] else { continue }
            var strips: [[RGBImage]] = []
            for m in methodList {
                guard let d = try lib.direction(attribute: a, name: m.fileName),
                      let line = summary.lines.first(where: { $0.target == a && $0.correlated == b && $0.method == (base.map { "\($0)/\(m.display)" } ?? m.display) && $0.level == level }) else { continue }
                let alpha = Float(line.alpha) * (removing ? -1 : 1)
                for i in 0..<min(2, h.seeds.count) {
                    let code = Tensor(shape: [1, nw, dd], data: Array(h.codes.data[i * nw * dd..<(i + 1) * nw * dd]))
                    let frames = (0...4).map { k in Generator.pictures(g.synthesis(d.apply(to: code, alpha: alpha * Float(k) / 4)))[0] }
                    if strips.count <= i { strips.append([]) }
                    strips[i].append(contentsOf: frames)
                }
            }
            for s in strips { figureRows.append(RGBImage.grid(s, columns: s.count, gap: 1)) }
        }
        guard !figureRows.isEmpty else { return }
        try PNG.write(RGBImage.grid(figureRows, columns: 1, gap: 3).scaled(by: max(1, 256 / g.config.resolution)), to: url)
    }
}
extension SeedRanges.Split: ExpressibleByArgument {}
