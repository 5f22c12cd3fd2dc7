import Foundation
import SC2Engine

/// The hook through which the explorer's `c` key reaches the SC² correction pipeline (the same
/// engine call as `sc2gan correct`, with its default options).
package enum CorrectedDirections {
    package static let provider: CorrectedDirectionProvider? = { ctx in
        try SC2Pipeline(generator: ctx.generator, classifier: ctx.classifier)
            .correct(attribute: ctx.attribute, dense: ctx.samples, original: ctx.original) { stage, done, total in
                ctx.progress(Double(done) / Double(max(total, 1)), "SC²: \(stage.title)")
            }.direction
    }
}
