import Tensor
import Foundation

extension NPY {
    /// Writes float32 arrays as an .npz archive the way `np.savez` does (one stored, i.e.
    /// uncompressed, `NAME.npy` member per array, each with its CRC-32), atomically.
    package static func writeArchive(_ arrays: [(name: String, shape: [Int], values: [Float])], to url: URL) throws {
        let members = arrays.map { (name: $0.name + ".npy", bytes: encode(float32: $0.values, shape: $0.shape)) }
        try AtomicWrite.write(ZipWriter.stored(members, source: url.path), to: url)
    }
}
