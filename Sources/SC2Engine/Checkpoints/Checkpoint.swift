import Foundation
import Tensor

/// Named tensors read from a checkpoint file, plus the file's string metadata.
public struct Checkpoint: Sendable {
    public var tensors: [String: Tensor]
    /// safetensors `__metadata__`; empty for torch zip checkpoints.
    public var metadata: [String: String]
    /// The file format: "safetensors" or "torch-zip".
    public var format: String
    public let path: String
    /// Which generator of the file these tensors are (g_ema unless the non-EMA g was asked for).
    public var choice: GeneratorChoice

    public init(tensors: [String: Tensor], metadata: [String: String], format: String, path: String, choice: GeneratorChoice = .ema) {
        self.tensors = tensors
        self.metadata = metadata
        self.format = format
        self.path = path
        self.choice = choice
    }

    /// The named tensor, checked against `shape` when one is given. Errors name the file.
    public func tensor(_ name: String, shape: [Int]?) throws -> Tensor {
        guard let tensor = tensors[name] else { throw SC2Error("\(path): missing tensor \(name.quotedForMessage)") }
        if let shape, tensor.shape != shape {
            throw SC2Error("\(path): tensor \(name.quotedForMessage) has the wrong shape: expected \(shape) got \(tensor.shape)")
        }
        return tensor
    }
}
