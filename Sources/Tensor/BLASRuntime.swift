import Foundation
import CBLAS

/// The BLAS the kernels run on. Which kernel OpenBLAS loads (OPENBLAS_CORETYPE) and how many
/// workers the engine uses are the executable's decisions, made at start-up (sc2gan's
/// ProcessPolicy, `KernelConfiguration.install`); this library only reports them, ranks kernels
/// for a given CPU description, and keeps OpenBLAS itself single-threaded.
public enum BLASRuntime {
    /// The kernel OpenBLAS is using, e.g. "SkylakeX", "Haswell", "Prescott".
    public static var kernel: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }

    /// Threads the engine uses for its own parallel loops and split GEMMs
    /// (`KernelConfiguration.current.workers`).
    public static var workers: Int { KernelConfiguration.workers }

    /// OpenBLAS itself runs single-threaded (see `gemm`).
    private static let configured: Void = { openblas_set_num_threads(1) }()
    @inline(__always) public static func configureOnce() { _ = configured }

    public static var threads: Int { workers }

    /// The best OpenBLAS core type for a CPU, from the text of its /proc/cpuinfo (the caller reads
    /// it); nil if unknown.
    public static func recommendedCoreType(cpuinfo info: String) -> String? {
        guard let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        let flags = Set(line.split(separator: " ").map(String.init))
        if ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"].allSatisfy(flags.contains) { return "SkylakeX" }
        if ["avx2", "fma"].allSatisfy(flags.contains) { return "Haswell" }
        return nil
    }

    /// Rough order of OpenBLAS x86 kernels by the instructions they use; unknown names rank 0.
    public static func rank(_ kernel: String) -> Int {
        switch kernel.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": return 3
        case "haswell", "zen": return 2
        case "sandybridge": return 1
        default: return 0
        }
    }
}
