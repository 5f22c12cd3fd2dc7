import Foundation
import Tensor

/// A supervised relative of GANSpace (`class-pca`; sc2gan's `ganspace` base before it ran
/// GANSpace as its authors do, kept to reproduce the tables made with it): principal components of the codes, and of
/// those the one that tracks the attribute (largest |correlation| between projection and label
/// among the top `components`), signed so that the attribute grows along it. As a finder it
/// takes the codes it is given: InterFaceGAN's two classes on a plain fit, and the classes
/// with the rare samples swapped in on SC²'s re-fit, so the PCA is recomputed on the augmented
/// set.
public struct GANSpaceFinder: DirectionFinder {
    public var name: String { "class-pca" }
    /// Principal components searched for the one that tracks the attribute.
    public var components = 20
    public init(components: Int = 20) { self.components = components }

    public func fit(train: [[Float]], trainLabels: [Bool], validation: [[Float]], validationLabels: [Bool]) -> (normal: [Float], validationAccuracy: Double) {
        let n = train.count, d = train.first?.count ?? 0
        guard n > 1, d > 0 else { return ([Float](repeating: 0, count: d), .nan) }
        var mean = [Double](repeating: 0, count: d)
        for x in train { for k in 0..<d { mean[k] += Double(x[k]) } }
        for k in 0..<d { mean[k] /= Double(n) }
        // Covariance (d x d) of the centred codes.
        var cov = [Double](repeating: 0, count: d * d)
        for x in train {
            let c = (0..<d).map { Double(x[$0]) - mean[$0] }
            for i in 0..<d where c[i] != 0 { for j in i..<d { cov[i * d + j] += c[i] * c[j] } }
        }
        for i in 0..<d { for j in i..<d { cov[i * d + j] /= Double(n - 1); cov[j * d + i] = cov[i * d + j] } }
        let (values, vectors) = SymmetricEigen.decompose(cov, n: d)
        let order = values.indices.sorted { values[$0] > values[$1] }.prefix(max(1, min(components, d)))
        let y = trainLabels.map { $0 ? 1.0 : -1.0 }
        let ym = Statistics.mean(y)
        var best: (vector: [Double], r: Double)? = nil
        for k in order {
            let v = (0..<d).map { vectors[$0 * d + k] }
            let proj = train.map { x in (0..<d).reduce(0.0) { $0 + (Double(x[$1]) - mean[$1]) * v[$1] } }
            let pm = Statistics.mean(proj)
            var sxy = 0.0, sxx = 0.0, syy = 0.0
            for i in 0..<n { sxy += (proj[i] - pm) * (y[i] - ym); sxx += (proj[i] - pm) * (proj[i] - pm); syy += (y[i] - ym) * (y[i] - ym) }
            let r = sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : 0
            if best == nil || abs(r) > abs(best!.r) { best = (v, r) }
        }
        let normal = best!.vector.map { Float(best!.r >= 0 ? $0 : -$0) }
        // Threshold halfway between the projected class means of the training codes.
        let pos = zip(train, trainLabels).filter { $0.1 }.map { LinearAlgebra.dot($0.0, normal) }
        let neg = zip(train, trainLabels).filter { !$0.1 }.map { LinearAlgebra.dot($0.0, normal) }
        let mid = (Float(Statistics.mean(pos.map(Double.init))) + Float(Statistics.mean(neg.map(Double.init)))) / 2
        let correct = zip(validation, validationLabels).filter { (LinearAlgebra.dot($0, normal) > mid) == $1 }.count
        return (normal, validation.isEmpty ? .nan : Double(correct) / Double(validation.count))
    }
}
