import Foundation
import Tensor

/// An evaluation from start to end, as `sc2gan evaluate` runs it: the directions of every fit
/// (fitted per restart and base into OUT/fits, or a given library), the held-out samples of
/// each pair and side scored by the judge, a row per fit x pair x side x method (x dose) kept in
/// OUT/rows, and the summary, tables and figures in OUT. Fits and rows are stored as they
/// finish, so a run that stopped resumes where it stopped; a shard evaluates a contiguous slice
/// of the rows into a work folder and a run without a shard merges them.
///
/// Takes a plain configuration and reports through `Progress`; reads no flags and no environment.
package struct EvaluationRun {
    /// A base method fitted for each restart.
    package struct Base {
        /// Its name in the table (methods read NAME/METHOD when several bases are evaluated).
        package var name: String
        package var finder: any DirectionFinder
        /// The subfolder of OUT/fits holding its fits (nil: OUT/fits itself, InterFaceGAN's).
        package var folder: String?
        /// Everything that changes what a fit computes, stamped on every fitted direction: a fit
        /// made with other settings is fitted again.
        package var settings: String
        /// The W+ rows the base direction (and so every method made from it) edits; nil: all.
        package var layers: [Int]? = nil

        package init(name: String, finder: any DirectionFinder, folder: String?, settings: String) {
            self.name = name; self.finder = finder; self.folder = folder; self.settings = settings
        }
    }

    /// What is evaluated: fits made here, or a library of directions given.
    package enum Directions {
        /// Every method fitted `restarts` times (restart r on dense seed block r) with each base.
        case fit(bases: [Base], restarts: Int)
        /// A library evaluated as one fit.
        case library(URL)
    }

    package struct Configuration {
        package var directions: Directions
        /// (target, correlated) pairs, names as the predictor and the judge spell them.
        package var pairs: [(target: String, correlated: String)]
        package var methods: [MethodName]
        /// Mean target changes every method must reach.
        package var levels: [Double] = [0.5]
        /// The sides evaluated: false adds the target (held-out samples without it), true removes it.
        package var sides: [Bool] = [false]
        /// SC² re-fitted with only this many rare samples (on the first fit).
        package var doses: [Int] = []
        package var split: SeedRanges.Split = .validation
        /// Held-out samples per pair and side (8 times as many seeds are drawn).
        package var count: Int = 200
        /// The method the others are compared with, seed by seed.
        package var reference: MethodName = .conditional
        /// Further references: each gets its own table (table-vs-METHOD.txt) and summary.
        package var otherReferences: [MethodName] = []
        /// Dense samples per restart, their truncation and the cache they are kept in.
        package var samples: Int = SampleSet.defaultCount
        package var truncation: Float = 1
        package var cacheDirectory: URL
        /// The SC² fits' options (each fit sets its seed, variant and learner).
        package var pipeline = SC2Pipeline.Options()
        /// Judging with the predictor the directions were fitted with is refused unless allowed.
        package var allowSelfJudge = false
        /// Where the fits, rows, tables and figures go.
        package var out: URL
        /// Only fit (no held-out samples, no rows).
        package var fitOnly = false
        /// A sharded run's work folder (`out` inside it) and, for a shard, its slice of the rows;
        /// with a work folder and no shard the run merges the shards' rows.
        package var workFolder: URL? = nil
        package var shard: Shard? = nil

        package init(directions: Directions, pairs: [(target: String, correlated: String)], methods: [MethodName],
                    cacheDirectory: URL, out: URL) {
            self.directions = directions; self.pairs = pairs; self.methods = methods
            self.cacheDirectory = cacheDirectory; self.out = out
        }
    }

    /// How the run reports as it goes (the command draws bars and writes to its streams).
    package struct Progress {
        /// Counted work under way: the steps done, and its end (a message, or nil for the default).
        package struct Task {
            package var update: (Int) -> Void
            package var finish: (String?) -> Void
            package init(update: @escaping (Int) -> Void = { _ in }, finish: @escaping (String?) -> Void = { _ in }) {
                self.update = update; self.finish = finish
            }
        }
        /// Starts counted work: a label and the number of steps.
        package var task: (_ label: String, _ total: Int) -> Task = { _, _ in Task() }
        /// Text for the user beside the results (the agreement table, cache notes): ends in a newline.
        package var note: (String) -> Void = { _ in }
        /// The results (the table, what was written): ends in a newline.
        package var output: (String) -> Void = { _ in }
        /// An SC² fit finished: its label ("restart R METHOD") and report.
        package var corrected: (_ label: String, _ report: SC2Pipeline.Report) -> Void = { _, _ in }

        package init() {}

        /// A handler for SC2Pipeline's progress: one task per stage, labelled `label: STAGE`;
        /// call `finish` at the end.
        package func stages(_ label: String) -> (handler: (SC2Pipeline.Stage, Int, Int) -> Void, finish: () -> Void) {
            final class State { var task: Task? = nil; var stage: SC2Pipeline.Stage? = nil }
            let state = State()
            let start = self.task
            return ({ s, done, total in
                if s != state.stage {
                    state.task?.finish(nil)
                    state.stage = s
                    state.task = start("\(label): \(s.title)", max(total, 1))
                }
                state.task?.update(done)
            }, { state.task?.finish(nil) })
        }
    }

    /// What a run did.
    package enum Outcome {
        /// `fitOnly`: the fits are in OUT/fits.
        case fitted(restarts: Int)
        /// A shard: its slice of the units (of `units`) evaluated into the work folder.
        case shard(Shard, evaluated: Range<Int>, units: Int)
        /// The whole evaluation (or the merge of the shards): its rows, their summary, the
        /// agreement of predictor and judge, and the files written to OUT.
        case evaluated(rows: [EntanglementEvaluation.Row], summary: EvaluationSummary, agreement: [EntanglementEvaluation.Agreement], written: [String])
    }

    package let generator: Generator
    /// The predictor the directions are fitted with.
    package let predictor: any AttributePredictor
    /// The predictor every evaluated image is scored by.
    package let judge: any AttributePredictor
    package let configuration: Configuration
    package var progress = Progress()

    package init(generator: Generator, predictor: any AttributePredictor, judge: any AttributePredictor, configuration: Configuration) {
        self.generator = generator; self.predictor = predictor; self.judge = judge; self.configuration = configuration
    }

    /// The file behind a predictor (its derived attributes aside): who the player and the judge are.
    package static func baseIdentity(_ p: any AttributePredictor) -> String { (p as? DerivedAttributes)?.base.identity ?? p.identity }

    /// One fit's directions: its restart, its base (named in the table with several bases), its library.
    struct Fit {
        let restart: Int
        let base: Base?
        let library: DirectionLibrary
    }

    /// One row file's work: a direction of a fit on a pair's held-out set of one side.
    struct Unit {
        let fit: Int
        let pair: (target: String, correlated: String)
        let removing: Bool
        /// The method as the table shows it, and the direction's name in the library.
        let method: String, file: String
    }

    package func run() throws -> Outcome {
        let c = configuration
        if c.fitOnly, case .library = c.directions { throw SC2Error("a fit-only run fits the methods; it cannot evaluate a given library") }
        let fits = try self.fits()
        if c.fitOnly, case .fit(_, let restarts) = c.directions { return .fitted(restarts: restarts) }
        let eval = evaluation()
        let (held, agreement) = try heldOutSets(eval)
        let agreementText = Self.agreementTable(agreement, predictor: ShownPath.of(predictor.path), judge: ShownPath.of(judge.path))
        progress.note(agreementText)

        let units = self.units(fits)
        let work = try workFolder()
        let rowStore = RowStore(root: c.out.appendingPathComponent("rows"), split: c.split, judge: judge.identity,
                                work: work.map { ($0.folder, $0.prefix) }, note: progress.note)
        // A shard takes a contiguous slice of the units (their list depends on the configuration
        // only, not on the number of shards) and leaves its rows, checksummed, in the work
        // folder; the merge run reads them.
        let chosen = c.shard.map { $0.units(of: units.count) } ?? 0..<units.count
        let (rows, files) = try evaluate(units, chosen, fits, held, eval, rowStore)
        if let shard = c.shard, let work {
            try ShardMarker.write(work.folder, stage: "evaluate", shard: shard, files: files)
            progress.output("shard \(shard): \(chosen.count) of \(units.count) units evaluated into \(c.out.appendingPathComponent("rows").path)\n")
            return .shard(shard, evaluated: chosen, units: units.count)
        }
        let summary = EvaluationSummary(rows: rows, reference: c.reference.display)
        let written = try writeResults(rows: rows, summary: summary, agreement: agreement, agreementText: agreementText,
                                       fits: fits, held: held)
        return .evaluated(rows: rows, summary: summary, agreement: agreement, written: written)
    }

    /// 1. The directions of every fit (saved as they finish; a rerun reuses them). With several
    /// bases each has its own fits (InterFaceGAN's in fits/restart-R, the others' in
    /// fits/<base>/restart-R) and its methods are named BASE/METHOD in the table.
    func fits() throws -> [Fit] {
        let c = configuration, g = generator
        switch c.directions {
        case .library(let url):
            let lib = DirectionLibrary(directory: url)
            for (a, _) in c.pairs {
                for m in c.methods {
                    let file = lib.url(attribute: a, name: m.fileName).path
                    guard let d = try lib.direction(attribute: a, name: m.fileName) else {
                        throw SC2Error("\(file): missing; correct \(a) into \(lib.directory.path), or evaluate without a library to fit every method")
                    }
                    try d.checkCompatible(wDim: g.config.wDim, numWs: g.config.numWs, source: file)
                    if !c.allowSelfJudge, let h = d.provenance["classifier_hash"], case let j = Self.baseIdentity(judge), h == j || h.hasPrefix(j + "+") {
                        throw SC2Error("\(file) was fitted with the judge \(judge.path) itself: judge with another predictor (or allow self-judging)")
                    }
                }
            }
            return [Fit(restart: 0, base: nil, library: lib)]
        case .fit(let bases, let restarts):
            let targets = c.pairs.map(\.target).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            let root = FitStore(root: c.out.appendingPathComponent("fits"))
            var fits: [Fit] = []
            for r in 0..<restarts {
                for base in bases {
                    let store = base.folder.map { FitStore(root: root.root.appendingPathComponent($0)) } ?? root
                    let lib = try store.ensure(restart: r, targets: targets, methods: c.methods, doses: c.doses, generator: g,
                                               predictor: predictor, base: base, configuration: c, progress: progress,
                                               fitMissing: c.shard == nil)
                    fits.append(Fit(restart: r, base: bases.count > 1 ? base : nil, library: lib))
                }
            }
            return fits
        }
    }

    func evaluation() -> EntanglementEvaluation {
        var eval = EntanglementEvaluation(generator: generator, judge: judge)
        eval.truncation = configuration.truncation
        return eval
    }

    /// 2. Held-out samples per pair and side, scored by the judge (and by the predictor, for the
    /// agreement of the two), keyed "TARGET:CORRELATED:REMOVING".
    func heldOutSets(_ eval: EntanglementEvaluation) throws -> (held: [String: EntanglementEvaluation.HeldOut], agreement: [EntanglementEvaluation.Agreement]) {
        let c = configuration
        let seeds = try SeedRanges.heldOut(c.split, count: c.count * 8)
        var held: [String: EntanglementEvaluation.HeldOut] = [:]
        var agreementScores: (predictor: [[Float]], judge: [[Float]]) = ([], [])
        var agreementSeeds = Set<UInt32>()
        for (a, b) in c.pairs {
            for removing in c.sides {
                let h = try eval.heldOut(target: a, seeds: seeds, count: c.count, removing: removing, alsoScoredBy: predictor)
                guard h.seeds.count >= 10 else {
                    throw SC2Error("only \(h.seeds.count) held-out samples have \(a) \(removing ? "on" : "off"); draw more held-out samples")
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
        return (held, agreement)
    }

    /// 3. The units: every fit x pair x side x method, and the dose-response on the first fit.
    func units(_ fits: [Fit]) -> [Unit] {
        let c = configuration
        var units: [Unit] = []
        for (li, fit) in fits.enumerated() {
            let label = { (m: String) in fit.base.map { "\($0.name)/\(m)" } ?? m }
            for (a, b) in c.pairs {
                for removing in c.sides {
                    for m in c.methods { units.append(Unit(fit: li, pair: (a, b), removing: removing, method: label(m.display), file: m.fileName)) }
                    // The dose-response on the first fit (each dose is a full evaluation of its own).
                    if removing == c.sides[0] && fit.restart == 0 {
                        for n in c.doses { units.append(Unit(fit: li, pair: (a, b), removing: removing, method: label("sc2-dose-\(n)"), file: "sc2-dose-\(n)")) }
                    }
                }
            }
        }
        return units
    }

    /// A sharded run's work folder and the rows' folder relative to it.
    func workFolder() throws -> (folder: WorkFolder, prefix: String)? {
        try configuration.workFolder.map { dir -> (folder: WorkFolder, prefix: String) in
            let folder = WorkFolder(dir.standardizedFileURL)
            let rows = configuration.out.appendingPathComponent("rows").standardizedFileURL.path
            guard rows.hasPrefix(folder.url.path + "/") else { throw SC2Error("the output folder must be inside the work folder \(dir.path) for a sharded evaluation") }
            return (folder, String(rows.dropFirst(folder.url.path.count + 1)))
        }
    }

    /// The rows of the `chosen` units, each read from the row store when it holds them for this
    /// direction, these seeds and levels, else evaluated and stored; and the row files.
    func evaluate(_ units: [Unit], _ chosen: Range<Int>, _ fits: [Fit], _ held: [String: EntanglementEvaluation.HeldOut],
                  _ eval: EntanglementEvaluation, _ rowStore: RowStore) throws -> (rows: [EntanglementEvaluation.Row], files: [String]) {
        let c = configuration
        let bar = progress.task("evaluating", chosen.count)
        var rows: [EntanglementEvaluation.Row] = []
        var files: [String] = []
        for (i, u) in units.enumerated() where chosen.contains(i) {
            let fit = fits[u.fit], lib = fit.library
            guard let d = try lib.direction(attribute: u.pair.target, name: u.file) else {
                throw SC2Error("\(lib.url(attribute: u.pair.target, name: u.file).path): missing")
            }
            let fitName: String
            if case .library = c.directions { fitName = "given" } else { fitName = "r\(fit.restart)" + (fit.base.map { $0.folder.map { "-\($0)" } ?? "" } ?? "") }
            let key = "\(fitName)-\(u.pair.target)-\(u.pair.correlated)-\(u.removing ? "remove" : "add")-\(u.file)"
            let h = held["\(u.pair.target):\(u.pair.correlated):\(u.removing)"]!
            if let cached = rowStore.load(key, direction: d, levels: c.levels, seeds: h.seeds) {
                rows += cached.map { var r = $0; r.method = u.method; return r }
            } else {
                let steps = try eval.steps(d, held: h, levels: c.levels)
                let made = try steps.map { try eval.evaluate(d, method: u.method, correlated: u.pair.correlated, held: h, step: $0, restart: fit.restart) }
                try rowStore.save(key, made, direction: d)
                rows += made
            }
            files.append(rowStore.relativeName(key))
            bar.update(i + 1 - chosen.lowerBound)
        }
        bar.finish("evaluated \(chosen.count) direction x held-out sets")
        return (rows, files)
    }

    /// 4. The table (also reported as output), summary, rows, agreement, charts and figure in OUT;
    /// returns the names written.
    func writeResults(rows: [EntanglementEvaluation.Row], summary: EvaluationSummary, agreement: [EntanglementEvaluation.Agreement],
                      agreementText: String, fits: [Fit], held: [String: EntanglementEvaluation.HeldOut]) throws -> [String] {
        let c = configuration, outURL = c.out
        let fitCount = Set(fits.map(\.restart)).count
        var header = ""
        if case .fit(let bases, _) = c.directions, bases.count > 1 {
            header = "bases \(bases.map(\.name).joined(separator: ", ")) (methods BASE/METHOD, each compared with its own base's \(c.reference.rawValue)); "
        }
        header += "split \(c.split.rawValue) (seeds from \(c.split.range.lowerBound)); judge \(ShownPath.of(judge.path)); \(fitCount) fit\(fitCount == 1 ? "" : "s")"
        if case .library(let url) = c.directions { header += " (given library \(url.relativePath))" } else { header += " on dense blocks of \(c.samples) seeds" }
        header += "; \(c.count) held-out samples per pair and side\n"
        let table = header + summary.table()
        progress.output(table)
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
        for other in c.otherReferences {
            let versus = EvaluationSummary(rows: rows, reference: other.display)
            let text = "compared with \(other.display):\n" + versus.table()
            progress.output(text)
            try AtomicWrite.write(Data((header + text).utf8), to: outURL.appendingPathComponent("table-vs-\(other.display).txt"))
            try AtomicWrite.write(try enc.encode(versus), to: outURL.appendingPathComponent("summary-vs-\(other.display).json"))
            written += ["table-vs-\(other.display).txt", "summary-vs-\(other.display).json"]
        }
        if c.levels.count > 1 {
            try AtomicWrite.write(Data(EvaluationCharts.levels(summary, reference: c.reference.display).utf8),
                                  to: outURL.appendingPathComponent("levels.svg"))
            written.append("levels.svg")
            if summary.lines.contains(where: { $0.dependency != nil }) {
                try AtomicWrite.write(Data(EvaluationCharts.dependency(summary, reference: c.reference.display).utf8),
                                      to: outURL.appendingPathComponent("dependency.svg"))
                written.append("dependency.svg")
            }
        }
        if !c.doses.isEmpty {
            try AtomicWrite.write(Data(EvaluationCharts.doses(summary, doses: c.doses, level: c.levels[0]).utf8),
                                  to: outURL.appendingPathComponent("doses.svg"))
            written.append("doses.svg")
        }
        try writeFigure(fits[0].library, fits[0].base?.name, summary, rows, held, c.levels[0], c.sides[0], to: outURL.appendingPathComponent("figure.png"))
        written.append("figure.png")
        progress.output("wrote \(written.joined(separator: ", ")) to \(outURL.relativePath)\n")
        return written
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

    /// The figure: per pair, a title, then two held-out seeds, each method's walk in 5 steps to
    /// its alpha (first fit), the method and its alpha above each group of columns, the seed at
    /// the left, and a red frame round every face whose correlated attribute the judge labels
    /// otherwise than at step 0. The seeds: the one where the first method's leakage exceeds the
    /// last's most, and the one at the median of the first method's leakage.
    func writeFigure(_ lib: DirectionLibrary, _ base: String?, _ summary: EvaluationSummary, _ rows: [EntanglementEvaluation.Row],
                     _ held: [String: EntanglementEvaluation.HeldOut], _ level: Double, _ removing: Bool, to url: URL) throws {
        guard let image = try figure(lib, base, summary, rows, held, level, removing) else { return }
        try PNG.write(image, to: url)
    }

    /// One walk of the figure: its frames (scaled), and which flipped the correlated attribute.
    struct FigureWalk { var frames: [RGBImage]; var flipped: [Bool] }

    /// The figure's two seeds of a pair (indices into its held-out samples) and their labels.
    static func figureSeeds(first: [Double]?, last: [Double]?, count: Int) -> [(index: Int, label: String)] {
        guard let first, first.count == count, count > 1 else { return (0..<min(2, count)).map { ($0, "") } }
        let gap = zip(first, last ?? first).map { $0 - $1 }
        let widest = gap.indices.max { gap[$0] < gap[$1] }!
        let order = first.indices.sorted { first[$0] < first[$1] }
        var median = order[order.count / 2]
        if median == widest { median = order[max(0, order.count / 2 - 1)] }
        return [(widest, last == nil ? "most leakage" : "widest gap"), (median, "median")]
    }

    func figure(_ lib: DirectionLibrary, _ base: String?, _ summary: EvaluationSummary, _ rows: [EntanglementEvaluation.Row],
                _ held: [String: EntanglementEvaluation.HeldOut], _ level: Double, _ removing: Bool) throws -> RGBImage? {
        let g = generator
        let nw = g.config.numWs, dd = g.config.wDim
        let k = max(1, 128 / g.config.resolution), face = g.config.resolution * k
        let font = max(2, face / 48), gap = max(2, face / 32), groupGap = 4 * gap
        let ink: (UInt8, UInt8, UInt8) = (30, 30, 30), red: (UInt8, UInt8, UInt8) = (220, 30, 30)
        let frames = 5, seedsShown = 2
        struct Block { var title: String; var methods: [(label: String, walks: [FigureWalk])]; var seeds: [String] }
        var blocks: [Block] = []
        for (a, b) in configuration.pairs {
            guard let h = held["\(a):\(b):\(removing)"], let jb = judge.index(of: b) else { continue }
            let name = { (m: MethodName) in base.map { "\($0)/\(m.display)" } ?? m.display }
            let restart0 = rows.filter { $0.target == a && $0.correlated == b && $0.side == (removing ? "remove" : "add") && $0.level == level && $0.restart == rows.map(\.restart).min() }
            let leak = { (m: MethodName?) in m.flatMap { m in restart0.first { $0.method == name(m) }?.perSeedLeakage } }
            let chosen = Self.figureSeeds(first: leak(configuration.methods.first),
                                          last: configuration.methods.count > 1 ? leak(configuration.methods.last) : nil, count: h.seeds.count)
                .prefix(seedsShown)
            var block = Block(title: "\(a) \(removing ? "removed" : "added") to a mean change of \(String(format: "%.2f", level)); correlated: \(b)",
                              methods: [], seeds: chosen.map { "seed \(h.seeds[$0.index])" + ($0.label.isEmpty ? "" : " (\($0.label))") })
            for m in configuration.methods {
                guard let d = try lib.direction(attribute: a, name: m.fileName),
                      let line = summary.lines.first(where: { $0.target == a && $0.correlated == b && $0.method == name(m) && $0.level == level }) else { continue }
                let alpha = Float(line.alpha) * (removing ? -1 : 1)
                var walks: [FigureWalk] = []
                for i in chosen.map(\.index) {
                    let code = Tensor(shape: [1, nw, dd], data: Array(h.codes.data[i * nw * dd..<(i + 1) * nw * dd]))
                    let steps = Tensor(shape: [frames, nw, dd], data: (0..<frames).flatMap { f in d.apply(to: code, alpha: alpha * Float(f) / Float(frames - 1)).data })
                    let images = g.synthesis(steps)
                    let p = try judge.probabilities(generated: images)
                    walks.append(FigureWalk(frames: Generator.pictures(images).map { $0.scaled(by: k) },
                                            flipped: p.map { ($0[jb] > 0.5) != (p[0][jb] > 0.5) }))
                }
                block.methods.append((label: "\(m.display)  α \(String(format: "%.2f", line.alpha))", walks: walks))
            }
            if !block.methods.isEmpty { blocks.append(block) }
        }
        guard !blocks.isEmpty else { return nil }
        let lineH = BitmapFont.height(scale: font)
        let seedLabels = blocks.flatMap(\.seeds)
        let left = (seedLabels.map { BitmapFont.width($0, scale: font) }.max() ?? 0) + 3 * gap
        let groupW = frames * face + (frames - 1) * gap
        let groups = blocks.map(\.methods.count).max() ?? 0
        let legend = "columns: step 0 to each method's alpha in 4 equal steps. red frame: the judge labels the correlated attribute otherwise than at step 0"
        let width = max(left + groups * groupW + (groups - 1) * groupGap + 2 * gap, BitmapFont.width(legend, scale: font) + 4 * gap)
        let blockH = { (b: Block) in 2 * (lineH + 2 * gap) + b.seeds.count * (face + gap) + 2 * gap }
        let height = blocks.map(blockH).reduce(0, +) + lineH + 4 * gap
        var out = RGBImage(width: width, height: height, fill: (255, 255, 255))
        var y = gap
        for b in blocks {
            BitmapFont.draw(b.title, into: &out, x: 2 * gap, y: y + gap, scale: font, color: ink)
            y += lineH + 2 * gap
            for (mi, m) in b.methods.enumerated() {
                let x0 = left + mi * (groupW + groupGap)
                BitmapFont.draw(m.label, into: &out, x: x0 + max(0, (groupW - BitmapFont.width(m.label, scale: font)) / 2), y: y + gap, scale: font, color: ink)
            }
            y += lineH + 2 * gap
            for (si, seed) in b.seeds.enumerated() {
                BitmapFont.draw(seed, into: &out, x: 2 * gap, y: y + (face - lineH) / 2, scale: font, color: ink)
                for (mi, m) in b.methods.enumerated() where si < m.walks.count {
                    let x0 = left + mi * (groupW + groupGap)
                    for (f, img) in m.walks[si].frames.enumerated() {
                        let x = x0 + f * (face + gap)
                        out.paste(img, x: x, y: y)
                        if m.walks[si].flipped[f] { out.outline(x: x, y: y, width: face, height: face, thickness: max(2, face / 32), color: red) }
                    }
                }
                y += face + gap
            }
            y += 2 * gap
        }
        BitmapFont.draw(legend, into: &out, x: 2 * gap, y: y + gap, scale: font, color: ink)
        return out
    }
}
