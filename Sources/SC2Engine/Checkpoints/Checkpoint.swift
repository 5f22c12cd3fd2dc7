import Foundation
import Tensor

/// Named tensors read from a checkpoint file, plus the file's string metadata.
package struct Checkpoint: Sendable {
    package var tensors: [String: Tensor]
    /// safetensors `__metadata__`; empty for torch zip checkpoints.
    package var metadata: [String: String]
    /// The file format: "safetensors" or "torch-zip".
    package var format: String
    package let path: String
    /// Which generator of the file these tensors are (g_ema unless the non-EMA g was asked for).
    package var choice: GeneratorChoice

    package init(tensors: [String: Tensor], metadata: [String: String], format: String, path: String, choice: GeneratorChoice = .ema) {
        self.tensors = tensors
        self.metadata = metadata
        self.format = format
        self.path = path
        self.choice = choice
    }

    /// The named tensor, checked against `shape` when one is given. Errors name the file.
    package func tensor(_ name: String, shape: [Int]?) throws -> Tensor {
        guard let tensor = tensors[name] else { throw SC2Error("\(path): missing tensor \(name.quotedForMessage)") }
        if let shape, tensor.shape != shape {
            throw SC2Error("\(path): tensor \(name.quotedForMessage) has the wrong shape: expected \(shape) got \(tensor.shape)")
        }
        return tensor
    }
}
