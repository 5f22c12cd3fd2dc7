import Foundation
import CBLAS

/// OpenBLAS picks its kernel when the library loads. On VMs that hide the CPU model it falls
/// back to its slowest (Prescott) kernels, 4-5x slower. `OPENBLAS_CORETYPE` fixes that but must
/// be set before the library loads, so executables call `reexecWithTunedKernelIfNeeded()` first
/// thing: if the user has not chosen a kernel and the loaded one is weaker than the CPU allows,
/// the process re-executes itself once with the right value.
public enum BLASRuntime {
    /// The kernel OpenBLAS is using, e.g. "SkylakeX", "Haswell", "Prescott".
    public static var kernel: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }

    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// The best OpenBLAS core type for this CPU, from /proc/cpuinfo flags; nil if unknown.
    public static func recommendedCoreType(cpuinfo: String? = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) -> String? {
        guard let info = cpuinfo,
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        let flags = Set(line.split(separator: " ").map(String.init))
        if ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"].allSatisfy(flags.contains) { return "SkylakeX" }
        if ["avx2", "fma"].allSatisfy(flags.contains) { return "Haswell" }
        return nil
    }

    /// Kernels OpenBLAS falls back to when it cannot identify the CPU.
    static let weakKernels: Set<String> = ["prescott", "core2", "nehalem", "atom", "katmai", "unknown", "penryn", "dunnington", "sandybridge"]

    public static func reexecWithTunedKernelIfNeeded() {
        let env = ProcessInfo.processInfo.environment
        if let set = env["OPENBLAS_CORETYPE"], !set.isEmpty { return }    // the user's choice wins
        if env["SC2GAN_BLAS_REEXEC"] != nil { return }                    // tried once already
        guard let best = recommendedCoreType(), weakKernels.contains(kernel.lowercased()) else { return }
        setenv("OPENBLAS_CORETYPE", best, 1)
        setenv("SC2GAN_BLAS_REEXEC", "1", 1)
        var args = CommandLine.arguments.map { strdup($0) }
        args.append(nil)
        execv("/proc/self/exe", args)
        // exec failed: carry on with the slow kernel rather than not at all.
    }
}
