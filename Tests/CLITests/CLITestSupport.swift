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
    /// Runs the binary with the test process's environment plus `environment`, less `removing`.
    static func run(_ args: [String], environment: [String: String] = [:], removing: [String] = []) throws -> Result {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["SC2GAN_ASSETS"] = packageRoot.appendingPathComponent("assets").path
        for (k, v) in environment { env[k] = v }
        for k in removing { env[k] = nil }
        p.environment = env
        let (status, o, e) = try capture(p)
        return Result(status: status, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// Runs `process` to its end with its standard output and error captured. Both pipes are
    /// drained at once (stderr on another thread): read one after the other, a child that fills
    /// the pipe not being read (64 KB) would wait for it forever, and so would the test.
    static func capture(_ process: Process) throws -> (status: Int32, stdout: Data, stderr: Data) {
        let out = Pipe(), err = Pipe()
        process.standardOutput = out; process.standardError = err
        try process.run()
        let stderrData = DrainedData()
        let drained = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            stderrData.set(err.fileHandleForReading.readDataToEndOfFile())
            drained.signal()
        }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        return (process.terminationStatus, o, stderrData.get())
    }

    /// Data handed from the thread that drains a pipe to the one that waits for it.
    private final class DrainedData: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
        func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
    }

    static func tempDir() -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("sc2gan-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }
}

extension CLI {
    /// Runs a tools/ script with Debian's interpreter and returns its standard output; throws
    /// XCTSkip when /usr/bin/python3 or its numpy, torch or torchvision is missing (the test is then reported skipped).
    static func python(_ script: String, _ args: [String]) throws -> Data {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else { throw XCTSkip("no /usr/bin/python3") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = [packageRoot.appendingPathComponent("tools/\(script)").path] + args
        let (_, data, errData) = try capture(p)
        let e = String(decoding: errData, as: UTF8.self)
        for module in ["numpy", "torch", "torchvision"] where e.contains("No module named '\(module)'") {
            throw XCTSkip("/usr/bin/python3 has no \(module) (Debian: python3-\(module))")
        }
        XCTAssertEqual(p.terminationStatus, 0, "tools/\(script): \(e)")
        return data
    }
}
