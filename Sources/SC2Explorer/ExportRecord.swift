import Foundation
import SC2Engine

/// The JSON written next to the pictures: enough to reproduce every one of them.
struct ExportRecord: Codable {
    struct Model: Codable {
        let path: String
        let hash: String
        let resolution: Int
        let zDim: Int
        let wDim: Int
        let numWs: Int
    }

    struct ClassifierInfo: Codable {
        let path: String
        let hash: String
        let attributes: [String]
    }

    /// One picture: its step along the walk, alpha, and the classifier's scores.
    struct Frame: Codable {
        let step: Int
        let alpha: Float
        let scores: [String: Float]?
    }

    /// One method's walk: its direction (vector, layers, provenance) and its pictures.
    struct Walk: Codable {
        /// "original", "conditional" or "corrected".
        let method: String
        /// The method's name in direction files (interfacegan, conditional, sc2).
        let methodID: String
        let available: Bool
        let direction: Direction?
        /// The pane's picture at the current step (file name in the same folder).
        let image: String?
        /// Row of this walk in the strip (0-based), nil when absent.
        let stripRow: Int?
        /// The strip's pictures of this walk, left to right.
        let frames: [Frame]
    }

    let createdBy: String
    let createdAt: String
    let model: Model
    let classifier: ClassifierInfo?
    let seed: UInt32
    let truncation: Float
    let noise: String
    let attribute: String?
    /// Edit: w+ = mapping(z(seed)) truncated, plus alpha * direction on the direction's layers
    /// (all rows when `layers` is null); alpha = step * stepSize.
    let edit: String
    let stepSize: Float
    let step: Int
    let alpha: Float
    /// Columns of the strip, left to right.
    let steps: [Int]
    let strip: String
    /// The unedited picture (step 0): the baseline of every score change.
    let baseImage: String
    let base: Frame
    let walks: [Walk]
    /// The grid view's picture (`<stem>.grid.png`), when exported from the grid view.
    var grid: String? = nil
    /// The shell command line (every word quoted as needed) that opens the explorer on this
    /// view, with the keys that lead on to the step as a comment (`Exporter.reproduceLine`).
    let reproduce: String
}
