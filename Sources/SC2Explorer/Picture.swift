import Foundation
import SC2Engine
import Tensor

/// A generated picture and the classifier's scores for it (nil without a classifier).
struct Picture: Sendable {
    let image: RGBImage
    let scores: [Float]?
}
