import Foundation
import Tensor

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
