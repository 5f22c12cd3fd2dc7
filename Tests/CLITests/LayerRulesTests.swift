import Foundation
import XCTest

/// The layer rules of docs/ARCHITECTURE.md, checked on the sources: the libraries read no
/// environment, no /proc and change no process-wide state (signal handling, locale); only the
/// executable does, at start-up. And no target sets compiler flags a dependent package would
/// refuse.
final class LayerRulesTests: XCTestCase {
    private let libraries = ["Tensor", "SC2Engine", "SC2Explorer", "TerminalUI", "TerminalCurses", "SC2Fuzzing"]
    private let forbidden = ["processInfo.environment", "ProcessInfo.processInfo.arguments", "getenv(", "setenv(",
                             "\"/proc/", "signal(SIG", "signal(signo", "sigaction(", "setlocale(LC_ALL, \"\")",
                             "CommandLine.arguments", "nonisolated(unsafe) public static var", "nonisolated(unsafe) static var"]

    /// Code lines (comments dropped) of every Swift file under Sources/NAME.
    private func codeLines(of target: String) throws -> [(file: String, line: Int, text: String)] {
        let dir = CLI.packageRoot.appendingPathComponent("Sources/\(target)")
        guard let files = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) else { return [] }
        var out: [(String, Int, String)] = []
        for case let url as URL in files where url.pathExtension == "swift" {
            let text = try String(contentsOf: url, encoding: .utf8)
            for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = raw.trimmingCharacters(in: .whitespaces)
                if line.hasPrefix("//") { continue }
                let code = line.components(separatedBy: " // ").first ?? line
                out.append((url.path.replacingOccurrences(of: CLI.packageRoot.path + "/", with: ""), i + 1, code))
            }
        }
        return out
    }

    func testLibrariesReadNoEnvironmentAndChangeNoProcessState() throws {
        var found: [String] = []
        for target in libraries {
            for (file, line, code) in try codeLines(of: target) {
                for pattern in forbidden where code.contains(pattern) { found.append("\(file):\(line): \(pattern)") }
            }
        }
        XCTAssertEqual(found, [], "libraries must take these from the executable")
        // The rule is not vacuous: the executable does read its environment.
        XCTAssertTrue(try codeLines(of: "sc2gan").contains { $0.text.contains("processInfo.environment") })
    }

    func testPackageSetsNoUnsafeFlagsOnLibrariesAndUsesSwift6() throws {
        let manifest = try String(contentsOf: CLI.packageRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        // The only unsafeFlags allowed: the fuzzing executable's, which exists only when SC2GAN_FUZZ=1.
        let unsafe = manifest.components(separatedBy: "\n").filter { $0.contains(".unsafeFlags(") }
        XCTAssertTrue(unsafe.allSatisfy { $0.contains("sc2gan-fuzz") || $0.contains("-parse-as-library") }, "\(unsafe)")
        XCTAssertTrue(manifest.contains("swiftLanguageModes: [.v6]"))
        XCTAssertFalse(manifest.contains(".v5"))
    }
}
