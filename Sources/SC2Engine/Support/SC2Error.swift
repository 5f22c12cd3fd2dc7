import Foundation

/// Errors the engine reports to users: one line, naming the file or the input and the problem.
///
/// An error about something the caller passed in (a scorer command, an attribute definition, a
/// shard, a predictor for a model) says which input in `input`, so that a program can name it in
/// its own terms: sc2gan names the flag that carried it (`--shard 5/4: ...`); `description`
/// names it in words (`shard "5/4": ...`).
public struct SC2Error: Error, CustomStringConvertible, LocalizedError {
    /// The problem; for an error with an `input`, the part after the input's name.
    public let message: String
    /// The input the error is about, if any.
    public let input: UserInput?

    public init(_ message: String) { self.message = message; self.input = nil }
    public init(_ input: UserInput, _ message: String) { self.message = message; self.input = input }

    public var description: String {
        guard let input else { return message }
        return "\(input.description): \(message)"
    }
    public var errorDescription: String? { description }
}

/// A value a caller gave the engine, as an engine error names it.
public enum UserInput: Sendable, Equatable, CustomStringConvertible {
    /// The command line that starts an external scorer.
    case scorerCommand(String)
    /// A derived attribute's definition ("old=not:Young").
    case attributeDefinition(String)
    /// A shard "K/N".
    case shard(String)
    /// The predictor chosen for a generator (its path).
    case predictor(String)
    /// The file the explorer's key trace goes to.
    case traceFile(String)

    public var description: String {
        switch self {
        case .scorerCommand(let c): return "scorer command \(c.quotedForMessage)"
        case .attributeDefinition(let d): return "attribute definition \(d.quotedForMessage)"
        case .shard(let s): return "shard \(s.quotedForMessage)"
        case .predictor(let p): return "predictor \(p)"
        case .traceFile(let f): return "trace file \(f)"
        }
    }
}
