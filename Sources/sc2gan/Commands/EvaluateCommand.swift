import ArgumentParser
import Foundation
import SC2Engine
import Tensor

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "The evaluation protocol: leakage of original, conditional and SC²-corrected directions at equal target change.",
        discussion: "Pairs are TARGET:CORRELATED. Directions come from --directions (a library folder as written by `correct`).")
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var classifierOptions: ClassifierOptions
    @Option(help: "Direction library folder (default: the model's shipped directions).") var directions: String?
    @Option(help: "Pairs TARGET:CORRELATED, comma-separated.") var pairs: String = "age:eyeglasses,eyeglasses:age,lipstick:long_hair,smile:eyeglasses"
    @Option(help: "Held-out seeds start here (the dense samples use 0..<N).") var firstSeed: UInt32 = 1_000_000
    @Option(help: "Held-out samples per pair (with the target off).") var count: Int = 200
    @Option(help: "Mean target change every method must reach.") var targetChange: Double = 0.5
    @Option(help: "Truncation psi of the held-out samples.") var truncation: Float = 1
    @Option(help: ArgumentHelp("Methods to evaluate, comma-separated: original, conditional, sc2 (a library from `directions fit` alone has no sc2 files).",
                               valueName: "list")) var methods: String = "original,conditional,sc2"
    @Option(help: "Output folder: table.txt, evaluation.csv, evaluation.json, figure.png.") var out: String

    func validate() throws {
        try OptionCheck.range(count, 10...20_000, "--count", "held-out samples per pair; 8 times as many seeds are drawn")
        try OptionCheck.range(targetChange, 0.05...1, "--target-change", "a change of the target's mean probability")
        try OptionCheck.finite(truncation, "--truncation", positive: true)
        _ = try Self.parseMethods(methods)
        try OutputCheck.folder(out, "--out")
    }

    /// "original,conditional,sc2" (also "interfacegan", "corrected") -> methods in table order.
    static func parseMethods(_ list: String) throws -> [DirectionMethod] {
        var chosen: [DirectionMethod] = []
        for name in list.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
            let m: DirectionMethod
            switch name {
            case "original", "interfacegan": m = .original
            case "conditional": m = .conditional
            case "sc2", "sc²", "corrected": m = .corrected
            default: throw ValidationError("--methods: unknown method '\(name)'; expected original, conditional or sc2")
            }
            guard !chosen.contains(m) else { throw ValidationError("--methods: '\(name)' is listed twice") }
            chosen.append(m)
        }
        return DirectionMethod.allCases.filter(chosen.contains)
    }

    func run() throws {
        let g = try modelOptions.load()
        let c = try classifierOptions.load(for: g)
        let lib = try directions.map { DirectionLibrary(directory: URL(fileURLWithPath: $0)) } ?? DirectionLibrary.faceWorld()
        var eval = EntanglementEvaluation(generator: g, classifier: c)
        eval.targetChange = targetChange; eval.truncation = truncation
        let pairList: [(String, String)] = try pairs.split(separator: ",").map { p in
            let ab = p.split(separator: ":").map(String.init)
            guard ab.count == 2, c.attributes.contains(ab[0]), c.attributes.contains(ab[1]) else {
                throw SC2Error("bad pair '\(p)': expected TARGET:CORRELATED from \(c.attributes.joined(separator: ", "))")
            }
            guard ab[0] != ab[1] else { throw SC2Error("bad pair '\(p)': the correlated attribute must differ from the target") }
            return (ab[0], ab[1])
        }
        var rows: [EntanglementEvaluation.Row] = []
        var figureRows: [RGBImage] = []
        let methodList = try Self.parseMethods(methods)
        // Every direction is loaded and checked before any sampling: a missing file fails at once.
        var loaded: [String: Direction] = [:]
        for (a, _) in pairList {
            for m in methodList {
                guard let d = try lib.direction(attribute: a, method: m) else {
                    throw SC2Error("\(lib.url(attribute: a, method: m).path): missing; run `sc2gan correct --attribute \(a) --out \(lib.directory.path)`")
                }
                try d.checkCompatible(wDim: g.config.wDim, numWs: g.config.numWs, source: lib.url(attribute: a, method: m).path)
                loaded["\(a).\(m.rawValue)"] = d
            }
        }
        let bar = ProgressBar("evaluating", total: pairList.count * methodList.count)
        var done = 0
        for (a, b) in pairList {
            let seeds = (0..<UInt32(count * 8)).map { firstSeed &+ $0 }
            let held = try eval.heldOut(target: a, seeds: seeds, count: count)
            guard held.seeds.count >= 10 else { throw SC2Error("only \(held.seeds.count) held-out samples have \(a) off; raise --count") }
            var stripsPerMethod: [[RGBImage]] = []
            for m in methodList {
                guard let d = loaded["\(a).\(m.rawValue)"] else { continue }
                let row = try eval.evaluate(d, method: m.title, correlated: b, codes: held.codes, baseScores: held.scores)
                rows.append(row)
                // Figure: the first two held-out seeds, 5 steps from 0 to the evaluated alpha.
                let nw = g.config.numWs, dd = g.config.wDim
                for i in 0..<min(2, held.seeds.count) {
                    let code = Tensor(shape: [1, nw, dd], data: Array(held.codes.data[i * nw * dd..<(i + 1) * nw * dd]))
                    let frames = (0...4).map { k in Generator.pictures(g.synthesis(d.apply(to: code, alpha: Float(row.alpha) * Float(k) / 4)))[0] }
                    if stripsPerMethod.count <= i { stripsPerMethod.append([]) }
                    stripsPerMethod[i].append(contentsOf: frames)
                }
                done += 1; bar.update(done)
            }
            for s in stripsPerMethod { figureRows.append(RGBImage.grid(s, columns: s.count, gap: 1)) }
        }
        bar.finish("evaluated \(pairList.count) pairs x \(methodList.count) methods")
        let dir = URL(fileURLWithPath: out)
        let table = EntanglementEvaluation.table(rows)
        print(table, terminator: "")
        try AtomicWrite.write(Data(table.utf8), to: dir.appendingPathComponent("table.txt"))
        try AtomicWrite.write(Data(EntanglementEvaluation.csv(rows).utf8), to: dir.appendingPathComponent("evaluation.csv"))
        let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicWrite.write(try enc.encode(rows), to: dir.appendingPathComponent("evaluation.json"))
        if !figureRows.isEmpty {
            try PNG.write(RGBImage.grid(figureRows, columns: 1, gap: 3).scaled(by: max(1, 256 / g.config.resolution)),
                          to: dir.appendingPathComponent("figure.png"))
        }
        print("wrote table.txt, evaluation.csv, evaluation.json and figure.png to \(out) (figure: rows = seeds per pair; columns = \(methodList.map(\.title).joined(separator: ", ")), 5 steps each)")
    }
}
