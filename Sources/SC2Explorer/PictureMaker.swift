import Foundation
import SC2Engine
import Tensor

/// Generates and scores pictures, with a bounded cache. Not thread-safe: owned by one thread.
/// Previews (`stopAt`) are the skip architecture's image after an earlier block, unscored.
final class PictureMaker {
    let generator: Generator
    let classifier: (any AttributePredictor)?
    private struct Key: Hashable { let edit: EditKey; let stop: Int? }
    private var cache: [Key: Picture] = [:]
    private var order: [Key] = []
    /// Seconds per multiply-add of synthesis, measured on every batch made (nil before one).
    private(set) var secondsPerMAC: Double?
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

    func cached(_ key: EditKey, stopAt: Int? = nil) -> Picture? { cache[Key(edit: key, stop: stopAt)] }

    /// Estimated seconds to make `count` pictures stopped at `stop` (nil: full), from the
    /// measured rate; nil before anything was made.
    func estimatedSeconds(count: Int, stopAt stop: Int?) -> Double? {
        secondsPerMAC.map { $0 * Double(count) * Double(generator.config.synthesisMACs(upTo: stop)) }
    }

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
    func make(_ keys: [EditKey], directions: [String: Direction], stopAt stop: Int? = nil) -> (pictures: [EditKey: Picture], seconds: Double) {
        make(keys, directions: directions, stopAt: stop, isCancelled: nil)!
    }

    /// As `make`, given up (nil) when `isCancelled` says so between blocks; what was finished
    /// before stays cached.
    /// `measures`: whether the batches update the rate (background work that may share the CPU
    /// with drawing does not, so that it cannot make the next key look slow).
    func make(_ keys: [EditKey], directions: [String: Direction], stopAt stop: Int? = nil,
              isCancelled: (() -> Bool)?, measures: Bool = true) -> (pictures: [EditKey: Picture], seconds: Double)? {
        var out: [EditKey: Picture] = [:]
        var todo: [EditKey] = []
        for k in keys {
            if let p = cache[Key(edit: k, stop: stop)] { out[k] = p } else if !todo.contains(k) { todo.append(k) }
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
            let b0 = DispatchTime.now().uptimeNanoseconds
            guard let images = isCancelled.map({ generator.synthesis(batch, stopAt: stop, isCancelled: $0) }) ?? generator.synthesis(batch, stopAt: stop),
                  !(isCancelled?() ?? false) else { return nil }
            let made = Double(DispatchTime.now().uptimeNanoseconds - b0) * 1e-9 / Double(chunk.count * max(1, generator.config.synthesisMACs(upTo: stop)))
            if measures || secondsPerMAC == nil { secondsPerMAC = secondsPerMAC.map { 0.5 * $0 + 0.5 * made } ?? made }
            let pictures = Generator.pictures(images)
            // A preview is not the final image: it is not scored (the bars wait for the refinement).
            // The predictor's convolutions are given up like the synthesis's (a ResNet-50 on one
            // image takes a good part of a second); its half-computed scores are never kept.
            let scores = stop == nil
                ? KernelCancellation.run(checking: isCancelled) { (try? classifier?.probabilities(generated: images)) ?? nil }
                : nil
            if isCancelled?() ?? false { return nil }
            for (i, k) in chunk.enumerated() {
                let p = Picture(image: pictures[i], scores: scores?[i])
                out[k] = p
                insert(Key(edit: k, stop: stop), p)
            }
        }
        return (out, Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
    }

    private func insert(_ k: Key, _ p: Picture) {
        if cache.updateValue(p, forKey: k) == nil { order.append(k) }
        if order.count > capacity {
            let drop = order.count - capacity
            for old in order.prefix(drop) { cache[old] = nil }
            order.removeFirst(drop)
        }
    }
}
