import Foundation

/// What the SC² correction decides before it synthesises anything (stage 1 of `SC2Pipeline`):
/// the base direction, the correlated attributes, the W+ rows and the step sizes. The synthesis
/// units and the re-fit need only this and the dense set, so a cluster job computes it once,
/// saves it, and its shards read it back. Every number is kept as a bit pattern: a plan read back
/// from its file is exactly the plan that was made.
public struct CorrectionPlan: Codable, Sendable, Equatable {
    public var attribute: String
    public var correlated: [String]
    /// The base direction (its vector's bits in `baseBits`: JSON's decimal floats are not trusted
    /// to round-trip).
    public var base: Direction
    var baseBits: [UInt32]
    public var rows: [Int]
    var rowTargetChangeBits: UInt64
    var rowLeakageBits: UInt64
    public var rowChoice: String
    var rowYieldBits: UInt64?
    var alphaBits: [UInt32]
    /// The dense set's cache key and the pipeline options the plan was made with: a plan is
    /// refused with other samples or other options.
    public var denseKey: String
    public var optionsKey: String

    init(attribute: String, correlated: [String], base: Direction, window: SemanticLayers.Window, rowChoice: String,
         rowYield: Double?, alphas: [Float], denseKey: String, optionsKey: String) {
        self.attribute = attribute; self.correlated = correlated; self.base = base
        baseBits = base.vector.map(\.bitPattern)
        rows = window.rows
        rowTargetChangeBits = window.targetChange.bitPattern; rowLeakageBits = window.leakage.bitPattern
        self.rowChoice = rowChoice; rowYieldBits = rowYield?.bitPattern
        alphaBits = alphas.map(\.bitPattern)
        self.denseKey = denseKey; self.optionsKey = optionsKey
    }

    /// The base direction exactly as it was made.
    public var baseDirection: Direction {
        var d = base
        d.vector = baseBits.map(Float.init(bitPattern:))
        return d
    }

    public var rowTargetChange: Double { Double(bitPattern: rowTargetChangeBits) }
    public var rowLeakage: Double { Double(bitPattern: rowLeakageBits) }
    public var rowYield: Double? { rowYieldBits.map(Double.init(bitPattern:)) }
    public var alphas: [Float] { alphaBits.map(Float.init(bitPattern:)) }

    public func encoded() throws -> Data {
        let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try enc.encode(self)
    }

    public static func decode(_ data: Data, source: String) throws -> CorrectionPlan {
        do { return try JSONDecoder().decode(CorrectionPlan.self, from: data) } catch {
            throw SC2Error("\(source): not a correction plan (\(error.localizedDescription))")
        }
    }
}
