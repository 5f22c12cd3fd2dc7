import Foundation
import Tensor

/// The arrays of a file another tool wrote, read strictly: a .npy (one array, named ""), an .npz
/// (its members by name) or a `torch.save`d .pt in PyTorch's zip format (one tensor, named "",
/// or a dict of tensors by dotted key). Told apart by content. No code is run (the pickle goes
/// through `Unpickler`: a storage saved from 'cuda:0' is read onto the CPU), every shape and size
/// is checked before anything is decoded, and every problem is one line naming the file. What
/// the arrays mean is `layout()`: a direction (`Direction.load`), latent codes (`LatentCodes`),
/// or a dict or PCA of directions to pick from with `FILE#KEY`.
public struct ExchangeFile: Sendable {
    public enum Format: String, Sendable {
        case npy, npz, torch
        var title: String { self == .torch ? "torch.save zip" : "." + rawValue }
    }

    /// One array, decoded to Float; `dtype` as the file stores it ("<f4", "float32", ...).
    public struct Array: Sendable, Equatable {
        public var shape: [Int]
        public var values: [Float]
        public var dtype: String
    }

    public let path: String
    public let format: Format
    /// By name: "" for a lone .npy or a lone saved tensor.
    public let arrays: [String: Array]

    /// Most elements one array may have unless told otherwise (a batch of 7,000 e4e codes).
    public static let defaultMaxElements = 1 << 26

    public static func read(_ url: URL, maxElements: Int = defaultMaxElements) throws -> ExchangeFile {
        try read(MappedFile(url), maxElements: maxElements)
    }

    package static func read(_ file: MappedFile, maxElements: Int = defaultMaxElements) throws -> ExchangeFile {
        let bytes = file.bytes
        func fail(_ why: String) -> SC2Error { SC2Error("\(file.path): \(why)") }
        guard !bytes.isEmpty else { throw fail("file is empty") }
        if bytes.count >= 6, bytes.prefix(6).elementsEqual([0x93] + Swift.Array("NUMPY".utf8)) {
            let a = try NPY.decode(bytes, name: file.path, maxElements: maxElements)
            return ExchangeFile(path: file.path, format: .npy, arrays: ["": Array(shape: a.shape, values: a.values, dtype: a.descr)])
        }
        let signature = bytes.littleEndian(UInt32.self, at: 0)
        if signature == 0x0403_4b50 || signature == 0x0605_4b50 {
            let zip = try ZipArchive(file)
            guard zip.entries.keys.contains(where: { $0.hasSuffix("/data.pkl") }) else {
                let arrays = try NPY.readArchive(file, maxElements: maxElements)
                return ExchangeFile(path: file.path, format: .npz,
                                    arrays: arrays.mapValues { Array(shape: $0.shape, values: $0.values, dtype: $0.descr) })
            }
            let torch = try TorchZipFile(file, acceptsBareTensor: true)
            guard !torch.views.isEmpty else { throw fail("the saved object holds no tensors") }
            var arrays: [String: Array] = [:]
            for name in torch.views.keys.sorted() {
                let view = torch.views[name]!
                guard view.count <= maxElements else {
                    throw fail("tensor \(name.quotedForMessage) of shape \(view.shape) holds more than the \(maxElements) elements allowed")
                }
                arrays[name] = Array(shape: view.shape, values: try torch.tensor(name).data, dtype: dtypeName(view.storage.typeName))
            }
            return ExchangeFile(path: file.path, format: .torch, arrays: arrays)
        }
        if bytes.count > 1, bytes[0] == 0x80, (2...5).contains(bytes[1]) {
            throw fail("is a plain pickle (a torch.save of PyTorch before 1.6, or a pickled object), which cannot be read safely; re-save it with torch.save in PyTorch 1.6 or later")
        }
        throw fail("not a .npy, .npz or torch.save (.pt) file")
    }

    /// torch.FloatStorage -> float32, ...
    static func dtypeName(_ storage: String) -> String {
        switch storage {
        case "torch.FloatStorage": return "float32"
        case "torch.HalfStorage": return "float16"
        case "torch.BFloat16Storage": return "bfloat16"
        case "torch.DoubleStorage": return "float64"
        default: return storage
        }
    }

    /// "FILE#KEY" split into the file and the key; a path that exists as given (even with a '#'
    /// in its name) has no key.
    public static func reference(_ text: String) -> (path: String, key: String?) {
        guard !FileManager.default.fileExists(atPath: text), let hash = text.lastIndex(of: "#") else { return (text, nil) }
        return (String(text[..<hash]), String(text[text.index(after: hash)...]))
    }

    // MARK: Layouts

    /// What the file holds, by the layouts of the tools that write them.
    public enum Layout: Equatable, Sendable {
        /// One vector (D,) or (1, D): an InterFaceGAN boundary (InterFaceGAN++, stylegan3-editing).
        case vector
        /// (N, D), N > 1: N vectors, directions or w codes (`#INDEX` picks one).
        case rows(Int)
        /// (N, L, D): W+ codes (e4e/pSp/ReStyle's latents.pt) or, N = 1, a W+ direction with one
        /// vector per row (e4e's pose.pt).
        case wPlus(Int)
        /// A dict of (1, D) vectors keyed like '31_Smiling': anycost-gan's boundary_<config>.pt.
        case keyed([String])
        /// GANSpace's components: lat_comp (n, 1, D), lat_mean (1, D), lat_stdev (n,), var_ratio (n,).
        case ganspace(Int)
        /// e4e's ffhq_pca.pt: mean (1, D), comp (n, 1, D), std (n,).
        case pca(Int)
        /// stylegan2-ada's projected_w.npz: latent codes in 'w'.
        case projectedW
    }

    private func fail(_ why: String) -> SC2Error { SC2Error("\(path): \(why)") }

    private func array(_ name: String) throws -> Array {
        guard let a = arrays[name] else { throw fail("has no array \(name.quotedForMessage)") }
        return a
    }

    /// The layout, with every array's shape checked against it.
    public func layout() throws -> Layout {
        let names = Set(arrays.keys)
        func dims(_ a: Array) -> Int { a.shape.last ?? 0 }
        func isVector(_ s: [Int]) -> Bool { s.count == 1 || (s.count == 2 && s[0] == 1) }
        func check(_ name: String, _ ok: Bool, _ expected: String) throws {
            guard ok else { throw fail("\(name.quotedForMessage) has shape \(arrays[name]!.shape); \(expected)") }
        }
        if names.contains("lat_comp") {
            let comp = try array("lat_comp")
            try check("lat_comp", comp.shape.count == 3 && comp.shape[1] == 1 && comp.shape[0] > 0 && comp.shape[2] > 0,
                      "GANSpace writes components as (n, 1, D)")
            let n = comp.shape[0], d = comp.shape[2]
            try check("lat_mean", isVector(try array("lat_mean").shape) && dims(arrays["lat_mean"]!) == d, "GANSpace's mean is (1, \(d))")
            for name in ["lat_stdev", "var_ratio"] where names.contains(name) {
                try check(name, arrays[name]!.shape == [n], "GANSpace writes (\(n),), one per component")
            }
            return .ganspace(n)
        }
        if names.contains("comp"), names.contains("mean") {
            let comp = try array("comp")
            try check("comp", (comp.shape.count == 3 && comp.shape[1] == 1 || comp.shape.count == 2) && comp.shape[0] > 0 && dims(comp) > 0,
                      "a PCA of w (e4e's ffhq_pca.pt) holds components as (n, 1, D)")
            let n = comp.shape[0], d = dims(comp)
            try check("mean", isVector(try array("mean").shape) && dims(arrays["mean"]!) == d, "the PCA's mean is (1, \(d))")
            if names.contains("std") { try check("std", arrays["std"]!.shape == [n], "the PCA's std is (\(n),), one per component") }
            return .pca(n)
        }
        if names.contains("w"), format == .npz { return .projectedW }
        if names == [""] {
            let s = arrays[""]!.shape
            guard !s.isEmpty, s.allSatisfy({ $0 > 0 }) else { throw fail("array of shape \(s) is empty or a scalar, not a vector") }
            switch s.count {
            case 1: return .vector
            case 2: return s[0] == 1 ? .vector : .rows(s[0])
            case 3: return .wPlus(s[0])
            default:
                throw fail("array of shape \(s) is neither a vector (D,) or (1, D), rows (N, D), nor W+ codes (N, num_ws, D)")
            }
        }
        if format == .npz, names.count == 1 { return .projectedW }   // one array of codes under another name
        // A dict of directions: every entry one vector of the same length.
        let keys = arrays.keys.sorted()
        let d = dims(arrays[keys[0]]!)
        for key in keys {
            let s = arrays[key]!.shape
            guard isVector(s), dims(arrays[key]!) == d, d > 0 else {
                throw fail("entry \(key.quotedForMessage) has shape \(s); a dict of directions (anycost-gan's boundary_<config>.pt) holds (1, D) vectors, all of one D")
            }
        }
        return .keyed(keys)
    }

    /// Index `key` of `count`, or 0 when there is one and no key; `what` names the things counted.
    private func index(_ key: String?, count: Int, _ what: String) throws -> Int {
        guard let key else {
            guard count == 1 else { throw fail("holds \(count) \(what); pick one with \(path)#INDEX (0-\(count - 1))") }
            return 0
        }
        guard let i = Int(key), (0..<count).contains(i) else {
            throw fail("#\(key.quotedForMessage.dropFirst().dropLast()): the file holds \(count) \(what), #0-#\(count - 1)")
        }
        return i
    }

    /// The entry of a keyed dict that `key` names: the key itself, or (any case) the key or the
    /// attribute after its first '_' ('31_Smiling' is also 'smiling').
    public func keyedEntry(_ key: String?, keys: [String]) throws -> String {
        let listed = keys.prefix(12).joined(separator: ", ") + (keys.count > 12 ? ", ... (\(keys.count))" : "")
        guard let key else {
            if keys.count == 1 { return keys[0] }
            throw fail("holds \(keys.count) directions (\(listed)); pick one with \(path)#KEY")
        }
        if keys.contains(key) { return key }
        func attribute(_ k: String) -> String { k.firstIndex(of: "_").map { String(k[k.index(after: $0)...]) } ?? k }
        let matches = keys.filter { $0.lowercased() == key.lowercased() || attribute($0).lowercased() == key.lowercased() }
        guard matches.count == 1 else {
            throw fail(matches.isEmpty ? "has no direction #\(String(key.quotedForMessage.dropFirst().dropLast())) (it holds \(listed))"
                                       : "#\(String(key.quotedForMessage.dropFirst().dropLast())) names several directions: \(matches.joined(separator: ", "))")
        }
        return matches[0]
    }

    private var stem: String { URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent }

    /// The direction the file holds, or that `key` picks; validated like every direction
    /// (`Direction.validated`), not yet checked against a model.
    public func direction(key: String?) throws -> Direction {
        var prov = ["source": key.map { "\(path)#\($0)" } ?? path, "format": format.rawValue]
        func row(_ a: Array, _ i: Int) -> [Float] {
            let d = a.shape.last!
            return Swift.Array(a.values[i * d ..< (i + 1) * d])
        }
        let d: Direction
        switch try layout() {
        case .vector:
            if let key { guard key == "0" else { throw fail("holds one direction; #\(key) picks nothing") } }
            d = Direction(attribute: stem, method: "imported", vector: arrays[""]!.values, provenance: prov)
        case .rows(let n):
            let i = try index(key, count: n, "vectors")
            prov["row"] = "\(i)"
            d = Direction(attribute: "\(stem)_\(i)", method: "imported", vector: row(arrays[""]!, i), provenance: prov)
        case .wPlus(let n):
            let i = try index(key, count: n, "W+ arrays")
            let a = arrays[""]!
            let l = a.shape[1], dims = a.shape[2]
            let rows = (0..<l).map { r in Swift.Array(a.values[(i * l + r) * dims ..< (i * l + r + 1) * dims]) }
            prov["row_vectors"] = "\(l)"
            d = Direction(attribute: stem, method: "imported", rows: rows, provenance: prov)
        case .keyed(let keys):
            let k = try keyedEntry(key, keys: keys)
            prov["key"] = k
            let name = k.firstIndex(of: "_").map { String(k[k.index(after: $0)...]) } ?? k
            d = Direction(attribute: name.isEmpty ? k : name, method: "imported", vector: arrays[k]!.values, provenance: prov)
        case .ganspace(let n):
            let i = try index(key, count: n, "GANSpace components")
            prov["component"] = "\(i)"
            if let v = arrays["var_ratio"]?.values[i] { prov["var_ratio"] = String(format: "%.6g", v) }
            if let v = arrays["lat_stdev"]?.values[i] { prov["stdev"] = String(format: "%.6g", v) }
            d = Direction(attribute: "component\(i)", method: "ganspace", vector: row(arrays["lat_comp"]!, i), provenance: prov)
        case .pca(let n):
            let i = try index(key, count: n, "PCA components")
            prov["component"] = "\(i)"
            if let v = arrays["std"]?.values[i] { prov["stdev"] = String(format: "%.6g", v) }
            d = Direction(attribute: "component\(i)", method: "pca", vector: row(arrays["comp"]!, i), provenance: prov)
        case .projectedW:
            throw fail("holds latent codes ('w'), not a direction")
        }
        return try Direction.validated(d, source: prov["source"]!)
    }

    /// The W+ code [1, numWs, wDim] the file holds, or that `key` (an index) picks from a batch.
    /// A w (wDim,) or (1, wDim) is broadcast to every row; (numWs, wDim) is one W+ code; (N, wDim)
    /// with #INDEX is N codes of w; (N, numWs, wDim) is N W+ codes (latents.pt).
    public func code(key: String?, numWs: Int, wDim: Int) throws -> Tensor {
        let a: Array
        switch try layout() {
        case .projectedW: a = arrays["w"] ?? arrays.values.first!
        case .vector, .rows, .wPlus: a = arrays[""]!
        case .keyed, .ganspace, .pca: throw fail("holds directions, not latent codes")
        }
        let expected = "a latent code for this model has shape (1, \(numWs), \(wDim)), (\(numWs), \(wDim)) or (1, \(wDim)), or a batch (N, \(numWs), \(wDim)) or (N, \(wDim)) with #INDEX; this one has \(a.shape)"
        guard a.shape.last == wDim else { throw fail(expected) }
        var w: [Float]
        switch a.shape.count {
        case 1:
            if let key { guard key == "0" else { throw fail("holds one code; #\(key) picks nothing") } }
            w = a.values
        case 2 where key == nil && a.shape[0] == numWs:
            guard a.values.allSatisfy(\.isFinite) else { throw fail("the code has NaN or infinite entries") }
            return Tensor(shape: [1, numWs, wDim], data: a.values)
        case 2:
            let i = try index(key, count: a.shape[0], "codes of w")
            w = Swift.Array(a.values[i * wDim ..< (i + 1) * wDim])
        case 3:
            guard a.shape[1] == numWs else { throw fail(expected) }
            let i = try index(key, count: a.shape[0], "W+ codes")
            let code = Swift.Array(a.values[i * numWs * wDim ..< (i + 1) * numWs * wDim])
            guard code.allSatisfy(\.isFinite) else { throw fail("code #\(i) has NaN or infinite entries") }
            return Tensor(shape: [1, numWs, wDim], data: code)
        default:
            throw fail(expected)
        }
        guard w.allSatisfy(\.isFinite) else { throw fail("the code has NaN or infinite entries") }
        var out = Tensor(zeros: [1, numWs, wDim])
        for r in 0..<numWs { out.data.replaceSubrange(r * wDim ..< (r + 1) * wDim, with: w) }
        return out
    }

    /// What the file holds, for `sc2gan directions show`: its arrays, the layout, and what
    /// `#...` picks.
    public func describe() throws -> [String] {
        var lines = ["\(path): \(format.title), \(arrays.count) array\(arrays.count == 1 ? "" : "s")"]
        for name in arrays.keys.sorted() {
            let a = arrays[name]!
            lines.append("  \(name.isEmpty ? (format == .torch ? "(tensor)" : "(array)") : name)  \(a.shape)  \(a.dtype)")
        }
        let stemName = path
        switch try layout() {
        case .vector:
            lines.append("a direction of \(arrays[""]!.values.count) dimensions for every W+ row (an InterFaceGAN boundary): --direction \(stemName)")
        case .rows(let n):
            lines.append("\(n) vectors of \(arrays[""]!.shape[1]) dimensions: --direction or --w \(stemName)#INDEX (0-\(n - 1)); without #INDEX, --w reads them as one W+ code when there is a row per layer")
        case .wPlus(let n):
            let s = arrays[""]!.shape
            if n == 1 {
                lines.append("one W+ array (\(s[1]) rows of \(s[2])): --direction \(stemName) moves each row by its own vector (e4e's pose.pt); --w \(stemName) starts from it as a code")
            } else {
                lines.append("\(n) W+ codes (\(s[1]) rows of \(s[2]); e4e/pSp/ReStyle latents.pt): --w \(stemName)#INDEX (0-\(n - 1)); no default with more than one")
            }
        case .keyed(let keys):
            lines.append("\(keys.count) directions by name (anycost-gan's boundary file): --direction \(stemName)#KEY, the key or the name after '_' in any case (\(keys.first.map { k in "#\(k) or #\(k.firstIndex(of: "_").map { String(k[k.index(after: $0)...]) }?.lowercased() ?? k.lowercased())" } ?? ""))\(keys.count == 1 ? "; the only one without #KEY" : "")")
        case .ganspace(let n):
            lines.append("GANSpace components, n = \(n): --direction \(stemName)#INDEX (0-\(n - 1)), largest variance first\(n == 1 ? "; #0 without #INDEX" : "")")
            if let ratios = arrays["var_ratio"]?.values {
                lines.append("  variance ratios: " + ratios.prefix(10).map { String(format: "%.4f", $0) }.joined(separator: " ") + (ratios.count > 10 ? " ..." : ""))
            }
        case .pca(let n):
            lines.append("a PCA of w (e4e's ffhq_pca.pt), n = \(n): --direction \(stemName)#INDEX (0-\(n - 1))")
        case .projectedW:
            let a = arrays["w"] ?? arrays.values.first!
            lines.append("latent codes \(a.shape) (stylegan2-ada's projected_w.npz): --w \(stemName)\(a.shape.count == 3 && a.shape[0] > 1 ? "#INDEX" : "")")
        }
        return lines
    }
}
