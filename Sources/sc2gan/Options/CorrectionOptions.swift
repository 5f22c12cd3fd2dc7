import ArgumentParser
import Foundation
import SC2Engine

/// Options of the SC² pipeline, shared by `correct` and `directions rebuild-defaults`.
struct CorrectionOptions: ParsableArguments {
    @Option(help: "Low-density synthesis: shift (move along the direction on the semantic rows) or mix (take them from a donor).")
    var mode: LowDensitySynthesis.Mode = .mix
    @Option(help: "Rare samples to synthesise per round.") var rare: Int = 160
    @Option(help: "Balanced mixing: most rare samples to synthesise in all (rounds continue while the classes are unbalanced).")
    var maxRare: Int = 480
    @Option(help: "How rare samples enter the re-fit: balanced (as many as make the correlated attributes equally frequent in both classes) or share (as many as --rare-share allows).")
    var mix: SC2Pipeline.Mix = .balanced
    @Option(help: "Share of each class the rare samples may make up in the re-fit (the cap, when balanced).") var rareShare: Double = 0.5
    @Option(help: "Gradient steps refining each re-projection (0: closed form only).") var refineSteps: Int = 40
    @Option(help: "Which re-projections enter the re-fit: labels (the predictor gives them the W+ sample's labels) or synthesis (they pass the synthesis's test again: the target past its margin, the correlated attributes within the allowed change).")
    var keep: SC2Pipeline.Keep = .labels
    @Flag(help: "Set each rare sample back to its source's position along the correlated attributes' directions (their SVM normals on the dense samples) before the re-fit: the donor's share of the correlated attribute that a re-projection carries along is removed.")
    var pinCorrelated = false
    @Option(help: "Mix mode: the donors a source takes its rows from: any (every confident sample with the target) or matched (only those whose correlated attributes have the source's labels, so the rows cannot bring the correlated attribute in).")
    var donors: LowDensitySynthesis.Donors = .any
    @Option(help: "How rare samples enter the re-fit: replace (each takes a dense sample's place, class sizes fixed) or add (added to the dense classes, every dense sample kept).")
    var refit: SC2Pipeline.Refit = .replace
    @Option(help: "Most rare samples in the re-fit, in the order the balancing chose them (default: as many as lower the class imbalance).")
    var dose: Int?
    @Option(help: ArgumentHelp("Re-projection gate: a re-projection enters the re-fit only when the predictor is at least this sure of the target's new value (e.g. 0.8).", valueName: "p"))
    var gateConfidence: Float?
    @Option(help: ArgumentHelp("Re-projection gate: ...and its re-projection reached this PSNR (e.g. 25).", valueName: "dB"))
    var gatePSNR: Double?
    @Option(help: "Condition the correction on these correlated attributes (default: measured).") var correlated: String?
    @Option(help: "W+ rows to synthesise the rare samples on, e.g. 3 or 3-5 or 2,4 (default: measured, see --row-choice).")
    var rows: String?
    @Option(help: "How the rows are measured without --rows: yield (the window of up to --row-window rows on which the most trial sources give a kept rare sample) or effect (the window that moves the target most and the other attributes least).")
    var rowChoice: SC2Pipeline.RowChoice = .yield
    @Option(help: "Longest window of rows --row-choice yield tries.") var rowWindow: Int = 4
    @Option(help: ArgumentHelp("The direction to correct: a base method (interfacegan or svm, class-mean, logistic, ganspace: the PCA of the dense population and its component that tracks the attribute, re-fitted on the population with the rare samples added; class-pca: a PCA of InterFaceGAN's two classes; sefa: the generator's own factorisation, on --layers as its authors do, its component that tracks the attribute), fitted on the dense samples and used again for the re-fit; or a direction file (JSON, an InterFaceGAN boundary .npy, or FILE#KEY of a file holding several: docs/FORMATS.md) to start from, re-fitted with --learner.", valueName: "method|file"))
    var base: String = "interfacegan"
    @Option(help: ArgumentHelp("W+ rows the base direction, and so its conditional and SC²-corrected directions, edit, e.g. 0-3 or 2,4 (default: all, or a base file's own rows). Not the rows SC² synthesises on (--rows).", valueName: "rows"))
    var layers: String?
    @Option(help: "With --base FILE: the method the re-fit uses (interfacegan, class-mean, logistic, ganspace or class-pca).")
    var learner: FitMethod?

    /// --base as a method, or nil when it names a file.
    var baseMethod: FitMethod? { FitMethod(name: base) }

    /// The re-fit's method: --learner, else the base method, else InterFaceGAN's SVM.
    var learnerMethod: FitMethod { learner ?? baseMethod ?? .interfacegan }

    /// --rows as row numbers (format only; the range is checked against the generator).
    var rowList: [Int]? {
        get throws {
            guard let rows else { return nil }
            var out: [Int] = []
            for part in rows.split(separator: ",", omittingEmptySubsequences: false) {
                let ends = part.split(separator: "-", omittingEmptySubsequences: false)
                guard (1...2).contains(ends.count), let a = Int(ends[0]), let b = Int(ends[ends.count - 1]), a >= 0, a <= b else {
                    throw ValidationError("--rows: '\(part)' is not a row or a range of rows (e.g. 3, 3-5, 2,4)")
                }
                out += Array(a...b)
            }
            return Array(Set(out)).sorted()
        }
    }

    /// --layers as row numbers (nil: not given).
    var layerList: [Int]? { get throws { try layers.map { try LayerRange.parse($0) } } }

    /// --rows checked against the generator, before any sampling.
    func checkRows(_ g: Generator) throws {
        if let rows = try layerList { try LayerRange.check(rows, g) }
        let nw = g.config.numWs
        if let bad = try rowList?.first(where: { $0 >= nw }) {
            throw SC2Error("--rows: row \(bad) is out of range: this generator has \(nw) W+ rows (0-\(nw - 1))")
        }
    }

    func validate() throws {
        try OptionCheck.range(rare, 1...100_000, "--rare")
        try OptionCheck.range(maxRare, 1...1_000_000, "--max-rare")
        try OptionCheck.range(rareShare, 0.01...0.95, "--rare-share", "a share of each class")
        try OptionCheck.range(refineSteps, 0...10_000, "--refine-steps")
        try OptionCheck.range(rowWindow, 1...64, "--row-window")
        if let dose { try OptionCheck.range(dose, 0...1_000_000, "--dose") }
        if let gateConfidence { try OptionCheck.range(Double(gateConfidence), 0.5...1, "--gate-confidence", "a probability from 0.5 to 1") }
        if let gatePSNR { try OptionCheck.range(gatePSNR, 0...200, "--gate-psnr", "a PSNR in dB") }
        _ = try rowList
        _ = try layerList
        if learner == .sefa { throw ValidationError("--learner sefa: SeFa's components come from the weights, not from the samples; --base sefa corrects SeFa's own component") }
        if baseMethod == nil, !FileManager.default.fileExists(atPath: ExchangeFile.reference(base).path) {
            throw ValidationError("--base '\(base)' is neither a method (interfacegan, class-mean, logistic, ganspace, class-pca, sefa) nor a direction file")
        }
        if baseMethod != nil, learner != nil, learner != baseMethod {
            throw ValidationError("--learner is for --base FILE; a base method re-fits with itself")
        }
    }

    /// The direction to start from: the base method fitted on the dense samples, or the file.
    func baseDirection(_ g: Generator, attribute: String, dense: SampleSet) throws -> Direction {
        if let method = baseMethod {
            let finder = method.finder(generator: g, layers: try layerList)
            var d = try DirectionFitter().fit(finder, attribute: attribute, codes: dense.codes, scores: try dense.scores(of: attribute),
                                              provenance: dense.provenance).direction
            if let rows = try layerList { d.layers = rows }
            return d
        }
        var d = try Direction.load(reference: base)
        try d.checkCompatible(wDim: g.config.wDim, numWs: g.config.numWs, source: base)
        d.attribute = attribute
        d.provenance["imported_from"] = base
        if let rows = try layerList { d.layers = rows }
        return d
    }

    /// The library label of this correction's files: the base method's name, or `imported` for a
    /// direction from a file (InterFaceGAN's keep the plain names; see `DirectionLibrary.name`).
    var libraryBase: String { baseMethod?.rawValue ?? "imported" }

    /// The conditional manipulation of `original`: the correlated attributes' directions, fitted
    /// with the same method as the re-fit, projected out.
    func conditional(_ g: Generator, _ dense: SampleSet, attribute: String, original: Direction) throws -> Direction {
        var b = DirectionBuilder(samples: dense)
        b.finder = learnerMethod.finder(generator: g, layers: try layerList)
        return try b.conditional(attribute, original: original)
    }

    /// "age.class-mean.json, age.class-mean-conditional.json, age.class-mean-sc2.json": what a correction writes.
    func writtenNames(_ attribute: String) -> String {
        DirectionMethod.allCases.map { "\(attribute).\(DirectionLibrary.name($0, base: libraryBase)).json" }.joined(separator: ", ")
    }

    /// The correction report's file: <attribute>.report.json (another base B: <attribute>.B-report.json).
    func reportName(_ attribute: String) -> String {
        libraryBase == DirectionLibrary.defaultBase ? "\(attribute).report.json" : "\(attribute).\(libraryBase)-report.json"
    }

    /// --correlated checked against the classifier before any sampling.
    func correlatedNames(_ engine: EngineOptions, _ c: any AttributePredictor, target: String) throws -> [String]? {
        try correlated.map { try engine.attributeList($0, c, excluding: target, flag: "--correlated") }
    }

    /// Everything that changes what an evaluation's fit computes, as one string kept in each
    /// direction's provenance (`EvaluationRun.Base.settings`).
    func evaluateSettings(samples: Int, truncation: Float) throws -> String {
        let rows = try rowList.map { $0.map(String.init).joined(separator: ",") } ?? "measured"
        var s = "samples=\(samples) truncation=\(truncation) base=\(base) mode=\(mode.rawValue) rare=\(rare) max_rare=\(maxRare) mix=\(mix.rawValue) rare_share=\(rareShare) refine=\(refineSteps) rows=\(rows) row_choice=\(rowChoice.rawValue) row_window=\(rowWindow) correlated=\(correlated ?? "measured")"
        // Each named only off its default, so that fits made before the option existed still match.
        var extra: [String] = []
        if keep != .labels { extra.append("keep=\(keep.rawValue)") }
        if pinCorrelated { extra.append("pin=correlated") }
        if let rows = try layerList { extra.append("layers=\(LayerRange.text(rows))") }
        if donors != .any { extra.append("donors=\(donors.rawValue)") }
        if refit != .replace { extra.append("refit=\(refit.rawValue)") }
        if let dose { extra.append("dose=\(dose)") }
        if let gateConfidence { extra.append("gate_confidence=\(gateConfidence)") }
        if let gatePSNR { extra.append("gate_psnr=\(gatePSNR)") }
        // `ganspace` named a PCA of InterFaceGAN's classes until it became the population's
        // (now `class-pca`): fits stamped with the old meaning must not be taken for new ones.
        if base == FitMethod.ganspace.rawValue || learner == .ganspace { extra.append("ganspace=population") }
        for e in extra { s += " " + e }
        return s
    }

    /// The pipeline's options from the flags.
    func pipelineOptions(_ g: Generator? = nil) throws -> SC2Pipeline.Options {
        var opts = SC2Pipeline.Options()
        opts.mode = mode; opts.rareCount = rare; opts.rareShare = rareShare; opts.mix = mix; opts.maxRare = maxRare; opts.refineSteps = refineSteps
        opts.keep = keep
        opts.pinCorrelated = pinCorrelated
        opts.donors = donors; opts.refit = refit; opts.dose = dose
        opts.gateConfidence = gateConfidence; opts.gatePSNR = gatePSNR
        opts.rows = try rowList
        opts.rowChoice = rowChoice
        opts.yieldMaxRows = rowWindow
        opts.learner = try g.map { learnerMethod.finder(generator: $0, layers: try layerList) } ?? learnerMethod.finder ?? InterFaceGANFinder()
        return opts
    }

    /// The pipeline these options describe.
    func pipeline(_ g: Generator, _ c: any AttributePredictor) throws -> SC2Pipeline {
        SC2Pipeline(generator: g, classifier: c, options: try pipelineOptions(g))
    }

    /// A progress handler drawing one bar per stage; call `finish` on the result at the end.
    static func stageBars(_ attribute: String) -> (handler: (SC2Pipeline.Stage, Int, Int) -> Void, finish: () -> Void) {
        final class State { var bar: ProgressBar? = nil; var stage: SC2Pipeline.Stage? = nil }
        let state = State()
        return ({ s, done, total in
            if s != state.stage {
                state.bar?.finish()
                state.stage = s
                state.bar = ProgressBar("\(attribute): \(s.title)", total: max(total, 1))
            }
            state.bar?.update(done)
        }, { state.bar?.finish() })
    }

    func run(_ g: Generator, _ c: any AttributePredictor, attribute: String, dense: SampleSet,
             original: Direction? = nil, correlated corr: [String]? = nil) throws -> (Direction, SC2Pipeline.Report) {
        let bars = Self.stageBars(attribute)
        let result = try pipeline(g, c).correct(attribute: attribute, dense: dense, original: original, correlated: corr, progress: bars.handler)
        bars.finish()
        return result
    }

    /// Runs `pipeline` (any options: a restart's seed, an ablation) with one progress bar per stage.
    static func run(_ pipeline: SC2Pipeline, attribute: String, dense: SampleSet, original: Direction?, correlated corr: [String]?,
                    doses: [Int], label: String? = nil) throws -> (direction: Direction, report: SC2Pipeline.Report, doses: [SC2Pipeline.Dose]) {
        let bars = stageBars(label ?? attribute)
        let result = try pipeline.correct(attribute: attribute, dense: dense, original: original, correlated: corr, doses: doses,
                                          progress: bars.handler)
        bars.finish()
        return result
    }

    static func summary(_ r: SC2Pipeline.Report) -> String {
        String(format: "%@: rows %@ (%@; Δ%@ %.2f, leakage %.2f); %d rare samples (%d round%@), %d kept after re-projection (PSNR %.1f dB), %d+%d in the re-fit (class imbalance %.3f -> %.3f); validation accuracy %@ -> %.1f%%; cosine to original %.3f; %.0f s",
               r.attribute, r.semanticRows.map(String.init).joined(separator: ","),
               r.rowYield.map { String(format: "yield %.0f%%", $0 * 100) } ?? r.rowChoice, r.attribute, r.semanticTargetChange, r.semanticLeakage,
               r.rareSynthesised, r.rounds, r.rounds == 1 ? "" : "s", r.rareKeptAfterProjection, r.projectionPSNR, r.rareInRefit[0], r.rareInRefit[1],
               r.classImbalanceBefore, r.classImbalanceAfter, r.originalValidationAccuracy.map { String(format: "%.1f%%", $0 * 100) } ?? "n/a",
               r.correctedValidationAccuracy * 100, r.cosineOriginalCorrected, r.seconds)
            + (r.reprojections.map { q in
                String(format: "\nre-projections: %d tried, %d kept on their labels (PSNR 10/50/90%%: %.1f/%.1f/%.1f dB; target confidence %.2f/%.2f/%.2f)",
                       q.tried, q.kept, q.psnrQuantiles[0], q.psnrQuantiles[1], q.psnrQuantiles[2],
                       q.confidenceQuantiles[0], q.confidenceQuantiles[1], q.confidenceQuantiles[2])
                    + (q.gateConfidence != nil || q.gatePSNR != nil ? ", \(q.gated) turned away by the gate" : "")
            } ?? "")
            + (r.rareKeptAfterProjection == 0 ? "\nno rare sample was kept: the corrected direction is the base re-fitted on the dense samples alone (raise --rare and --max-rare, or give other --rows)" : "")
    }
}

extension LowDensitySynthesis.Mode: ExpressibleByArgument {}

extension SC2Pipeline.Mix: ExpressibleByArgument {}

extension SC2Pipeline.Refit: ExpressibleByArgument {}

extension LowDensitySynthesis.Donors: ExpressibleByArgument {}

extension SC2Pipeline.RowChoice: ExpressibleByArgument {}
/// Accepted as an argument (`--keep labels|synthesis`).
extension SC2Pipeline.Keep: ExpressibleByArgument {}
