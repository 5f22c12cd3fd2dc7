import Foundation
import Tensor

/// The SC² correction of one attribute's direction (docs/METHOD.md): semantic rows, low-density
/// samples in W+, re-projection into W, re-fit on dense + rare samples.
public struct SC2Pipeline: Sendable {
    public struct Options: Sendable {
        public var mode: LowDensitySynthesis.Mode = .mix
        /// Rare samples to synthesise per round (before re-projection filtering).
        public var rareCount = 160
        /// How rare samples enter the re-fit: `balanced` swaps in as many as make the correlated
        /// attributes equally frequent in both classes (RefitBalance), `share` as many as `rareShare`
        /// allows.
        public var mix: Mix = .balanced
        /// Share of each class the rare samples may make up in the re-fit (the cap, when balanced).
        public var rareShare = 0.5
        /// Balanced: synthesise more rounds of `rareCount` while the class imbalance exceeds this...
        public var balanceTolerance = 0.02
        /// ...and fewer than this many rare samples have been synthesised in all.
        public var maxRare = 480
        /// Gradient refinement steps after the closed-form start (0: closed form only).
        public var refineSteps = 40
        public var semanticSamples = 24
        /// W+ rows to synthesise on, instead of the measured window (nil: measured).
        public var rows: [Int]? = nil
        /// How the rows are measured when `rows` is nil.
        public var rowChoice: RowChoice = .yield
        /// Yield: windows of at most this many rows are tried...
        public var yieldMaxRows = 4
        /// ...each on this many sources per rare combination.
        public var yieldSources = 32
        /// The base method the re-fit uses (InterFaceGAN's SVM unless told otherwise): SC² corrects
        /// a base method's direction with that same method.
        public var learner: any DirectionFinder = InterFaceGANFinder()
        /// Every random choice (the re-fit's class split and shuffles, donors, rare-sample order,
        /// random rows) derives from this; restarts of an evaluation use 0, 1, 2, ...
        public var seed: UInt64 = 0
        /// The method itself or one of its ablations (docs/METHOD.md, "Ablations").
        public var variant: Variant = .full
        /// Which re-projections are kept (see `Keep`).
        public var keep: Keep = .labels
        /// Each kept rare sample's position along the correlated attributes' directions (their SVM
        /// normals on the dense samples, whatever the base method: where an attribute lives in W,
        /// not a base method's estimate of it) set back to its source's: w ← w_src + P(w − w_src),
        /// P the projection off their span. A re-projection is one w for a W+ code whose rows come
        /// partly from a donor, and donors carry the bias (a lipstick donor mostly has long hair):
        /// the image may be labelled short-haired while w has moved towards long hair, and the
        /// re-fit then still ties the target to the correlated attribute.
        public var pinCorrelated = false
        /// Mix mode: which donors a source takes its rows from (`LowDensitySynthesis.Donors`).
        public var donors: LowDensitySynthesis.Donors = .any
        /// How the chosen rare samples enter the re-fit's classes (see `Refit`).
        public var refit: Refit = .replace
        /// Most rare samples in the re-fit, in the order the balancing chose them (nil: as many
        /// as lower the class imbalance, up to `rareShare` of a class).
        public var dose: Int? = nil
        /// Re-projection gate: a kept re-projection enters the pool only when the predictor is at
        /// least this sure of the target's new value (p ≥ c, or ≤ 1 − c)...
        public var gateConfidence: Float? = nil
        /// ...and its re-projection reached this PSNR (dB). nil: no gate.
        public var gatePSNR: Double? = nil
        public init() {}
    }

    /// `replace`: each rare sample takes the place of a dense one in its class (class sizes stay
    /// k); `add`: rare samples are added to the dense classes, which keep every dense sample (the
    /// paper's "small amounts added"). Both choose the samples that most lower the imbalance.
    public enum Refit: String, Sendable, CaseIterable, Codable { case replace, add }

    /// `labels`: a re-projection is kept when the predictor gives it the labels of the W+ sample
    /// it came from (target flipped, correlated attributes as the source's); `synthesis`: when it
    /// passes the synthesis's own test again (the target past the margin, each correlated
    /// attribute within the allowed change of the source's score), so that a re-projection that
    /// lost most of the edit does not enter the re-fit as a rare combination.
    public enum Keep: String, Sendable, CaseIterable, Codable { case labels, synthesis }

    /// SC² and the ablations that take one of its parts away, each run through the same stages
    /// so that a table can set them side by side.
    public enum Variant: String, Sendable, CaseIterable, Codable {
        /// Rows, low-density synthesis, re-projection, balanced re-fit.
        case full
        /// No synthesis: the same balance target reached with rare combinations already present
        /// in the dense set (samples outside the two classes swapped in).
        case denseOnly = "dense-only"
        /// Synthesised W+ samples enter the re-fit as the mean of their rows, not re-projected.
        case noReprojection = "no-reprojection"
        /// Re-projection by the closed form only (no gradient refinement).
        case closedForm = "closed-form"
        /// Rows drawn at random (a window of 1 to `yieldMaxRows` rows) instead of measured.
        case randomRows = "random-rows"
        /// Not an ablation but a variant: the full method with every rare sample pinned to its
        /// source along the correlated attributes (`Options.pinCorrelated`).
        case pinned

        /// The method name in tables and direction files.
        public var methodName: String { self == .full ? DirectionMethod.corrected.rawValue : "sc2-" + rawValue }
    }


    public enum Mix: String, Sendable, CaseIterable, Codable { case balanced, share }

    /// `yield`: the window of rows (up to `yieldMaxRows` long) on which the most sources give a
    /// kept rare sample, ties to the better effect score; `effect`: the window that moves the
    /// target most and the other attributes least (SemanticLayers), with no look at the rare
    /// samples it makes.
    public enum RowChoice: String, Sendable, CaseIterable, Codable { case yield, effect }

    public struct Report: Sendable, Codable {
        public var attribute: String
        public var correlated: [String]
        public var semanticRows: [Int]
        public var semanticTargetChange: Double
        public var semanticLeakage: Double
        /// How the rows were chosen: yield, effect or given.
        public var rowChoice: String
        /// Share of the tried sources that gave a kept rare sample on the chosen rows (yield only).
        public var rowYield: Double?
        public var rareSynthesised: Int
        public var rareKeptAfterProjection: Int
        public var projectionPSNR: Double
        /// The base direction's validation accuracy (nil for an imported direction: none known).
        public var originalValidationAccuracy: Double?
        public var correctedValidationAccuracy: Double
        public var cosineOriginalCorrected: Double
        /// Rare samples in the re-fit's positive and negative class.
        public var rareInRefit: [Int]
        /// Synthesis rounds (balanced mixing adds rounds until the classes are balanced).
        public var rounds: Int
        /// Σ_b (rate_pos(b) − rate_neg(b))² over the correlated attributes, before and after mixing.
        public var classImbalanceBefore: Double
        public var classImbalanceAfter: Double
        public var seconds: Double
        /// How the rare samples entered the re-fit: replace or add (nil in reports made before).
        public var refit: String? = nil
        /// The re-projections' quality and the gate (nil for the dense-only ablation and in
        /// reports made before).
        public var reprojections: Reprojections? = nil

        /// The re-projections of a correction: how many were tried, kept on their labels, turned
        /// away by the gate and entered the pool; the 10/50/90% quantiles of the kept ones' PSNR
        /// and of the predictor's confidence in their target (max(p, 1 − p)).
        public struct Reprojections: Sendable, Codable {
            public var tried: Int, kept: Int, gated: Int, entered: Int
            public var psnrQuantiles: [Double]
            public var confidenceQuantiles: [Double]
            public var gateConfidence: Double?
            public var gatePSNR: Double?
        }

        /// The report as the JSON `correct` writes: a figure that has no value (the PSNR of no
        /// re-projections, a correlation of a constant) is written as the string "nan".
        public func encoded() throws -> Data {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            return try enc.encode(self)
        }
    }

    public enum Stage: Sendable {
        case semanticLayers, rowYield, lowDensity, reprojection, refit

        public var title: String {
            switch self {
            case .semanticLayers: return "semantic layers"
            case .rowYield: return "rare-sample yield per rows"
            case .lowDensity: return "low-density samples"
            case .reprojection: return "re-projection"
            case .refit: return "re-fit"
            }
        }
    }

    public let generator: Generator
    public let classifier: any AttributePredictor
    public var options = Options()

    public init(generator: Generator, classifier: any AttributePredictor, options: Options = Options()) {
        self.generator = generator; self.classifier = classifier; self.options = options
    }

    /// Returns the corrected direction and a report; `progress(stage, done, total)`. The same
    /// as `prepare`, then `finish` computing each synthesis unit when it is first needed.
    public func correct(attribute: String, dense: SampleSet, original: Direction? = nil, correlated: [String]? = nil,
                        progress: ((Stage, Int, Int) -> Void)? = nil) throws -> (direction: Direction, report: Report) {
        let r = try correct(attribute: attribute, dense: dense, original: original, correlated: correlated, doses: [], progress: progress)
        return (r.direction, r.report)
    }

    /// One point of a dose-response: the re-fit with only the first `requested` rare samples of
    /// the balancing plan (in the order the plan chose them, most useful first).
    public struct Dose: Sendable {
        public let requested: Int
        /// Rare samples actually in the re-fit (fewer when the plan had fewer).
        public let used: Int
        public let direction: Direction
    }

    /// The correction, plus one re-fit per entry of `doses` on the same rare samples.
    public func correct(attribute: String, dense: SampleSet, original: Direction? = nil, correlated: [String]? = nil,
                        doses: [Int], progress: ((Stage, Int, Int) -> Void)? = nil) throws
        -> (direction: Direction, report: Report, doses: [Dose]) {
        let t0 = Date()
        let plan = try prepare(attribute: attribute, dense: dense, original: original, correlated: correlated, progress: progress)
        let work = try UnitWork(self, plan: plan, dense: dense)
        return try finish(plan: plan, dense: dense, started: t0, doses: doses, progress: progress) { try work.compute(positive: $0, index: $1) }
    }

    /// Sources per synthesis unit (per side). Fixed: the units, and so the result, must not
    /// depend on how many shards compute them.
    public static let unitSources = 32

    /// Re-projection batch inside a unit: 16 up to 256 px, fewer above (the gradient pass keeps
    /// every activation: at 1024 px one image is already large). A function of the model alone,
    /// so the units stay the same whoever computes them.
    static func reprojectionBatch(resolution: Int) -> Int { max(1, min(16, 16 * 256 * 256 / max(resolution * resolution, 1))) }

    /// The options that change the result, as one string (a plan made with other options is refused).
    public var optionsKey: String {
        let o = options
        return (["mode=\(o.mode.rawValue)", "rare=\(o.rareCount)", "mix=\(o.mix.rawValue)", "share=\(o.rareShare)",
                "tolerance=\(o.balanceTolerance)", "max=\(o.maxRare)", "refine=\(o.refineSteps)", "semantic=\(o.semanticSamples)",
                "rows=\(o.rows.map { $0.map(String.init).joined(separator: ",") } ?? "measured")", "choice=\(o.rowChoice.rawValue)",
                "window=\(o.yieldMaxRows)", "sources=\(o.yieldSources)", "learner=\(o.learner is any PopulationFinder ? o.learner.name + "-population" : o.learner.name)",
                "unit=\(Self.unitSources)", "seed=\(o.seed)", "variant=\(o.variant.rawValue)"]
            // Named only when not the default, so plans made before the option still match.
            + (o.keep == .labels ? [] : ["keep=\(o.keep.rawValue)"]) + (o.pinCorrelated ? ["pin=correlated"] : [])
            + (o.donors == .any ? [] : ["donors=\(o.donors.rawValue)"]) + (o.refit == .replace ? [] : ["refit=\(o.refit.rawValue)"])
            + (o.dose.map { ["dose=\($0)"] } ?? []) + (o.gateConfidence.map { ["gate_confidence=\($0)"] } ?? [])
            + (o.gatePSNR.map { ["gate_psnr=\($0)"] } ?? [])).joined(separator: ";")
    }

    /// Stage 1: base direction, correlated attributes, rows and step sizes.
    public func prepare(attribute: String, dense: SampleSet, original: Direction? = nil, correlated: [String]? = nil,
                        progress: ((Stage, Int, Int) -> Void)? = nil) throws -> CorrectionPlan {
        var builder = DirectionBuilder(samples: dense)
        builder.fitter.seed = options.seed
        let base = try original ?? builder.original(attribute)
        let corr = try correlated ?? builder.correlated(with: attribute)
        let codes = dense.codes   // materialised once: `codes` builds the rows on every access
        let pa = try dense.scores(of: attribute)
        // Step size: the spread of the dense codes along the direction.
        let spread = Float(Statistics.std(codes.map { Double(LinearAlgebra.dot($0, base.vector)) }))
        let alphas: [Float] = [1.5, 2.5, 3.5].map { $0 * spread }
        // Rows (none when nothing is synthesised).
        let rows = options.variant == .denseOnly
            ? (window: SemanticLayers.Window(rows: [], targetChange: .nan, leakage: .nan), yield: nil, choice: "none")
            : try chooseRows(base: base, correlated: corr, dense: dense, codes: codes, targetScores: pa,
                             spread: spread, alphas: alphas, progress: progress)
        return CorrectionPlan(attribute: attribute, correlated: corr, base: base, window: rows.window, rowChoice: rows.choice,
                              rowYield: rows.yield, alphas: alphas, denseKey: SampleSet.cacheKey(dense.provenance), optionsKey: optionsKey)
    }

    /// The synthesis units of a plan: the sources of each side in synthesis order, and the
    /// computation of one unit (synthesis of its sources, re-projection of their rare samples).
    public struct UnitWork {
        let pipeline: SC2Pipeline
        let synth: LowDensitySynthesis
        let context: LowDensitySynthesis.Context
        let alphas: [Float]
        let target: Int, correlated: [Int]
        /// Dense indices of the sources of each side, in the order synthesis tries them.
        public let order: [Bool: [Int]]

        public init(_ pipeline: SC2Pipeline, plan: CorrectionPlan, dense: SampleSet) throws {
            try pipeline.check(plan, dense: dense)
            self.pipeline = pipeline
            var layered = plan.baseDirection
            layered.layers = plan.rows
            var synth = LowDensitySynthesis(generator: pipeline.generator, classifier: pipeline.classifier, direction: layered,
                                            correlated: plan.correlated)
            synth.mode = pipeline.options.mode
            synth.donors = pipeline.options.donors
            self.synth = synth
            context = try LowDensitySynthesis.Context(synth, dense)
            alphas = plan.alphas
            target = try pipeline.classifier.requiredIndex(of: plan.attribute)
            correlated = plan.correlated.compactMap { pipeline.classifier.index(of: $0) }
            order = [true: context.sources(positive: true, excluding: []), false: context.sources(positive: false, excluding: [])]
        }

        public func unitCount(positive: Bool) -> Int { (order[positive]!.count + SC2Pipeline.unitSources - 1) / SC2Pipeline.unitSources }

        /// One unit: each source tried (its candidates in a batch of their own), the accepted
        /// samples re-projected in batches of `reprojectionBatch` and scored again.
        public func compute(positive: Bool, index: Int) throws -> RareUnit {
            let all = order[positive]!
            let lo = index * SC2Pipeline.unitSources, hi = min(lo + SC2Pipeline.unitSources, all.count)
            guard lo < hi else { return RareUnit(positive: positive, index: index, entries: []) }
            var entries: [RareUnit.Entry] = []
            var accepted: [(entry: Int, sample: LowDensitySynthesis.Sample)] = []
            for i in all[lo..<hi] {
                entries.append(RareUnit.Entry(source: i))
                if let s = try synth.attempt(context, source: i, positive: positive, alphas: alphas, seed: pipeline.options.seed) {
                    accepted.append((entries.count - 1, s))
                }
            }
            let g = pipeline.generator, nw = g.config.numWs, d = g.config.wDim
            if pipeline.options.variant == .noReprojection {
                // Ablation: each W+ sample as the mean of its rows, no optimisation. The mean is
                // rendered and scored again, and kept by the same rule as a re-projection: labels
                // that describe the w that enters the re-fit, not the W+ code it came from.
                guard !accepted.isEmpty else { return RareUnit(positive: positive, index: index, entries: entries) }
                let means = accepted.map { item -> [Float] in
                    var w = [Float](repeating: 0, count: d)
                    for r in 0..<nw { for k in 0..<d { w[k] += item.sample.code[r * d + k] / Float(nw) } }
                    return w
                }
                let p = try g.scores(g.broadcast(Tensor(shape: [means.count, d], data: means.flatMap { $0 })), by: pipeline.classifier)
                for (m, item) in accepted.enumerated() {
                    let s = item.sample
                    let targetOK = s.targetPositive ? p[m][target] > 0.5 : p[m][target] < 0.5
                    let corrOK = correlated.allSatisfy { (p[m][$0] > 0.5) == (s.scores[$0] > 0.5) }
                    let source = entries[item.entry].source
                    let kept = pipeline.options.keep == .synthesis
                        ? context.accepts(p[m], source: source, positive: s.targetPositive) : targetOK && corrOK
                    entries[item.entry] = RareUnit.Entry(source: source, kept: kept, psnr: .nan, w: means[m], scores: p[m])
                }
                return RareUnit(positive: positive, index: index, entries: entries)
            }
            let projector = try Reprojector(generator: g)
            let batch = SC2Pipeline.reprojectionBatch(resolution: g.config.resolution)
            for start in stride(from: 0, to: accepted.count, by: batch) {
                let chunk = Array(accepted[start..<min(start + batch, accepted.count)])
                let codes = Tensor(shape: [chunk.count, nw, d], data: chunk.flatMap(\.sample.code))
                let result = projector.project(codes: codes, steps: pipeline.options.variant == .closedForm ? 0 : pipeline.options.refineSteps)
                let p = try g.scores(g.broadcast(result.w), by: pipeline.classifier)
                for (m, item) in chunk.enumerated() {
                    let s = item.sample
                    let targetOK = s.targetPositive ? p[m][target] > 0.5 : p[m][target] < 0.5
                    let corrOK = correlated.allSatisfy { (p[m][$0] > 0.5) == (s.scores[$0] > 0.5) }
                    let source = entries[item.entry].source
                    let kept = pipeline.options.keep == .synthesis
                        ? context.accepts(p[m], source: source, positive: s.targetPositive) : targetOK && corrOK
                    entries[item.entry] = RareUnit.Entry(source: source, kept: kept,
                                                         psnr: result.psnr[m], w: Array(result.w.data[m * d..<(m + 1) * d]), scores: p[m])
                }
            }
            return RareUnit(positive: positive, index: index, entries: entries)
        }

        /// The units a cluster job computes ahead of the re-fit: on each side, enough sources for
        /// every round the options allow at the measured yield (with a margin), interleaved by side.
        /// The re-fit computes any further unit it needs itself.
        public func plannedUnits(rowYield: Double?) -> [(positive: Bool, index: Int)] {
            let o = pipeline.options
            let want = (o.rareCount + 1) / 2
            let rounds = o.mix == .share ? 1 : max(1, o.maxRare / o.rareCount)
            let rate = max(rowYield ?? 0.25, 0.05)
            var counts: [Bool: Int] = [:]
            for side in [true, false] {
                let sources = min(order[side]!.count, rounds * (20 * want + 1), Int((Double(rounds * want) / rate * 1.5).rounded(.up)) + SC2Pipeline.unitSources)
                counts[side] = (sources + SC2Pipeline.unitSources - 1) / SC2Pipeline.unitSources
            }
            var out: [(Bool, Int)] = []
            for i in 0..<max(counts[true]!, counts[false]!) {
                for side in [true, false] where i < counts[side]! { out.append((side, i)) }
            }
            return out
        }
    }

    /// Refuses a plan made from other samples or with other options.
    public func check(_ plan: CorrectionPlan, dense: SampleSet) throws {
        guard plan.denseKey == SampleSet.cacheKey(dense.provenance) else {
            throw SC2Error("the correction plan was made from other dense samples (\(plan.denseKey)); make it again")
        }
        guard plan.optionsKey == optionsKey else {
            throw SC2Error("the correction plan was made with other options (\(plan.optionsKey)); make it again")
        }
    }

    /// A seed for random stream `k` of run `seed` (streams differ, runs differ).
    static func stream(_ k: UInt64, _ seed: UInt64) -> UInt64 { seed == 0 ? k : k &+ seed &* 0x9E37_79B9_7F4A_7C15 }

    // MARK: the stages

    /// Stage 1: the W+ rows to synthesise on. The effect of every window is measured on samples
    /// from the middle of the target's range (`SemanticLayers`); with `rowChoice` yield, each
    /// window of at most `yieldMaxRows` rows is then tried on the sources synthesis would use
    /// first, and the one giving the most kept rare samples wins (ties to the better effect).
    private func chooseRows(base: Direction, correlated: [String], dense: SampleSet, codes: [[Float]], targetScores pa: [Float],
                            spread: Float, alphas: [Float], progress: ((Stage, Int, Int) -> Void)?) throws
        -> (window: SemanticLayers.Window, yield: Double?, choice: String) {
        let nw = generator.config.numWs, d = generator.config.wDim
        if options.variant == .randomRows && options.rows == nil {
            var o = self
            var r = Xoshiro(seed: Self.stream(3, options.seed))
            let length = 1 + Int(r.next() % UInt64(max(1, min(options.yieldMaxRows, nw - 1))))
            let start = Int(r.next() % UInt64(nw - length + 1))
            o.options.rows = Array(start..<(start + length))
            return try o.chooseRows(base: base, correlated: correlated, dense: dense, codes: codes, targetScores: pa,
                                    spread: spread, alphas: alphas, progress: progress)
        }
        let mids = (0..<dense.count).sorted { abs(pa[$0] - 0.5) > abs(pa[$1] - 0.5) }
        let pick = Array(mids.suffix(options.semanticSamples * 4).prefix(options.semanticSamples * 4)).enumerated()
            .filter { $0.offset % 4 == 0 }.map { $0.element }
        var semCodes = Tensor(zeros: [pick.count, nw, d])
        for (i, k) in pick.enumerated() { for r in 0..<nw { semCodes.data.replaceSubrange((i * nw + r) * d..<(i * nw + r + 1) * d, with: codes[k]) } }
        let sem = try SemanticLayers.measure(generator: generator, classifier: classifier, direction: base, codes: semCodes,
                                             alpha: 2 * spread, fixed: options.rows) { progress?(.semanticLayers, $0, $1) }
        if options.rows != nil { return (sem.best, nil, options.variant == .randomRows ? "random" : "given") }
        guard options.rowChoice == .yield else { return (sem.best, nil, "effect") }
        let windows = sem.windows.filter { $0.rows.count <= options.yieldMaxRows && $0.rows.count < nw }
        var probe = LowDensitySynthesis(generator: generator, classifier: classifier, direction: base, correlated: correlated)
        probe.mode = options.mode
        probe.donors = options.donors
        var best: (window: SemanticLayers.Window, yield: LowDensitySynthesis.Yield)? = nil
        for (i, w) in windows.enumerated() {
            let y = try probe.yield(dense: dense, rows: w.rows, perSide: options.yieldSources, alphas: alphas, seed: options.seed)
            if best == nil || y.kept > best!.yield.kept || (y.kept == best!.yield.kept && w.score > best!.window.score) {
                best = (w, y)
            }
            progress?(.rowYield, i + 1, windows.count)
        }
        guard let best, best.yield.kept > 0 else { return (sem.best, nil, "effect") }
        return (best.window, best.yield.rate, "yield")
    }

    /// `w` with its components along `directions` replaced by `source`'s: source + P(w − source),
    /// P the orthogonal projection off span(directions) (they need not be orthogonal or unit).
    public static func pin(_ w: [Float], to source: [Float], along directions: [Direction]) throws -> [Float] {
        guard !directions.isEmpty else { return w }
        let moved = try ConditionalDirection.residual(zip(w, source).map { $0 - $1 }, off: directions.map(\.vector))
        return zip(source, moved).map { $0 + $1 }
    }
}
