import Foundation

/// The directions of every restart of an evaluation, DIR/restart-R/<attribute>.<method>.json:
/// fitted when missing or stale (other model, predictor, dense seeds or settings), reused
/// otherwise, so that an interrupted evaluation resumes where it stopped.
struct FitStore {
    let root: URL

    /// The library of restart `r` with every `method` (and SC²'s doses) of every target, fitted
    /// with `base` and the run's sampling and SC² settings.
    func ensure(restart r: Int, targets: [String], methods: [MethodName], doses: [Int], generator g: Generator,
                predictor: any AttributePredictor, base: EvaluationRun.Base, configuration: EvaluationRun.Configuration,
                progress: EvaluationRun.Progress, fitMissing: Bool = true) throws -> DirectionLibrary {
        let finder = base.finder
        let lib = DirectionLibrary(directory: root.appendingPathComponent("restart-\(r)"))
        let seeds = try SeedRanges.dense(restart: r, count: configuration.samples)
        let settings = base.settings
        let expected: [String: String] = ["model_hash": g.hash, "classifier_hash": predictor.identity,
                                          "seeds": "\(seeds.first!)-\(seeds.last!) (\(seeds.count))",
                                          "fit_seed": "\(r)", "evaluate_settings": settings]
        func fresh(_ attribute: String, _ name: String) throws -> Direction? {
            guard let d = try? lib.direction(attribute: attribute, name: name) else { return nil }
            return expected.allSatisfy { d.provenance[$0.key] == $0.value } ? d : nil
        }
        // A shard of the evaluation never fits: the fits come first, once (`--fit-only`).
        func requireFitting(_ t: String, _ name: String) throws {
            guard fitMissing else {
                throw SC2Error("\(lib.url(attribute: t, name: name).path): missing or made with other settings; a sharded evaluation needs its fits first (a fit-only run with the same settings)")
            }
        }
        func stamp(_ d: Direction) -> Direction {
            var d = d
            for (k, v) in expected { d.provenance[k] = v }
            return d
        }
        var denseSet: SampleSet? = nil
        func dense() throws -> SampleSet {
            if let denseSet { return denseSet }
            let bar = progress.task("restart \(r): sampling seeds \(seeds.first!)-\(seeds.last!)", seeds.count)
            let (set, cached) = try SampleSet.cached(in: configuration.cacheDirectory, generator: g, classifier: predictor, seeds: seeds,
                                                     truncation: configuration.truncation) { bar.update($0) }
            if cached { progress.note("restart \(r): \(seeds.count) samples from cache\n") } else { bar.finish(nil) }
            denseSet = set
            return set
        }
        let variants = methods.compactMap(\.variant)
        for t in targets {
            var builder: DirectionBuilder { get throws { var b = DirectionBuilder(samples: try dense()); b.fitter.seed = UInt64(r); b.finder = finder; return b } }
            let original: Direction
            if let d = try fresh(t, MethodName.original.fileName) { original = d } else {
                try requireFitting(t, MethodName.original.fileName)
                let set = try dense()
                var fitter = DirectionFitter(); fitter.seed = UInt64(r)
                var fitted = try fitter.fit(finder, attribute: t, codes: set.codes, scores: try set.scores(of: t), provenance: set.provenance).direction
                if let rows = base.layers { fitted.layers = rows }
                original = stamp(fitted)
                try original.save(to: lib.url(attribute: t, name: MethodName.original.fileName))
            }
            if methods.contains(.conditional), try fresh(t, MethodName.conditional.fileName) == nil {
                try requireFitting(t, MethodName.conditional.fileName)
                let conditional = try builder.conditional(t, original: original)
                try stamp(conditional).save(to: lib.url(attribute: t, name: MethodName.conditional.fileName))
            }
            // SC² first (its rows are reused by the ablations that keep them), then the ablations.
            var fullRows: [Int]? = nil
            let needsFull = variants.contains(.full) || !doses.isEmpty || methods.contains(.sc2Conditional)
            let ordered = (needsFull ? [SC2Pipeline.Variant.full] : []) + variants.filter { $0 != .full }
            for v in ordered {
                let name = v.methodName
                let doseNames = v == .full ? doses.map { "sc2-dose-\($0)" } : []
                if let d = try fresh(t, name), try doseNames.allSatisfy({ try fresh(t, $0) != nil }) {
                    if v == .full { fullRows = d.provenance["semantic_rows"].map { $0.split(separator: ",").compactMap { Int($0) } } }
                    continue
                }
                try requireFitting(t, name)
                var opts = configuration.pipeline
                opts.learner = finder
                opts.seed = UInt64(r)
                opts.variant = v
                if (v == .closedForm || v == .noReprojection || v == .pinned), opts.rows == nil, let fullRows, !fullRows.isEmpty { opts.rows = fullRows }
                let pipeline = SC2Pipeline(generator: g, classifier: predictor, options: opts)
                let stages = progress.stages("restart \(r) \(t) \(name)")
                let result = try pipeline.correct(attribute: t, dense: try dense(), original: original, correlated: nil,
                                                  doses: v == .full ? doses : [], progress: stages.handler)
                stages.finish()
                progress.corrected("restart \(r) \(name)", result.report)
                if v == .full { fullRows = result.report.semanticRows }
                for dose in result.doses {
                    try stamp(dose.direction).save(to: lib.url(attribute: t, name: "sc2-dose-\(dose.requested)"))
                }
                try stamp(result.direction).save(to: lib.url(attribute: t, name: name))
            }
            // SC² followed by the conditional projection (the same conditions as the conditional).
            if methods.contains(.sc2Conditional), try fresh(t, MethodName.sc2Conditional.fileName) == nil,
               let sc2 = try lib.direction(attribute: t, name: MethodName.sc2.fileName) {
                try requireFitting(t, MethodName.sc2Conditional.fileName)
                var projected = try builder.conditional(t, original: sc2)
                projected.method = MethodName.sc2Conditional.rawValue
                try stamp(projected).save(to: lib.url(attribute: t, name: MethodName.sc2Conditional.fileName))
            }
        }
        return lib
    }
}
