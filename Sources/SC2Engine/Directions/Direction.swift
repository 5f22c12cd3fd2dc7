import Foundation
import Tensor

/// An editing direction in W: a unit vector, optionally applied only on some W+ layers, with
/// the provenance needed to reproduce it. Saved as JSON.
public struct Direction: Codable, Sendable, Equatable {
    public var attribute: String
    /// "interfacegan", "class-mean", "conditional", "sc2", ...
    public var method: String
    public var vector: [Float]
    /// W+ rows the edit touches (nil: all rows).
    public var layers: [Int]?
    /// One vector per W+ row, for a direction that moves each row its own way (e4e's pose.pt,
    /// (1, num_ws, D)); nil: `vector` on every row it touches. Scaled so that the root mean
    /// square of the touched rows' norms is 1 (equal rows are `vector` itself); `vector` is then
    /// their normalised sum, for what needs one vector (cosines, SC²'s re-fit, a boundary .npy).
    public var rows: [[Float]]?
    /// Model hash, classifier, seeds, truncation, validation accuracy, conditions, ...
    public var provenance: [String: String]

    public init(attribute: String, method: String, vector: [Float], layers: [Int]? = nil, provenance: [String: String] = [:]) {
        self.attribute = attribute; self.method = method
        self.vector = LinearAlgebra.normalized(vector)
        self.layers = layers; self.provenance = provenance
    }

    /// A direction with one vector per W+ row (all of one length). It touches the rows whose
    /// vector is not zero (`layers`; nil when that is every row). Call `validated` to scale it.
    public init(attribute: String, method: String, rows: [[Float]], provenance: [String: String] = [:]) {
        self.attribute = attribute; self.method = method; self.provenance = provenance
        let d = rows.first?.count ?? 0
        var sum = [Float](repeating: 0, count: d)
        for r in rows where r.count == d { for k in 0..<d { sum[k] += r[k] } }
        // Rows that cancel (v on one row, -v on another) leave the first row that moves as `vector`.
        if !sum.contains(where: { $0 != 0 }), let first = rows.first(where: { $0.count == d && $0.contains { $0 != 0 } }) { sum = first }
        vector = LinearAlgebra.normalized(sum)
        let moved = rows.indices.filter { rows[$0].contains { $0 != 0 } }
        layers = moved.count == rows.count ? nil : moved
        self.rows = rows
    }

    /// ws [N, numWs, wDim] moved by alpha along the direction (on `layers`, or all rows).
    public func apply(to ws: Tensor, alpha: Float) -> Tensor {
        var out = ws
        let n = ws.shape[0], nw = ws.shape[1], d = ws.shape[2]
        precondition(d == vector.count, "direction has \(vector.count) dims, codes have \(d)")
        let touched = layers ?? Array(0..<nw)
        for i in 0..<n {
            // A direction with rows for another model (unchecked by `checkCompatible`) moves
            // only the rows both have.
            for l in touched where l < nw && l < (rows?.count ?? nw) {
                let v = rows.map { $0[l] } ?? vector
                for k in 0..<d { out.data[(i * nw + l) * d + k] += alpha * v[k] }
            }
        }
        return out
    }

    public func cosine(_ other: Direction) -> Float { LinearAlgebra.dot(vector, other.vector) }

    public func save(to url: URL) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicWrite.write(try enc.encode(self), to: url)
    }

    public static func load(_ url: URL) throws -> Direction { try load(url, key: nil) }

    /// `FILE` or `FILE#KEY` (`ExchangeFile.reference`): the direction, or the entry `KEY` of a
    /// file that holds several (a dict of boundaries, GANSpace components, a PCA).
    public static func load(reference: String) throws -> Direction {
        let (path, key) = ExchangeFile.reference(reference)
        return try load(URL(fileURLWithPath: path), key: key)
    }

    /// A direction file: sc2gan's JSON, or what other tools write, told apart by content
    /// (`ExchangeFile`: an InterFaceGAN .npy, a torch.save'd tensor or dict, GANSpace's .npz).
    /// `key` picks one entry of a file that holds several.
    public static func load(_ url: URL, key: String?) throws -> Direction {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else {
            throw SC2Error("\(url.path): no such direction file")
        }
        guard !isDir.boolValue else { throw SC2Error("\(url.path): is a folder, not a direction file") }
        if let size = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int, size > maxFileBytes {
            throw SC2Error("\(url.path): \(size) bytes is far too large for a direction file (at most \(maxFileBytes))")
        }
        if isExchangeFile(url) { return try ExchangeFile.read(url).direction(key: key) }
        if let key { throw SC2Error("\(url.path): a direction file holds one direction; #\(key) picks nothing") }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw SC2Error("\(url.path): cannot read direction (\(access(url.path, R_OK) == 0 ? "read error" : "permission denied"))")
        }
        return try decode(data, source: url.path)
    }

    /// An InterFaceGAN boundary (`np.save` of shape (1, D), or (D,)): a direction for all rows,
    /// named after the file.
    public static func loadBoundary(_ url: URL) throws -> Direction {
        let array = try NPY.read(url, maxElements: maxDimensions)
        guard array.shape.count == 1 || (array.shape.count == 2 && array.shape[0] == 1) else {
            throw SC2Error("\(url.path): a boundary has shape (1, D) or (D,); this array has shape \(array.shape)")
        }
        return try validated(Direction(attribute: url.deletingPathExtension().lastPathComponent, method: "imported",
                                       vector: array.values, provenance: ["source": url.path, "format": "npy"]),
                             source: url.path)
    }

    /// Whether the file starts like a .npy, a zip (.npz, torch.save) or a pickle, not JSON.
    package static func isExchangeFile(_ url: URL) -> Bool {
        if ["npy", "npz", "pt", "pth"].contains(url.pathExtension.lowercased()) { return true }
        guard let handle = FileHandle(forReadingAtPath: url.path) else { return false }
        defer { try? handle.close() }
        let head = [UInt8](handle.readData(ofLength: 4))
        return head.first == 0x93 || head.first == 0x80 || head.starts(with: [0x50, 0x4b])
    }

    /// Writes the vector as InterFaceGAN writes a boundary: a float32 .npy of shape (1, D)
    /// (InterFaceGAN's edit script and `np.load` read it). A direction with a vector per row is
    /// written (1, num_ws, D), as e4e writes its W+ directions (rows it does not touch are zero).
    /// Atomic.
    public func saveBoundary(to url: URL) throws {
        if let rows {
            let touched = Set(layers ?? Array(rows.indices))
            let values = rows.indices.flatMap { touched.contains($0) ? rows[$0] : [Float](repeating: 0, count: vector.count) }
            try AtomicWrite.write(NPY.encode(float32: values, shape: [1, rows.count, vector.count]), to: url)
            return
        }
        try AtomicWrite.write(NPY.encode(float32: vector, shape: [1, vector.count]), to: url)
    }

    /// A direction file holds one w-sized vector and a little provenance.
    public static let maxFileBytes = 16 << 20
    /// Longest vector and most W+ rows a direction may name (config-f: 512 and 18).
    public static let maxDimensions = 8192, maxLayers = 64

    /// Decodes and checks a direction file's bytes: a non-zero finite vector of at most
    /// `maxDimensions` numbers (normalised here), rows distinct and from 0. Errors name `source`.
    public static func decode(_ data: Data, source: String) throws -> Direction {
        guard data.count <= maxFileBytes else { throw SC2Error("\(source): far too large for a direction file") }
        var d: Direction
        do {
            d = try JSONDecoder().decode(Direction.self, from: data)
        } catch let e as DecodingError {
            throw SC2Error("\(source): not a direction file (\(e.brief))")
        } catch {
            throw SC2Error("\(source): not a direction file (not valid JSON)")
        }
        return try validated(d, source: source)
    }

    /// The checks every direction file passes, whatever its format: a non-zero finite vector of
    /// at most `maxDimensions` numbers (normalised here), rows distinct and from 0.
    static func validated(_ direction: Direction, source: String) throws -> Direction {
        var d = direction
        guard !d.vector.isEmpty else { throw SC2Error("\(source): direction vector is empty") }
        guard d.vector.count <= maxDimensions else {
            throw SC2Error("\(source): direction vector has \(d.vector.count) entries, more than any w (\(maxDimensions))")
        }
        guard d.vector.allSatisfy(\.isFinite) else { throw SC2Error("\(source): direction vector has NaN or infinite entries") }
        // In Double: a vector of huge finite floats has a norm that overflows Float.
        let n = d.vector.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        guard n.isFinite, n > 1e-6 else { throw SC2Error("\(source): direction vector is zero (norm \(n))") }
        d.vector = d.vector.map { Float(Double($0) / n) }  // hand-made files need not be unit length
        if let layers = d.layers {
            guard !layers.isEmpty, layers.count <= maxLayers, layers.allSatisfy({ (0..<maxLayers).contains($0) }),
                  Set(layers).count == layers.count else {
                throw SC2Error("\(source): \"layers\" must list distinct W+ rows from 0 to \(maxLayers - 1) (or be absent for all rows)")
            }
        }
        if let rows = d.rows {
            guard (1...maxLayers).contains(rows.count), rows.allSatisfy({ $0.count == d.vector.count }) else {
                throw SC2Error("\(source): \"rows\" must hold 1-\(maxLayers) vectors of \(d.vector.count) numbers, one per W+ row")
            }
            guard rows.allSatisfy({ $0.allSatisfy(\.isFinite) }) else { throw SC2Error("\(source): direction rows have NaN or infinite entries") }
            if let bad = d.layers?.first(where: { $0 >= rows.count }) {
                throw SC2Error("\(source): \"layers\" names row \(bad), but \"rows\" holds \(rows.count)")
            }
            let touched = d.layers ?? Array(rows.indices)
            let meanSquare = touched.reduce(0.0) { sum, l in sum + rows[l].reduce(0.0) { $0 + Double($1) * Double($1) } } / Double(touched.count)
            let scale = meanSquare.squareRoot()
            guard scale.isFinite, scale > 1e-6 else { throw SC2Error("\(source): the direction's rows are zero") }
            d.rows = rows.map { $0.map { Float(Double($0) / scale) } }
        }
        return d
    }

    /// Throws a one-line error unless the direction fits a generator's W+ (wDim numbers, rows < numWs).
    public func checkCompatible(wDim: Int, numWs: Int, source: String) throws {
        guard vector.count == wDim else {
            throw SC2Error("\(source): direction has \(vector.count) dimensions, the model's w has \(wDim)")
        }
        if let layers, let bad = layers.first(where: { $0 < 0 || $0 >= numWs }) {
            throw SC2Error("\(source): direction edits W+ row \(bad), the model has rows 0-\(numWs - 1)")
        }
        if let rows, rows.count != numWs {
            throw SC2Error("\(source): direction has a vector for each of \(rows.count) W+ rows, the model has \(numWs) rows")
        }
    }
}
