import Foundation
import XCTest

/// The helper that runs children for the CLI tests: it must not deadlock on a chatty child.
final class CLITestSupportTests: XCTestCase {
    /// A child that writes 1.2 MB to stderr before anything to stdout: read one pipe after the
    /// other, the child blocks on the full stderr pipe while the helper waits for stdout's end.
    /// `timeout` ends the child after 20 s so that a deadlocked helper fails this test (status
    /// 124, stderr cut short) instead of hanging the run.
    func testBothPipesAreDrainedAtOnce() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        p.arguments = ["20", "/bin/sh", "-c", "head -c 1200000 /dev/zero | tr '\\0' e >&2; echo out; head -c 70000 /dev/zero | tr '\\0' o; exit 3"]
        let start = Date()
        let (status, stdout, stderr) = try CLI.capture(p)
        XCTAssertEqual(status, 3)
        XCTAssertEqual(stderr.count, 1_200_000)
        XCTAssertTrue(stderr.allSatisfy { $0 == UInt8(ascii: "e") })
        XCTAssertEqual(stdout.count, 4 + 70_000)
        XCTAssertEqual(stdout.prefix(4), Data("out\n".utf8))
        XCTAssertLessThan(Date().timeIntervalSince(start), 15)
    }
}
