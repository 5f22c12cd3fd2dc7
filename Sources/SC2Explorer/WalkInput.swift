import Foundation
import SC2Engine
import Tensor

/// One pane's walk: a method and its direction (nil when it is not available).
struct WalkInput: Sendable {
    let method: DirectionMethod
    let direction: Direction?
    /// Fingerprint of the direction (the picture cache's key); nil when there is none.
    let id: String?
}
