import Foundation
import SC2Engine

/// The directions of every restart of an evaluation, DIR/restart-R/<attribute>.<method>.json:
/// fitted when missing or stale (other model, predictor, dense seeds or settings), reused
/// otherwise, so that an interrupted evaluation resumes where it stopped.
struct FitStore {
    let root: URL

    /// The library of restart `r` with every `method` (and SC²'s doses) of every target.
    func ensure(restart r: Int, targets: [String], methods: [MethodName], doses: [Int], generator g: Generator,
                predictor: any AttributePredictor, engine: EngineOptions, correction: CorrectionOptions,
                fitMissing: Bool = true) throws -> DirectionLibrary {
        guard let baseMethod = correction.baseMethod, let finder = baseMethod.finder else {
            throw SC2Error("evaluate fits its base directions itself: --base takes a method here (interfacegan, class-mean, logistic, ganspace), not a file")
        }
        let lib = DirectionLibrary(directory: root.appendingPathComponent("restart-\(r)"))
        let seeds = try SeedRanges.dense(restart: r, count: engine.samples)
        let settings = try Self.settings(correction, samples: engine.samples, truncation: engine.truncation)
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
                throw SC2Error("\(lib.url(attribute: t, name: name).path): missing or made with other settings; a sharded evaluation needs its fits first (evaluate --fit-only with the same arguments)")
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
            let dir = engine.cache.map { URL(fileURLWithPath: $0) } ?? Configuration.current.cacheDirectory
            let bar = ProgressBar("restart \(r): sampling seeds \(seeds.first!)-\(seeds.last!)", total: seeds.count)
            let (set, cached) = try SampleSet.cached(in: dir, generator: g, classifier: predictor, seeds: seeds, truncation: engine.truncation) { bar.update($0) }
            if cached { FileHandle.standardError.write(Data("restart \(r): \(seeds.count) samples from cache\n".utf8)) } else { bar.finish() }
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
                original = stamp(try fitter.fit(finder, attribute: t, codes: set.codes, scores: try set.scores(of: t), provenance: set.provenance).direction)
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
                var opts = try correction.pipelineOptions()
                opts.seed = UInt64(r)
                opts.variant = v
                if (v == .closedForm || v == .noReprojection || v == .pinned), opts.rows == nil, let fullRows, !fullRows.isEmpty { opts.rows = fullRows }
                let pipeline = SC2Pipeline(generator: g, classifier: predictor, options: opts)
                let result = try CorrectionOptions.run(pipeline, attribute: t, dense: try dense(), original: original, correlated: nil,
                                                       doses: v == .full ? doses : [], label: "restart \(r) \(t) \(name)")
                FileHandle.standardError.write(Data("restart \(r) \(name): \(CorrectionOptions.summary(result.report))\n".utf8))
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

    /// Everything that changes what a fit computes, as one string kept in each direction's provenance.
    static func settings(_ c: CorrectionOptions, samples: Int, truncation: Float) throws -> String {
        let rows = try c.rowList.map { $0.map(String.init).joined(separator: ",") } ?? "measured"
        return "samples=\(samples) truncation=\(truncation) base=\(c.base) mode=\(c.mode.rawValue) rare=\(c.rare) max_rare=\(c.maxRare) mix=\(c.mix.rawValue) rare_share=\(c.rareShare) refine=\(c.refineSteps) rows=\(rows) row_choice=\(c.rowChoice.rawValue) row_window=\(c.rowWindow) correlated=\(c.correlated ?? "measured")"
            + (c.keep == .labels ? "" : " keep=\(c.keep.rawValue)")   // named only off the default: older fits still match
            + (c.pinCorrelated ? " pin=correlated" : "")
    }
}
