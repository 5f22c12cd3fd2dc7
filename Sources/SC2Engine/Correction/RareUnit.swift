import Foundation

/// A fixed block of `SC2Pipeline.unitSources` sources on one side (target to switch on, or off),
/// taken in the synthesis order: what each gave, and, for those that gave a rare sample, its
/// re-projection into W. The blocks do not depend on how many processes share the work, so
/// the pipeline's result is the same whether one process computes them as it goes or the
/// shards of a cluster job compute them ahead. Numbers are kept as bit patterns, so a unit read
/// back from a file is exactly the unit that was computed.
public struct RareUnit: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        /// Dense index of the source.
        public var source: Int
        /// The classifier accepted one of its candidates (a rare sample was synthesised).
        public var accepted: Bool
        /// Its re-projection kept the rare combination.
        public var kept: Bool
        var psnrBits: UInt64
        var wBits: [UInt32]
        var scoreBits: [UInt32]

        /// Re-projection PSNR (accepted sources only).
        public var psnr: Double { Double(bitPattern: psnrBits) }
        /// The re-projected w and its scores (accepted sources only).
        public var w: [Float] { wBits.map(Float.init(bitPattern:)) }
        public var scores: [Float] { scoreBits.map(Float.init(bitPattern:)) }

        init(source: Int) { self.source = source; accepted = false; kept = false; psnrBits = 0; wBits = []; scoreBits = [] }

        init(source: Int, kept: Bool, psnr: Double, w: [Float], scores: [Float]) {
            self.source = source; accepted = true; self.kept = kept
            psnrBits = psnr.bitPattern; wBits = w.map(\.bitPattern); scoreBits = scores.map(\.bitPattern)
        }
    }

    public var positive: Bool
    public var index: Int
    public var entries: [Entry]

    public func encoded() throws -> Data { try JSONEncoder().encode(self) }

    public static func decode(_ data: Data) throws -> RareUnit { try JSONDecoder().decode(RareUnit.self, from: data) }
}
