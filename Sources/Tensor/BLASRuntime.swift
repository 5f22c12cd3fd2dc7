import Foundation
import CBLAS

/// OpenBLAS picks its kernel when the library loads. On VMs that hide the CPU model it falls
/// back to a slower kernel (Prescott, or Haswell on AVX-512 machines), up to 4-5x slower. `OPENBLAS_CORETYPE` fixes that but must
/// be set before the library loads, so executables call `reexecWithTunedKernelIfNeeded()` first
/// thing: if the user has not chosen a kernel and the loaded one is weaker than the CPU allows,
/// the process re-executes itself once with the right value.
public enum BLASRuntime {
    /// The kernel OpenBLAS is using, e.g. "SkylakeX", "Haswell", "Prescott".
    public static var kernel: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }

    /// Threads sc2gan uses for its own parallel loops and split GEMMs ($SC2GAN_THREADS, else
    /// the number of active cores).
    public static let workers: Int = {
        if let s = ProcessInfo.processInfo.environment["SC2GAN_THREADS"], let n = Int(s), n > 0 { return n }
        return ProcessInfo.processInfo.activeProcessorCount
    }()

    /// OpenBLAS itself runs single-threaded (see `gemm`).
    private static let configured: Void = { openblas_set_num_threads(1) }()
    @inline(__always) public static func configureOnce() { _ = configured; MemoryTuning.configureOnce() }

    public static var threads: Int { workers }

    /// The best OpenBLAS core type for this CPU, from /proc/cpuinfo flags; nil if unknown.
    public static func recommendedCoreType(cpuinfo: String? = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) -> String? {
        guard let info = cpuinfo,
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        let flags = Set(line.split(separator: " ").map(String.init))
        if ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"].allSatisfy(flags.contains) { return "SkylakeX" }
        if ["avx2", "fma"].allSatisfy(flags.contains) { return "Haswell" }
        return nil
    }

    /// Rough order of OpenBLAS x86 kernels by the instructions they use; unknown names rank 0.
    static func rank(_ kernel: String) -> Int {
        switch kernel.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": return 3
        case "haswell", "zen": return 2
        case "sandybridge": return 1
        default: return 0
        }
    }

    public static func reexecWithTunedKernelIfNeeded() {
        let env = ProcessInfo.processInfo.environment
        if let set = env["OPENBLAS_CORETYPE"], !set.isEmpty { return }    // the user's choice wins
        if env["SC2GAN_BLAS_REEXEC"] != nil { return }                    // tried once already
        guard let best = recommendedCoreType(), rank(best) > rank(kernel) else { return }
        setenv("OPENBLAS_CORETYPE", best, 1)
        setenv("SC2GAN_BLAS_REEXEC", "1", 1)
        var args = CommandLine.arguments.map { strdup($0) }
        args.append(nil)
        execv("/proc/self/exe", args)
        // exec failed: carry on with the slow kernel rather than not at all.
    }
}
