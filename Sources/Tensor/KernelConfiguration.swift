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
public enum VectorISA: Int, Sendable, Comparable, CaseIterable {
    case sse = 0, avx2 = 1, avx512 = 2

    public static func < (a: VectorISA, b: VectorISA) -> Bool { a.rawValue < b.rawValue }

    /// What this CPU (and its OS) supports.
    public static let detected: VectorISA = {
        #if arch(x86_64)
        return VectorISA(rawValue: Int(sc2_simd_cpu_level())) ?? .sse
        #else
        return .sse
        #endif
    }()

    public var name: String { ["sse", "avx2", "avx512"][rawValue] }
    public init?(name: String) { guard let v = VectorISA.allCases.first(where: { $0.name == name }) else { return nil }; self = v }
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
                            vectorLimit: VectorISA(rawValue: vectorLimitIndex.load(ordering: .relaxed))!)
    }

    /// Makes `configuration` the one every later kernel call uses (call it before any work).
    public static func install(_ configuration: KernelConfiguration) {
        workerCount.store(configuration.workers, ordering: .relaxed)
        convolutionIndex.store(ConvolutionAlgorithm.allCases.firstIndex(of: configuration.convolution)!, ordering: .relaxed)
        vectorLimitIndex.store(configuration.vectorLimit.rawValue, ordering: .relaxed)
    }

    /// The vector instructions the kernels use now: the configured limit, or less if the CPU has less.
    public static var vectorISA: VectorISA {
        min(VectorISA.detected, VectorISA(rawValue: vectorLimitIndex.load(ordering: .relaxed))!)
    }

    static var workers: Int { workerCount.load(ordering: .relaxed) }
    static var convolution: ConvolutionAlgorithm { ConvolutionAlgorithm.allCases[convolutionIndex.load(ordering: .relaxed)] }
}

private let workerCount = Atomic<Int>(max(1, ProcessInfo.processInfo.activeProcessorCount))
private let convolutionIndex = Atomic<Int>(0)
private let vectorLimitIndex = Atomic<Int>(VectorISA.avx512.rawValue)
