import Foundation
import SC2Engine

/// What the SC² pipeline gets when the explorer asks it for a corrected direction.
package struct CorrectionContext: Sendable {
    let attribute: String
    let generator: Generator
    let classifier: any AttributePredictor
    /// Where the explorer's directions live (the original direction is there once computed).
    let library: DirectionLibrary
    /// The dense sample set the original and conditional directions were fitted on.
    let samples: SampleSet
    /// The base direction the correction starts from, when known.
    let original: Direction?
    /// Reports progress (0...1) and a short phase name; may be called from any thread.
    let progress: @Sendable (Double, String) -> Void
}

/// Computes the SC² corrected direction of one attribute (runs on a background thread).
package typealias CorrectedDirectionProvider = @Sendable (CorrectionContext) throws -> Direction
