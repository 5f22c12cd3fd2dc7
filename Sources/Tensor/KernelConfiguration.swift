import Foundation
import Synchronization

/// Which convolution algorithm the kernels use.
public enum ConvolutionAlgorithm: String, Sendable, CaseIterable {
    /// Per layer, by the measured cost model (`Conv.prefersWinograd`, `Conv.prefersUpWinograd`).
    case automatic = "auto"
    /// im2col + GEMM (and the direct FIR up-convolution) for every layer.
    case direct
    /// Winograd for every layer it applies to.
    case winograd
}

/// How the kernels run: how many threads their parallel loops and split GEMMs use, and which
/// convolution algorithm they pick. The program that uses the library chooses (sc2gan at
/// start-up, from its command line and environment) and installs it once with `install`; the
/// library itself reads no environment. Without `install`, every core and `.automatic`.
public struct KernelConfiguration: Sendable, Equatable {
    public var workers: Int
    public var convolution: ConvolutionAlgorithm

    public init(workers: Int = ProcessInfo.processInfo.activeProcessorCount, convolution: ConvolutionAlgorithm = .automatic) {
        self.workers = max(1, workers)
        self.convolution = convolution
    }

    /// The configuration the kernels use now.
    public static var current: KernelConfiguration {
        KernelConfiguration(workers: workerCount.load(ordering: .relaxed),
                            convolution: ConvolutionAlgorithm.allCases[convolutionIndex.load(ordering: .relaxed)])
    }

    /// Makes `configuration` the one every later kernel call uses (call it before any work).
    public static func install(_ configuration: KernelConfiguration) {
        workerCount.store(configuration.workers, ordering: .relaxed)
        convolutionIndex.store(ConvolutionAlgorithm.allCases.firstIndex(of: configuration.convolution)!, ordering: .relaxed)
    }

    static var workers: Int { workerCount.load(ordering: .relaxed) }
    static var convolution: ConvolutionAlgorithm { ConvolutionAlgorithm.allCases[convolutionIndex.load(ordering: .relaxed)] }
}

private let workerCount = Atomic<Int>(max(1, ProcessInfo.processInfo.activeProcessorCount))
private let convolutionIndex = Atomic<Int>(0)
