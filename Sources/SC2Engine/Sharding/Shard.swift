import Foundation

/// One slice of a job split into `count` parts: `--shard K/N` (K from 0). Work is cut into
/// units of a fixed size that does not depend on N, and shard K takes the contiguous units
/// [K·U/N, (K+1)·U/N), so any N gives the same units and merging them gives one process's result.
package struct Shard: Sendable, Equatable, CustomStringConvertible {
    package let index: Int
    package let count: Int

    package init(index: Int, count: Int) throws {
        let input = UserInput.shard("\(index)/\(count)")
        guard count >= 1, count <= 100_000 else { throw SC2Error(input, "N must be 1-100000 (got \(count))") }
        guard index >= 0, index < count else { throw SC2Error(input, "K must be 0-\(count - 1) for N = \(count) (got \(index))") }
        self.index = index; self.count = count
    }

    /// "K/N".
    package init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else {
            throw SC2Error(.shard(text), "is not K/N (e.g. 0/4: the first of four shards)")
        }
        try self.init(index: k, count: n)
    }

    package var description: String { "\(index)/\(count)" }

    /// This shard's units of `total`.
    package func units(of total: Int) -> Range<Int> {
        (index * total / count)..<((index + 1) * total / count)
    }
}
