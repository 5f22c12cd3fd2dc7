import Foundation
import Tensor

/// A base method that learns from the whole population of codes, each with the attribute's
/// score, rather than from InterFaceGAN's two extreme classes. SC²'s re-fit hands it the dense
/// population with the rare samples added (and, when they replace dense samples, those removed).
public protocol PopulationFinder: DirectionFinder {
    /// A direction from `codes` and the attribute's score per code; `fit` says how well it
    /// tracks the attribute on them (for GANSpace, |Pearson r| of projection and score).
    func fit(population codes: [[Float]], scores: [Float]) -> (normal: [Float], fit: Double)
}

/// GANSpace (Härkönen et al. 2020) as a base method of the correction: the principal
/// components of the population's w, and of the first `candidates` the one whose projection
/// correlates most with the attribute's score, signed so that the attribute grows along it.
/// Unsupervised up to that choice: the labels pick a component, they do not shape it. SC²'s
/// re-fit recomputes the PCA with the rare samples in the population (and the choice with
/// their scores).
public struct GANSpacePopulationFinder: PopulationFinder {
    public var name: String { "ganspace" }
    public var candidates = 20
    public init(candidates: Int = 20) { self.candidates = candidates }

    public func fit(population codes: [[Float]], scores: [Float]) -> (normal: [Float], fit: Double) {
        precondition(codes.count == scores.count && codes.count > 1, "a PCA needs at least two codes, each with a score")
        let d = codes[0].count
        let pca = GANSpacePCA(codes: Tensor(shape: [codes.count, d], data: codes.flatMap { $0 }), components: candidates)
        let (k, r) = pca.tracking(codes: codes, scores: scores, candidates: candidates)
        return (r < 0 ? pca.components[k].map { -$0 } : pca.components[k], abs(r))
    }

    /// On two classes alone (a file's direction re-fitted with `--learner ganspace`): the
    /// population is the classes, the scores their labels.
    public func fit(train: [[Float]], trainLabels: [Bool], validation: [[Float]], validationLabels: [Bool]) -> (normal: [Float], validationAccuracy: Double) {
        let (normal, _) = fit(population: train, scores: trainLabels.map { $0 ? 1 : 0 })
        return (normal, PopulationFit.accuracy(normal, train: train, trainLabels: trainLabels, validation: validation, validationLabels: validationLabels))
    }
}

enum PopulationFit {
    /// Among the first `candidates` of `vectors`, the one whose projection of `codes`
    /// correlates most (in absolute value) with `scores`, and that Pearson r (its sign: whether
    /// the vector lowers the attribute). GANSpace's and SeFa's choice of component.
    static func tracking(_ vectors: [[Float]], codes: [[Float]], scores: [Float], candidates: Int) -> (index: Int, correlation: Double) {
        let s = scores.map(Double.init)
        var best = (index: 0, correlation: 0.0)
        for k in 0..<min(candidates, vectors.count) {
            let r = Statistics.pearson(codes.map { Double(LinearAlgebra.dot($0, vectors[k])) }, s)
            if r.isFinite, abs(r) > abs(best.correlation) { best = (k, r) }
        }
        return best
    }

    /// How well `normal` separates the validation codes, with the threshold halfway between
    /// the training classes' mean projections (NaN without validation codes).
    static func accuracy(_ normal: [Float], train: [[Float]], trainLabels: [Bool], validation: [[Float]], validationLabels: [Bool]) -> Double {
        guard !validation.isEmpty else { return .nan }
        func mean(_ label: Bool) -> Double {
            let p = zip(train, trainLabels).filter { $0.1 == label }.map { Double(LinearAlgebra.dot($0.0, normal)) }
            return Statistics.mean(p)
        }
        let mid = (mean(true) + mean(false)) / 2
        let correct = zip(validation, validationLabels).filter { (Double(LinearAlgebra.dot($0.0, normal)) > mid) == $0.1 }.count
        return Double(correct) / Double(validation.count)
    }
}

/// SeFa (Shen and Zhou 2021) as a base method of the correction: the generator's own
/// factorisation (the eigenvectors of its style weights, on `layers` when given, as its authors
/// factorise them), and of the first `candidates` the component whose projection of the
/// population correlates most with the attribute's score, signed so that it raises it. The
/// components come from the weights, not the codes: SC²'s re-fit can change only which one is
/// chosen (the rare samples' scores enter the correlation).
public struct SeFaFinder: PopulationFinder {
    public var name: String { "sefa" }
    public let components: [SeFa.Component]
    public var candidates = 20
    public init(components: [SeFa.Component], candidates: Int = 20) {
        self.components = components; self.candidates = candidates
    }

    public func fit(population codes: [[Float]], scores: [Float]) -> (normal: [Float], fit: Double) {
        precondition(!components.isEmpty && codes.count == scores.count && codes.count > 1, "SeFa needs components and at least two scored codes")
        let (k, r) = PopulationFit.tracking(components.map(\.vector), codes: codes, scores: scores, candidates: candidates)
        let v = components[k].vector
        return (r < 0 ? v.map { -$0 } : v, abs(r))
    }

    public func fit(train: [[Float]], trainLabels: [Bool], validation: [[Float]], validationLabels: [Bool]) -> (normal: [Float], validationAccuracy: Double) {
        let (normal, _) = fit(population: train, scores: trainLabels.map { $0 ? 1 : 0 })
        return (normal, PopulationFit.accuracy(normal, train: train, trainLabels: trainLabels, validation: validation, validationLabels: validationLabels))
    }
}
