import Foundation
import Tensor

/// A predictor with extra attributes defined as the opposite of one of its own: `old` as not
/// `Young` scores P(old) = 1 - P(Young). The new names come after the predictor's own, so that
/// every command, the sample cache and the explorer treat them as ordinary outputs
/// (`--define old=not:Young`, or `old=~Young`).
public struct DerivedAttributes: AttributePredictor {
    public let base: any AttributePredictor
    /// (new name, index of the attribute it negates in `base`).
    public let negations: [(name: String, of: Int)]

    /// `definitions`: "NAME=not:ATTR" or "NAME=~ATTR"; ATTR is looked up as any attribute name
    /// (exact, FaceWorld spelling, or differing only in case). Throws one line per mistake.
    public init(_ base: any AttributePredictor, definitions: [String]) throws {
        self.base = base
        var names = base.attributes
        var negations: [(String, Int)] = []
        for d in definitions {
            func fail(_ why: String) -> SC2Error { SC2Error(.attributeDefinition(d), why) }
            let parts = d.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { throw fail("expected NAME=not:ATTR (or NAME=~ATTR)") }
            let (name, rule) = (parts[0], parts[1])
            let source: String
            if rule.lowercased().hasPrefix("not:") { source = String(rule.dropFirst(4)).trimmingCharacters(in: .whitespaces) }
            else if rule.hasPrefix("~") { source = String(rule.dropFirst()).trimmingCharacters(in: .whitespaces) }
            else { throw fail("only negations can be defined: NAME=not:ATTR (or NAME=~ATTR)") }
            guard (1...200).contains(name.count), !name.contains(","), !name.contains(":") else {
                throw fail("NAME must be 1-200 characters without ',' or ':'")
            }
            guard !names.contains(where: { $0.lowercased() == name.lowercased() }) else { throw fail("\(name.quotedForMessage) is already an attribute") }
            let i: Int
            do { i = try AttributeLookup.index(of: source, in: base.attributes) } catch { throw fail("\(error)") }
            negations.append((name, i))
            names.append(name)
        }
        self.negations = negations
        attributes = names
    }

    public let attributes: [String]
    public var inputSize: Int { base.inputSize }
    public var domain: String? { base.domain }
    public var path: String { base.path }
    /// The definitions in the form --define takes, one per defined attribute ("old=not:Young").
    public var definitions: [String] { negations.map { "\($0.name)=not:\(base.attributes[$0.of])" } }
    public var identity: String { base.identity + definitions.map { "+" + $0 }.joined() }

    public func probabilities(generated images: Tensor) throws -> [[Float]] {
        try base.probabilities(generated: images).map { row in row + negations.map { 1 - row[$0.of] } }
    }
}
