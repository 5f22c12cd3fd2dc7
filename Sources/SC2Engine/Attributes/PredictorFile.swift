import Foundation
import Tensor

/// Loads an attribute predictor from a file, picking the kind from its contents: FaceWorld's
/// classifier (a .safetensors with conv0 ... fc1) or a torchvision ResNet (.safetensors or a torch
/// zip .pt/.pth, configured by a sidecar `<file>.json`, the safetensors metadata, or recognised
/// as anycost-gan's attribute predictor). See docs/PREDICTORS.md.
public enum Predictors {
    public static func load(_ url: URL) throws -> any AttributePredictor {
        let file = try PredictorFile.open(url)
        if file.shapes["conv0.weight"] != nil, file.format == .safetensors {
            return try AttributeClassifier(checkpoint: SafeTensors.read(url))
        }
        guard file.shapes["conv1.weight"] != nil || FileManager.default.fileExists(atPath: sidecar(for: url).path) else {
            throw SC2Error("\(url.path): not an attribute predictor (neither FaceWorld's classifier, with conv0.weight, nor a torchvision ResNet, with conv1.weight)")
        }
        return try file.resNet(configuration: nil)
    }

    /// The sidecar a predictor file's configuration is read from: `<file>.json`.
    public static func sidecar(for url: URL) -> URL { URL(fileURLWithPath: url.path + ".json") }
}

/// A predictor file opened for its tensors' names and shapes; tensors are decoded on demand.
package struct PredictorFile {
    enum Format { case safetensors, torchZip }
    let url: URL
    let format: Format
    /// State-dict names (a `state_dict.` or DataParallel `module.` prefix removed) and shapes.
    let shapes: [String: [Int]]
    let metadata: [String: String]
    let load: (String) throws -> Tensor

    static func open(_ url: URL) throws -> PredictorFile {
        try open(MappedFile(url), url: url)
    }

    /// `open` on bytes already mapped or copied; `url` names the file (and its sidecar).
    package static func open(_ mapped: MappedFile, url: URL) throws -> PredictorFile {
        let path = mapped.path
        let bytes = mapped.bytes
        guard !bytes.isEmpty else { throw SC2Error("\(path): file is empty") }
        let signature = bytes.littleEndian(UInt32.self, at: 0)
        if signature == 0x0403_4b50 || signature == 0x0605_4b50 { return try torchZip(mapped, url: url) }
        if bytes.count > 8, bytes[8] == UInt8(ascii: "{") { return try safetensors(mapped, url: url) }
        if bytes.count > 1, bytes[0] == 0x80, (2...5).contains(bytes[1]) {
            // torch.save's legacy format is a pickle that starts with its magic number (LONG1).
            let magic: [UInt8] = [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]
            let legacy = bytes.count >= 14 && Array(bytes[2..<14]) == magic
            let out = url.deletingPathExtension().path + "-zip.pt"
            throw SC2Error("\(path): is \(legacy ? "a torch checkpoint in the legacy (pre-1.6) format" : "a plain pickle"), which cannot be read safely; re-save it as a torch zip: /usr/bin/python3 -c \"import torch; torch.save(torch.load('\(path)', map_location='cpu', weights_only=True), '\(out)', _use_new_zipfile_serialization=True)\"")
        }
        switch url.pathExtension.lowercased() {
        case "safetensors": return try safetensors(mapped, url: url)
        case "pt", "pth", "ckpt": return try torchZip(mapped, url: url)
        default: throw SC2Error("\(path): not a predictor (neither safetensors nor a torch zip archive)")
        }
    }

    private static func safetensors(_ mapped: MappedFile, url: URL) throws -> PredictorFile {
        let file = try SafeTensorsFile(mapped)
        let shapes = file.entries.mapValues(\.shape)
        return PredictorFile(url: url, format: .safetensors, shapes: shapes, metadata: file.metadata) { file.tensor($0) }
    }

    private static func torchZip(_ mapped: MappedFile, url: URL) throws -> PredictorFile {
        let torch = try TorchZipFile(mapped, allowsInt64: true)
        var names: [String: String] = [:]  // state-dict name -> path in the pickle
        let all = Array(torch.views.keys)
        var keys = all.filter { $0.hasPrefix("state_dict.") }
        let prefix = keys.isEmpty ? "" : "state_dict."
        if keys.isEmpty { keys = all }
        for k in keys { names[String(k.dropFirst(prefix.count))] = k }
        if !names.isEmpty, names.keys.allSatisfy({ $0.hasPrefix("module.") }) {
            names = Dictionary(uniqueKeysWithValues: names.map { (String($0.key.dropFirst("module.".count)), $0.value) })
        }
        let shapes = names.mapValues { torch.views[$0]!.shape }
        return PredictorFile(url: url, format: .torchZip, shapes: shapes, metadata: [:]) { try torch.tensor(names[$0]!) }
    }

    /// The file as a torchvision ResNet, with `configuration` or the one the file states.
    package func resNet(configuration given: PredictorConfiguration?) throws -> TorchVisionResNet {
        let path = url.path
        let sidecar = Predictors.sidecar(for: url)
        let configuration: PredictorConfiguration
        if let given {
            configuration = given
        } else if FileManager.default.fileExists(atPath: sidecar.path) {
            let data: Data
            do { data = try Data(contentsOf: sidecar) } catch { throw SC2Error("\(sidecar.path): cannot read (\(error.localizedDescription))") }
            configuration = try PredictorConfiguration(json: data, source: sidecar.path)
        } else if format == .safetensors, PredictorConfiguration.isStated(in: metadata) {
            configuration = try PredictorConfiguration(metadata: metadata, source: path)
        } else if isAnycostPredictor() {
            configuration = .anycost
        } else {
            _ = try TorchVisionResNet.Plan(shapes: shapes) { SC2Error("\(path): \($0)") }  // a better message when it is no ResNet at all
            throw SC2Error("\(path): no predictor configuration: write \(sidecar.lastPathComponent) beside it naming attributes and input_size (docs/PREDICTORS.md)")
        }
        return try TorchVisionResNet(shapes: shapes, load: load, configuration: configuration, path: path)
    }

    /// anycost-gan's attribute_predictor.pt: a torchvision resnet50 whose fc has 80 outputs.
    private func isAnycostPredictor() -> Bool {
        guard let plan = try? TorchVisionResNet.Plan(shapes: shapes, fail: { SC2Error($0) }) else { return false }
        return plan.block == .bottleneck && plan.blockCounts == [3, 4, 6, 3] && plan.widths == [64, 256, 512, 1024, 2048] && plan.fcOutputs == 80
    }
}
