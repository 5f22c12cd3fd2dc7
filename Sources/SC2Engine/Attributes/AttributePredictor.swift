import Foundation
import Tensor

/// Anything that says which attributes a generated face has: FaceWorld's CNN, a torchvision
/// ResNet read from the files people have, or an external program (`--scorer`). Sampling, the
/// correction, the evaluation and the explorer all score images through this one interface.
public protocol AttributePredictor: Sendable {
    /// Output names in the predictor's own spelling and order.
    var attributes: [String] { get }
    /// The side (px) of the images it reads; images of other sizes are resized by the predictor.
    /// Synthesis never needs to go beyond the first resolution at or above it.
    var inputSize: Int { get }
    /// The images it was trained on ("faceworld"), or nil when it does not say (any model).
    var domain: String? { get }
    /// Where it came from, for messages: a file path or a command line.
    var path: String { get }
    /// Changes whenever the scores could change (file contents, command, settings): caches of
    /// scored samples are keyed by it.
    var identity: String { get }
    /// P(attribute present), [N][attributes], for generator output [N, 3, H, W] in [-1, 1].
    /// Throws when the predictor cannot answer (an external scorer that died); never returns
    /// a partial batch.
    func probabilities(generated images: Tensor) throws -> [[Float]]
}

extension AttributePredictor {
    /// The output index of `name`, or a one-line error listing the predictor's attributes.
    public func requiredIndex(of name: String) throws -> Int {
        try AttributeLookup.index(of: name, in: attributes)
    }

    public func index(of name: String) -> Int? { try? requiredIndex(of: name) }
}
