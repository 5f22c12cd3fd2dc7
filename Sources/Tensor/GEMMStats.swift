import Foundation

/// Optional accounting of time and FLOPs spent inside `gemm` (for the benchmark's "share of GEMM
/// peak inside the synthesis convolutions"). Off by default: one branch per call when off.
public enum GEMMStats {
    nonisolated(unsafe) public static var enabled = false
    nonisolated(unsafe) static var flops: Double = 0
    nonisolated(unsafe) static var seconds: Double = 0
    static let lock = NSLock()

    public static func reset() { lock.lock(); flops = 0; seconds = 0; lock.unlock() }
    public static var totals: (flops: Double, seconds: Double) { lock.lock(); defer { lock.unlock() }; return (flops, seconds) }

    /// Adds work timed by the caller (products run side by side: `seconds` is wall time).
    static func add(flops f: Double, seconds dt: Double) {
        lock.lock(); flops += f; seconds += dt; lock.unlock()
    }

    @inline(__always) static func record(m: Int, n: Int, k: Int, start: UInt64) {
        let dt = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        lock.lock(); flops += 2 * Double(m) * Double(n) * Double(k); seconds += dt; lock.unlock()
    }
}
