import Foundation
import Tensor

/// Labels typed by a person in the explorer's labelling view: for one attribute of one model,
/// per seed "present", "absent" or "skip". Saved after every key (temporary file, rename), so a
/// session can stop at any point and resume; `directions fit --labels` fits a direction on them.
public struct HandLabels: Codable, Sendable, Equatable {
    public enum Label: String, Codable, Sendable { case present, absent, skip }
    public struct Entry: Codable, Sendable, Equatable {
        public let seed: UInt32
        public var label: Label
    }

    public static let formatName = "sc2gan-labels"
    public var format = HandLabels.formatName
    public var version = 1
    public var attribute: String
    /// The model the seeds' faces come from (a label is about an image, so about this model).
    public var model: String
    public var modelHash: String
    public var truncation: Float
    /// In the order they were typed; one entry per seed.
    public private(set) var entries: [Entry] = []

    enum CodingKeys: String, CodingKey { case format, version, attribute, model, modelHash = "model_hash", truncation, entries = "labels" }

    public init(attribute: String, model: String, modelHash: String, truncation: Float) {
        self.attribute = attribute; self.model = model; self.modelHash = modelHash; self.truncation = truncation
    }

    public func label(of seed: UInt32) -> Label? { entries.first { $0.seed == seed }?.label }

    /// Sets (or changes) a seed's label; nil removes it (undo).
    public mutating func set(_ label: Label?, for seed: UInt32) {
        if let i = entries.firstIndex(where: { $0.seed == seed }) {
            if let label { entries[i].label = label } else { entries.remove(at: i) }
        } else if let label {
            entries.append(Entry(seed: seed, label: label))
        }
    }

    public func count(_ label: Label) -> Int { entries.filter { $0.label == label }.count }

    public func save(to url: URL) throws {
        let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicWrite.write(try enc.encode(self), to: url)
    }

    /// Reads a labels file; anything else (another JSON, a seed twice, a non-finite
    /// truncation) is refused in one line.
    public static func load(_ url: URL) throws -> HandLabels {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw SC2Error("\(url.path): cannot read (\(error.localizedDescription))") }
        return try decode(data, source: url.path)
    }

    public static func decode(_ data: Data, source: String) throws -> HandLabels {
        let l: HandLabels
        do { l = try JSONDecoder().decode(HandLabels.self, from: data) } catch {
            throw SC2Error("\(source): not a labels file (expected the JSON the labelling view writes: format, attribute, model_hash, labels)")
        }
        guard l.format == formatName, l.version == 1 else { throw SC2Error("\(source): format \(l.format.prefix(40)) version \(l.version); expected \(formatName) version 1") }
        guard l.truncation.isFinite, l.truncation > 0 else { throw SC2Error("\(source): truncation \(l.truncation) is not a positive number") }
        guard !l.attribute.isEmpty, !l.attribute.contains(where: { $0.isNewline }) else { throw SC2Error("\(source): the attribute name is empty or spans lines") }
        guard Set(l.entries.map(\.seed)).count == l.entries.count else { throw SC2Error("\(source): a seed is labelled twice") }
        return l
    }

    /// The labelled (not skipped) seeds' w under `g` and their labels, in file order.
    public func samples(_ g: Generator) -> (seeds: [UInt32], codes: [[Float]], present: [Bool]) {
        let kept = entries.filter { $0.label != .skip }
        let d = g.config.wDim, nw = g.config.numWs
        var codes: [[Float]] = []
        for start in stride(from: 0, to: kept.count, by: 64) {
            let chunk = kept[start..<min(start + 64, kept.count)].map(\.seed)
            let ws = g.ws(z: g.latents(seeds: chunk), truncation: truncation)
            for i in 0..<chunk.count { codes.append(Array(ws.data[i * nw * d..<i * nw * d + d])) }
        }
        return (kept.map(\.seed), codes, kept.map { $0.label == .present })
    }
}

extension DirectionFitter {
    /// A direction from two given classes (hand labels): each class shuffled with `seed`, split
    /// `trainFraction` / rest, fitted and normalised. At least `minimumLabelled` per class.
    public static let minimumLabelled = 5

    public func fit(_ finder: DirectionFinder, attribute: String, codes: [[Float]], present: [Bool],
                    provenance: [String: String] = [:]) throws -> Result {
        var rng = Xoshiro(seed: seed)
        var pos = present.indices.filter { present[$0] }, neg = present.indices.filter { !present[$0] }
        guard pos.count >= Self.minimumLabelled, neg.count >= Self.minimumLabelled else {
            throw SC2Error("\(attribute): \(pos.count) present and \(neg.count) absent labels; a direction needs at least \(Self.minimumLabelled) of each")
        }
        pos.shuffle(using: &rng); neg.shuffle(using: &rng)
        let tp = max(1, min(pos.count - 1, Int(trainFraction * Double(pos.count)))), tn = max(1, min(neg.count - 1, Int(trainFraction * Double(neg.count))))
        let train = Array(pos[..<tp]) + Array(neg[..<tn]), val = Array(pos[tp...]) + Array(neg[tn...])
        let (normal, acc) = finder.fit(train: train.map { codes[$0] }, trainLabels: train.map { present[$0] },
                                       validation: val.map { codes[$0] }, validationLabels: val.map { present[$0] })
        var prov = provenance
        prov["validation_accuracy"] = String(format: "%.4f", acc)
        prov["present"] = "\(pos.count)"
        prov["absent"] = "\(neg.count)"
        return Result(direction: Direction(attribute: attribute, method: finder.name, vector: normal, provenance: prov),
                      validationAccuracy: acc, perClass: min(pos.count, neg.count))
    }
}
