import Foundation
import SC2Engine
import TerminalUI

/// What a frame shows besides `ExplorerState`: the model, the directions of the current
/// attribute, the newest pictures and any background work.
struct ExplorerView {
    var modelName: String
    var modelHash: String
    var resolution: Int
    var truncation: Float
    /// The classifier's outputs in score order (empty without a classifier).
    var scoreNames: [String]
    /// Shown instead of score bars when there is no classifier.
    var classifierNote: String?
    var slots: [DirectionMethod: DirectionSlot] = [:]
    /// The base method the slots belong to (`DirectionLibrary.defaultBase`: InterFaceGAN's SVM).
    var base: String = DirectionLibrary.defaultBase
    /// The band of W+ rows every pane edits ("rows 0-3 (coarse, 4-8 px)"); nil: each its own.
    var rows: String?
    var result: RenderResult?
    /// A request is waiting for its pictures.
    var rendering = false
    var job: DirectionJob.Snapshot?
    var jobMethods: [DirectionMethod] = []
    /// Equal effect: each method's calibrated α per step (empty: not calibrated, equal α).
    var stepAlphas: [DirectionMethod: Float] = [:]
    /// Scores along every walk for the trajectory chart (nil: none yet).
    var trajectory: Trajectory?
    /// The grid's seeds (the original's calibration faces: validation seeds without the target)
    /// and the correlated attribute it marks (the one the original moved most there).
    var gridSeeds: [UInt32] = []
    var correlated: String?
}
