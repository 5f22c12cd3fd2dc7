import Foundation
import Tensor

/// Computes the original and conditional directions of an attribute from a sample set with one
/// base method (InterFaceGAN's SVM unless told otherwise); the corrected one comes from the SC²
/// pipeline.
public struct DirectionBuilder: Sendable {
    public let samples: SampleSet
    public var fitter = DirectionFitter()
    /// The method of `original` and so of the conditions a conditional direction projects out.
    public var finder: any DirectionFinder = InterFaceGANFinder()
    /// Attributes whose |phi| with the target reaches this are conditioned on.
    public var conditionThreshold = 0.2

    public init(samples: SampleSet) { self.samples = samples }

    public func original(_ attribute: String) throws -> Direction {
        try fitter.fit(finder, attribute: attribute, codes: samples.codes, scores: try samples.scores(of: attribute),
                       provenance: samples.provenance).direction
    }

    /// The attributes most correlated with `attribute` in the samples (at least one).
    public func correlated(with attribute: String) throws -> [String] {
        guard let a = samples.attributes.firstIndex(of: attribute) else { _ = try samples.scores(of: attribute); return [] }
        let phi = samples.labelCorrelation()[a]
        let others = samples.attributes.indices.filter { $0 != a }.sorted { abs(phi[$0]) > abs(phi[$1]) }
        let strong = others.filter { abs(phi[$0]) >= conditionThreshold }
        return (strong.isEmpty ? Array(others.prefix(1)) : strong).map { samples.attributes[$0] }
    }

    /// InterFaceGAN's conditional manipulation of `attribute`: its original direction with the
    /// originals of `conditions` (default: the correlated attributes) projected out. The
    /// condition directions come from `conditionDirection` when given (e.g. stored ones), else
    /// are fitted on the samples. The one place the conditional direction is made.
    public func conditional(_ attribute: String, original: Direction? = nil, conditions: [String]? = nil,
                            conditionDirection: ((String) throws -> Direction)? = nil) throws -> Direction {
        let n = try original ?? self.original(attribute)
        let names = try conditions ?? correlated(with: attribute)
        // A population method (GANSpace) has no conditional manipulation of its own: its
        // components are orthogonal, so projecting one attribute's component off another's
        // does nothing, or leaves nothing when both track the same one. The correlated
        // attributes' boundaries are InterFaceGAN's then, as in InterFaceGAN's conditional.
        var conditionBuilder = self
        if finder is any PopulationFinder { conditionBuilder.finder = InterFaceGANFinder() }
        let conds = try names.map { try conditionDirection?($0) ?? conditionBuilder.original($0) }
        return try ConditionalDirection.project(n, conditions: conds)
    }
}
