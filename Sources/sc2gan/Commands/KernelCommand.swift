import ArgumentParser
import Foundation
import Tensor

/// `sc2gan kernel`: which OpenBLAS kernel this process runs and which one this CPU deserves. The
/// one place that decides the kernel: sc2gan re-executes itself with it, and scripts that run
/// other programs linking OpenBLAS (the tests, PyTorch in the benchmarks) ask here.
struct KernelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernel",
        abstract: "Show the OpenBLAS kernel in use and the one recommended for this CPU.",
        discussion: """
        sc2gan re-executes itself once with OPENBLAS_CORETYPE set when OpenBLAS loads a weaker \
        kernel than the CPU supports (on machines whose CPU model it does not recognise). \
        Scripts that start other programs linking OpenBLAS use \
        `export OPENBLAS_CORETYPE=$(sc2gan kernel --recommended)`.
        """)

    @Flag(help: "Print only the recommended OPENBLAS_CORETYPE, or nothing when OpenBLAS's own choice is as good.")
    var recommended = false

    func run() throws {
        let best = ProcessPolicy.recommendedCoreType()
        if recommended {
            if let best { print(best) }
            return
        }
        print("OpenBLAS kernel in use   \(BLASRuntime.kernel)")
        print("recommended for this CPU \(best ?? "(OpenBLAS's own choice)")")
        print("engine threads           \(BLASRuntime.threads)")
        print("convolutions             \(KernelConfiguration.current.convolution.rawValue)")
        if let comm = try? String(contentsOfFile: "/proc/self/comm", encoding: .utf8) {
            print("process name             \(comm.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        let set = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
        if ProcessInfo.processInfo.environment["SC2GAN_BLAS_REEXEC"] != nil {
            print("re-executed with OPENBLAS_CORETYPE=\(set ?? "")")
        } else if let set, !set.isEmpty {
            print("OPENBLAS_CORETYPE=\(set) (set by the caller)")
        }
    }
}
