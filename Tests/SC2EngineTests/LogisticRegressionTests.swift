import Foundation
@testable import SC2Engine
import XCTest

final class LogisticRegressionTests: XCTestCase {
    /// Labels drawn from a known logistic model: the fitted normal points along the true one,
    /// and held-out accuracy is close to what the true model itself achieves.
    func testRecoversTheGeneratingNormal() {
        var rng = Xoshiro(seed: 9)
        let d = 16
        let truth = (0..<d).map { _ in Float(rng.normal()) }
        let norm = LinearAlgebra.norm(truth)
        func sample(_ n: Int) -> ([[Float]], [Bool]) {
            var xs: [[Float]] = [], ys: [Bool] = []
            for _ in 0..<n {
                let x = (0..<d).map { _ in Float(rng.normal()) }
                let z = 3 * Double(LinearAlgebra.dot(x, truth)) / Double(norm) + 0.5
                xs.append(x); ys.append(rng.uniform() < 1 / (1 + exp(-z)))
            }
            return (xs, ys)
        }
        let (train, yt) = sample(4000), (val, yv) = sample(2000)
        let fit = LogisticRegressionFinder().fit(train: train, trainLabels: yt, validation: val, validationLabels: yv)
        let cosine = LinearAlgebra.dot(fit.normal, truth) / (LinearAlgebra.norm(fit.normal) * norm)
        XCTAssertGreaterThan(cosine, 0.98)
        let bayes = zip(val, yv).filter { (3 * Double(LinearAlgebra.dot($0, truth)) / Double(norm) + 0.5 > 0) == $1 }.count
        XCTAssertGreaterThan(fit.validationAccuracy, Double(bayes) / Double(val.count) - 0.03)
    }
}
