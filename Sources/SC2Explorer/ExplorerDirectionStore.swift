import Foundation
import SC2Engine

/// The directions of the current model: read from a `DirectionLibrary`, plus those computed in
/// this session (kept in memory too, in case the library's folder is not writable).
package struct ExplorerDirectionStore {
    let library: DirectionLibrary
    let wDim: Int
    /// W+ rows of the model (a direction's `layers` must lie below).
    let numWs: Int
    let modelHash: String
    /// Directions computed in this session, by attribute and method.
    private(set) var computed: [String: [DirectionMethod: Direction]] = [:]
    /// Per attribute and method: why `c` could not compute it (shown in the pane).
    private(set) var notes: [String: [DirectionMethod: String]] = [:]

    package init(library: DirectionLibrary, wDim: Int, numWs: Int, modelHash: String) {
        self.library = library
        self.wDim = wDim
        self.numWs = numWs
        self.modelHash = modelHash
    }

    /// Attributes that have at least one direction file in the library's folder.
    package func attributesOnDisk() -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: library.directory.path)) ?? []
        var names: [String] = []
        for f in files.sorted() where f.hasSuffix(".json") {
            let parts = f.dropLast(5).split(separator: ".")
            guard parts.count == 2 else { continue }
            let method = String(parts[1])
            // InterFaceGAN's files, or another base's conditional or corrected direction.
            guard DirectionMethod(rawValue: method) != nil || method.hasSuffix("-sc2") || method.hasSuffix("-conditional") else { continue }
            let name = String(parts[0])
            if !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// The slot of every method for `attribute` over `base` (directions computed in this
    /// session are InterFaceGAN's).
    func slots(for attribute: String?, base: String = DirectionLibrary.defaultBase) -> [DirectionMethod: DirectionSlot] {
        var out: [DirectionMethod: DirectionSlot] = [:]
        for m in DirectionMethod.allCases {
            out[m] = attribute.map { slot(attribute: $0, method: m, base: base) } ?? .missing(note: nil)
        }
        return out
    }

    /// The bases the library holds for `attribute`, InterFaceGAN's first (and alone when the
    /// folder has none: its directions can be computed here).
    func bases(for attribute: String) -> [String] {
        let found = library.bases(attribute: attribute)
        return found.isEmpty || computed[attribute] != nil && !found.contains(DirectionLibrary.defaultBase)
            ? [DirectionLibrary.defaultBase] + found : found
    }

    func slot(attribute: String, method: DirectionMethod, base: String = DirectionLibrary.defaultBase) -> DirectionSlot {
        let isDefault = base == DirectionLibrary.defaultBase
        if isDefault, let d = computed[attribute]?[method] { return wrap(d) }
        do {
            guard let d = try library.direction(attribute: attribute, method: method, base: base) else {
                return .missing(note: isDefault ? notes[attribute]?[method] : "run `sc2gan correct --base \(base)`")
            }
            guard d.vector.count == wDim else {
                return .unusable("has \(d.vector.count) dims, the model's w has \(wDim)")
            }
            if let bad = d.layers?.first(where: { $0 >= numWs }) {
                return .unusable("edits W+ row \(bad), the model has \(numWs)")
            }
            if let rows = d.rows, rows.count != numWs {
                return .unusable("has a vector for each of \(rows.count) W+ rows, the model has \(numWs)")
            }
            return wrap(d)
        } catch {
            return .unusable("unreadable: \(error)")
        }
    }

    private func wrap(_ d: Direction) -> DirectionSlot {
        var note: String?
        if let h = d.provenance["model_hash"], h != modelHash {
            note = "made for model #\(h.prefix(8))"
        }
        return .available(d, id: ExplorerDirectionStore.identity(of: d), note: note)
    }

    mutating func remember(_ d: Direction, method: DirectionMethod) {
        computed[d.attribute, default: [:]][method] = d
        notes[d.attribute]?[method] = nil
    }

    mutating func setNote(_ note: String, attribute: String, method: DirectionMethod) {
        notes[attribute, default: [:]][method] = note
    }

    /// A short content fingerprint of a direction (vector and layers): the picture cache's key.
    static func identity(of d: Direction) -> String {
        var bytes = Data()
        bytes.reserveCapacity(d.vector.count * 4 + 64)
        for v in d.vector { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        bytes.append(contentsOf: Array("\(d.method)|\(d.layers ?? [])".utf8))
        for v in (d.rows ?? []).joined() { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        return ContentHash.of(bytes)
    }
}
