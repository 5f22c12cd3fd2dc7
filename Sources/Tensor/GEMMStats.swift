import Foundation
import Synchronization

/// Optional accounting of time and FLOPs spent inside `gemm` (for the benchmark's "share of GEMM
/// peak inside the synthesis convolutions"). Off by default: one atomic load per call when off.
package enum GEMMStats {
    /// Whether `gemm` and the Winograd products count their work.
    package static var enabled: Bool {
        get { statsEnabled.load(ordering: .relaxed) }
        set { statsEnabled.store(newValue, ordering: .relaxed) }
    }

    package static func reset() { statsTotals.withLock { $0 = (0, 0) } }
    package static var totals: (flops: Double, seconds: Double) { statsTotals.withLock { $0 } }

    /// Adds work timed by the caller (products run side by side: `seconds` is wall time).
    static func add(flops f: Double, seconds dt: Double) {
        statsTotals.withLock { $0.flops += f; $0.seconds += dt }
    }

    /// Runs `body` (products worth `flops`) and counts its wall time; `sideBySide`: the caller runs
    /// on one core while the others run the same kind of work, so each core's share is counted.
    @inline(__always) static func timed<R>(flops: Double, sideBySide: Bool, _ body: () -> R) -> R {
        guard enabled else { return body() }
        let t0 = DispatchTime.now().uptimeNanoseconds
        let r = body()
        let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
        add(flops: flops, seconds: sideBySide ? dt / Double(BLASRuntime.workers) : dt)
        return r
    }

    @inline(__always) static func record(m: Int, n: Int, k: Int, start: UInt64) {
        let dt = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        add(flops: 2 * Double(m) * Double(n) * Double(k), seconds: dt)
    }
}

private let statsEnabled = Atomic<Bool>(false)
private let statsTotals = Mutex<(flops: Double, seconds: Double)>((0, 0))
