import Foundation
@testable import SC2Engine
import Tensor
import XCTest

/// GANSpace as a base of the correction (issue 28): the PCA of the whole population, the
/// component that tracks the attribute's score; its conditional projects InterFaceGAN's
/// boundary of the correlated attribute off it; SC²'s re-fit recomputes the PCA with the rare
/// samples in the population.
final class GANSpacePopulationTests: XCTestCase {
    /// Codes with variances 25, 4, 1, 0.25 along the axes; the score follows axis 1 (variance 4),
    /// falling as it grows. The finder returns -e1, not the largest axis, and |r| near 1.
    func testPicksTheComponentTheScoresFollowSignedSoThatTheyGrow() {
        var rng = Xoshiro(seed: 5)
        func gauss() -> Float { Float(rng.normal()) }
        let codes: [[Float]] = (0..<2000).map { _ in [5 * gauss(), 2 * gauss(), gauss(), 0.5 * gauss()] }
        let scores = codes.map { 1 / (1 + exp($0[1])) }
        let (normal, fit) = GANSpacePopulationFinder(candidates: 4).fit(population: codes, scores: scores)
        XCTAssertLessThan(normal[1], -0.99, "\(normal)")
        XCTAssertEqual(LinearAlgebra.norm(normal), 1, accuracy: 1e-4)
        XCTAssertGreaterThan(fit, 0.9)
        // With one candidate it can only return the largest axis.
        let (top, _) = GANSpacePopulationFinder(candidates: 1).fit(population: codes, scores: scores)
        XCTAssertGreaterThan(abs(top[0]), 0.99, "\(top)")
    }

    /// On the shipped model: the base is the population's tracking component (recomputed here
    /// from the dense codes with the PCA alone); the conditional is that component with the
    /// SVM boundary of eyeglasses projected off; SC² with no rare sample let in is the base
    /// again, and with rare samples it moves.
    func testTheCorrectionOfGANSpaceStartsFromThePopulationsComponent() throws {
        let m = try SC2PipelineTests.models.get(), dense = m.dense
        var b = DirectionBuilder(samples: dense)
        b.finder = GANSpacePopulationFinder()
        let original = try b.original("age")
        let pca = GANSpacePCA(codes: Tensor(shape: [dense.count, m.generator.config.wDim], data: dense.codes.flatMap { $0 }), components: 20)
        let (k, r) = pca.tracking(codes: dense.codes, scores: try dense.scores(of: "age"))
        let expected = r < 0 ? pca.components[k].map { -$0 } : pca.components[k]
        XCTAssertGreaterThan(LinearAlgebra.dot(original.vector, expected) / LinearAlgebra.norm(original.vector), 0.9999)
        XCTAssertEqual(original.method, "ganspace")

        let conditional = try b.conditional("age", original: original, conditions: ["eyeglasses"])
        let glasses = try DirectionBuilder(samples: dense).original("eyeglasses")
        let g = glasses.vector.map { $0 / LinearAlgebra.norm(glasses.vector) }
        let o = original.vector.map { $0 / LinearAlgebra.norm(original.vector) }
        let dot = LinearAlgebra.dot(o, g)
        let residual = zip(o, g).map { $0 - dot * $1 }
        let unit = residual.map { $0 / LinearAlgebra.norm(residual) }
        XCTAssertGreaterThan(LinearAlgebra.dot(conditional.vector, unit) / LinearAlgebra.norm(conditional.vector), 0.9999)

        var opts = SC2Pipeline.Options()
        opts.rareCount = 40; opts.maxRare = 40; opts.refineSteps = 4
        opts.semanticSamples = 8; opts.rows = [2, 3, 4]
        opts.learner = GANSpacePopulationFinder()
        opts.refit = .add
        let pipeline = SC2Pipeline(generator: m.generator, classifier: m.classifier, options: opts)
        let r2 = try pipeline.correct(attribute: "age", dense: dense, original: original, correlated: ["eyeglasses"], doses: [0])
        XCTAssertEqual(r2.direction.provenance["learner"], "ganspace")
        XCTAssertGreaterThan(r2.report.rareInRefit.reduce(0, +), 0, "no rare sample entered: the test cannot see the re-fit")
        let none = r2.doses[0].direction.vector
        XCTAssertGreaterThan(abs(LinearAlgebra.dot(none, o)) / LinearAlgebra.norm(none), 0.9999, "no rare sample: the population's own component")
        XCTAssertNotEqual(r2.direction.vector, none, "the rare samples enter the PCA")
    }
}
