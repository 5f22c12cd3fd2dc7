import ArgumentParser
import Foundation
import SC2Engine

/// Engine errors about an input, said in sc2gan's terms: the flag that carried the input.
enum FlagErrors {
    /// Runs `body`, naming the flag in what it throws: for engine calls made while the options
    /// are validated, whose errors the argument parser prints itself.
    static func naming<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw mapped(error) }
    }

    /// `error` with its input named as the flag a user typed (`--shard 5/4: K must be 0-3 ...`);
    /// other errors unchanged.
    static func mapped(_ error: Error) -> Error {
        guard let e = error as? SC2Error, let input = e.input else { return error }
        switch input {
        case .scorerCommand(let command):
            return SC2Error(command.trimmingCharacters(in: .whitespaces).isEmpty ? "--scorer \(e.message)" : "--scorer \"\(command)\" \(e.message)")
        case .attributeDefinition(let definition):
            return SC2Error("--define \"\(definition)\": \(e.message)")
        case .shard(let shard):
            return SC2Error("--shard \(shard): \(e.message)")
        case .predictor(let path):
            return SC2Error("\(path): \(e.message) (--predictor PATH, --scorer COMMAND, or --labels FILE from `sc2gan explore --label`)")
        case .traceFile(let path):
            return SC2Error("--trace \(path): \(e.message)")
        }
    }
}
