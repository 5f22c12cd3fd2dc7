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
        let stem = url.deletingPathExtension().lastPathComponent
        // torch names the archive after the file; keep it to safe characters.
        let archive = String(stem.unicodeScalars.prefix(64).map {
            ($0.properties.isAlphabetic && $0.isASCII) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" ? Character($0) : "_"
        })
        let name = archive.isEmpty ? "archive" : archive
        var storage = Data(capacity: 4 * values.count)
        values.withUnsafeBytes { storage.append(contentsOf: $0) }   // little-endian hosts (x86-64, arm64)
        let members: [(name: String, bytes: Data)] = [
            ("\(name)/data.pkl", pickle(shape: shape, count: values.count)),
            ("\(name)/byteorder", Data("little".utf8)),
            ("\(name)/data/0", storage),
            ("\(name)/version", Data("3\n".utf8)),
        ]
        try AtomicWrite.write(ZipWriter.stored(members, source: url.path), to: url)
    }

    /// `_rebuild_tensor_v2(persistent storage ('storage', torch.FloatStorage, '0', 'cpu', count),
    /// 0, shape, contiguous strides, False, OrderedDict())`, pickled with protocol 2.
    static func pickle(shape: [Int], count: Int) -> Data {
        var p = Data([0x80, 0x02])
        func op(_ byte: UInt8) { p.append(byte) }
        func global(_ module: String, _ name: String) { op(0x63); p.append(contentsOf: Array("\(module)\n\(name)\n".utf8)) }
        func string(_ s: String) {
            let bytes = Array(s.utf8)
            op(0x58)   // BINUNICODE
            withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { p.append(contentsOf: $0) }
            p.append(contentsOf: bytes)
        }
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
        op(0x28); string("storage"); global("torch", "FloatStorage"); string("0"); string("cpu"); int(count); op(0x74)
        op(0x51)                                       // BINPERSID
        int(0)                                         // storage offset
        tuple(shape); tuple(strides)
        op(0x89)                                       // requires_grad False
        global("collections", "OrderedDict"); op(0x29); op(0x52)   // backward hooks: OrderedDict()
        op(0x74); op(0x52); op(0x2e)                   // TUPLE, REDUCE, STOP
        return p
    }
}
