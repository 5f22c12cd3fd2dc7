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
    /// The steps the trajectory chart shows (nil: no chart; the worker computes none).
    var chartSteps: ClosedRange<Int>? = nil
    /// The grid view's seeds (nil: no grid), each walked `step` steps along every direction.
    var gridSeeds: [UInt32]? = nil

    /// The edit strength of `step` steps (equal α: every walk's).
    func alpha(at step: Int) -> Float { Float(step) * stepSize }
    var alpha: Float { alpha(at: step) }
    /// The edit strength of `step` steps along `walk` (its own step under equal effect).
    func alpha(_ walk: WalkInput, at step: Int) -> Float { Float(step) * (walk.stepSize ?? stepSize) }
    /// The α each method's pane shows now.
    func alpha(of method: DirectionMethod) -> Float {
        walks.first { $0.method == method }.map { alpha($0, at: step) } ?? alpha
    }
    /// Whether the walks step by α of their own (equal effect).
    var perWalkSteps: Bool { walks.contains { $0.stepSize != nil } }
}
