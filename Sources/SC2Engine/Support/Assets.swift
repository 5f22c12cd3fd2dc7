import Foundation

/// Where the shipped assets are: the folder that holds `faceworld/` (FaceWorld's generator,
/// classifier, judge, presets and directions). The program that uses the engine finds it (sc2gan
/// looks at $SC2GAN_ASSETS, beside its binary and in the checkout it was built in, see its
/// `Configuration`); the engine only uses what it is given.
public struct Assets: Sendable, Equatable {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    /// `directory/faceworld`.
    public var faceWorldDirectory: URL { directory.appendingPathComponent("faceworld") }

    /// Whether `url` is an assets folder (it holds `faceworld/`).
    public static func isAssetsFolder(_ url: URL) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.appendingPathComponent("faceworld").path, isDirectory: &isDir) && isDir.boolValue
    }
}
