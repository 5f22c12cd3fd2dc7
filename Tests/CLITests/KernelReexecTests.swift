import Foundation
import XCTest

/// Where OpenBLAS does not recognise the CPU, sc2gan re-executes itself with a better kernel. The
/// process must keep its name then (`ps`, `top`, `pkill sc2gan`, and the tmux tests that look for
/// it), and its arguments. SC2GAN_BLAS_REEXEC=force takes that path on any machine.
final class KernelReexecTests: XCTestCase {
    func testReexecutedProcessKeepsItsNameAndArguments() throws {
        let r = try CLI.run(["kernel"], environment: ["SC2GAN_BLAS_REEXEC": "force", "OPENBLAS_CORETYPE": ""])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("re-executed with OPENBLAS_CORETYPE="), r.stdout)
        XCTAssertTrue(r.stdout.contains("process name             sc2gan\n"), r.stdout)

        // Without the re-execution the same lines say so.
        // The caller's kernel, without an inherited SC2GAN_BLAS_REEXEC (a suite run with `force`
        // exported would override the caller's choice, as `force` is meant to; any value marks a re-exec).
        let plain = try CLI.run(["kernel"], environment: ["OPENBLAS_CORETYPE": "Haswell"], removing: ["SC2GAN_BLAS_REEXEC"])
        XCTAssertTrue(plain.stdout.contains("OPENBLAS_CORETYPE=Haswell (set by the caller)"), plain.stdout)
        XCTAssertTrue(plain.stdout.contains("OpenBLAS kernel in use   Haswell"), plain.stdout)
        XCTAssertTrue(plain.stdout.contains("process name             sc2gan\n"), plain.stdout)
    }

    /// `kernel --recommended` prints one OPENBLAS_CORETYPE name or nothing: what the scripts read.
    func testRecommendedIsOneWordOrNothing() throws {
        let r = try CLI.run(["kernel", "--recommended"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let text = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(text.isEmpty || ["SkylakeX", "Haswell"].contains(text), r.stdout)
    }
}
