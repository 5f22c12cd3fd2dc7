import Foundation
import Tensor

/// A base method that finds a direction for one attribute from latent codes and scores.
public protocol DirectionFinder: Sendable {
    var name: String { get }
    /// codes: n rows of w; positive: label per row. Returns an unnormalised normal and the
    /// accuracy on the held-out rows.
    func fit(train: [[Float]], trainLabels: [Bool], validation: [[Float]], validationLabels: [Bool]) -> (normal: [Float], validationAccuracy: Double)
}

/// InterFaceGAN: the normal of a linear SVM separating the two classes.
public struct InterFaceGANFinder: DirectionFinder {
    public var c: Double = 1
    public var name: String { "interfacegan" }
    public init(c: Double = 1) { self.c = c }

    public func fit(train: [[Float]], trainLabels: [Bool], validation: [[Float]], validationLabels: [Bool]) -> (normal: [Float], validationAccuracy: Double) {
        let svm = LinearSVM(x: train, y: trainLabels, c: c)
        let correct = zip(validation, validationLabels).filter { (svm.decision($0) > 0) == $1 }.count
        return (svm.weights, validation.isEmpty ? .nan : Double(correct) / Double(validation.count))
    }
}

/// The difference of the class means (a simple, robust baseline).
public struct ClassMeanFinder: DirectionFinder {
    public var name: String { "class-mean" }
    public init() {}

    public func fit(train: [[Float]], trainLabels: [Bool], validation: [[Float]], validationLabels: [Bool]) -> (normal: [Float], validationAccuracy: Double) {
        let d = train.first?.count ?? 0
        var mp = [Double](repeating: 0, count: d), mn = mp
        var np = 0, nn = 0
        for (x, y) in zip(train, trainLabels) {
            if y { for k in 0..<d { mp[k] += Double(x[k]) }; np += 1 } else { for k in 0..<d { mn[k] += Double(x[k]) }; nn += 1 }
        }
        let cp = Double(max(np, 1)), cn = Double(max(nn, 1))
        let meanP: [Float] = mp.map { Float($0 / cp) }, meanN: [Float] = mn.map { Float($0 / cn) }
        let normal: [Float] = zip(meanP, meanN).map { $0 - $1 }
        // Threshold halfway between the projected means.
        let mid: Float = (LinearAlgebra.dot(meanP, normal) + LinearAlgebra.dot(meanN, normal)) / 2
        let correct = zip(validation, validationLabels).filter { (LinearAlgebra.dot($0, normal) > mid) == $1 }.count
        return (normal, validation.isEmpty ? .nan : Double(correct) / Double(validation.count))
    }
}

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
        let (normal, acc) = finder.fit(train: train.map { codes[$0] }, trainLabels: labelsT,
                                       validation: val.map { codes[$0] }, validationLabels: labelsV)
        var prov = provenance
        prov["validation_accuracy"] = String(format: "%.4f", acc)
        prov["per_class"] = "\(k)"
        prov["samples"] = "\(n)"
        return Result(direction: Direction(attribute: attribute, method: finder.name, vector: normal, provenance: prov),
                      validationAccuracy: acc, perClass: k)
    }
}

/// InterFaceGAN's conditional manipulation: remove the components along the conditions.
public enum ConditionalDirection {
    /// n minus its projection on span(conditions), renormalised (solves (C C^T) x = C n).
    public static func project(_ n: Direction, conditions: [Direction]) throws -> Direction {
        let m = conditions.count
        guard m > 0 else { return n }
        let c = conditions.map(\.vector)
        var gram = [Double](repeating: 0, count: m * m), rhs = [Double](repeating: 0, count: m)
        for i in 0..<m {
            rhs[i] = Double(LinearAlgebra.dot(c[i], n.vector))
            for j in 0..<m { gram[i * m + j] = Double(LinearAlgebra.dot(c[i], c[j])) + (i == j ? 1e-8 : 0) }
        }
        let x = try LinearAlgebra.solveSPD(gram, rhs, n: m)
        var v = n.vector
        for i in 0..<m { for k in 0..<v.count { v[k] -= Float(x[i]) * c[i][k] } }
        var prov = n.provenance
        prov["conditions"] = conditions.map(\.attribute).joined(separator: ",")
        prov["base_method"] = n.method
        return Direction(attribute: n.attribute, method: "conditional", vector: v, layers: n.layers, provenance: prov)
    }
}
