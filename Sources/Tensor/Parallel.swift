import Dispatch

/// Runs `body(i)` for i in 0..<count on all cores when the work is large enough to pay for it.
@inline(__always)
public func parallelFor(_ count: Int, minWorkPerItem work: Int = 1 << 16, _ body: (Int) -> Void) {
    if count <= 1 || count * work < (1 << 17) {
        for i in 0..<count { body(i) }
    } else {
        DispatchQueue.concurrentPerform(iterations: count, execute: body)
    }
}
