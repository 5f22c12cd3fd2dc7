import Foundation
import XCTest

/// An installed binary finds its assets where scripts/install.sh puts them
/// (PREFIX/bin/sc2gan, PREFIX/share/sc2gan/assets), and one without assets says in one line
/// where it looked and how to point it.
final class InstallLayoutTests: XCTestCase {
    private func run(_ binary: URL, _ args: [String], in dir: URL, environment extra: [String: String] = [:]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.currentDirectoryURL = dir
        var env = ProcessInfo.processInfo.environment
        env["SC2GAN_ASSETS"] = nil
        for (k, v) in extra { env[k] = v }
        p.environment = env
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let text = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: text, as: UTF8.self))
    }

    func testInstalledBinaryFindsItsAssetsAndALoneOneSaysWhereItLooked() throws {
        let prefix = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: prefix) }
        let bin = prefix.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let installed = bin.appendingPathComponent("sc2gan")
        try FileManager.default.copyItem(at: CLI.binary, to: installed)
        let out = prefix.appendingPathComponent("x.png").path

        // No assets anywhere it looks: one line, naming where it looked and SC2GAN_ASSETS.
        let (status, message) = try run(installed, ["generate", "--seeds", "1", "--out", out], in: prefix)
        XCTAssertNotEqual(status, 0)
        let lines = message.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, message)
        XCTAssertTrue(message.contains(prefix.appendingPathComponent("share/sc2gan/assets").path), message)
        XCTAssertTrue(message.contains("SC2GAN_ASSETS"), message)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))

        // A wrong SC2GAN_ASSETS is named as such.
        let (wrongStatus, wrong) = try run(installed, ["generate", "--seeds", "1", "--out", out], in: prefix,
                                           environment: ["SC2GAN_ASSETS": prefix.path])
        XCTAssertNotEqual(wrongStatus, 0)
        XCTAssertTrue(wrong.contains("SC2GAN_ASSETS=\(prefix.path)"), wrong)

        // The install layout: PREFIX/share/sc2gan/assets/faceworld.
        let share = prefix.appendingPathComponent("share/sc2gan/assets")
        try FileManager.default.createDirectory(at: share, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: share.appendingPathComponent("faceworld"),
                                                   withDestinationURL: CLI.packageRoot.appendingPathComponent("assets/faceworld"))
        let (okStatus, okMessage) = try run(installed, ["generate", "--seeds", "1", "--out", out], in: prefix)
        XCTAssertEqual(okStatus, 0, okMessage)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out))
    }
}
