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
    /// Model hash, classifier, seeds, truncation, validation accuracy, conditions, ...
    public var provenance: [String: String]

    public init(attribute: String, method: String, vector: [Float], layers: [Int]? = nil, provenance: [String: String] = [:]) {
        self.attribute = attribute; self.method = method
        self.vector = LinearAlgebra.normalized(vector)
        self.layers = layers; self.provenance = provenance
    }

    /// ws [N, numWs, wDim] moved by alpha along the direction (on `layers`, or all rows).
    public func apply(to ws: Tensor, alpha: Float) -> Tensor {
        var out = ws
        let n = ws.shape[0], nw = ws.shape[1], d = ws.shape[2]
        precondition(d == vector.count, "direction has \(vector.count) dims, codes have \(d)")
        let rows = layers ?? Array(0..<nw)
        for i in 0..<n { for l in rows where l < nw { for k in 0..<d { out.data[(i * nw + l) * d + k] += alpha * vector[k] } } }
        return out
    }

    public func cosine(_ other: Direction) -> Float { LinearAlgebra.dot(vector, other.vector) }

    public func save(to url: URL) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicWrite.write(try enc.encode(self), to: url)
    }

    public static func load(_ url: URL) throws -> Direction {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else {
            throw SC2Error("\(url.path): no such direction file")
        }
        guard !isDir.boolValue else { throw SC2Error("\(url.path): is a folder, not a direction file") }
        if let size = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int, size > maxFileBytes {
            throw SC2Error("\(url.path): \(size) bytes is far too large for a direction file (at most \(maxFileBytes))")
        }
        if url.pathExtension.lowercased() == "npy" { return try loadBoundary(url) }
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

    /// Writes the vector as InterFaceGAN writes a boundary: a float32 .npy of shape (1, D)
    /// (InterFaceGAN's edit script and `np.load` read it). Atomic.
    public func saveBoundary(to url: URL) throws {
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
    }
}
