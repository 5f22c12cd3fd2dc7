import Foundation

/// Stages 2-4 of the correction, `finish`, cut into its steps: the re-fit's classes
/// (`RefitClasses`), the units read in synthesis order (`UnitCursor`), the rounds of rare
/// samples (`synthesisRounds`, or `densePool` for the dense-only ablation) gathered in a
/// `RarePool`, the re-fit on the mixed classes, and the corrected direction's provenance and
/// report.
extension SC2Pipeline {
    /// Stages 2-4: rounds of rare samples taken from the units in order until the classes
    /// balance, then the re-fit. `unit(positive, index)` gives a unit (computed, or read from a
    /// cluster job's work folder); it is asked for each unit at most once, in order per side.
    public func finish(plan: CorrectionPlan, dense: SampleSet, started t0: Date = Date(), progress: ((Stage, Int, Int) -> Void)? = nil,
                       unit: (Bool, Int) throws -> RareUnit) throws -> (direction: Direction, report: Report) {
        let r = try finish(plan: plan, dense: dense, started: t0, doses: [], progress: progress, unit: unit)
        return (r.direction, r.report)
    }

    /// `finish`, plus one re-fit per entry of `doses` (see `Dose`).
    public func finish(plan: CorrectionPlan, dense: SampleSet, started t0: Date = Date(), doses: [Int], progress: ((Stage, Int, Int) -> Void)? = nil,
                       unit: (Bool, Int) throws -> RareUnit) throws -> (direction: Direction, report: Report, doses: [Dose]) {
        try check(plan, dense: dense)
        let codes = dense.codes
        var rng = Xoshiro(seed: Self.stream(1, options.seed))
        let classes = try RefitClasses(self, attribute: plan.attribute, correlated: plan.correlated, dense: dense, rng: &rng)
        // The learner's shuffles continue the stream the classes were drawn from.
        let refitRng = rng
        let pins = try correlatedPins(plan.correlated, dense: dense)

        // 2-3. Rounds of low-density samples and their re-projections, until the classes balance.
        var rare: RarePool
        if options.variant == .denseOnly {
            rare = densePool(classes, dense: dense, codes: codes)
        } else {
            var cursor = UnitCursor(order: try UnitWork(self, plan: plan, dense: dense).order)
            rare = try synthesisRounds(classes, cursor: &cursor, pins: pins, codes: codes, progress: progress, unit: unit)
        }

        // 4. Re-fit on dense + rare.
        progress?(.refit, 0, 1)
        if options.mix == .share { rare.balance = Self.sharePlan(classes, rare, add: options.refit == .add) }
        if let dose = options.dose { rare.balance = classes.limited(rare.balance, to: dose, rare) }
        let fit = refit(classes, rare, rare.balance, codes: codes, rng: refitRng)
        let provenance = correctedProvenance(plan, dense: dense, rare: rare, pinned: !pins.isEmpty, validationAccuracy: fit.validationAccuracy)
        // The corrected direction edits the rows the base edits (a row range of GANSpace, SeFa, a file).
        let corrected = Direction(attribute: plan.attribute, method: options.variant.methodName, vector: fit.normal,
                                  layers: plan.baseDirection.layers, provenance: provenance)
        var report = Self.report(plan, rare: rare, corrected: corrected, validationAccuracy: fit.validationAccuracy, started: t0)
        report.reprojections = options.variant == .denseOnly ? nil : rare.gateReport(target: classes.target, options: options)
        report.refit = options.refit.rawValue
        let doseResults = doses.map { n -> Dose in
            let part = classes.limited(rare.balance, to: n, rare)
            var p = provenance
            p["rare_samples"] = "\(part.addPositive.count)+\(part.addNegative.count)"
            p["dose"] = "\(n)"
            let f = refit(classes, rare, part, codes: codes, rng: refitRng)
            p["validation_accuracy"] = String(format: "%.4f", f.validationAccuracy)
            return Dose(requested: n, used: part.addPositive.count + part.addNegative.count,
                        direction: Direction(attribute: plan.attribute, method: options.variant.methodName, vector: f.normal,
                                             layers: plan.baseDirection.layers, provenance: p))
        }
        return (corrected, report, doseResults)
    }

    /// The re-fit's classes, InterFaceGAN's top and bottom k of the dense samples by the
    /// target's score, and the correlated labels the balancing compares.
    struct RefitClasses {
        /// Dense indices of each class.
        let positive: [Int], negative: [Int]
        /// The target's score of every dense sample (a population learner's labels).
        let denseTarget: [Float]
        /// Rare samples a class may take (`rareShare` of k).
        let cap: Int
        /// The target's index among the classifier's scores.
        let target: Int
        let trainFraction: Double
        /// The correlated attributes' indices among the classifier's scores and the dense set's.
        private let classifierColumns: [Int], denseColumns: [Int]
        private let denseScores: [Float], denseAttributes: Int
        let refitMode: Refit

        init(_ pipeline: SC2Pipeline, attribute: String, correlated: [String], dense: SampleSet, rng: inout Xoshiro) throws {
            var fitter = DirectionFitter()
            fitter.seed = pipeline.options.seed
            denseTarget = try dense.scores(of: attribute)
            let classes = fitter.classes(scores: denseTarget, rng: &rng)
            positive = classes.positive; negative = classes.negative
            cap = Int(pipeline.options.rareShare * Double(positive.count))
            target = try pipeline.classifier.requiredIndex(of: attribute)
            trainFraction = fitter.trainFraction
            classifierColumns = correlated.compactMap { pipeline.classifier.index(of: $0) }
            denseColumns = correlated.compactMap { dense.attributes.firstIndex(of: $0) }
            denseScores = dense.scores.data
            denseAttributes = dense.attributes.count
            refitMode = pipeline.options.refit
        }

        /// Samples per class.
        var k: Int { positive.count }

        /// A dense sample's correlated labels.
        func denseLabels(_ i: Int) -> [Bool] { denseColumns.map { denseScores[i * denseAttributes + $0] > 0.5 } }

        /// A rare sample's correlated labels, from its classifier scores.
        func rareLabels(_ scores: [Float]) -> [Bool] { classifierColumns.map { scores[$0] > 0.5 } }

        /// `RefitBalance`'s swaps of rare samples for dense ones.
        func balancePlan(_ rare: RarePool) -> RefitBalance.Plan {
            let make = refitMode == .add ? RefitBalance.addPlan : RefitBalance.plan
            return make(positive.map(denseLabels), negative.map(denseLabels),
                        rare.positivePool.map { rareLabels(rare.scores[$0]) }, rare.negativePool.map { rareLabels(rare.scores[$0]) }, cap)
        }

        /// The first `n` rare samples of `plan` (in the order it chose them), with the class
        /// imbalance recomputed for what they leave.
        func limited(_ plan: RefitBalance.Plan, to n: Int, _ rare: RarePool) -> RefitBalance.Plan {
            guard n < plan.order.count else { return plan }
            var part = plan.prefix(n)
            func labels(_ idx: [Int], drop: [Int], add: [Int], pool: [Int]) -> [[Bool]] {
                let dropped = Set(drop)
                return idx.indices.filter { !dropped.contains($0) }.map { denseLabels(idx[$0]) } + add.map { rareLabels(rare.scores[pool[$0]]) }
            }
            part.imbalanceAfter = RefitBalance.imbalance(
                positive: labels(positive, drop: part.dropPositive, add: part.addPositive, pool: rare.positivePool),
                negative: labels(negative, drop: part.dropNegative, add: part.addNegative, pool: rare.negativePool))
            return part
        }
    }

    /// The rare samples that survived re-projection (one w each, its scores), the PSNR of every
    /// re-projection tried, the samples of each side of the target in the order the re-fit
    /// takes them, and the balancing plan.
    struct RarePool {
        var w: [[Float]] = []
        var scores: [[Float]] = []
        var psnrs: [Double] = []
        /// Indices into `w` with the target present / absent, shuffled.
        var positivePool: [Int] = [], negativePool: [Int] = []
        var balance = RefitBalance.Plan()
        var synthesised = 0, rounds = 0
        /// Every re-projection the labels kept, before the gate: PSNR and the target's score.
        var keptPSNR: [Double] = [], keptTarget: [Float] = []
        /// Kept re-projections the gate turned away.
        var gated = 0

        /// The re-projections' quality and what the gate did, for the report.
        func gateReport(target: Int, options: Options) -> Report.Reprojections {
            Report.Reprojections(tried: psnrs.count, kept: keptPSNR.count, gated: gated, entered: w.count,
                                 psnrQuantiles: Statistics.quantiles(keptPSNR.filter { !$0.isNaN }, [0.1, 0.5, 0.9]),
                                 confidenceQuantiles: Statistics.quantiles(keptTarget.map { Double(max($0, 1 - $0)) }, [0.1, 0.5, 0.9]),
                                 gateConfidence: options.gateConfidence.map(Double.init), gatePSNR: options.gatePSNR)
        }

        /// Sorts the samples by the target and shuffles each side (the same stream every round).
        mutating func drawPools(target: Int, seed: UInt64) {
            var poolRng = Xoshiro(seed: SC2Pipeline.stream(2, seed))
            positivePool = w.indices.filter { scores[$0][target] > 0.5 }.shuffled(using: &poolRng)
            negativePool = w.indices.filter { scores[$0][target] <= 0.5 }.shuffled(using: &poolRng)
        }

        /// The mean PSNR of the re-projections that have one (nan when none has).
        var meanPSNR: Double {
            let measured = psnrs.filter { !$0.isNaN }
            return measured.isEmpty ? .nan : Statistics.mean(measured)
        }
    }

    /// The synthesis units' entries in order, side by side: each unit is asked for once, when its
    /// first entry is needed, and checked against the plan's sources.
    struct UnitCursor {
        /// Dense indices of the sources of each side, in synthesis order.
        let order: [Bool: [Int]]
        private var position = [true: 0, false: 0]
        private var current: [Bool: RareUnit] = [:]

        init(order: [Bool: [Int]]) { self.order = order }

        /// Whether `side` has entries left.
        func hasNext(_ side: Bool) -> Bool { position[side]! < order[side]!.count }

        /// The next entry of `side`.
        mutating func next(_ side: Bool, unit: (Bool, Int) throws -> RareUnit) throws -> RareUnit.Entry {
            let p = position[side]!
            let u = p / SC2Pipeline.unitSources
            if current[side]?.index != u {
                let got = try unit(side, u)
                let expected = order[side]![(u * SC2Pipeline.unitSources)..<min((u + 1) * SC2Pipeline.unitSources, order[side]!.count)]
                guard got.positive == side, got.index == u, got.entries.map(\.source) == Array(expected) else {
                    throw SC2Error("synthesis unit \(side ? "positive" : "negative") \(u) does not belong to this plan; compute it again")
                }
                current[side] = got
            }
            position[side] = p + 1
            return current[side]!.entries[p - u * SC2Pipeline.unitSources]
        }
    }

    /// The correlated attributes' directions a rare sample is pinned along (pinCorrelated; none
    /// otherwise).
    private func correlatedPins(_ correlated: [String], dense: SampleSet) throws -> [Direction] {
        guard (options.pinCorrelated || options.variant == .pinned) && options.variant != .denseOnly else { return [] }
        return try correlated.map { b in
            var builder = DirectionBuilder(samples: dense)
            builder.fitter.seed = options.seed
            return try builder.original(b)
        }
    }

    /// The dense-only ablation's pool: every dense sample outside the two classes, scored as the
    /// dense set was.
    private func densePool(_ classes: RefitClasses, dense: SampleSet, codes: [[Float]]) -> RarePool {
        var rare = RarePool()
        let na = dense.attributes.count
        let inClass = Set(classes.positive).union(classes.negative)
        for i in 0..<dense.count where !inClass.contains(i) {
            rare.w.append(codes[i])
            rare.scores.append(classifier.attributes.map { name in
                dense.attributes.firstIndex(of: name).map { dense.scores.data[i * na + $0] } ?? 0 })
        }
        rare.drawPools(target: classes.target, seed: options.seed)
        if options.mix == .balanced { rare.balance = classes.balancePlan(rare) }
        return rare
    }

    /// Rounds of rare samples from the units until the classes balance (`--mix balanced`) or
    /// once (`--mix share`).
    private func synthesisRounds(_ classes: RefitClasses, cursor: inout UnitCursor, pins: [Direction], codes: [[Float]],
                                 progress: ((Stage, Int, Int) -> Void)?, unit: (Bool, Int) throws -> RareUnit) throws -> RarePool {
        var rare = RarePool()
        var lastImbalance = Double.infinity
        while true {
            rare.rounds += 1
            let round = try synthesisRound(&cursor, progress: progress, unit: unit)
            rare.synthesised += round.count
            for e in round {
                rare.psnrs.append(e.psnr)
                if e.kept {
                    rare.keptPSNR.append(e.psnr); rare.keptTarget.append(e.scores[classes.target])
                    guard passesGate(e, target: classes.target) else { rare.gated += 1; continue }
                    rare.w.append(pins.isEmpty ? e.w : try Self.pin(e.w, to: codes[e.source], along: pins))
                    rare.scores.append(e.scores)
                }
            }
            progress?(.reprojection, round.count, round.count)
            rare.drawPools(target: classes.target, seed: options.seed)
            if options.mix == .share { break }
            rare.balance = classes.balancePlan(rare)
            // Balanced: another round while the classes are still unbalanced, a class has room for
            // more rare samples, the budget allows, and the last round helped (its rare samples
            // lowered the imbalance: if none of a round's did, more of the same will not).
            let plan = rare.balance
            let capped = plan.addPositive.count >= classes.cap && plan.addNegative.count >= classes.cap
            let helped = plan.imbalanceAfter < min(lastImbalance, plan.imbalanceBefore) - 1e-9
            lastImbalance = plan.imbalanceAfter
            let dosed = options.dose.map { plan.order.count >= $0 } ?? false
            if plan.imbalanceAfter <= options.balanceTolerance || capped || !helped || dosed
                || round.isEmpty || rare.synthesised + options.rareCount > options.maxRare { break }
        }
        return rare
    }

    /// The re-projection gate: the target's score at least `gateConfidence` sure, the PSNR at
    /// least `gatePSNR` (where one was measured).
    func passesGate(_ e: RareUnit.Entry, target: Int) -> Bool {
        if let c = options.gateConfidence {
            let p = e.scores[target]
            if max(p, 1 - p) < c { return false }
        }
        if let t = options.gatePSNR, !e.psnr.isNaN, e.psnr < t { return false }
        return true
    }

    /// One round: up to half of `rareCount` accepted entries per side (positive first), giving up
    /// on a side after 20 times as many tries.
    private func synthesisRound(_ cursor: inout UnitCursor, progress: ((Stage, Int, Int) -> Void)?,
                                unit: (Bool, Int) throws -> RareUnit) throws -> [RareUnit.Entry] {
        var round: [RareUnit.Entry] = []
        let want = (options.rareCount + 1) / 2
        for positive in [true, false] {
            var got = 0, tried = 0
            while got < want, cursor.hasNext(positive) {
                let e = try cursor.next(positive, unit: unit)
                tried += 1
                if e.accepted { round.append(e); got += 1 }
                progress?(.lowDensity, round.count, options.rareCount)
                if tried > 20 * want { break }
            }
        }
        return round
    }

    /// Stage 4 on the classes as `balance` mixes them, every re-fit from the same stream.
    private func refit(_ classes: RefitClasses, _ rare: RarePool, _ balance: RefitBalance.Plan, codes: [[Float]], rng: Xoshiro)
        -> (normal: [Float], validationAccuracy: Double) {
        func mixClass(_ idx: [Int], drop: [Int], add: [Int], pool: [Int]) -> [[Float]] {
            let dropped = Set(drop)
            return idx.indices.filter { !dropped.contains($0) }.map { codes[idx[$0]] } + add.map { rare.w[pool[$0]] }
        }
        // A population learner (GANSpace, SeFa) fits on the whole dense population, less the
        // dense samples the plan drops (replace mode), plus the rare samples it adds, each with
        // its target score; the classes then only measure its separation.
        var population: (codes: [[Float]], scores: [Float])?
        if options.learner is any PopulationFinder {
            let dropped = Set(balance.dropPositive.map { classes.positive[$0] } + balance.dropNegative.map { classes.negative[$0] })
            let kept = codes.indices.filter { !dropped.contains($0) }
            let added = balance.addPositive.map { rare.positivePool[$0] } + balance.addNegative.map { rare.negativePool[$0] }
            population = (kept.map { codes[$0] } + added.map { rare.w[$0] },
                          kept.map { classes.denseTarget[$0] } + added.map { rare.scores[$0][classes.target] })
        }
        var r = rng
        return Self.refit(learner: options.learner,
                          positive: mixClass(classes.positive, drop: balance.dropPositive, add: balance.addPositive, pool: rare.positivePool),
                          negative: mixClass(classes.negative, drop: balance.dropNegative, add: balance.addNegative, pool: rare.negativePool),
                          trainFraction: classes.trainFraction, population: population, rng: &r)
    }

    /// The corrected direction's provenance: the dense set's, and how it was made.
    private func correctedProvenance(_ plan: CorrectionPlan, dense: SampleSet, rare: RarePool, pinned: Bool,
                                     validationAccuracy: Double) -> [String: String] {
        var prov = dense.provenance
        prov["base_method"] = plan.baseDirection.method
        prov["learner"] = options.learner.name
        prov["correlated"] = plan.correlated.joined(separator: ",")
        prov["semantic_rows"] = plan.rows.map(String.init).joined(separator: ",")
        prov["row_choice"] = plan.rowChoice
        prov["rare_samples"] = "\(rare.balance.addPositive.count)+\(rare.balance.addNegative.count)"
        prov["mode"] = options.mode.rawValue
        prov["mix"] = options.mix.rawValue
        prov["rounds"] = "\(rare.rounds)"
        prov["seed"] = "\(options.seed)"
        prov["variant"] = options.variant.rawValue
        if options.keep != .labels { prov["keep"] = options.keep.rawValue }
        if pinned { prov["pinned_along"] = plan.correlated.joined(separator: ",") }
        if options.donors != .any { prov["donors"] = options.donors.rawValue }
        if options.refit != .replace { prov["refit"] = options.refit.rawValue }
        if let d = options.dose { prov["dose"] = "\(d)" }
        if let c = options.gateConfidence { prov["gate_confidence"] = "\(c)" }
        if let t = options.gatePSNR { prov["gate_psnr"] = "\(t)" }
        prov["validation_accuracy"] = String(format: "%.4f", validationAccuracy)
        return prov
    }

    private static func report(_ plan: CorrectionPlan, rare: RarePool, corrected: Direction, validationAccuracy: Double,
                               started t0: Date) -> Report {
        let base = plan.baseDirection
        return Report(attribute: plan.attribute, correlated: plan.correlated, semanticRows: plan.rows,
                      semanticTargetChange: plan.rowTargetChange, semanticLeakage: plan.rowLeakage,
                      rowChoice: plan.rowChoice, rowYield: plan.rowYield,
                      rareSynthesised: rare.synthesised, rareKeptAfterProjection: rare.w.count,
                      projectionPSNR: rare.meanPSNR,
                      originalValidationAccuracy: base.provenance["validation_accuracy"].flatMap(Double.init),
                      correctedValidationAccuracy: validationAccuracy,
                      cosineOriginalCorrected: Double(corrected.cosine(base)),
                      rareInRefit: [rare.balance.addPositive.count, rare.balance.addNegative.count], rounds: rare.rounds,
                      classImbalanceBefore: rare.balance.imbalanceBefore,
                      classImbalanceAfter: rare.balance.imbalanceAfter, seconds: Date().timeIntervalSince(t0))
    }

    /// `--mix share`: the first `cap` rare samples of each class replace its last dense ones.
    private static func sharePlan(_ classes: RefitClasses, _ rare: RarePool, add: Bool) -> RefitBalance.Plan {
        let k = classes.k, cap = classes.cap
        let rarePositive = rare.positivePool, rareNegative = rare.negativePool
        let denseLabels = classes.denseLabels, rareLabels = { (j: Int) in classes.rareLabels(rare.scores[j]) }
        var plan = RefitBalance.Plan()
        let np = min(cap, rarePositive.count), nn = min(cap, rareNegative.count)
        plan.addPositive = Array(0..<np); plan.dropPositive = add ? [] : Array((k - np)..<k)
        plan.addNegative = Array(0..<nn); plan.dropNegative = add ? [] : Array((k - nn)..<k)
        plan.order = (0..<max(np, nn)).flatMap { i in (i < np ? [true] : []) + (i < nn ? [false] : []) }
        func labelsAfter(_ idx: [Int], _ drop: [Int], _ add: [Int], _ pool: [Int]) -> [[Bool]] {
            idx[..<(k - drop.count)].map(denseLabels) + add.map { rareLabels(pool[$0]) }
        }
        plan.imbalanceBefore = RefitBalance.imbalance(positive: classes.positive.map(denseLabels), negative: classes.negative.map(denseLabels))
        plan.imbalanceAfter = RefitBalance.imbalance(
            positive: labelsAfter(classes.positive, plan.dropPositive, plan.addPositive, rarePositive),
            negative: labelsAfter(classes.negative, plan.dropNegative, plan.addNegative, rareNegative))
        return plan
    }

    /// Stage 4: the learner (InterFaceGAN's SVM by default) on the mixed classes (shuffled,
    /// split train/validation).
    /// With `population`, a population learner's direction comes from it and the split only
    /// measures its separation.
    private static func refit(learner: any DirectionFinder, positive: [[Float]], negative: [[Float]], trainFraction: Double,
                              population: (codes: [[Float]], scores: [Float])? = nil, rng: inout Xoshiro)
        -> (normal: [Float], validationAccuracy: Double) {
        var pos = positive, neg = negative
        pos.shuffle(using: &rng); neg.shuffle(using: &rng)
        // Each class split on its own (in add mode the classes may differ in size).
        let tp = Int(trainFraction * Double(pos.count)), tn = Int(trainFraction * Double(neg.count))
        let train = Array(pos.prefix(tp)) + Array(neg.prefix(tn)), validation = Array(pos.dropFirst(tp)) + Array(neg.dropFirst(tn))
        let trainLabels = [Bool](repeating: true, count: tp) + [Bool](repeating: false, count: tn)
        let validationLabels = [Bool](repeating: true, count: pos.count - tp) + [Bool](repeating: false, count: neg.count - tn)
        if let population, let finder = learner as? any PopulationFinder {
            let normal = finder.fit(population: population.codes, scores: population.scores).normal
            return (normal, PopulationFit.accuracy(normal, train: train, trainLabels: trainLabels, validation: validation, validationLabels: validationLabels))
        }
        return learner.fit(train: train, trainLabels: trainLabels, validation: validation, validationLabels: validationLabels)
    }
}
