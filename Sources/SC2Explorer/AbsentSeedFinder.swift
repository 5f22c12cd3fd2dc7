import Foundation
import SC2Engine

/// Finds seeds on which an attribute is absent, so that stepping Right visibly adds it: the
/// explorer opens on one and n/p move to the next one. Scores one seed at a time at the
/// explorer's truncation, within a time budget, so a large model never stalls a key press.
package struct AbsentSeedFinder {
    let generator: Generator
    let classifier: any AttributePredictor
    let truncation: Float
    /// Below this probability the attribute counts as absent.
    var threshold: Float = 0.3
    /// Most seeds tried per search, and most seconds spent.
    var maxTries = 64
    var budget: TimeInterval = 0.3

    package init(generator: Generator, classifier: any AttributePredictor, truncation: Float) {
        self.generator = generator; self.classifier = classifier; self.truncation = truncation
    }

    /// The probability of `attribute` on `seed` (nil for an attribute the classifier lacks).
    func probability(_ attribute: String, seed: UInt32) -> Float? {
        guard let a = classifier.index(of: attribute) else { return nil }
        return (try? classifier.probabilities(generated: generator.generate(seeds: [seed], truncation: truncation)))?[0][a]
    }

    /// The first seed from `start` (stepping forward or back, wrapping) on which `attribute` is
    /// absent; `start` itself when none is found within the budget or the classifier lacks it.
    package func firstAbsent(_ attribute: String, from start: UInt32, forward: Bool = true) -> UInt32 {
        guard classifier.index(of: attribute) != nil else { return start }
        let deadline = Date().addingTimeInterval(budget)
        var seed = start
        for _ in 0..<maxTries {
            if let p = probability(attribute, seed: seed), p < threshold { return seed }
            if Date() > deadline { break }
            seed = forward ? seed &+ 1 : seed &- 1
        }
        return start
    }
}
