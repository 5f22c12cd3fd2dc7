import Foundation

/// Writes one float32 tensor as `torch.save(tensor)` does (the zip format of PyTorch 1.6 and
/// later): `<archive>/data.pkl`, a protocol 2 pickle that rebuilds the tensor from storage `0`
/// (`torch._utils._rebuild_tensor_v2`), the storage's little-endian bytes in `<archive>/data/0`,
/// `byteorder` and `version`. `torch.load` reads it (checked by FormatCLITests); so does
/// `TorchZipFile`. What e4e, pSp and ReStyle write as `latents.pt`.
public enum TorchSave {
    /// Writes `values` (row-major, `shape`) atomically to `url`; the archive is named after the file.
    public static func write(float32 values: [Float], shape: [Int], to url: URL) throws {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not hold \(values.count) values")
        try write(pickle: pickle(shape: shape, count: values.count), storages: [values], to: url)
    }

    /// Writes a dict of float32 tensors, `{key: tensor}` in the order given, as `torch.save(dict)`
    /// does: what anycost-gan's boundary files (`{"31_Smiling": (1, 512), ...}`) and e4e's
    /// `ffhq_pca.pt` (`{"mean", "comp", "std"}`) hold.
    public static func write(dictionary entries: [(key: String, values: [Float], shape: [Int])], to url: URL) throws {
        for e in entries { precondition(e.shape.reduce(1, *) == e.values.count, "\(e.key): shape \(e.shape) does not hold \(e.values.count) values") }
        var p = Data([0x80, 0x02, 0x7d])   // PROTO 2, EMPTY_DICT
        if !entries.isEmpty {
            p.append(0x28)                  // MARK
            for (i, e) in entries.enumerated() {
                string(e.key, into: &p)
                tensor(shape: e.shape, count: e.values.count, storage: "\(i)", into: &p)
            }
            p.append(0x75)                  // SETITEMS
        }
        p.append(0x2e)                      // STOP
        try write(pickle: p, storages: entries.map(\.values), to: url)
    }

    private static func write(pickle: Data, storages: [[Float]], to url: URL) throws {
        let stem = url.deletingPathExtension().lastPathComponent
        // torch names the archive after the file; keep it to safe characters.
        let archive = String(stem.unicodeScalars.prefix(64).map {
            ($0.properties.isAlphabetic && $0.isASCII) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" ? Character($0) : "_"
        })
        let name = archive.isEmpty ? "archive" : archive
        var members: [(name: String, bytes: Data)] = [("\(name)/data.pkl", pickle), ("\(name)/byteorder", Data("little".utf8))]
        for (i, values) in storages.enumerated() {
            var storage = Data(capacity: 4 * values.count)
            values.withUnsafeBytes { storage.append(contentsOf: $0) }   // little-endian hosts (x86-64, arm64)
            members.append(("\(name)/data/\(i)", storage))
        }
        members.append(("\(name)/version", Data("3\n".utf8)))
        try AtomicWrite.write(ZipWriter.stored(members, source: url.path), to: url)
    }

    /// One tensor, pickled with protocol 2.
    static func pickle(shape: [Int], count: Int) -> Data {
        var p = Data([0x80, 0x02])
        tensor(shape: shape, count: count, storage: "0", into: &p)
        p.append(0x2e)   // STOP
        return p
    }

    private static func string(_ s: String, into p: inout Data) {
        let bytes = Array(s.utf8)
        p.append(0x58)   // BINUNICODE
        withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { p.append(contentsOf: $0) }
        p.append(contentsOf: bytes)
    }

    /// `_rebuild_tensor_v2(persistent storage ('storage', torch.FloatStorage, KEY, 'cpu', count),
    /// 0, shape, contiguous strides, False, OrderedDict())`, leaving the tensor on the stack.
    private static func tensor(shape: [Int], count: Int, storage key: String, into p: inout Data) {
        func op(_ byte: UInt8) { p.append(byte) }
        func global(_ module: String, _ name: String) { op(0x63); p.append(contentsOf: Array("\(module)\n\(name)\n".utf8)) }
        func int(_ v: Int) {
            if (0..<256).contains(v) { op(0x4b); op(UInt8(v)) }
            else if (0..<65536).contains(v) { op(0x4d); withUnsafeBytes(of: UInt16(v).littleEndian) { p.append(contentsOf: $0) } }
            else { op(0x8a); op(8); withUnsafeBytes(of: Int64(v).littleEndian) { p.append(contentsOf: $0) } }   // LONG1
        }
        func tuple(_ values: [Int]) { op(0x28); values.forEach(int); op(0x74) }
        var strides = [Int](repeating: 1, count: shape.count)
        for d in stride(from: shape.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * shape[d + 1] }
        global("torch._utils", "_rebuild_tensor_v2")
        op(0x28)                                       // MARK: the arguments
        op(0x28); string("storage", into: &p); global("torch", "FloatStorage"); string(key, into: &p); string("cpu", into: &p); int(count); op(0x74)
        op(0x51)                                       // BINPERSID
        int(0)                                         // storage offset
        tuple(shape); tuple(strides)
        op(0x89)                                       // requires_grad False
        global("collections", "OrderedDict"); op(0x29); op(0x52)   // backward hooks: OrderedDict()
        op(0x74); op(0x52)                             // TUPLE, REDUCE
    }
}
