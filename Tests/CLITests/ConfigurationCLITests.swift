import Foundation
import XCTest

/// The environment sc2gan reads at start-up reaches the engine through its configuration (the
/// libraries read none of it themselves).
final class ConfigurationCLITests: XCTestCase {
    func testMemoryLimitFromTheEnvironmentRefusesALargeModel() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("x.png").path
        let r = try CLI.run(["generate", "--seeds", "0", "--out", out], environment: ["SC2GAN_MEMORY_LIMIT_MB": "1"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("more than the limit of 1 MiB (SC2GAN_MEMORY_LIMIT_MB raises it)"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        let ok = try CLI.run(["generate", "--seeds", "0", "--out", out], environment: ["SC2GAN_MEMORY_LIMIT_MB": "4096"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
    }

    /// SC2GAN_CONV forces an algorithm (the kernels' configuration says so, and generation works
    /// either way), and an unknown value is named and ignored.
    func testConvolutionChoiceFromTheEnvironment() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = try CLI.run(["kernel"], environment: ["SC2GAN_CONV": "fft"])
        XCTAssertEqual(bad.status, 0, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("SC2GAN_CONV=fft is not auto, direct or winograd; using auto"), bad.stderr)
        XCTAssertTrue(bad.stdout.contains("convolutions             auto\n"), bad.stdout)
        for conv in ["direct", "winograd"] {
            let k = try CLI.run(["kernel"], environment: ["SC2GAN_CONV": conv])
            XCTAssertTrue(k.stdout.contains("convolutions             \(conv)\n"), k.stdout)
            let r = try CLI.run(["generate", "--seeds", "3", "--out", dir.appendingPathComponent("\(conv).png").path],
                                environment: ["SC2GAN_CONV": conv])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertFalse(r.stderr.contains("SC2GAN_CONV"), r.stderr)
        }
    }
}
