import Foundation
@testable import SC2Engine
import XCTest

final class SeFaTests: XCTestCase {
    /// A v = λ v for every pair the solver returns, on a random symmetric matrix, and the
    /// vectors orthonormal: checked by multiplying out, not against another solver.
    func testJacobiEigenpairsSatisfyTheirEquation() {
        var rng = Xoshiro(seed: 5)
        let n = 24
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in i..<n { let v = rng.normal(); a[i * n + j] = v; a[j * n + i] = v } }
        let (values, vectors) = SymmetricEigen.decompose(a, n: n)
        for k in 0..<n {
            for i in 0..<n {
                let av = (0..<n).reduce(0.0) { $0 + a[i * n + $1] * vectors[$1 * n + k] }
                XCTAssertEqual(av, values[k] * vectors[i * n + k], accuracy: 1e-9)
            }
            for l in 0..<n {
                let dot = (0..<n).reduce(0.0) { $0 + vectors[$1 * n + k] * vectors[$1 * n + l] }
                XCTAssertEqual(dot, k == l ? 1 : 0, accuracy: 1e-9)
            }
        }
    }

    /// The component picked for an attribute raises it: its projection correlates positively
    /// with the attribute's scores on the samples it was picked on.
    func testTrackingComponentIsSignedToRaiseTheAttribute() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let fw = root.appendingPathComponent("assets/faceworld")
        let g = try Generator(contentsOf: fw.appendingPathComponent("generator.safetensors"))
        let c = try AttributeClassifier(contentsOf: fw.appendingPathComponent("classifier.safetensors"))
        let dense = try SampleSet.build(generator: g, classifier: c, seeds: (0..<600).map { UInt32($0) })
        let components = SeFa.components(of: g)
        XCTAssertEqual(components.count, g.config.wDim)
        XCTAssertTrue(zip(components, components.dropFirst()).allSatisfy { $0.eigenvalue >= $1.eigenvalue })
        let (picked, r) = try SeFa.tracking("age", in: dense, components: components)
        XCTAssertGreaterThan(r, 0.1)
        let proj = dense.codes.map { Double(LinearAlgebra.dot($0, picked.vector)) }
        XCTAssertEqual(Statistics.pearson(proj, try dense.scores(of: "age").map(Double.init)), r, accuracy: 1e-9)
    }
}
