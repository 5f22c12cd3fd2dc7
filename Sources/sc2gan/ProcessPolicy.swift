import Foundation
import SC2Engine
import Tensor
#if canImport(Glibc)
import Glibc
#endif

/// What the sc2gan process decides for itself before any work, in one place: the OpenBLAS
/// kernel, the engine's worker count and glibc's allocator settings. Libraries do none of this.
enum ProcessPolicy {
    static func apply() {
        reexecWithTunedKernelIfNeeded()
        let configuration = Configuration.current
        KernelConfiguration.install(configuration.kernel)
        ResourceLimits.install(memoryLimitBytes: configuration.memoryLimitBytes, howToRaise: "SC2GAN_MEMORY_LIMIT_MB raises it")
        if let text = configuration.unknownConvolution {
            FileHandle.standardError.write(Data("sc2gan: SC2GAN_CONV=\(text) is not auto, direct or winograd; using auto\n".utf8))
        }
        if let text = configuration.unknownVectorISA {
            FileHandle.standardError.write(Data("sc2gan: SC2GAN_SIMD=\(text) is not sse, avx2 or avx512; using the widest this CPU has\n".utf8))
        }
        if configuration.tuneMalloc { tuneMalloc() }
    }

    /// The running executable's real path (/proc/self/exe resolved), nil where there is none.
    static func executablePath() -> URL? {
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: target)
        }
        guard let first = CommandLine.arguments.first else { return nil }
        return URL(fileURLWithPath: first).resolvingSymlinksInPath()
    }

    /// The OpenBLAS core type this CPU deserves, from /proc/cpuinfo (nil: unknown, or no better
    /// than what OpenBLAS chooses itself).
    static func recommendedCoreType() -> String? {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        return BLASRuntime.recommendedCoreType(cpuinfo: info)
    }

    /// OpenBLAS picks its kernel when the library loads, and on VMs that hide the CPU model it
    /// falls back to a slower one (Prescott, or Haswell on AVX-512 machines), up to 4-5x slower.
    /// OPENBLAS_CORETYPE fixes that but must be set before the library loads: when the user has
    /// not chosen a kernel and the loaded one is weaker than the CPU allows, the process
    /// re-executes itself once with the right value. SC2GAN_BLAS_REEXEC=force re-executes even
    /// where OpenBLAS chose well (the tests take this path on every machine).
    static func reexecWithTunedKernelIfNeeded() {
        let env = ProcessInfo.processInfo.environment
        let forced = env["SC2GAN_BLAS_REEXEC"] == "force"
        if !forced {
            if let set = env["OPENBLAS_CORETYPE"], !set.isEmpty { return }    // the user's choice wins
            if env["SC2GAN_BLAS_REEXEC"] != nil { return }                    // tried once already
        }
        let best = recommendedCoreType()
        guard forced || best.map({ BLASRuntime.rank($0) > BLASRuntime.rank(BLASRuntime.kernel) }) == true,
              let executable = executablePath() else { return }
        setenv("OPENBLAS_CORETYPE", best ?? BLASRuntime.kernel, 1)
        setenv("SC2GAN_BLAS_REEXEC", "1", 1)
        var args = CommandLine.arguments.map { strdup($0) }
        args.append(nil)
        // Through the executable's real path, not /proc/self/exe: the kernel names the process
        // after the file executed, and `ps`, `top` and `pkill sc2gan` should see "sc2gan".
        execv(executable.path, args)
        // exec failed: carry on with the slow kernel rather than not at all.
    }

    /// glibc serves blocks above its mmap threshold (at most 32 MB, adapted at run time) by fresh
    /// mappings and gives freed heap tops back to the system; the activations of a 1024x1024
    /// generation (up to 128 MB per image and layer) then come back as new pages every layer, and
    /// the page faults took ~10% of the run (466k faults per image; 150k with these settings,
    /// 0.79 -> 0.94 images/s). So the heap keeps large blocks and up to 1 GB of free top for
    /// reuse (256 MB measured 10% slower at 1024). SC2GAN_MALLOC=system keeps glibc's defaults.
    static func tuneMalloc() {
        #if os(Linux)
        // mallopt is not in Swift's Glibc module: look it up. Parameters from <malloc.h>.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let sym = dlsym(dlopen(nil, RTLD_NOW), "mallopt") else { return }
        let mallopt = unsafeBitCast(sym, to: Mallopt.self)
        let M_TRIM_THRESHOLD: Int32 = -1, M_MMAP_THRESHOLD: Int32 = -3
        _ = mallopt(M_MMAP_THRESHOLD, 1 << 30)
        _ = mallopt(M_TRIM_THRESHOLD, 1 << 30)
        #endif
    }
}
