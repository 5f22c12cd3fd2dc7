import Foundation

/// How much memory one network (generator or predictor) may ask for, and saturating byte counts
/// to compare against it. Files state sizes; nothing is allocated before the sum of what they
/// state has been checked here.
public enum ResourceLimits {
    /// Most bytes one network may need for one image, from SC2GAN_MEMORY_LIMIT_MB when set,
    /// else three quarters of the machine's memory (at least 1 GiB).
    public static var memoryBytes: Int {
        if let text = ProcessInfo.processInfo.environment["SC2GAN_MEMORY_LIMIT_MB"], let mb = Int(text), mb > 0 {
            return mb.multipliedReportingOverflow(by: 1 << 20).overflow ? Int.max : mb << 20
        }
        let physical = Int(clamping: ProcessInfo.processInfo.physicalMemory)
        return max(1 << 30, physical / 4 * 3)
    }

    /// Throws a one-line error naming `what` when `bytes` exceeds the limit.
    static func check(_ bytes: ByteCount, _ what: String, source: String) throws {
        let limit = memoryBytes
        guard bytes.value <= limit else {
            throw SC2Error("\(source): \(what) would need about \(bytes.value >> 20) MiB for one image, more than the limit of \(limit >> 20) MiB (SC2GAN_MEMORY_LIMIT_MB raises it)")
        }
    }
}
