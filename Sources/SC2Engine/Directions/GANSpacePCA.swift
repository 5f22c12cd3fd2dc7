import Foundation
import Tensor

/// GANSpace (Härkönen et al. 2020) as its authors run it: principal components of w over a large
/// random sample, unsupervised (their files' `lat_comp`, `lat_mean`, `lat_stdev`, `var_ratio`).
/// An edit is a component on a range of W+ rows (`Direction.layers`). z is drawn as
/// `numpy.random.RandomState(seed).randn(samples, z_dim)` and mapped without truncation.
public struct GANSpacePCA: Sendable {
    /// Mean of the sampled w (GANSpace's lat_mean).
    public let mean: [Float]
    /// Unit components, by decreasing variance (lat_comp).
    public let components: [[Float]]
    /// Variance of the samples along each component, with n - 1 (lat_stdev squared).
    public let variances: [Double]
    /// Each component's share of the total variance of w (var_ratio).
    public let varianceRatios: [Double]
    public let samples: Int
    public let seed: UInt32

    /// Components kept, as GANSpace's default.
    public static let defaultComponents = 80
    /// Rows mapped at a time.
    static let batch = 4096

    /// The PCA of `samples` w of `generator` from seed `seed`. `each` sees every batch of w
    /// [n, wDim] as it is drawn (to dump them, or show progress).
    public init(generator g: Generator, samples: Int, seed: UInt32 = 0, components keep: Int = defaultComponents,
                each: ((Tensor) throws -> Void)? = nil) throws {
        precondition(samples > 1, "a PCA needs at least two samples")
        let d = g.config.wDim
        var random = NumPyRandom(seed: seed)
        var moments = Moments(dimensions: d)
        var done = 0
        while done < samples {
            let n = min(Self.batch, samples - done)
            let z = Tensor(shape: [n, g.config.zDim], data: random.randn(n * g.config.zDim).map { Float($0) })
            let w = g.mapping(z)
            try each?(w)
            moments.add(w)
            done += n
        }
        self.init(moments: moments, keep: keep, seed: seed)
    }

    /// The PCA of the rows of `w` [N, D] (N > 1).
    public init(codes w: Tensor, components keep: Int = defaultComponents) {
        precondition(w.rank == 2 && w.shape[0] > 1, "a PCA needs at least two rows")
        var moments = Moments(dimensions: w.shape[1])
        var start = 0
        while start < w.shape[0] {
            let n = min(Self.batch, w.shape[0] - start)
            moments.add(Tensor(shape: [n, w.shape[1]], data: Array(w.data[start * w.shape[1] ..< (start + n) * w.shape[1]])))
            start += n
        }
        self.init(moments: moments, keep: keep, seed: 0)
    }

    private init(moments m: Moments, keep: Int, seed: UInt32) {
        let d = m.dimensions, n = Double(m.count)
        let shiftMean = m.sum.map { $0 / n }
        var cov = [Double](repeating: 0, count: d * d)
        for i in 0..<d { for j in 0..<d { cov[i * d + j] = (m.gram[i * d + j] - n * shiftMean[i] * shiftMean[j]) / (n - 1) } }
        for i in 0..<d { for j in (i + 1)..<max(i + 1, d) { let s = (cov[i * d + j] + cov[j * d + i]) / 2; cov[i * d + j] = s; cov[j * d + i] = s } }
        let (values, vectors) = SymmetricEigen.decompose(cov, n: d)
        let order = values.indices.sorted { values[$0] > values[$1] }
        let total = values.reduce(0) { $0 + max($1, 0) }
        let kept = Array(order.prefix(max(1, min(keep, d))))
        mean = (0..<d).map { Float(Double(m.shift[$0]) + shiftMean[$0]) }
        components = kept.map { k in
            // GANSpace's sign is the solver's; here the largest entry is made positive, so that a
            // component is the same vector from run to run.
            let v = (0..<d).map { vectors[$0 * d + k] }
            let flip = (v.max(by: { abs($0) < abs($1) }) ?? 0) < 0
            return v.map { Float(flip ? -$0 : $0) }
        }
        variances = kept.map { max(values[$0], 0) }
        varianceRatios = kept.map { total > 0 ? max(values[$0], 0) / total : 0 }
        samples = m.count
        self.seed = seed
    }

    /// Running sums of w minus a shift (the first batch's mean), for a covariance without the
    /// cancellation of raw second moments; the products are BLAS's, summed in Double.
    private struct Moments {
        let dimensions: Int
        var shift: [Float] = []
        var sum: [Double]
        var gram: [Double]
        var count = 0

        init(dimensions d: Int) {
            dimensions = d
            sum = [Double](repeating: 0, count: d)
            gram = [Double](repeating: 0, count: d * d)
        }

        mutating func add(_ w: Tensor) {
            let n = w.shape[0], d = dimensions
            if shift.isEmpty {
                shift = (0..<d).map { k in Float((0..<n).reduce(0.0) { $0 + Double(w.data[$1 * d + k]) } / Double(n)) }
            }
            var y = w
            for i in 0..<n { for k in 0..<d { y.data[i * d + k] -= shift[k] } }
            for i in 0..<n { for k in 0..<d { sum[k] += Double(y.data[i * d + k]) } }
            let g = Tensor.matmul(y, y, transA: true)
            for k in 0..<(d * d) { gram[k] += Double(g.data[k]) }
            count += n
        }
    }

    /// Standard deviation of the samples along component `k` (lat_stdev).
    public func stdev(_ k: Int) -> Double { variances[k].squareRoot() }

    /// Component `k` as a direction on `layers` (all rows when nil), signed as `sign` says.
    public func direction(_ k: Int, attribute: String, layers: [Int]? = nil, negated: Bool = false,
                          provenance: [String: String] = [:]) -> Direction {
        var p = provenance
        p["component"] = "\(k)"
        p["var_ratio"] = String(format: "%.6g", varianceRatios[k])
        p["stdev"] = String(format: "%.6g", stdev(k))
        p["pca_samples"] = "\(samples)"
        p["pca_seed"] = "\(seed)"
        return Direction(attribute: attribute, method: "ganspace", vector: negated ? components[k].map { -$0 } : components[k],
                         layers: layers, provenance: p)
    }

    /// The component among the first `candidates` whose projection of `codes` correlates most
    /// (in absolute value) with `scores`, and that correlation (its sign: whether the component
    /// lowers the attribute).
    public func tracking(codes: [[Float]], scores: [Float], candidates: Int = 20) -> (index: Int, correlation: Double) {
        PopulationFit.tracking(components, codes: codes, scores: scores, candidates: candidates)
    }

    /// The PCA of `samples` w of `generator` from `seed`, read from `dir` when a run with the
    /// same model, samples, seed and components left it there (GANSpace's .npz, float32), else
    /// computed and stored. Whether it came from the cache.
    public static func cached(in dir: URL, generator g: Generator, samples: Int, seed: UInt32 = 0,
                              components keep: Int = defaultComponents, each: ((Tensor) throws -> Void)? = nil) throws
        -> (pca: GANSpacePCA, fromCache: Bool) {
        let url = dir.appendingPathComponent("ganspace-\(g.hash.prefix(16))-n\(samples)-s\(seed)-c\(keep).npz")
        if let file = try? ExchangeFile.read(url), let pca = GANSpacePCA(file, samples: samples, seed: seed), pca.mean.count == g.config.wDim {
            return (pca, true)
        }
        let pca = try GANSpacePCA(generator: g, samples: samples, seed: seed, components: keep, each: each)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try pca.saveNPZ(to: url)
        return (pca, false)
    }

    /// The PCA a `saveNPZ` file holds (nil unless it is one, consistent).
    private init?(_ file: ExchangeFile, samples: Int, seed: UInt32) {
        guard case .ganspace(let n)? = try? file.layout(), let comp = file.arrays["lat_comp"], let mean = file.arrays["lat_mean"],
              let sd = file.arrays["lat_stdev"], let ratio = file.arrays["var_ratio"],
              [comp.values, mean.values, sd.values, ratio.values].allSatisfy({ $0.allSatisfy(\.isFinite) }) else { return nil }
        let d = mean.values.count
        self.mean = mean.values
        components = (0..<n).map { Array(comp.values[$0 * d ..< ($0 + 1) * d]) }
        variances = sd.values.map { Double($0) * Double($0) }
        varianceRatios = ratio.values.map(Double.init)
        self.samples = samples
        self.seed = seed
    }

    /// Writes the components as e4e's `ffhq_pca.pt` holds a PCA of w (`torch.save` of a dict:
    /// mean (1, D), comp (n, 1, D), std (n,)), readable by torch and by `Direction.load` (FILE#INDEX).
    public func savePCAPt(to url: URL) throws {
        let n = components.count, d = mean.count
        try TorchSave.write(dictionary: [(key: "mean", values: mean, shape: [1, d]),
                                         (key: "comp", values: components.flatMap { $0 }, shape: [n, 1, d]),
                                         (key: "std", values: variances.map { Float($0.squareRoot()) }, shape: [n])], to: url)
    }

    /// Writes the components as GANSpace writes them (`np.savez` of lat_comp (n, 1, D), lat_mean
    /// (1, D), lat_stdev (n,), var_ratio (n,)), readable by GANSpace's code and by `Direction.load`.
    public func saveNPZ(to url: URL) throws {
        let n = components.count, d = mean.count
        try NPY.writeArchive([(name: "lat_comp", shape: [n, 1, d], values: components.flatMap { $0 }),
                              (name: "lat_mean", shape: [1, d], values: mean),
                              (name: "lat_stdev", shape: [n], values: variances.map { Float($0.squareRoot()) }),
                              (name: "var_ratio", shape: [n], values: varianceRatios.map { Float($0) })], to: url)
    }
}
