import Foundation
import SC2Engine
import Tensor

/// What the UI wants to see: one seed, walked `step` steps along every available direction.
/// `generation` grows with every request; the worker only ever answers the newest one.
struct RenderRequest: Sendable {
    let generation: Int
    let seed: UInt32
    let truncation: Float
    let attribute: String?
    let step: Int
    let stepSize: Float
    let walks: [WalkInput]
    /// Pixels along the longer side of the largest picture the screen shows (nil: unknown). On a
    /// model too slow to render at once, the pictures are first refined to this resolution.
    var paneSide: Int? = nil

    /// The edit strength of `step` steps.
    func alpha(at step: Int) -> Float { Float(step) * stepSize }
    var alpha: Float { alpha(at: step) }
}
