import Foundation
import Tensor

/// N seeds -> w (after truncation), classifier probabilities per attribute: the high-density
/// set every direction is fitted on. Cached on disk with its provenance (model and classifier
/// hashes, seeds, truncation) so a second run is instant.
public struct SampleSet: Sendable {
    public let seeds: [UInt32]
    public let truncation: Float
    public let w: Tensor         // [N, wDim]
    public let scores: Tensor    // [N, attributes]
    public let attributes: [String]
    public let provenance: [String: String]

    public var count: Int { seeds.count }

    /// Dense samples a direction is fitted on unless told otherwise (seeds 0..<20,000): the
    /// command line's --samples default and the explorer's.
    public static let defaultCount = 20_000
    public var codes: [[Float]] {
        let d = w.shape[1]
        return (0..<count).map { Array(w.data[$0 * d..<($0 + 1) * d]) }
    }

    public func scores(of attribute: String) throws -> [Float] {
        let a = try AttributeLookup.index(of: attribute, in: attributes)
        let na = attributes.count
        return (0..<count).map { scores.data[$0 * na + a] }
    }

    /// Pearson correlation of the binary labels (p > 0.5), attribute by attribute (phi).
    public func labelCorrelation() -> [[Double]] {
        let na = attributes.count
        let labels = (0..<na).map { a in (0..<count).map { scores.data[$0 * na + a] > 0.5 ? 1.0 : 0.0 } }
        return Statistics.correlationMatrix(labels)
    }

    /// The 2x2 table of two attributes' labels (p > 0.5): counts of (a off, b off), (a off, b on),
    /// (a on, b off), (a on, b on).
    public func cellCounts(_ a: String, _ b: String) throws -> [Int] {
        let pa = try scores(of: a), pb = try scores(of: b)
        var n = [0, 0, 0, 0]
        for i in 0..<count { n[(pa[i] > 0.5 ? 2 : 0) + (pb[i] > 0.5 ? 1 : 0)] += 1 }
        return n
    }

    static func provenance(generator g: Generator, classifier c: any AttributePredictor, seeds: [UInt32], truncation: Float) -> [String: String] {
        var p = provenanceAtFullResolution(generator: g, classifier: c, seeds: seeds, truncation: truncation)
        // Scored on images stopped early: a set scored at full resolution is another set.
        if let r = g.scoringResolution(forInput: c.inputSize) { p["scored_at"] = "\(r)" }
        return p
    }

    private static func provenanceAtFullResolution(generator g: Generator, classifier c: any AttributePredictor, seeds: [UInt32], truncation: Float) -> [String: String] {
        ["model_hash": g.hash, "classifier_hash": c.identity, "truncation": "\(truncation)",
         "seeds": seeds.count == 0 ? "" : "\(seeds.first!)-\(seeds.last!) (\(seeds.count))",
         "seeds_hash": ContentHash.of(Data(seeds.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) }))]
    }

    /// Generates and scores in batches on all cores; `progress(done)` after each batch.
    public static func build(generator g: Generator, classifier c: any AttributePredictor, seeds: [UInt32],
                             truncation: Float = 1, batch: Int = 32, progress: ((Int) -> Void)? = nil) throws -> SampleSet {
        let d = g.config.wDim, na = c.attributes.count
        var w = Tensor(zeros: [seeds.count, d]), scores = Tensor(zeros: [seeds.count, na])
        for start in stride(from: 0, to: seeds.count, by: batch) {
            let chunk = Array(seeds[start..<min(start + batch, seeds.count)])
            let wt = g.broadcast(g.mapping(g.latents(seeds: chunk)), truncation: truncation, cutoff: nil)
            let nw = g.config.numWs
            for i in 0..<chunk.count { for k in 0..<d { w.data[(start + i) * d + k] = wt.data[(i * nw) * d + k] } }
            let p = try g.scores(wt, by: c)
            for i in 0..<chunk.count { for a in 0..<na { scores.data[(start + i) * na + a] = p[i][a] } }
            progress?(start + chunk.count)
        }
        return SampleSet(seeds: seeds, truncation: truncation, w: w, scores: scores, attributes: c.attributes,
                         provenance: provenance(generator: g, classifier: c, seeds: seeds, truncation: truncation))
    }

    /// The cached set when its provenance matches, else builds and caches it.
    public static func cached(in dir: URL, generator g: Generator, classifier c: any AttributePredictor, seeds: [UInt32],
                              truncation: Float = 1, progress: ((Int) -> Void)? = nil) throws -> (set: SampleSet, fromCache: Bool) {
        if let set = load(from: dir, generator: g, classifier: c, seeds: seeds, truncation: truncation) { return (set, true) }
        let set = try build(generator: g, classifier: c, seeds: seeds, truncation: truncation, progress: progress)
        try set.store(in: dir)
        return (set, false)
    }

    /// The cache key of a set: a hash of its provenance (model, classifier, seeds, truncation).
    static func cacheKey(_ prov: [String: String]) -> String {
        ContentHash.of(Data(prov.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";").utf8))
    }

    static func cacheKey(generator g: Generator, classifier c: any AttributePredictor, seeds: [UInt32], truncation: Float) -> String {
        cacheKey(provenance(generator: g, classifier: c, seeds: seeds, truncation: truncation))
    }

    /// The cache file of the set these inputs make (`samples-KEY.safetensors` in `dir`).
    public static func cacheURL(in dir: URL, generator g: Generator, classifier c: any AttributePredictor, seeds: [UInt32],
                                truncation: Float) -> URL {
        dir.appendingPathComponent("samples-\(cacheKey(generator: g, classifier: c, seeds: seeds, truncation: truncation)).safetensors")
    }

    /// The set from `dir` when a file with matching provenance is there, else nil.
    public static func load(from dir: URL, generator g: Generator, classifier c: any AttributePredictor, seeds: [UInt32],
                            truncation: Float) -> SampleSet? {
        let prov = provenance(generator: g, classifier: c, seeds: seeds, truncation: truncation)
        let url = dir.appendingPathComponent("samples-\(cacheKey(prov)).safetensors")
        guard let ckpt = try? SafeTensors.read(url), ckpt.metadata.filter({ prov[$0.key] != nil }) == prov,
              let w = ckpt.tensors["w"], let s = ckpt.tensors["scores"], let sd = ckpt.tensors["seeds"],
              w.shape == [seeds.count, g.config.wDim], sd.data.map({ UInt32($0) }) == seeds else { return nil }
        let attrs = (ckpt.metadata["attributes"] ?? "").split(separator: ",").map(String.init)
        guard s.shape == [seeds.count, attrs.count] else { return nil }
        return SampleSet(seeds: seeds, truncation: truncation, w: w, scores: s, attributes: attrs, provenance: prov)
    }

    /// Writes the set into the cache folder `dir` (atomically), where `cached` and `load` find it.
    public func store(in dir: URL) throws {
        try AtomicWrite.write(try encoded(), to: dir.appendingPathComponent(cacheFileName))
    }

    /// The cache file's name (`samples-KEY.safetensors`).
    public var cacheFileName: String { "samples-\(Self.cacheKey(provenance)).safetensors" }

    /// The bytes of the cache file.
    public func encoded() throws -> Data {
        var meta = provenance
        meta["attributes"] = attributes.joined(separator: ",")
        // Seeds as floats are exact below 2^24; larger seeds are checked through seeds_hash.
        return try SafeTensors.encode(["w": w, "scores": scores, "seeds": Tensor(shape: [seeds.count], data: seeds.map { Float($0) })],
                                      metadata: meta)
    }

}
