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

    public func url(attribute: String, method: DirectionMethod) -> URL {
        directory.appendingPathComponent("\(attribute).\(method.rawValue).json")
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
