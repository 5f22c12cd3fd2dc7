import Foundation
import XCTest

/// README.md is the user's document: every environment variable the code reads is in its
/// environment table, and it stays short enough to read (the lab notebook lives in docs/).
final class ReadmeEnvironmentTests: XCTestCase {
    /// The package root, from this file's place in it (Tests/CLITests/<this file>).
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let maxLines = 250

    func testEveryEnvironmentVariableTheCodeReadsIsInTheReadmeTable() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let documented = try Self.environmentTable(readme)
        XCTAssertFalse(documented.isEmpty, "README.md has no environment table")

        let read = try Self.variablesReadByTheCode()
        XCTAssertTrue(read.keys.contains("SC2GAN_ASSETS"), "the scan found none of the known variables: \(read.keys.sorted())")
        for (name, files) in read.sorted(by: { $0.key < $1.key }) where !documented.contains(name) {
            XCTFail("\(name) is read by \(files.sorted().joined(separator: ", ")) but is not in README.md's environment table")
        }
    }

    func testReadmeIsShort() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        var lines = readme.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        XCTAssertLessThanOrEqual(lines.count, Self.maxLines, "README.md has \(lines.count) lines; move detail into docs/")
    }

    func testTheScanFindsEachWayOfReadingAVariable() {
        let source = """
        let a = ProcessInfo.processInfo.environment["SC2GAN_ONE"]
        let env = ProcessInfo.processInfo.environment; let b = env["TWO"]
        let c = getenv("THREE"); setenv("SC2GAN_FOUR", "1", 1)
        if Context.environment["FIVE"] == "1" {}
        let name = "OPENBLAS_SIX"
        let other = metadata["source"]
        """
        XCTAssertEqual(Self.variables(in: source), ["SC2GAN_ONE", "TWO", "THREE", "SC2GAN_FOUR", "FIVE", "OPENBLAS_SIX"])
    }

    func testTheTableParserReadsTheFirstColumnOnly() throws {
        let readme = """
        # x

        ## Environment

        | variable | read by | default | what it does |
        |---|---|---|---|
        | `A_B` | sc2gan | unset | see `NOT_THIS` |
        | `LANG`, `LC_ALL` | explore | the system's | locale |

        ## Next

        | `AFTER` | not the table |
        """
        XCTAssertEqual(try Self.environmentTable(readme), ["A_B", "LANG", "LC_ALL"])
    }

    // MARK: - Scanning

    /// Environment keys in Swift source: subscripts of `environment` / `env` / `environ`,
    /// getenv/setenv/unsetenv calls, and any string literal that is exactly an SC2GAN_ or
    /// OPENBLAS_ name (however it reaches the environment).
    static let patterns: [NSRegularExpression] = [
        #"\b(?:environment|env|environ)\s*\[\s*"([A-Za-z_][A-Za-z0-9_]*)""#,
        #"\b(?:getenv|setenv|unsetenv)\s*\(\s*"([A-Za-z_][A-Za-z0-9_]*)""#,
        #""((?:SC2GAN|OPENBLAS)_[A-Z0-9_]+)""#,
    ].map { try! NSRegularExpression(pattern: $0) }

    static func variables(in source: String) -> [String] {
        var found: [(Int, String)] = []
        let range = NSRange(source.startIndex..., in: source)
        for pattern in patterns {
            for m in pattern.matches(in: source, range: range) {
                guard let r = Range(m.range(at: 1), in: source) else { continue }
                found.append((m.range.location, String(source[r])))
            }
        }
        var seen = Set<String>()
        return found.sorted { $0.0 < $1.0 }.map(\.1).filter { seen.insert($0).inserted }
    }

    /// Every .swift file under Sources/ and Fuzz/, and Package.swift (read at build time).
    static func variablesReadByTheCode() throws -> [String: Set<String>] {
        var files: [URL] = [root.appendingPathComponent("Package.swift")]
        for folder in ["Sources", "Fuzz"] {
            let dir = root.appendingPathComponent(folder)
            guard let walker = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) else { continue }
            for case let url as URL in walker where url.pathExtension == "swift" { files.append(url) }
        }
        XCTAssertGreaterThan(files.count, 10, "found too few Swift files under \(root.path)")
        var read: [String: Set<String>] = [:]
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let relative = String(file.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
            for name in variables(in: text) { read[name, default: []].insert(relative) }
        }
        return read
    }

    /// The names in the first column of the table under README's "## Environment" heading
    /// (each backticked name in that cell), nothing else in the file.
    static func environmentTable(_ readme: String) throws -> Set<String> {
        let lines = readme.components(separatedBy: "\n")
        guard let start = lines.firstIndex(where: { $0.hasPrefix("## ") && $0.dropFirst(3).trimmingCharacters(in: .whitespaces) == "Environment" }) else {
            XCTFail("README.md has no \"## Environment\" section")
            return []
        }
        var names = Set<String>()
        var inTable = false
        let backticked = try NSRegularExpression(pattern: "`([A-Za-z_][A-Za-z0-9_]*)`")
        for line in lines[(start + 1)...] {
            if line.hasPrefix("#") { break }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("|") else {
                if inTable { break }   // the first table of the section only
                continue
            }
            let cells = trimmed.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count > 2 else { continue }
            let first = cells[1]
            if !inTable { inTable = true; continue }                       // the header row
            if first.allSatisfy({ $0 == "-" || $0 == ":" }) { continue }   // the separator row
            let range = NSRange(first.startIndex..., in: first)
            for m in backticked.matches(in: first, range: range) {
                if let r = Range(m.range(at: 1), in: first) { names.insert(String(first[r])) }
            }
        }
        return names
    }
}
