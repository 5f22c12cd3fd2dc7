import Foundation
import Synchronization

/// How much memory one network (generator or predictor) may ask for, and saturating byte counts
/// to compare against it. Files state sizes; nothing is allocated before the sum of what they
/// state has been checked here.
public enum ResourceLimits {
    /// Most bytes one network may need for one image: the limit installed by the program
    /// (sc2gan: SC2GAN_MEMORY_LIMIT_MB), else three quarters of the machine's memory (at least 1 GiB).
    public static var memoryBytes: Int {
        let installed = installedLimit.load(ordering: .relaxed)
        if installed > 0 { return installed }
        let physical = Int(clamping: ProcessInfo.processInfo.physicalMemory)
        return max(1 << 30, physical / 4 * 3)
    }

    /// Sets the limit every later check uses (nil: the default, from the machine's memory), and
    /// how the program's users raise it, said after a refusal (sc2gan: "SC2GAN_MEMORY_LIMIT_MB
    /// raises it").
    public static func install(memoryLimitBytes: Int?, howToRaise: String? = nil) {
        installedLimit.store(max(0, memoryLimitBytes ?? 0), ordering: .relaxed)
        raiseHint.withLock { $0 = howToRaise }
    }

    /// Throws a one-line error naming `what` when `bytes` exceeds the limit.
    static func check(_ bytes: ByteCount, _ what: String, source: String) throws {
        let limit = memoryBytes
        guard bytes.value <= limit else {
            let hint = raiseHint.withLock { $0 }.map { " (\($0))" } ?? ""
            throw SC2Error("\(source): \(what) would need about \(bytes.value >> 20) MiB for one image, more than the limit of \(limit >> 20) MiB\(hint)")
        }
    }
}

private let installedLimit = Atomic<Int>(0)
private let raiseHint = Mutex<String?>(nil)
