import Foundation
import Tensor

/// Dense sampling cut into units of `unitSize` seeds (a multiple of the sampling batch, so
/// every sample is computed in the same batch of 32 as in one process), each written to the
/// work folder with its checksum. A shard computes its units and skips those already there;
/// `merge` puts the units together into the set one process would have built.
package struct ShardedSampling {
    package static let unitSize = 256
    package static let stage = "sample"
    package static let batch = 32

    package let generator: Generator
    package let classifier: any AttributePredictor
    package let seeds: [UInt32]
    package let truncation: Float
    package let folder: WorkFolder
    /// Notes (a damaged unit found and redone) go here.
    package var log: ((String) -> Void)? = nil

    package init(generator: Generator, classifier: any AttributePredictor, seeds: [UInt32], truncation: Float, folder: WorkFolder) {
        self.generator = generator; self.classifier = classifier; self.seeds = seeds; self.truncation = truncation; self.folder = folder
    }

    package var unitCount: Int { (seeds.count + Self.unitSize - 1) / Self.unitSize }

    /// The units' folder is named after the set's cache key, so that other seeds, another model
    /// or another classifier never reuse these units.
    var prefix: String { "samples-\(SampleSet.cacheKey(generator: generator, classifier: classifier, seeds: seeds, truncation: truncation))" }

    func unitName(_ u: Int) -> String { String(format: "%@/unit-%06d.safetensors", prefix, u) }

    func range(_ u: Int) -> Range<Int> { (u * Self.unitSize)..<min((u + 1) * Self.unitSize, seeds.count) }

    /// Computes this shard's units that are not already in the work folder, then records the
    /// shard as complete. `progress(done, total)` counts this shard's samples.
    package func run(_ shard: Shard, progress: ((Int, Int) -> Void)? = nil) throws {
        let units = shard.units(of: unitCount)
        let total = units.reduce(0) { $0 + range($1).count }
        var done = 0
        for u in units {
            if readUnit(u) == nil { try computeUnit(u) { progress?(done + $0, total) } }
            done += range(u).count
            progress?(done, total)
        }
        try ShardMarker.write(folder, stage: Self.stage, shard: shard, files: units.map(unitName))
    }

    /// One unit: the same batches as `SampleSet.build` over all seeds makes for these seeds.
    func computeUnit(_ u: Int, progress: ((Int) -> Void)? = nil) throws {
        let part = try SampleSet.build(generator: generator, classifier: classifier, seeds: Array(seeds[range(u)]),
                                       truncation: truncation, batch: Self.batch, progress: progress)
        try folder.write(try SafeTensors.encode(["w": part.w, "scores": part.scores],
                                                metadata: ["unit": "\(u)", "attributes": part.attributes.joined(separator: ",")]),
                         to: unitName(u))
    }

    /// A unit's (w, scores) when it is in the work folder with a valid checksum and the right
    /// shapes; nil otherwise (a damaged file is removed).
    func readUnit(_ u: Int) -> (w: Tensor, scores: Tensor)? {
        guard folder.read(unitName(u), log: log) != nil else { return nil }
        let n = range(u).count
        guard let ckpt = try? SafeTensors.read(folder.file(unitName(u))), let w = ckpt.tensors["w"], let s = ckpt.tensors["scores"],
              w.shape == [n, generator.config.wDim], s.shape == [n, classifier.attributes.count],
              ckpt.metadata["attributes"] == classifier.attributes.joined(separator: ",") else {
            log?("\(folder.file(unitName(u)).path): not a unit of this sample set: computing it again")
            folder.remove(unitName(u))
            return nil
        }
        return (w, s)
    }

    /// Units not yet in the work folder with a valid checksum.
    package func missingUnits() -> [Int] { (0..<unitCount).filter { folder.state(unitName($0)) != .valid } }

    /// The whole set from the units; units that are missing or damaged are computed here first
    /// (`computeMissing`), or reported in one line.
    package func merge(computeMissing: Bool, progress: ((Int, Int) -> Void)? = nil) throws -> SampleSet {
        let d = generator.config.wDim, na = classifier.attributes.count
        var w = Tensor(zeros: [seeds.count, d]), scores = Tensor(zeros: [seeds.count, na])
        var missing: [Int] = []
        for u in 0..<unitCount {
            var part = readUnit(u)
            if part == nil, computeMissing {
                try computeUnit(u)
                part = readUnit(u)
            }
            guard let part else { missing.append(u); continue }
            let r = range(u)
            w.data.replaceSubrange(r.lowerBound * d..<r.upperBound * d, with: part.w.data)
            scores.data.replaceSubrange(r.lowerBound * na..<r.upperBound * na, with: part.scores.data)
            progress?(r.upperBound, seeds.count)
        }
        if !missing.isEmpty {
            throw SC2Error("\(folder.url.path): \(missing.count) of \(unitCount) sample units are missing or damaged (first: \(unitName(missing[0]))); rerun their shards")
        }
        return SampleSet(seeds: seeds, truncation: truncation, w: w, scores: scores, attributes: classifier.attributes,
                         provenance: SampleSet.provenance(generator: generator, classifier: classifier, seeds: seeds, truncation: truncation))
    }
}
