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
        public init() {}
    }

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
                "window=\(o.yieldMaxRows)", "sources=\(o.yieldSources)", "learner=\(o.learner.name)",
                "unit=\(Self.unitSources)", "seed=\(o.seed)", "variant=\(o.variant.rawValue)"]
            // Named only when not the default, so plans made before the option still match.
            + (o.keep == .labels ? [] : ["keep=\(o.keep.rawValue)"]) + (o.pinCorrelated ? ["pin=correlated"] : [])).joined(separator: ";")
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
                // Ablation: each W+ sample as the mean of its rows, kept on its synthesis scores.
                for item in accepted {
                    var w = [Float](repeating: 0, count: d)
                    for r in 0..<nw { for k in 0..<d { w[k] += item.sample.code[r * d + k] / Float(nw) } }
                    entries[item.entry] = RareUnit.Entry(source: entries[item.entry].source, kept: true, psnr: .nan, w: w, scores: item.sample.scores)
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

    /// Stages 2-4: rounds of rare samples taken from the units in order until the classes
    /// balance, then the re-fit. `unit(positive, index)` gives a unit (computed, or read from a
    /// cluster job's work folder); it is asked for each unit at most once, in order per side.
    public func finish(plan cp: CorrectionPlan, dense: SampleSet, started t0: Date = Date(), progress: ((Stage, Int, Int) -> Void)? = nil,
                       unit: (Bool, Int) throws -> RareUnit) throws -> (direction: Direction, report: Report) {
        let r = try finish(plan: cp, dense: dense, started: t0, doses: [], progress: progress, unit: unit)
        return (r.direction, r.report)
    }

    /// `finish`, plus one re-fit per entry of `doses` (see `Dose`).
    public func finish(plan cp: CorrectionPlan, dense: SampleSet, started t0: Date = Date(), doses: [Int], progress: ((Stage, Int, Int) -> Void)? = nil,
                       unit: (Bool, Int) throws -> RareUnit) throws -> (direction: Direction, report: Report, doses: [Dose]) {
        try check(cp, dense: dense)
        let attribute = cp.attribute, corr = cp.correlated, base = cp.baseDirection
        let codes = dense.codes
        let pa = try dense.scores(of: attribute)

        // The re-fit's classes: InterFaceGAN's top and bottom k by the target's score.
        var fitter = DirectionFitter()
        fitter.seed = options.seed
        var rng = Xoshiro(seed: Self.stream(1, options.seed))
        let (posIdx, negIdx) = fitter.classes(scores: pa, rng: &rng)
        let k = posIdx.count
        let cap = Int(options.rareShare * Double(k))
        let a = try classifier.requiredIndex(of: attribute)
        let bs = corr.compactMap { classifier.index(of: $0) }
        let denseCols = corr.compactMap { dense.attributes.firstIndex(of: $0) }
        let na = dense.attributes.count
        let denseLabels = { (i: Int) in denseCols.map { dense.scores.data[i * na + $0] > 0.5 } }
        var kept = KeptRare()
        let rareLabels = { (j: Int) in bs.map { kept.scores[j][$0] > 0.5 } }
        // The correlated attributes' directions a rare sample is pinned along (pinCorrelated).
        let pins: [Direction] = (options.pinCorrelated || options.variant == .pinned) && options.variant != .denseOnly
            ? try corr.map { b in
                var builder = DirectionBuilder(samples: dense)
                builder.fitter.seed = options.seed
                return try builder.original(b)
            }
            : []
        func pinned(_ w: [Float], source: Int) throws -> [Float] {
            pins.isEmpty ? w : try Self.pin(w, to: codes[source], along: pins)
        }

        // The sources of each side in synthesis order, walked unit by unit.
        var layered = base
        layered.layers = cp.rows
        var synth = LowDensitySynthesis(generator: generator, classifier: classifier, direction: layered, correlated: corr)
        synth.mode = options.mode
        let ctx = try LowDensitySynthesis.Context(synth, dense)
        let order = [true: ctx.sources(positive: true, excluding: []), false: ctx.sources(positive: false, excluding: [])]
        var cursor = [true: 0, false: 0]
        var current: [Bool: RareUnit] = [:]
        func entry(_ side: Bool, _ position: Int) throws -> RareUnit.Entry {
            let u = position / Self.unitSources
            if current[side]?.index != u {
                let got = try unit(side, u)
                let expected = order[side]![(u * Self.unitSources)..<min((u + 1) * Self.unitSources, order[side]!.count)]
                guard got.positive == side, got.index == u, got.entries.map(\.source) == Array(expected) else {
                    throw SC2Error("synthesis unit \(side ? "positive" : "negative") \(u) does not belong to this plan; compute it again")
                }
                current[side] = got
            }
            return current[side]!.entries[position - u * Self.unitSources]
        }

        // 2-3. Rounds of low-density samples and their re-projections, until the classes balance.
        var synthesised = 0, rounds = 0
        var rarePool: [Int] = [], rareNegPool: [Int] = []
        var plan = RefitBalance.Plan()
        var lastImbalance = Double.infinity
        if options.variant == .denseOnly {
            // The pool: every dense sample outside the two classes, scored as the dense set was.
            let inClass = Set(posIdx).union(negIdx)
            for i in 0..<dense.count where !inClass.contains(i) {
                kept.w.append(codes[i])
                kept.scores.append(classifier.attributes.map { name in
                    dense.attributes.firstIndex(of: name).map { dense.scores.data[i * na + $0] } ?? 0 })
            }
            var poolRng = Xoshiro(seed: Self.stream(2, options.seed))
            rarePool = kept.w.indices.filter { kept.scores[$0][a] > 0.5 }.shuffled(using: &poolRng)
            rareNegPool = kept.w.indices.filter { kept.scores[$0][a] <= 0.5 }.shuffled(using: &poolRng)
            if options.mix == .balanced {
                plan = RefitBalance.plan(densePositive: posIdx.map(denseLabels), denseNegative: negIdx.map(denseLabels),
                                         rarePositive: rarePool.map(rareLabels), rareNegative: rareNegPool.map(rareLabels), cap: cap)
            }
        }
        while options.variant != .denseOnly {
            rounds += 1
            var rare: [RareUnit.Entry] = []
            let want = (options.rareCount + 1) / 2
            for positive in [true, false] {
                var got = 0, tried = 0
                while got < want, cursor[positive]! < order[positive]!.count {
                    let e = try entry(positive, cursor[positive]!)
                    cursor[positive]! += 1
                    tried += 1
                    if e.accepted { rare.append(e); got += 1 }
                    progress?(.lowDensity, rare.count, options.rareCount)
                    if tried > 20 * want { break }
                }
            }
            synthesised += rare.count
            for e in rare {
                kept.psnrs.append(e.psnr)
                if e.kept { kept.w.append(try pinned(e.w, source: e.source)); kept.scores.append(e.scores) }
            }
            progress?(.reprojection, rare.count, rare.count)

            var poolRng = Xoshiro(seed: Self.stream(2, options.seed))
            rarePool = kept.w.indices.filter { kept.scores[$0][a] > 0.5 }.shuffled(using: &poolRng)
            rareNegPool = kept.w.indices.filter { kept.scores[$0][a] <= 0.5 }.shuffled(using: &poolRng)
            if options.mix == .share { break }
            plan = RefitBalance.plan(densePositive: posIdx.map(denseLabels), denseNegative: negIdx.map(denseLabels),
                                     rarePositive: rarePool.map(rareLabels), rareNegative: rareNegPool.map(rareLabels), cap: cap)
            // Balanced: another round while the classes are still unbalanced, a class has room for
            // more rare samples, the budget allows, and the last round helped (its rare samples
            // lowered the imbalance: if none of a round's did, more of the same will not).
            let capped = plan.addPositive.count >= cap && plan.addNegative.count >= cap
            let helped = plan.imbalanceAfter < min(lastImbalance, plan.imbalanceBefore) - 1e-9
            lastImbalance = plan.imbalanceAfter
            if plan.imbalanceAfter <= options.balanceTolerance || capped || !helped
                || rare.isEmpty || synthesised + options.rareCount > options.maxRare { break }
        }

        // 4. Re-fit on dense + rare.
        progress?(.refit, 0, 1)
        if options.mix == .share {
            plan = Self.sharePlan(cap: cap, k: k, positive: posIdx, negative: negIdx, rarePositive: rarePool, rareNegative: rareNegPool,
                                  denseLabels: denseLabels, rareLabels: rareLabels)
        }
        let refitRng = rng
        func refit(_ plan: RefitBalance.Plan) -> (normal: [Float], validationAccuracy: Double) {
            func mixClass(_ idx: [Int], drop: [Int], add: [Int], pool: [Int]) -> [[Float]] {
                let dropped = Set(drop)
                return idx.indices.filter { !dropped.contains($0) }.map { codes[idx[$0]] } + add.map { kept.w[pool[$0]] }
            }
            var r = refitRng
            return Self.refit(learner: options.learner, positive: mixClass(posIdx, drop: plan.dropPositive, add: plan.addPositive, pool: rarePool),
                              negative: mixClass(negIdx, drop: plan.dropNegative, add: plan.addNegative, pool: rareNegPool),
                              trainFraction: fitter.trainFraction, rng: &r)
        }
        let fit = refit(plan)

        var prov = dense.provenance
        prov["base_method"] = base.method
        prov["learner"] = options.learner.name
        prov["correlated"] = corr.joined(separator: ",")
        prov["semantic_rows"] = cp.rows.map(String.init).joined(separator: ",")
        prov["row_choice"] = cp.rowChoice
        prov["rare_samples"] = "\(plan.addPositive.count)+\(plan.addNegative.count)"
        prov["mode"] = options.mode.rawValue
        prov["mix"] = options.mix.rawValue
        prov["rounds"] = "\(rounds)"
        prov["seed"] = "\(options.seed)"
        prov["variant"] = options.variant.rawValue
        if options.keep != .labels { prov["keep"] = options.keep.rawValue }
        if !pins.isEmpty { prov["pinned_along"] = corr.joined(separator: ",") }
        prov["validation_accuracy"] = String(format: "%.4f", fit.validationAccuracy)
        let method = options.variant.methodName
        // The corrected direction edits the rows the base edits (a row range of GANSpace, SeFa, a file).
        let corrected = Direction(attribute: attribute, method: method, vector: fit.normal, layers: base.layers, provenance: prov)
        let report = Report(attribute: attribute, correlated: corr, semanticRows: cp.rows,
                            semanticTargetChange: cp.rowTargetChange, semanticLeakage: cp.rowLeakage,
                            rowChoice: cp.rowChoice, rowYield: cp.rowYield,
                            rareSynthesised: synthesised, rareKeptAfterProjection: kept.w.count,
                            projectionPSNR: kept.psnrs.filter { !$0.isNaN }.isEmpty ? .nan : Statistics.mean(kept.psnrs.filter { !$0.isNaN }),
                            originalValidationAccuracy: base.provenance["validation_accuracy"].flatMap(Double.init),
                            correctedValidationAccuracy: fit.validationAccuracy,
                            cosineOriginalCorrected: Double(corrected.cosine(base)),
                            rareInRefit: [plan.addPositive.count, plan.addNegative.count], rounds: rounds, classImbalanceBefore: plan.imbalanceBefore,
                            classImbalanceAfter: plan.imbalanceAfter, seconds: Date().timeIntervalSince(t0))
        let doseResults = doses.map { n -> Dose in
            let part = plan.prefix(n)
            var p = prov
            p["rare_samples"] = "\(part.addPositive.count)+\(part.addNegative.count)"
            p["dose"] = "\(n)"
            let f = refit(part)
            p["validation_accuracy"] = String(format: "%.4f", f.validationAccuracy)
            return Dose(requested: n, used: part.addPositive.count + part.addNegative.count,
                        direction: Direction(attribute: attribute, method: method, vector: f.normal, layers: base.layers, provenance: p))
        }
        return (corrected, report, doseResults)
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

    /// The rare samples that survived re-projection: one w each, its scores, and the PSNR of
    /// every re-projection tried.
    private struct KeptRare {
        var w: [[Float]] = []
        var scores: [[Float]] = []
        var psnrs: [Double] = []
    }

    /// `--mix share`: the first `cap` rare samples of each class replace its last dense ones.
    private static func sharePlan(cap: Int, k: Int, positive posIdx: [Int], negative negIdx: [Int], rarePositive: [Int], rareNegative: [Int],
                                  denseLabels: (Int) -> [Bool], rareLabels: (Int) -> [Bool]) -> RefitBalance.Plan {
        var plan = RefitBalance.Plan()
        let np = min(cap, rarePositive.count), nn = min(cap, rareNegative.count)
        plan.addPositive = Array(0..<np); plan.dropPositive = Array((k - np)..<k)
        plan.addNegative = Array(0..<nn); plan.dropNegative = Array((k - nn)..<k)
        plan.order = (0..<max(np, nn)).flatMap { i in (i < np ? [true] : []) + (i < nn ? [false] : []) }
        func labelsAfter(_ idx: [Int], _ drop: [Int], _ add: [Int], _ pool: [Int]) -> [[Bool]] {
            idx[..<(k - drop.count)].map(denseLabels) + add.map { rareLabels(pool[$0]) }
        }
        plan.imbalanceBefore = RefitBalance.imbalance(positive: posIdx.map(denseLabels), negative: negIdx.map(denseLabels))
        plan.imbalanceAfter = RefitBalance.imbalance(
            positive: labelsAfter(posIdx, plan.dropPositive, plan.addPositive, rarePositive),
            negative: labelsAfter(negIdx, plan.dropNegative, plan.addNegative, rareNegative))
        return plan
    }

    /// Stage 4: the learner (InterFaceGAN's SVM by default) on the mixed classes (shuffled,
    /// split train/validation).
    private static func refit(learner: any DirectionFinder, positive: [[Float]], negative: [[Float]], trainFraction: Double, rng: inout Xoshiro)
        -> (normal: [Float], validationAccuracy: Double) {
        var pos = positive, neg = negative
        pos.shuffle(using: &rng); neg.shuffle(using: &rng)
        let k = pos.count
        let nt = Int(trainFraction * Double(k))
        return learner.fit(train: Array(pos.prefix(nt)) + Array(neg.prefix(nt)),
                                        trainLabels: [Bool](repeating: true, count: nt) + [Bool](repeating: false, count: nt),
                                        validation: Array(pos.dropFirst(nt)) + Array(neg.dropFirst(nt)),
                                        validationLabels: [Bool](repeating: true, count: k - nt) + [Bool](repeating: false, count: k - nt))
    }
}
