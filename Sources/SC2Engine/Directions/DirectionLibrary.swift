import Foundation
import Tensor

/// Directions on disk, one JSON file per (attribute, method): DIR/<attribute>.<method>.json.
/// The default model's live in assets/faceworld/directions.
public struct DirectionLibrary: Sendable {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    public static func faceWorld() throws -> DirectionLibrary {
        DirectionLibrary(directory: try Assets.faceWorldDirectory().appendingPathComponent("directions"))
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
}
