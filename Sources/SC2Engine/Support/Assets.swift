import Foundation

/// Finds the shipped assets/ folder: $SC2GAN_ASSETS, else walking up from the executable
/// (a build under .build/ sits inside the checkout), else the current folder.
public enum Assets {
    public static func directory() throws -> URL {
        if let env = ProcessInfo.processInfo.environment["SC2GAN_ASSETS"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        var candidates: [URL] = []
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
        var dir = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? exe.path)
            .deletingLastPathComponent()
        for _ in 0..<8 { candidates.append(dir.appendingPathComponent("assets")); dir = dir.deletingLastPathComponent() }
        dir = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        for _ in 0..<4 { candidates.append(dir.appendingPathComponent("assets")); dir = dir.deletingLastPathComponent() }
        for c in candidates where FileManager.default.fileExists(atPath: c.appendingPathComponent("faceworld").path) {
            return c
        }
        throw SC2Error("cannot find the assets/ folder (set SC2GAN_ASSETS to the checkout's assets folder)")
    }

    public static func faceWorldDirectory() throws -> URL { try directory().appendingPathComponent("faceworld") }
}
