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

    /// `directory/testbeds`: other FaceWorld generators kept for the evaluation, one folder each
    /// (`generator.safetensors`, `MODEL_CARD.md`, and `directions/` where fitted).
    public var testbedsDirectory: URL { directory.appendingPathComponent("testbeds") }

    /// The testbeds there (folders holding a generator), sorted.
    public func testbeds() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: testbedsDirectory.path)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: testbedsDirectory.appendingPathComponent($0).appendingPathComponent("generator.safetensors").path) }
            .sorted()
    }

    /// The folder of testbed `name`; an unknown name is refused with the known ones.
    public func testbed(_ name: String) throws -> URL {
        let known = testbeds()
        guard !name.contains("/"), known.contains(name) else {
            throw SC2Error("unknown testbed '\(name)'; \(known.isEmpty ? "there are none in \(testbedsDirectory.path)" : "known: " + known.joined(separator: ", "))")
        }
        return testbedsDirectory.appendingPathComponent(name)
    }

    /// Whether `url` is an assets folder (it holds `faceworld/`).
    public static func isAssetsFolder(_ url: URL) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.appendingPathComponent("faceworld").path, isDirectory: &isDir) && isDir.boolValue
    }
}
