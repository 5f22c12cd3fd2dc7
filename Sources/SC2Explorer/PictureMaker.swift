import Foundation
import SC2Engine
import Tensor

/// Generates and scores pictures, with a bounded cache. Not thread-safe: owned by one thread.
final class PictureMaker {
    let generator: Generator
    let classifier: (any AttributePredictor)?
    private var cache: [EditKey: Picture] = [:]
    private var order: [EditKey] = []
    private let capacity: Int
    private var baseCodes: [UInt64: Tensor] = [:]
    /// Images per synthesis call (batched for speed, bounded for memory).
    let batchSize = 8

    init(generator: Generator, classifier: (any AttributePredictor)?) {
        self.generator = generator
        self.classifier = classifier
        let bytes = generator.config.resolution * generator.config.resolution * 3
        capacity = max(16, min(4096, (256 << 20) / bytes))  // about 256 MiB of pictures
    }

    func cached(_ key: EditKey) -> Picture? { cache[key] }

    /// The W+ codes [1, numWs, wDim] of a seed after truncation (memoised).
    func baseCode(seed: UInt32, truncation: Float) -> Tensor {
        let key = UInt64(seed) << 32 | UInt64(truncation.bitPattern)
        if let t = baseCodes[key] { return t }
        let z = generator.latents(seeds: [seed])
        let ws = generator.ws(z: z, truncation: truncation)
        if baseCodes.count > 256 { baseCodes.removeAll() }
        baseCodes[key] = ws
        return ws
    }

    /// Pictures for `keys` (directions looked up in `directions` by id), generating the ones
    /// not cached in batches. Returns the time spent generating.
    @discardableResult
    func make(_ keys: [EditKey], directions: [String: Direction]) -> (pictures: [EditKey: Picture], seconds: Double) {
        var out: [EditKey: Picture] = [:]
        var todo: [EditKey] = []
        for k in keys {
            if let p = cache[k] { out[k] = p } else if !todo.contains(k) { todo.append(k) }
        }
        guard !todo.isEmpty else { return (out, 0) }
        let t0 = DispatchTime.now().uptimeNanoseconds
        let nw = generator.config.numWs, d = generator.config.wDim
        for start in stride(from: 0, to: todo.count, by: batchSize) {
            let chunk = Array(todo[start..<min(start + batchSize, todo.count)])
            var batch = Tensor(zeros: [chunk.count, nw, d])
            for (i, k) in chunk.enumerated() {
                var code = baseCode(seed: k.seed, truncation: k.truncation)
                if let id = k.directionID, let dir = directions[id] {
                    code = dir.apply(to: code, alpha: k.alpha)
                }
                batch.data.replaceSubrange(i * nw * d..<(i + 1) * nw * d, with: code.data)
            }
            let images = generator.synthesis(batch)
            let pictures = Generator.pictures(images)
            let scores = (try? classifier?.probabilities(generated: images)) ?? nil
            for (i, k) in chunk.enumerated() {
                let p = Picture(image: pictures[i], scores: scores?[i])
                out[k] = p
                insert(k, p)
            }
        }
        return (out, Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
    }

    private func insert(_ k: EditKey, _ p: Picture) {
        if cache.updateValue(p, forKey: k) == nil { order.append(k) }
        if order.count > capacity {
            let drop = order.count - capacity
            for old in order.prefix(drop) { cache[old] = nil }
            order.removeFirst(drop)
        }
    }
}
