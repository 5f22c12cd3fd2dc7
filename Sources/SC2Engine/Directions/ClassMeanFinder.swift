import Foundation
import Tensor

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
