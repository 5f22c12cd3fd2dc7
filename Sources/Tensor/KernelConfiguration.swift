import Foundation
import Synchronization
import SIMDKernels

/// Which convolution algorithm the kernels use.
public enum ConvolutionAlgorithm: String, Sendable, CaseIterable {
    /// Per layer, by the measured cost model (`Conv.prefersWinograd`, `Conv.prefersUpWinograd`).
    case automatic = "auto"
    /// im2col + GEMM (and the direct FIR up-convolution) for every layer.
    case direct
    /// Winograd for every layer it applies to.
    case winograd
}

/// The widest vector instructions the element-wise kernels use (Winograd transforms, the
/// up-convolution's filter): SSE is the Swift kernels; AVX2 (8 lanes) and AVX-512 (16 lanes) are
/// the SIMDKernels instances, taken when the CPU has them. GEMM is OpenBLAS's own choice.
public enum VectorISA: String, Sendable, Comparable, CaseIterable {
    case sse, avx2, avx512

    public static func < (a: VectorISA, b: VectorISA) -> Bool { a.level < b.level }

    /// 0, 1, 2: the order of `allCases`, and SIMDKernels' `sc2_simd_cpu_level`.
    var level: Int { VectorISA.allCases.firstIndex(of: self)! }

    /// What this CPU (and its OS) supports.
    public static let detected: VectorISA = {
        #if arch(x86_64)
        return allCases[Int(sc2_simd_cpu_level())]
        #else
        return .sse
        #endif
    }()

    /// Lanes of the wide instance (SIMDKernels) for rows of `count` values (tiles, or pixels): 16 with
    /// AVX-512, 8 with AVX2, when the kernels may use them (`KernelConfiguration.vectorISA`) and a row
    /// fills them; 0: the Swift kernels (SSE).
    static func wideLanes(filling count: Int) -> Int {
        let isa = KernelConfiguration.vectorISA
        if isa >= .avx512 && count >= 16 { return 16 }
        if isa >= .avx2 && count >= 8 { return 8 }
        return 0
    }
}

/// How the kernels run: how many threads their parallel loops and split GEMMs use, and which
/// convolution algorithm they pick. The program that uses the library chooses (sc2gan at
/// start-up, from its command line and environment) and installs it once with `install`; the
/// library itself reads no environment. Without `install`, every core and `.automatic`.
public struct KernelConfiguration: Sendable, Equatable {
    public var workers: Int
    public var convolution: ConvolutionAlgorithm
    /// The widest vectors the element-wise kernels may use (capped by what the CPU has).
    public var vectorLimit: VectorISA

    public init(workers: Int = ProcessInfo.processInfo.activeProcessorCount, convolution: ConvolutionAlgorithm = .automatic,
                vectorLimit: VectorISA = .avx512) {
        self.workers = max(1, workers)
        self.convolution = convolution
        self.vectorLimit = vectorLimit
    }

    /// The configuration the kernels use now.
    public static var current: KernelConfiguration {
        KernelConfiguration(workers: workerCount.load(ordering: .relaxed),
                            convolution: ConvolutionAlgorithm.allCases[convolutionIndex.load(ordering: .relaxed)],
                            vectorLimit: VectorISA.allCases[vectorLimitIndex.load(ordering: .relaxed)])
    }

    /// Makes `configuration` the one every later kernel call uses (call it before any work).
    public static func install(_ configuration: KernelConfiguration) {
        workerCount.store(configuration.workers, ordering: .relaxed)
        convolutionIndex.store(ConvolutionAlgorithm.allCases.firstIndex(of: configuration.convolution)!, ordering: .relaxed)
        vectorLimitIndex.store(configuration.vectorLimit.level, ordering: .relaxed)
    }

    /// The vector instructions the kernels use now: the configured limit, or less if the CPU has less.
    public static var vectorISA: VectorISA {
        min(VectorISA.detected, VectorISA.allCases[vectorLimitIndex.load(ordering: .relaxed)])
    }

    static var workers: Int { workerCount.load(ordering: .relaxed) }
    static var convolution: ConvolutionAlgorithm { ConvolutionAlgorithm.allCases[convolutionIndex.load(ordering: .relaxed)] }
}

private let workerCount = Atomic<Int>(max(1, ProcessInfo.processInfo.activeProcessorCount))
private let convolutionIndex = Atomic<Int>(0)
private let vectorLimitIndex = Atomic<Int>(VectorISA.allCases.count - 1)
