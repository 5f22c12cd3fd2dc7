import Foundation
import SC2Engine
import Tensor

/// The answer to a `RenderRequest`.
struct RenderResult: Sendable {
    let request: RenderRequest
    /// The unedited seed (step 0): the baseline for the score changes.
    let base: Picture
    /// The edited picture of every method that has a direction.
    let pictures: [DirectionMethod: Picture]
    /// Time spent generating (0 when everything came from the cache).
    let seconds: Double
    /// The block the pictures stop at (nil: the full resolution): a refinement replaces what is
    /// on screen only when it stops later.
    var stopAt: Int? = nil
    /// A preview: pictures stopped at an earlier block and unscored; the full-resolution
    /// result of the same request follows.
    var refining: Bool { stopAt != nil || gridPending }
    /// The grid view's faces follow in a second result of the same request (this one has none).
    var gridPending = false
    /// A refinement to the pane's resolution (between the preview and the full image).
    var pane = false
    /// The grid view: per seed of `request.gridSeeds`, the unedited picture and every method's edit.
    var grid: GridPictures? = nil
    /// The trajectory chart's scores as far as the cache held them when the pictures were made.
    var trajectory: Trajectory? = nil

    struct GridPictures: Sendable {
        let seeds: [UInt32]
        let base: [Picture]
        let edited: [DirectionMethod: [Picture]]
    }

    /// Whether this result shows more of `other`'s request than `other` does.
    func refines(_ other: RenderResult) -> Bool {
        request.generation == other.request.generation && other.refining
            && ((stopAt ?? .max) > (other.stopAt ?? .max) || (other.gridPending && !gridPending && stopAt == other.stopAt))
    }
}
