import Foundation
import Synchronization

/// Renders labelled FaceWorld datasets: images as a .npy uint8 [N, H, W, 3] array, labels as a
/// .npy uint8 [N, 6] array, and a JSON sidecar (attribute names, preset, seed): the format
/// tools/training/train_*.py read. Sample i depends only on (seed, i), so any slice is reproducible.
package enum FaceWorldDataset {
    package static func sample(index: Int, seed: UInt64, preset: CorrelationPreset) -> FaceParams {
        var rng = Xoshiro(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(index))
        let labels = preset.sampleLabels(&rng)
        return FaceParams.random(attributes: labels, using: &rng)
    }

    /// Renders `count` faces on all cores; `progress` is called with the number done.
    package static func render(count: Int, seed: UInt64, preset: CorrelationPreset,
                              renderer: FaceRenderer = FaceRenderer(),
                              progress: (@Sendable (Int) -> Void)? = nil) -> (images: [UInt8], labels: [UInt8]) {
        let n = renderer.size * renderer.size * 3
        let na = FaceAttribute.allCases.count
        var images = [UInt8](repeating: 0, count: count * n)
        var labels = [UInt8](repeating: 0, count: count * na)
        let chunk = 64
        let chunks = (count + chunk - 1) / chunk
        let done = Mutex(0)
        images.withUnsafeMutableBufferPointer { imgBuf in
            labels.withUnsafeMutableBufferPointer { labBuf in
                nonisolated(unsafe) let ib = imgBuf, lb = labBuf
                DispatchQueue.concurrentPerform(iterations: chunks) { c in
                    let lo = c * chunk, hi = min(count, lo + chunk)
                    for i in lo..<hi {
                        let p = sample(index: i, seed: seed, preset: preset)
                        let img = renderer.render(p)
                        for k in 0..<n { ib[i * n + k] = img.pixels[k] }
                        for a in 0..<na { lb[i * na + a] = p.attributes[a] ? 1 : 0 }
                    }
                    progress?(done.withLock { $0 += hi - lo; return $0 })
                }
            }
        }
        return (images, labels)
    }

    /// Writes `<stem>.images.npy`, `<stem>.labels.npy` and `<stem>.json`, each atomically.
    package static func write(images: [UInt8], labels: [UInt8], count: Int, size: Int,
                             preset: CorrelationPreset, seed: UInt64, stem: URL) throws {
        let base = stem.path.hasSuffix(".npy") ? String(stem.path.dropLast(4)) : stem.path
        try AtomicWrite.write(NPY.encode(uint8: images, shape: [count, size, size, 3]),
                              to: URL(fileURLWithPath: base + ".images.npy"))
        try AtomicWrite.write(NPY.encode(uint8: labels, shape: [count, FaceAttribute.allCases.count]),
                              to: URL(fileURLWithPath: base + ".labels.npy"))
        struct Meta: Codable { let attributes: [String]; let count: Int; let size: Int; let seed: UInt64; let preset: CorrelationPreset }
        let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicWrite.write(try enc.encode(Meta(attributes: FaceAttribute.allCases.map(\.rawValue), count: count,
                                                  size: size, seed: seed, preset: preset)),
                              to: URL(fileURLWithPath: base + ".json"))
    }
}
