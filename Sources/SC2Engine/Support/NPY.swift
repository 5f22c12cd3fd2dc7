import Foundation

/// Minimal NumPy .npy (format 1.0) writer and reader for uint8 and little-endian float32 arrays.
public enum NPY {
    static func header(descr: String, shape: [Int]) -> Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + dict.utf8.count + 1
        dict += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var d = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let len = UInt16(dict.utf8.count)
        d.append(contentsOf: [UInt8(len & 0xff), UInt8(len >> 8)])
        d.append(contentsOf: Array(dict.utf8))
        return d
    }

    public static func encode(uint8 values: [UInt8], shape: [Int]) -> Data {
        var d = header(descr: "|u1", shape: shape)
        d.append(contentsOf: values)
        return d
    }

    public static func encode(float32 values: [Float], shape: [Int]) -> Data {
        var d = header(descr: "<f4", shape: shape)
        values.withUnsafeBytes { d.append(contentsOf: $0) }
        return d
    }

    /// Reads a C-order uint8 or float32 array (returned as Float).
    public static func read(_ url: URL) throws -> (shape: [Int], values: [Float]) {
        guard let data = FileManager.default.contents(atPath: url.path), data.count >= 10,
              data.prefix(6) == Data([0x93] + Array("NUMPY".utf8)) else {
            throw SC2Error("\(url.path): not a .npy file")
        }
        let major = data[6]
        let hlen = major == 1 ? Int(data[8]) | Int(data[9]) << 8
                              : Int(data[8]) | Int(data[9]) << 8 | Int(data[10]) << 16 | Int(data[11]) << 24
        let start = major == 1 ? 10 : 12
        guard data.count >= start + hlen, let h = String(data: data[start..<start + hlen], encoding: .ascii) else {
            throw SC2Error("\(url.path): truncated .npy header")
        }
        guard !h.contains("'fortran_order': True") else { throw SC2Error("\(url.path): Fortran order not supported") }
        guard let s0 = h.range(of: "'shape': ("), let s1 = h[s0.upperBound...].firstIndex(of: ")") else {
            throw SC2Error("\(url.path): .npy header has no shape")
        }
        let shape = h[s0.upperBound..<s1].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let n = shape.reduce(1, *)
        let body = data.dropFirst(start + hlen)
        if h.contains("'|u1'") {
            guard body.count >= n else { throw SC2Error("\(url.path): truncated .npy data") }
            return (shape, body.prefix(n).map { Float($0) })
        } else if h.contains("'<f4'") {
            guard body.count >= 4 * n else { throw SC2Error("\(url.path): truncated .npy data") }
            var out = [Float](repeating: 0, count: n)
            _ = out.withUnsafeMutableBytes { body.prefix(4 * n).copyBytes(to: $0) }
            return (shape, out)
        }
        throw SC2Error("\(url.path): unsupported .npy dtype (uint8 and float32 only)")
    }
}
