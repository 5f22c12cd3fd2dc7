import Foundation
import Tensor

/// The InterFaceGAN protocol around any finder: sort by the attribute's score, take the top and
/// bottom share, split 70/30, fit, normalise.
public struct DirectionFitter: Sendable {
    public var share: Double = 0.02
    public var minimumPerClass: Int = 200
    public var trainFraction: Double = 0.7
    public var seed: UInt64 = 0

    public init(share: Double = 0.02, minimumPerClass: Int = 200) { self.share = share; self.minimumPerClass = minimumPerClass }

    public struct Result: Sendable {
        public let direction: Direction
        public let validationAccuracy: Double
        public let perClass: Int
    }

    /// InterFaceGAN's two classes: the indices of the top and bottom k scores (k = share of n,
    /// at least `minimumPerClass`, at most n/2), each shuffled with `rng`. The one
    /// place the split is made (the SC² re-fit uses the same classes).
    package func classes(scores: [Float], rng: inout Xoshiro) -> (positive: [Int], negative: [Int]) {
        let n = scores.count
        let k = min(n / 2, max(Int(share * Double(n)), minimumPerClass))
        let order = (0..<n).sorted { scores[$0] > scores[$1] }
        var pos = Array(order.prefix(k)), neg = Array(order.suffix(k))
        pos.shuffle(using: &rng); neg.shuffle(using: &rng)
        return (pos, neg)
    }

    /// codes: [n][wDim]; scores: the attribute's score per row (higher = more of it).
    public func fit(_ finder: DirectionFinder, attribute: String, codes: [[Float]], scores: [Float],
                    provenance: [String: String] = [:]) throws -> Result {
        let n = codes.count
        var rng = Xoshiro(seed: seed)
        let (pos, neg) = classes(scores: scores, rng: &rng)
        let k = pos.count
        guard k >= 10 else { throw SC2Error("too few samples (\(n)) to fit a direction for \(attribute)") }
        let nt = Int(trainFraction * Double(k))
        let train = Array(pos[..<nt]) + Array(neg[..<nt])
        let val = Array(pos[nt...]) + Array(neg[nt...])
        let labelsT = [Bool](repeating: true, count: nt) + [Bool](repeating: false, count: nt)
        let labelsV = [Bool](repeating: true, count: k - nt) + [Bool](repeating: false, count: k - nt)
        let normal: [Float], acc: Double
        var prov = provenance
        if let population = finder as? any PopulationFinder {
            // GANSpace: every code and its score; the classes only measure the separation.
            let f = population.fit(population: codes, scores: scores)
            normal = f.normal
            acc = PopulationFit.accuracy(normal, train: train.map { codes[$0] }, trainLabels: labelsT,
                                         validation: val.map { codes[$0] }, validationLabels: labelsV)
            prov["population_fit"] = String(format: "%.4f", f.fit)
        } else {
            (normal, acc) = finder.fit(train: train.map { codes[$0] }, trainLabels: labelsT,
                                       validation: val.map { codes[$0] }, validationLabels: labelsV)
        }
        prov["validation_accuracy"] = String(format: "%.4f", acc)
        prov["per_class"] = "\(k)"
        prov["samples"] = "\(n)"
        return Result(direction: Direction(attribute: attribute, method: finder.name, vector: normal, provenance: prov),
                      validationAccuracy: acc, perClass: k)
    }
}
