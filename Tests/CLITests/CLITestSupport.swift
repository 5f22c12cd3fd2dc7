import Foundation
import XCTest

/// Runs the built `sc2gan` binary as a user would (SC2GAN_BIN, else the one next to the tests).
struct CLI {
    struct Result { let status: Int32; let stdout: String; let stderr: String }

    static var binary: URL {
        if let p = ProcessInfo.processInfo.environment["SC2GAN_BIN"], FileManager.default.isExecutableFile(atPath: p) {
            return URL(fileURLWithPath: p)
        }
        // The test bundle lives in .build/<triple>/debug/; swift test builds sc2gan there too.
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let c = dir.appendingPathComponent("sc2gan")
            if FileManager.default.isExecutableFile(atPath: c.path) { return c }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: "/nonexistent/sc2gan")
    }

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var fixtures: URL { packageRoot.appendingPathComponent("Tests/SC2EngineTests/Fixtures") }

    @discardableResult
    static func run(_ args: [String], environment: [String: String] = [:]) throws -> Result {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["SC2GAN_ASSETS"] = packageRoot.appendingPathComponent("assets").path
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    static func tempDir() -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("sc2gan-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }
}
