import Dispatch
import Synchronization

/// Optional per-layer and per-phase accounting for `sc2gan bench --profile`: wall time per named
/// layer (with the GEMM time and FLOPs `GEMMStats` counted inside it) and wall time per kernel
/// phase (Winograd transforms, im2col, epilogue, FIR, resampling). Off by default: one atomic
/// load per measured region when off. Layers run one after another, so the GEMM counts inside a
/// layer are the difference of `GEMMStats.totals` around it; phases inside a parallel region
/// count their wall time on the calling thread only.
public enum KernelProfile {
    public struct Layer: Sendable {
        public var name: String
        public var kind: String
        public var seconds: Double = 0
        public var gemmSeconds: Double = 0
        public var gemmFlops: Double = 0
        public var calls = 0
        /// The fastest single call (robust to a shared machine's noise).
        public var best = Double.infinity
    }

    public static var enabled: Bool {
        get { profileEnabled.load(ordering: .relaxed) }
        set {
            profileEnabled.store(newValue, ordering: .relaxed)
            if newValue { GEMMStats.enabled = true }
        }
    }

    public static func reset() { profileState.withLock { $0 = State() } }

    /// Layers in the order they were first seen.
    public static var layers: [Layer] { profileState.withLock { s in s.order.map { s.layers[$0]! } } }
    /// Phases: name -> (seconds, calls), in the order first seen.
    public static var phases: [(name: String, seconds: Double, calls: Int)] {
        profileState.withLock { s in s.phaseOrder.map { (name: $0, seconds: s.phases[$0]!.0, calls: s.phases[$0]!.1) } }
    }

    /// Runs `body` as layer `name` (of kind `kind`), timing it when profiling is on.
    @inline(__always)
    public static func layer<R>(_ name: @autoclosure () -> String, kind: @autoclosure () -> String, _ body: () throws -> R) rethrows -> R {
        guard enabled else { return try body() }
        let (f0, s0) = GEMMStats.totals
        let t0 = DispatchTime.now().uptimeNanoseconds
        let r = try body()
        let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
        let (f1, s1) = GEMMStats.totals
        let key = name(), k = kind()
        profileState.withLock { s in
            if s.layers[key] == nil { s.layers[key] = Layer(name: key, kind: k); s.order.append(key) }
            s.layers[key]!.seconds += dt
            s.layers[key]!.gemmSeconds += s1 - s0
            s.layers[key]!.gemmFlops += f1 - f0
            s.layers[key]!.calls += 1
            s.layers[key]!.best = min(s.layers[key]!.best, dt)
        }
        return r
    }

    /// Runs `body` as kernel phase `name`, timing it when profiling is on. `share` divides the
    /// time counted: a phase that runs on each of `w` workers side by side passes 1/w.
    @inline(__always)
    public static func phase<R>(_ name: StaticString, share: Double = 1, _ body: () throws -> R) rethrows -> R {
        guard enabled else { return try body() }
        let t0 = DispatchTime.now().uptimeNanoseconds
        let r = try body()
        let dt = share * Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
        let key = "\(name)"
        profileState.withLock { s in
            if s.phases[key] == nil { s.phases[key] = (0, 0); s.phaseOrder.append(key) }
            s.phases[key]!.0 += dt
            s.phases[key]!.1 += 1
        }
        return r
    }

    struct State {
        var layers: [String: Layer] = [:]
        var order: [String] = []
        var phases: [String: (Double, Int)] = [:]
        var phaseOrder: [String] = []
    }
}

private let profileEnabled = Atomic<Bool>(false)
private let profileState = Mutex<KernelProfile.State>(KernelProfile.State())
