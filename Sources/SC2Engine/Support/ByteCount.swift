import Foundation

/// A byte count that saturates at Int.max instead of overflowing.
package struct ByteCount {
    package private(set) var value = 0

    /// Adds the product of `factors`.
    mutating func add(_ factors: Int...) {
        var product = 1
        for f in factors {
            let (p, overflow) = product.multipliedReportingOverflow(by: max(f, 0))
            if overflow { value = Int.max; return }
            product = p
        }
        let (sum, overflow) = value.addingReportingOverflow(product)
        value = overflow ? Int.max : sum
    }

    /// The larger of the two counts.
    mutating func keepMax(_ other: ByteCount) { value = max(value, other.value) }
}
