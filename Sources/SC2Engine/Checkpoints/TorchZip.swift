import Tensor

/// A torch.save checkpoint in the zip format (PyTorch 1.6 and later): `<archive>/data.pkl`
/// pickles the saved object, whose tensors are views into raw little-endian storages
/// `<archive>/data/<key>`. The pickle goes through the restricted `Unpickler`; tensors are
/// decoded on demand from the mapped file.
final class TorchZipFile {
    static let format = "torch-zip"
    /// Most values the walk over the pickled object may visit (a shared sub-tree counts each time).
    static let maxVisits = 1_000_000

    let path: String
    /// Every tensor in the pickled object, by dotted path ("g_ema.style.1.weight").
    let views: [String: TensorView]
    private let zip: ZipArchive
    /// "<archive>/", the folder that holds data.pkl.
    private let archive: String
    /// Elements that may still be decoded. Without views sharing storage a checkpoint decodes to
    /// at most one Float per 2 stored bytes; twice the file size leaves room for sharing while a
    /// hostile file of many overlapping views cannot make us allocate without bound.
    private var budget: Int

    /// `allowsInt64`: also rebuild torch.LongStorage tensors (a predictor's batch norm counters).
    /// `acceptsBareTensor`: the pickled object may be one tensor (`torch.save(tensor)`, as e4e's
    /// latents.pt), named "" in `views`; a checkpoint must be a dict.
    init(_ file: MappedFile, allowsInt64: Bool = false, acceptsBareTensor: Bool = false) throws {
        path = file.path
        zip = try ZipArchive(file)
        budget = 2 * file.bytes.count
        func fail(_ why: String) -> SC2Error { SC2Error("\(file.path): \(why)") }

        let records = zip.entries.keys.filter { $0.hasSuffix("/data.pkl") && $0.split(separator: "/").count == 2 }
        guard let record = records.first else { throw fail("zip archive has no data.pkl (not a torch.save checkpoint)") }
        guard records.count == 1 else { throw fail("zip archive holds \(records.count) data.pkl records") }
        archive = String(record.dropLast("data.pkl".count))
        if let order = try zip.contents(archive + "byteorder"), String(decoding: order, as: UTF8.self) != "little" {
            throw fail("storages are not little-endian; only little-endian checkpoints can be read")
        }
        let root = try Unpickler.load(zip.contents(record)!, source: file.path, allowsInt64: allowsInt64)
        if acceptsBareTensor, case .tensor(let view) = root {
            views = ["": view]
        } else {
            views = try Self.tensorViews(root, fail: fail)
        }
    }

    /// The tensors of the pickled dict, nested dicts, lists and tuples flattened into dotted paths.
    private static func tensorViews(_ root: PickleValue, fail: (String) -> SC2Error) throws -> [String: TensorView] {
        guard case .dict = root else {
            if case .tensor = root { throw fail("the pickled object is a single tensor, not a dict (not a state-dict checkpoint)") }
            throw fail("the pickled object is not a dict (not a state-dict checkpoint)")
        }
        var views: [String: TensorView] = [:]
        var visits = 0
        // Recursion is bounded by Unpickler.maxDepth.
        func walk(_ value: PickleValue, _ path: String) throws {
            visits += 1
            guard visits <= maxVisits else { throw fail("the pickled object has more than \(maxVisits) values") }
            func child(_ key: String) -> String { path.isEmpty ? key : path + "." + key }
            switch value {
            case .tensor(let view):
                views[path] = view
            case .dict(let dict):
                for (key, value) in dict.entries {
                    switch key {
                    case .string(let name): try walk(value, child(name))
                    case .int(let index): try walk(value, child(String(index)))
                    default: continue  // no tensor name can be made from other keys
                    }
                }
            case .list(let list):
                for (index, value) in list.items.enumerated() { try walk(value, child(String(index))) }
            case .tuple(let items, _):
                for (index, value) in items.enumerated() { try walk(value, child(String(index))) }
            default:
                break
            }
        }
        try walk(root, "")
        return views
    }

    /// The named tensor, decoded to Float. `name` must be one of `views`' keys.
    func tensor(_ name: String) throws -> Tensor {
        func fail(_ why: String) -> SC2Error { SC2Error("\(path): \(why)") }
        let view = views[name]!
        guard let type = view.storage.type else {
            throw fail("tensor \(name.quotedForMessage) has unsupported storage type \(view.storage.typeName.quotedForMessage) (Float, Half, BFloat16 and Double can be read)")
        }
        guard view.count <= budget else {
            throw fail("tensor \(name.quotedForMessage) would decode to more than twice the file's size (overlapping views?)")
        }
        budget -= view.count
        let key = archive + "data/" + view.storage.key
        guard let storage = try zip.contents(key) else {
            throw fail("storage \(key.quotedForMessage) of tensor \(name.quotedForMessage) is missing from the archive")
        }
        guard storage.count == view.storage.count * type.byteSize else {
            throw fail("storage \(key.quotedForMessage) holds \(storage.count) bytes, not the \(view.storage.count) elements of \(type.byteSize) bytes the pickle declares")
        }
        return Tensor(shape: view.shape, data: Self.gather(view, type, from: storage))
    }

    /// The view's elements in row-major order (the unpickler checked they lie inside the storage).
    private static func gather(_ view: TensorView, _ type: ScalarType, from storage: UnsafeRawBufferPointer) -> [Float] {
        let count = view.count
        guard count > 0 else { return [] }
        if view.isContiguous {
            return type.decode(storage.slice(view.offset * type.byteSize ..< (view.offset + count) * type.byteSize)!)
        }
        let base = storage.baseAddress!
        var out: [Float] = []
        out.reserveCapacity(count)
        var index = [Int](repeating: 0, count: view.shape.count)
        var element = view.offset
        for _ in 0..<count {
            out.append(type.load(base, element))
            // Advance the multi-index like an odometer. Wrapping arithmetic: a size-1 dimension
            // may carry any stride, and `element` is only read while the index is valid.
            var d = view.shape.count - 1
            while d >= 0 {
                index[d] += 1
                element &+= view.strides[d]
                if index[d] < view.shape[d] { break }
                element &-= view.strides[d] &* view.shape[d]
                index[d] = 0
                d -= 1
            }
        }
        return out
    }
}
