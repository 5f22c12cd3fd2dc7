/// The frozen seed ranges: which seeds may be used for what. Every figure docs/EVALUATION.md quotes as a
/// result comes from `test`; every default, threshold, generator snapshot and probe was chosen
/// on `fit` and `validation` seeds. Nothing outside the evaluation command draws from `test`.
///
///     fit         0 ..< 1,000,000            dense sets; restart r of an evaluation uses the
///                                            r-th block of `samples` seeds (disjoint blocks)
///     validation  1,000,000 ..< 10,000,000   choosing defaults and generators (the probes of
///                                            docs/HISTORY.md used 1,000,000 and 7,300,000)
///     test        10,000,000 ..< 11,000,000  docs/EVALUATION.md's tables only
public enum SeedRanges {
    public static let fit: Range<UInt32> = 0..<1_000_000
    public static let validation: Range<UInt32> = 1_000_000..<10_000_000
    public static let test: Range<UInt32> = 10_000_000..<11_000_000

    public enum Split: String, Sendable, CaseIterable, Codable {
        case validation, test
        public var range: Range<UInt32> { self == .test ? SeedRanges.test : SeedRanges.validation }
    }

    /// The dense seeds of restart `restart`: the restart-th block of `count` fit seeds.
    public static func dense(restart: Int, count: Int) throws -> [UInt32] {
        let start = UInt64(restart) * UInt64(count), end = start + UInt64(count)
        guard restart >= 0, count > 0, end <= UInt64(fit.upperBound) else {
            throw SC2Error("restart \(restart) with \(count) samples each runs past the fit range (seeds 0-\(fit.upperBound - 1)); use fewer restarts or samples")
        }
        return (UInt32(start)..<UInt32(end)).map { $0 }
    }

    /// The first `count` seeds of `split` (held-out candidates; the evaluation filters them).
    public static func heldOut(_ split: Split, count: Int) throws -> [UInt32] {
        let r = split.range
        guard count > 0, UInt64(count) <= UInt64(r.count) else {
            throw SC2Error("\(count) held-out seeds do not fit the \(split.rawValue) range (\(r.count) seeds)")
        }
        return (r.lowerBound..<(r.lowerBound + UInt32(count))).map { $0 }
    }
}
