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

/// Runs `body` with `count` floats of scratch (contents unspecified).
@inline(__always)
func withScratch<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
    let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
    defer { p.deallocate() }
    return try body(p)
}
