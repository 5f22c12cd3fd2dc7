import Foundation
import Tensor

/// The SC² correction of one attribute's direction (METHOD.md): semantic rows, low-density
/// samples in W+, re-projection into W, re-fit on dense + rare samples.
public struct SC2Pipeline: Sendable {
    public struct Options: Sendable {
        public var mode: LowDensitySynthesis.Mode = .shift
        /// Rare samples to synthesise (before re-projection filtering).
        public var rareCount = 160
        /// Share of each class the rare samples may make up in the re-fit.
        public var rareShare = 0.3
        /// Gradient refinement steps after the closed-form start (0: closed form only).
        public var refineSteps = 40
        public var semanticSamples = 24
        public init() {}
    }

    public struct Report: Sendable, Codable {
        public var attribute: String
        public var correlated: [String]
        public var semanticRows: [Int]
        public var semanticTargetChange: Double
        public var semanticLeakage: Double
        public var rareSynthesised: Int
        public var rareKeptAfterProjection: Int
        public var projectionPSNR: Double
        public var originalValidationAccuracy: Double
        public var correctedValidationAccuracy: Double
        public var cosineOriginalCorrected: Double
        public var seconds: Double
    }

    public enum Stage: Sendable {
        case semanticLayers, lowDensity, reprojection, refit

        public var title: String {
            switch self {
            case .semanticLayers: return "semantic layers"
            case .lowDensity: return "low-density samples"
            case .reprojection: return "re-projection"
            case .refit: return "re-fit"
            }
        }
    }

    public let generator: Generator
    public let classifier: AttributeClassifier
    public var options = Options()

    public init(generator: Generator, classifier: AttributeClassifier, options: Options = Options()) {
        self.generator = generator; self.classifier = classifier; self.options = options
    }

    /// Returns the corrected direction and a report; `progress(stage, done, total)`.
    public func correct(attribute: String, dense: SampleSet, original: Direction? = nil, correlated: [String]? = nil,
                        progress: ((Stage, Int, Int) -> Void)? = nil) throws -> (direction: Direction, report: Report) {
        let t0 = Date()
        let builder = DirectionBuilder(samples: dense)
        let base = try original ?? builder.original(attribute)
        let corr = try correlated ?? builder.correlated(with: attribute)
        let g = generator
        let nw = g.config.numWs, d = g.config.wDim

        let codes = dense.codes   // materialised once: `codes` builds the rows on every access
        // Step size: the spread of the dense codes along the direction.
        let proj = codes.map { Double(LinearAlgebra.dot($0, base.vector)) }
        let spread = Float(Statistics.std(proj))

        // 1. Semantic rows, on samples from the middle of the target's range.
        let pa = try dense.scores(of: attribute)
        let mids = (0..<dense.count).sorted { abs(pa[$0] - 0.5) > abs(pa[$1] - 0.5) }
        let pick = Array(mids.suffix(options.semanticSamples * 4).prefix(options.semanticSamples * 4)).enumerated()
            .filter { $0.offset % 4 == 0 }.map { $0.element }
        var semCodes = Tensor(zeros: [pick.count, nw, d])
        for (i, k) in pick.enumerated() { for r in 0..<nw { semCodes.data.replaceSubrange((i * nw + r) * d..<(i * nw + r + 1) * d, with: codes[k]) } }
        let sem = try SemanticLayers.measure(generator: g, classifier: classifier, direction: base, codes: semCodes,
                                             alpha: 2 * spread) { progress?(.semanticLayers, $0, $1) }
        var layered = base
        layered.layers = sem.best.rows

        // 2. Low-density samples in W+.
        var synth = LowDensitySynthesis(generator: g, classifier: classifier, direction: layered, correlated: corr)
        synth.mode = options.mode
        let rare = try synth.synthesize(dense: dense, count: options.rareCount, alphas: [1.5, 2.5, 3.5].map { $0 * spread }) {
            progress?(.lowDensity, $0, $1)
        }

        // 3. Re-projection W+ -> W (closed form, then gradient refinement), re-scored.
        let a = classifier.index(of: attribute)!
        let bs = corr.compactMap { classifier.index(of: $0) }
        var keptW: [[Float]] = [], keptScores: [[Float]] = []
        var psnrs: [Double] = []
        let projector = try Reprojector(generator: g)
        for start in stride(from: 0, to: rare.count, by: 16) {
            let chunk = Array(rare[start..<min(start + 16, rare.count)])
            let codes = Tensor(shape: [chunk.count, nw, d], data: chunk.flatMap(\.code))
            let result = projector.project(codes: codes, steps: options.refineSteps)
            psnrs.append(contentsOf: result.psnr)
            let p = classifier.probabilities(generated: g.synthesis(g.broadcast(result.w)))
            for (i, s) in chunk.enumerated() {
                let targetOK = s.targetPositive ? p[i][a] > 0.5 : p[i][a] < 0.5
                let corrOK = bs.allSatisfy { (p[i][$0] > 0.5) == (s.scores[$0] > 0.5) }
                if targetOK && corrOK {
                    keptW.append(Array(result.w.data[i * d..<(i + 1) * d])); keptScores.append(p[i])
                }
            }
            progress?(.reprojection, min(start + 16, rare.count), rare.count)
        }

        // 4. Re-fit on dense + rare.
        progress?(.refit, 0, 1)
        let fitter = DirectionFitter()
        let n = dense.count
        let k = min(n / 2, max(Int(fitter.share * Double(n)), fitter.minimumPerClass))
        let order = (0..<n).sorted { pa[$0] > pa[$1] }
        var rng = Xoshiro(seed: 1)
        var pos = order.prefix(k).map { codes[$0] }, neg = order.suffix(k).map { codes[$0] }
        let cap = Int(options.rareShare * Double(k))
        let rarePos = keptW.indices.filter { keptScores[$0][a] > 0.5 }.shuffled(using: &rng).prefix(cap).map { keptW[$0] }
        let rareNeg = keptW.indices.filter { keptScores[$0][a] <= 0.5 }.shuffled(using: &rng).prefix(cap).map { keptW[$0] }
        pos.shuffle(using: &rng); neg.shuffle(using: &rng)
        // The rare samples replace dense ones, so each class keeps its size.
        pos = Array(pos.prefix(k - rarePos.count)) + rarePos
        neg = Array(neg.prefix(k - rareNeg.count)) + rareNeg
        pos.shuffle(using: &rng); neg.shuffle(using: &rng)
        let nt = Int(fitter.trainFraction * Double(k))
        let fit = InterFaceGANFinder().fit(train: Array(pos.prefix(nt)) + Array(neg.prefix(nt)),
                                           trainLabels: [Bool](repeating: true, count: nt) + [Bool](repeating: false, count: nt),
                                           validation: Array(pos.dropFirst(nt)) + Array(neg.dropFirst(nt)),
                                           validationLabels: [Bool](repeating: true, count: k - nt) + [Bool](repeating: false, count: k - nt))
        var prov = dense.provenance
        prov["base_method"] = base.method
        prov["correlated"] = corr.joined(separator: ",")
        prov["semantic_rows"] = sem.best.rows.map(String.init).joined(separator: ",")
        prov["rare_samples"] = "\(rarePos.count)+\(rareNeg.count)"
        prov["mode"] = options.mode.rawValue
        prov["validation_accuracy"] = String(format: "%.4f", fit.validationAccuracy)
        let corrected = Direction(attribute: attribute, method: DirectionMethod.corrected.rawValue, vector: fit.normal, provenance: prov)
        let report = Report(attribute: attribute, correlated: corr, semanticRows: sem.best.rows,
                            semanticTargetChange: sem.best.targetChange, semanticLeakage: sem.best.leakage,
                            rareSynthesised: rare.count, rareKeptAfterProjection: keptW.count,
                            projectionPSNR: Statistics.mean(psnrs),
                            originalValidationAccuracy: Double(base.provenance["validation_accuracy"] ?? "") ?? .nan,
                            correctedValidationAccuracy: fit.validationAccuracy,
                            cosineOriginalCorrected: Double(corrected.cosine(base)), seconds: Date().timeIntervalSince(t0))
        return (corrected, report)
    }
}
