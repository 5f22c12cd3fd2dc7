import Foundation
import Tensor

/// Loads generator checkpoints: safetensors and torch zip (.pt) files, told apart by their
/// contents, with names mapped onto the canonical NVIDIA set (`KeyNames`).
package enum CheckpointLoader {
    /// Reads `url`, maps its tensor names and refuses non-finite weights. Every problem, from a
    /// missing file to a hostile pickle, throws a one-line `SC2Error` naming the file. `choice`
    /// picks the generator of a training checkpoint (g_ema, or the non-EMA g).
    package static func load(_ url: URL, choice: GeneratorChoice = .ema) throws -> Checkpoint {
        try load(MappedFile(url), pathExtension: url.pathExtension, choice: choice)
    }

    /// `load` on bytes already mapped or copied; `pathExtension` only breaks ties for files too
    /// damaged to tell by content.
    package static func load(_ file: MappedFile, pathExtension: String, choice: GeneratorChoice = .ema) throws -> Checkpoint {
        let tensors: [String: Tensor], metadata: [String: String], format: String
        switch try kind(of: file, pathExtension: pathExtension) {
        case .safetensors:
            let safetensors = try SafeTensorsFile(file)
            tensors = try KeyNames.canonical(names: safetensors.names, source: file.path, choice: choice) { safetensors.tensor($0) }
            (metadata, format) = (safetensors.metadata, SafeTensorsFile.format)
        case .torchZip:
            let torch = try TorchZipFile(file)
            tensors = try KeyNames.canonical(names: Array(torch.views.keys), source: file.path, choice: choice, load: torch.tensor)
            (metadata, format) = ([:], TorchZipFile.format)
        }
        for name in tensors.keys.sorted() where !tensors[name]!.isFinite {
            throw SC2Error("\(file.path): tensor \(name.quotedForMessage) has non-finite values")
        }
        return Checkpoint(tensors: tensors, metadata: metadata, format: format, path: file.path, choice: choice)
    }

    private enum Kind { case safetensors, torchZip }

    /// Decides by content (a zip signature; a JSON object after the 8-byte header length), and
    /// by extension only for files too damaged to tell, so that they get the format's own error.
    private static func kind(of file: MappedFile, pathExtension: String) throws -> Kind {
        let bytes = file.bytes
        guard !bytes.isEmpty else { throw SC2Error("\(file.path): file is empty") }
        let signature = bytes.littleEndian(UInt32.self, at: 0)
        if signature == 0x0403_4b50 || signature == 0x0605_4b50 { return .torchZip }
        if bytes.count > 8, bytes[8] == UInt8(ascii: "{") { return .safetensors }
        if bytes.count > 1, bytes[0] == 0x80, (2...5).contains(bytes[1]) {  // pickle PROTO opcode
            throw SC2Error("\(file.path): is a plain pickle (an NVIDIA .pkl or a pre-1.6 torch.save), which cannot be loaded safely; convert it to safetensors with a Python tool")
        }
        switch pathExtension.lowercased() {
        case "safetensors": return .safetensors
        case "pt", "pth", "ckpt": return .torchZip
        default: break
        }
        throw SC2Error("\(file.path): not a checkpoint (neither safetensors nor a torch zip archive)")
    }
}
