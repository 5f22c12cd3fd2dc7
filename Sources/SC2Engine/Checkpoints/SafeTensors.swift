import Foundation
import Tensor

/// Reader for the safetensors format: a little-endian u64 header length, a JSON header naming
/// each tensor's dtype, shape and byte range, then the raw little-endian tensor bytes.
package enum SafeTensors {
    /// Reads every tensor as stored: no name map and no finiteness check (see `CheckpointLoader`
    /// for loading a generator). Throws `SC2Error` naming the file and the problem.
    package static func read(_ url: URL) throws -> Checkpoint {
        try read(MappedFile(url))
    }

    package static func read(_ mapped: MappedFile) throws -> Checkpoint {
        let file = try SafeTensorsFile(mapped)
        var tensors: [String: Tensor] = [:]
        for name in file.entries.keys { tensors[name] = file.tensor(name) }
        return Checkpoint(tensors: tensors, metadata: file.metadata, format: SafeTensorsFile.format, path: mapped.path)
    }
}
