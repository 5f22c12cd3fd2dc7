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
    /// The strip shows steps -radius...+radius (widened to include the current step).
    static let stripRadius = 3
}
