import Foundation
import SC2Engine
import Tensor

/// One pane's walk: a method and its direction (nil when it is not available).
struct WalkInput: Sendable {
    let method: DirectionMethod
    let direction: Direction?
    /// Fingerprint of the direction (the picture cache's key); nil when there is none.
    let id: String?
    /// α of one step along this walk (equal effect: calibrated per direction); nil: the request's `stepSize`.
    var stepSize: Float? = nil
}
