import Foundation
import Tensor

/// Directions on disk, one JSON file per (attribute, method): DIR/<attribute>.<method>.json.
/// The default model's live in assets/faceworld/directions.
public struct DirectionLibrary: Sendable {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    /// The library's subfolder of precomputed explorer calibrations (`sc2gan directions calibrate`).
    public static let explorerCacheFolder = "explorer-cache"

    public static func faceWorld(assets: Assets) -> DirectionLibrary {
        DirectionLibrary(directory: assets.faceWorldDirectory.appendingPathComponent("directions"))
    }

    public func url(attribute: String, method: DirectionMethod) -> URL { url(attribute: attribute, name: method.rawValue) }

    /// DIR/<attribute>.<name>.json for any method name (ablations: "sc2-dense-only", ...).
    public func url(attribute: String, name: String) -> URL {
        directory.appendingPathComponent("\(attribute).\(name).json")
    }

    /// The stored direction under any method name, or nil when absent (a corrupt file throws).
    public func direction(attribute: String, name: String) throws -> Direction? {
        let u = url(attribute: attribute, name: name)
        guard FileManager.default.fileExists(atPath: u.path) else { return nil }
        return try Direction.load(u)
    }

    /// The stored direction, or nil when it has not been computed (a corrupt file throws).
    public func direction(attribute: String, method: DirectionMethod) throws -> Direction? {
        let u = url(attribute: attribute, method: method)
        guard FileManager.default.fileExists(atPath: u.path) else { return nil }
        return try Direction.load(u)
    }

    public func save(_ d: Direction, method: DirectionMethod) throws {
        try d.save(to: url(attribute: d.attribute, method: method))
    }

    /// InterFaceGAN's SVM, the base whose files keep the plain names.
    public static let defaultBase = DirectionMethod.original.rawValue

    /// The file name part of `method` over a base method: InterFaceGAN's are `interfacegan`,
    /// `conditional` and `sc2`; another base B's (class-mean, logistic, ganspace, imported)
    /// are `B`, `B-conditional` and `B-sc2`, so that one folder holds several bases.
    public static func name(_ method: DirectionMethod, base: String) -> String {
        guard base != defaultBase else { return method.rawValue }
        switch method {
        case .original: return base
        case .conditional: return base + "-conditional"
        case .corrected: return base + "-sc2"
        }
    }

    public func url(attribute: String, method: DirectionMethod, base: String) -> URL {
        url(attribute: attribute, name: Self.name(method, base: base))
    }

    public func direction(attribute: String, method: DirectionMethod, base: String) throws -> Direction? {
        try direction(attribute: attribute, name: Self.name(method, base: base))
    }

    public func save(_ d: Direction, method: DirectionMethod, base: String) throws {
        try d.save(to: url(attribute: d.attribute, method: method, base: base))
    }

    /// The bases with a direction of `attribute` in the folder: InterFaceGAN's first, then the
    /// others by name (a base counts once its conditional or corrected direction is there).
    public func bases(attribute: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var found = Set<String>()
        let prefix = attribute + "."
        for f in files where f.hasPrefix(prefix) && f.hasSuffix(".json") {
            let name = String(f.dropFirst(prefix.count).dropLast(5))
            if DirectionMethod(rawValue: name) != nil { found.insert(Self.defaultBase); continue }
            for suffix in ["-conditional", "-sc2"] where name.hasSuffix(suffix) {
                let base = String(name.dropLast(suffix.count))
                // "sc2-conditional" is an evaluation variant of InterFaceGAN's, not a base.
                if !base.isEmpty, !base.hasPrefix("sc2"), !base.contains(".") { found.insert(base) }
            }
        }
        return found.sorted { ($0 == Self.defaultBase ? 0 : 1, $0) < ($1 == Self.defaultBase ? 0 : 1, $1) }
    }
}
