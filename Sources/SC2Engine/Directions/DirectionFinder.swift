import Foundation
import Tensor

/// A base method that finds a direction for one attribute from latent codes and scores.
public protocol DirectionFinder: Sendable {
    var name: String { get }
    /// codes: n rows of w; positive: label per row. Returns an unnormalised normal and the
    /// accuracy on the held-out rows.
    func fit(train: [[Float]], trainLabels: [Bool], validation: [[Float]], validationLabels: [Bool]) -> (normal: [Float], validationAccuracy: Double)
}
