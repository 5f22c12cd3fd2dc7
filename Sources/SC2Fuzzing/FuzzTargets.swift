import Foundation
import SC2Engine
import Tensor

/// What a reader did with one fuzz input.
package enum FuzzOutcome: Equatable, Sendable {
    /// The reader took the input as a valid file (and, where that is cheap, ran what it built).
    case accepted
    /// The reader refused it with a one-line `SC2Error`: its message.
    case refused(String)

    package var isAccepted: Bool { self == .accepted }
}

/// The entry points of the libFuzzer harness (Fuzz/sc2gan-fuzz, scripts/dev/fuzz.sh), one per reader
/// of untrusted files. Each takes the bytes of one input and must either succeed or throw an
/// `SC2Error`: a crash, a trap, a hang or an allocation above the limit is a finding. The tests
/// replay every regression input of Tests/SC2EngineTests/Fixtures/fuzz through the same code and
/// check the outcome: the hostile inputs refused, the valid seeds accepted.
///
/// A target of its own (SC2Fuzzing), in no product: users of the SC2Engine library do not get it.
package enum FuzzTargets {
    package static let names = ["safetensors", "zip", "unpickler", "generator", "classifier",
                                "predictor", "predictor-config", "direction", "png", "npy", "npz", "labels",
                                "latents-pt", "direction-pt", "direction-npz"]

    /// Runs target `name` on `bytes`: whether its reader accepted or refused them; nil for an
    /// unknown target name. Anything other than success or an `SC2Error` traps (a finding).
    @discardableResult
    package static func run(_ name: String, _ bytes: UnsafeRawBufferPointer) -> FuzzOutcome? {
        let target = name
        do {
            switch name {
            case "safetensors":
                let file = try SafeTensorsFile(MappedFile(copying: bytes, name: "input.safetensors"))
                for tensorName in file.names { _ = file.tensor(tensorName) }
            case "zip":
                let zip = try ZipArchive(MappedFile(copying: bytes, name: "input.zip"))
                for entry in zip.entries.keys.sorted() { _ = try zip.data(entry, limit: 1 << 24) }
            case "unpickler":
                try Unpickler.check(bytes, source: "input.pkl")
            case "generator":
                // Safetensors or torch zip, told apart by content as for --model.
                let checkpoint = try CheckpointLoader.load(MappedFile(copying: bytes, name: "input"), pathExtension: "")
                let generator = try Generator(checkpoint: checkpoint)
                // Run the network when that is cheap: its weights came from the input too.
                if generator.config.estimatedBytes.value <= 32 << 20 {
                    let image = generator.generate(seeds: [0])
                    precondition(image.shape == [1, 3, generator.config.resolution, generator.config.resolution])
                }
            case "classifier":
                let checkpoint = try SafeTensors.read(MappedFile(copying: bytes, name: "input.safetensors"))
                let classifier = try AttributeClassifier(checkpoint: checkpoint)
                if classifier.inputSize <= 64 {
                    let scores = classifier.probabilities(Tensor(zeros: [1, 3, classifier.inputSize, classifier.inputSize]))
                    precondition(scores.count == 1 && scores[0].count == classifier.attributes.count)
                }
            case "predictor":
                // A torchvision ResNet: safetensors with its configuration in the metadata, or a
                // torch zip read as anycost's predictor (no sidecar is found beside this name).
                let url = URL(fileURLWithPath: "/nonexistent/fuzz-input")
                let file = try PredictorFile.open(MappedFile(copying: bytes, name: url.path), url: url)
                let resNet = try file.resNet(configuration: nil)
                if resNet.inputSize <= 64 && resNet.widths.allSatisfy({ $0 <= 64 }) {
                    let scores = resNet.probabilities(Tensor(zeros: [1, 3, 20, 12]))
                    precondition(scores.count == 1 && scores[0].count == resNet.attributes.count)
                }
            case "predictor-config":
                _ = try PredictorConfiguration(json: Data(bytes), source: "input.json")
            case "direction":
                let direction = try Direction.decode(Data(bytes), source: "input.json")
                try direction.checkCompatible(wDim: direction.vector.count, numWs: 18, source: "input.json")
            case "labels":
                _ = try HandLabels.decode(Data(bytes), source: "input.json")
            case "png":
                _ = try PNG.decode(bytes, name: "input.png")
            case "npy":
                _ = try NPY.decode(bytes, name: "input.npy", maxElements: 1 << 22)
            case "npz":
                _ = try NPY.readArchive(MappedFile(copying: bytes, name: "input.npz"), maxElements: 1 << 22)
            case "latents-pt":
                // e4e/pSp/ReStyle's latents.pt for an 18-row, 512-wide model: every code of it.
                let file = try ExchangeFile.read(MappedFile(copying: bytes, name: "input.pt"), maxElements: 1 << 22)
                _ = try file.describe()
                for key in try entries(file) {
                    let code = try file.code(key: key, numWs: 18, wDim: 512)
                    precondition(code.shape == [1, 18, 512])
                }
            case "direction-pt", "direction-npz":
                // A dict of boundaries, a PCA, GANSpace's components or a W+ direction: every
                // direction in it, checked against an 18-row, 512-wide model.
                let name = target == "direction-pt" ? "input.pt" : "input.npz"
                let file = try ExchangeFile.read(MappedFile(copying: bytes, name: name), maxElements: 1 << 22)
                _ = try file.describe()
                for key in try entries(file) {
                    try file.direction(key: key).checkCompatible(wDim: 512, numWs: 18, source: name)
                }
            default:
                return nil
            }
        } catch let error as SC2Error {
            // A clear refusal: what the reader should do with a bad file.
            return .refused(error.message)
        } catch {
            preconditionFailure("\(name): threw something other than a one-line SC2Error: \(error)")
        }
        return .accepted
    }

    /// The `#KEY`s that pick each entry of an exchange file (nil: its only one).
    static func entries(_ file: ExchangeFile) throws -> [String?] {
        switch try file.layout() {
        case .vector: return [nil]
        case .keyed(let keys): return keys
        case .rows(let n), .wPlus(let n), .ganspace(let n), .pca(let n): return (0..<min(n, 64)).map { String($0) }
        case .projectedW:
            let w = file.arrays["w"] ?? file.arrays.values.first!
            return w.shape.count == 3 ? (0..<min(w.shape[0], 64)).map { String($0) } : [nil]
        }
    }
}
