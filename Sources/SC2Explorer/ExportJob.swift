import Foundation
import SC2Engine

/// Everything an export needs besides the generator: what is on screen and where it goes.
struct ExportJob: Sendable {
    let request: RenderRequest
    let directory: URL
    let modelPath: String
    let modelHash: String
    let config: GeneratorConfig
    let classifierPath: String?
    let classifierHash: String?
    /// Names of the classifier's outputs, in score order.
    let attributes: [String]
    /// The predictor's --define attributes ("old=not:Young"), for the reproducing command.
    var definitions: [String] = []
    /// The predictor is an external scoring program (`classifierPath` its command line).
    var classifierIsScorer = false
    /// Which generator of the model file, and the direction library the panes walk, for the
    /// reproducing command.
    var generatorChoice: GeneratorChoice = .ema
    var directionsPath: String?
    /// The base method whose directions the panes walk (`ExplorerState.base`).
    var base: String = DirectionLibrary.defaultBase
    /// The band of rows the panes edit ("rows 0-3 (coarse, 4-8 px)"; nil: each direction's own)
    /// and how many `r` presses reach it.
    var rows: String?
    var rowPresses = 0
    /// In the grid view: its faces as on screen, and the correlated attribute whose flips it marks.
    var grid: RenderResult.GridPictures? = nil
    var gridCorrelated: String? = nil
    /// The strip shows steps -radius...+radius (widened to include the current step).
    static let stripRadius = 3
}
