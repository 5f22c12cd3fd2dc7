import CZlib
import Tensor
import Foundation

extension NPY {
    /// Writes float32 arrays as an .npz archive the way `np.savez` does (one stored, i.e.
    /// uncompressed, `NAME.npy` member per array, each with its CRC-32), atomically.
    package static func writeArchive(_ arrays: [(name: String, shape: [Int], values: [Float])], to url: URL) throws {
        var out = Data(), central = Data()
        func u16(_ v: Int, _ d: inout Data) { withUnsafeBytes(of: UInt16(truncatingIfNeeded: v).littleEndian) { d.append(contentsOf: $0) } }
        func u32(_ v: UInt32, _ d: inout Data) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        for array in arrays {
            let name = Array((array.name + ".npy").utf8)
            let body = encode(float32: array.values, shape: array.shape)
            guard body.count < Int(UInt32.max), out.count < Int(UInt32.max) else { throw SC2Error("\(url.path): arrays too large for an .npz (zip64 is not written)") }
            let crc = body.withUnsafeBytes { UInt32(truncatingIfNeeded: crc32_z(0, $0.bindMemory(to: UInt8.self).baseAddress, $0.count)) }
            let offset = UInt32(out.count)
            // Local header: signature, version 2.0, no flags, stored, no time, CRC, sizes, name.
            u32(0x0403_4b50, &out); u16(20, &out); u16(0, &out); u16(0, &out); u16(0, &out); u16(0x21, &out)
            u32(crc, &out); u32(UInt32(body.count), &out); u32(UInt32(body.count), &out); u16(name.count, &out); u16(0, &out)
            out.append(contentsOf: name); out.append(body)
            // Central directory entry for it.
            u32(0x0201_4b50, &central); u16(20, &central); u16(20, &central); u16(0, &central); u16(0, &central)
            u16(0, &central); u16(0x21, &central); u32(crc, &central); u32(UInt32(body.count), &central); u32(UInt32(body.count), &central)
            u16(name.count, &central); u16(0, &central); u16(0, &central); u16(0, &central); u16(0, &central)
            u32(0, &central); u32(offset, &central); central.append(contentsOf: name)
        }
        let centralOffset = UInt32(out.count)
        out.append(central)
        u32(0x0605_4b50, &out); u16(0, &out); u16(0, &out); u16(arrays.count, &out); u16(arrays.count, &out)
        u32(UInt32(central.count), &out); u32(centralOffset, &out); u16(0, &out)
        try AtomicWrite.write(out, to: url)
    }
}

/// Latent codes from the files other tools write: stylegan2-ada-pytorch's projector writes
/// `projected_w.npz` with `w` of shape (1, num_ws, w_dim); a single w (w_dim,), (1, w_dim) is
/// broadcast to every row; (num_ws, w_dim) is one W+ code.
package enum LatentCodes {
    /// One W+ code [1, numWs, wDim] from a .npy, or the `w` array (or only array) of an .npz.
    package static func read(_ url: URL, numWs: Int, wDim: Int) throws -> Tensor {
        let array: NPY.NumPyArray
        switch url.pathExtension.lowercased() {
        case "npz":
            let arrays = try NPY.readArchive(url, maxElements: 64 * 8192)
            guard let w = arrays["w"] ?? (arrays.count == 1 ? arrays.values.first : nil) else {
                throw SC2Error("\(url.path): no array named 'w' (found: \(arrays.keys.sorted().joined(separator: ", ")))")
            }
            array = w
        case "npy":
            array = try NPY.read(url, maxElements: 64 * 8192)
        default:
            throw SC2Error("\(url.path): latent codes are read from .npy or .npz files")
        }
        let s = array.shape
        guard array.values.allSatisfy(\.isFinite) else { throw SC2Error("\(url.path): the code has NaN or infinite entries") }
        switch s {
        case [wDim], [1, wDim]:
            var out = Tensor(zeros: [1, numWs, wDim])
            for r in 0..<numWs { out.data.replaceSubrange(r * wDim..<(r + 1) * wDim, with: array.values) }
            return out
        case [numWs, wDim], [1, numWs, wDim]:
            return Tensor(shape: [1, numWs, wDim], data: array.values)
        default:
            throw SC2Error("\(url.path): a latent code for this model has shape (1, \(numWs), \(wDim)), (\(numWs), \(wDim)) or (1, \(wDim)); this one has \(s)")
        }
    }
}
