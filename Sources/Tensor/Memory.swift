import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// glibc serves blocks above its mmap threshold (at most 32 MB, adapted at run time) by fresh
/// mappings and gives freed heap tops back to the system; the activations of a 1024x1024
/// generation (up to 128 MB per image and layer) then come back as new pages every layer, and
/// the page faults (zero-fill and cgroup accounting) took ~10% of the run (466k faults per
/// image; 150k with the settings below, 0.79 -> 0.94 images/s). So the heap keeps large blocks
/// and up to `trim` bytes of free top for reuse. Process-wide, once, on Linux; $SC2GAN_MALLOC=system
/// leaves glibc's defaults.
public enum MemoryTuning {
    /// Free heap top kept (1 GB; 256 MB measured 10% slower at 1024x1024).
    static let trim = 1 << 30

    private static let configured: Void = {
        #if os(Linux)
        guard ProcessInfo.processInfo.environment["SC2GAN_MALLOC"] != "system" else { return }
        // mallopt is not in Swift's Glibc module: look it up. Parameters from <malloc.h>.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let sym = dlsym(dlopen(nil, RTLD_NOW), "mallopt") else { return }
        let mallopt = unsafeBitCast(sym, to: Mallopt.self)
        let M_TRIM_THRESHOLD: Int32 = -1, M_MMAP_THRESHOLD: Int32 = -3
        _ = mallopt(M_MMAP_THRESHOLD, 1 << 30)
        _ = mallopt(M_TRIM_THRESHOLD, Int32(clamping: trim))
        #endif
    }()

    /// Applies the settings (idempotent; called by the convolution kernels and `gemm`).
    @inline(__always) public static func configureOnce() { _ = configured }
}
