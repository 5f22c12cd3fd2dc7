import Dispatch

/// Runs `body(i)` for i in 0..<count on all cores when the work is large enough to pay for it;
/// `parallel: false` runs it on the calling thread (for kernels already running one per core).
@inline(__always)
package func parallelFor(_ count: Int, minWorkPerItem work: Int = 1 << 16, parallel: Bool = true, _ body: (Int) -> Void) {
    if !parallel || count <= 1 || count * work < (1 << 17) {
        for i in 0..<count { body(i) }
    } else {
        runConcurrently(count, body)
    }
}

/// The kernels' one way onto several threads: `body(i)` for i in 0..<count, side by side.
///
/// The kernels pass raw pointers into their closures, which Swift cannot prove safe to share; the
/// promise the compiler cannot check is made here, once: every caller has each index read shared
/// inputs and write only its own disjoint part of the output (a column block, a row chunk, one
/// of 16 Winograd products), and all of it is done when this returns.
@inline(__always)
package func runConcurrently(_ count: Int, _ body: (Int) -> Void) {
    withoutActuallyEscaping(body) { body in
        nonisolated(unsafe) let shared = body
        DispatchQueue.concurrentPerform(iterations: count) { shared($0) }
    }
}

/// Runs `body` with `count` floats of scratch (contents unspecified), aligned to a cache line: the
/// wide kernels' 64-byte vectors at multiples of 16 floats from it then never straddle two lines
/// (malloc's 16-byte alignment split every one of them). Plain malloc, 15 floats more, rounded up
/// by hand: an aligned allocation (posix_memalign) fragments the heap (config-f 256's peak went
/// from 773 to 827 MiB).
@inline(__always)
func withScratch<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
    let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1) + 15)
    defer { p.deallocate() }
    let misalignment = Int(bitPattern: p) & 63
    return try body(p + (misalignment == 0 ? 0 : (64 - misalignment) / MemoryLayout<Float>.stride))
}
