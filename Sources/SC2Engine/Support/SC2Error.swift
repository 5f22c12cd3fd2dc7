import Foundation

/// Errors the engine reports to users: one line, naming the file and the problem.
public struct SC2Error: Error, CustomStringConvertible, LocalizedError {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    public var errorDescription: String? { message }
}
