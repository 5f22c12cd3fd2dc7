import Foundation
@testable import SC2Engine
import Tensor
import XCTest

/// GANSpace as its authors run it (issue 28): the PCA of w over random samples, edits on a row
/// range; SeFa on a layer range. The comparison with numpy's PCA of the same samples is in
/// Tests/CLITests/GANSpaceCLITests (it needs the binary's dump and /usr/bin/python3).
final class GANSpacePCATests: XCTestCase {
    static let generatorURL = checkoutAssets.faceWorldDirectory.appendingPathComponent("generator.safetensors")

    func testEditOverRowsLeavesTheOtherRowsStylesBitIdentical() throws {
        let g = try Generator(contentsOf: Self.generatorURL)
        let pca = try GANSpacePCA(generator: g, samples: 3000)
        let rows = [2, 3, 4, 5]
        let d = pca.direction(0, attribute: "component0", layers: rows)
        XCTAssertEqual(d.layers, rows)
        let ws = g.ws(z: g.latents(seeds: [1, 2]), truncation: 0.7)
        let edited = d.apply(to: ws, alpha: Float(3 * pca.stdev(0)))
        let before = g.synthesis.synthesize(ws, noise: .const, stopAt: nil, seed: 0, record: true).blocks
        let after = g.synthesis.synthesize(edited, noise: .const, stopAt: nil, seed: 0, record: true).blocks
        var checked = 0, moved = 0
        for (a, b) in zip(before, after) {
            for (x, y) in [(a.conv0, b.conv0), (Optional(a.conv1), Optional(b.conv1)), (Optional(a.torgb), Optional(b.torgb))] {
                guard let x, let y else { continue }
                XCTAssertEqual(x.wIndex, y.wIndex)
                if rows.contains(x.wIndex) {
                    XCTAssertNotEqual(x.styles.data, y.styles.data, "row \(x.wIndex) was edited")
                    moved += 1
                } else {
                    XCTAssertEqual(x.styles.data.map(\.bitPattern), y.styles.data.map(\.bitPattern), "row \(x.wIndex) must not change")
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThan(checked, 5)
        XCTAssertGreaterThan(moved, 3)
    }

    func testPCAOfCodesFindsTheAxesOfKnownVariance() {
        // Gaussian codes with standard deviations 3, 2, 1, 0.5 along a rotated basis.
        var rng = NumPyRandom(seed: 7)
        let n = 20_000, d = 4, sd: [Float] = [3, 2, 1, 0.5]
        let c = Float(0.6), s = Float(0.8)
        let basis: [[Float]] = [[c, s, 0, 0], [-s, c, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
        var data = [Float]()
        for _ in 0..<n {
            let g = rng.randn(d).map { Float($0) }
            var x = [Float](repeating: 5, count: d)   // mean 5
            for k in 0..<d { for j in 0..<d { x[j] += g[k] * sd[k] * basis[k][j] } }
            data += x
        }
        let pca = GANSpacePCA(codes: Tensor(shape: [n, d], data: data))
        XCTAssertEqual(pca.components.count, 4)
        for k in 0..<d {
            XCTAssertEqual(abs(LinearAlgebra.dot(pca.components[k], basis[k])), 1, accuracy: 1e-3, "component \(k)")
            XCTAssertEqual(pca.stdev(k), Double(sd[k]), accuracy: 0.03 * Double(sd[k]))
        }
        XCTAssertEqual(pca.varianceRatios.reduce(0, +), 1, accuracy: 1e-9)
        XCTAssertEqual(pca.varianceRatios[0], 9 / 14.25, accuracy: 0.01)
        for m in pca.mean { XCTAssertEqual(m, 5, accuracy: 0.05) }
    }

    func testComponentsWrittenAsGANSpaceReadBackAsDirections() throws {
        let g = try Generator(contentsOf: Self.generatorURL)
        let pca = try GANSpacePCA(generator: g, samples: 1000, components: 6)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sc2gan-ganspace-\(UUID().uuidString).npz")
        defer { try? FileManager.default.removeItem(at: url) }
        try pca.saveNPZ(to: url)
        let file = try ExchangeFile.read(url)
        XCTAssertEqual(try file.layout(), .ganspace(6))
        XCTAssertEqual(file.arrays["lat_comp"]?.shape, [6, 1, g.config.wDim])
        let d = try Direction.load(url, key: "4")
        for (a, b) in zip(d.vector, pca.components[4]) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    func testThePCAIsCachedBesideTheSampleSets() throws {
        let g = try Generator(contentsOf: Self.generatorURL)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sc2gan-ganspace-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (first, cached1) = try GANSpacePCA.cached(in: dir, generator: g, samples: 1500, components: 12)
        let (second, cached2) = try GANSpacePCA.cached(in: dir, generator: g, samples: 1500, components: 12)
        XCTAssertFalse(cached1)
        XCTAssertTrue(cached2)
        XCTAssertEqual(second.components, first.components)
        XCTAssertEqual(second.mean, first.mean)
        for (a, b) in zip(second.varianceRatios, first.varianceRatios) { XCTAssertEqual(a, b, accuracy: 1e-7) }
        for k in 0..<12 { XCTAssertEqual(second.stdev(k), first.stdev(k), accuracy: 1e-6 * first.stdev(k)) }
        // Another sample count is another entry.
        XCTAssertFalse(try GANSpacePCA.cached(in: dir, generator: g, samples: 1600, components: 12).fromCache)
    }

    func testSeFaOnALayerRangeFactorisesOnlyThoseLayersStyles() throws {
        let g = try Generator(contentsOf: Self.generatorURL)
        let blocks = g.synthesis.blocks
        let nw = g.config.numWs
        // Every convolution without a range; one row, one layer's weights with it.
        XCTAssertEqual(SeFa.styleWeights(of: g, layers: nil).count, 2 * blocks.count - 1)
        XCTAssertEqual(SeFa.styleWeights(of: g, layers: [0]).map(\.data), [blocks[0].conv1.affine.weight.data])
        XCTAssertEqual(SeFa.styleWeights(of: g, layers: [1, 2]).map(\.data),
                       [blocks[1].conv0!.affine.weight.data, blocks[1].conv1.affine.weight.data])
        XCTAssertEqual(SeFa.styleWeights(of: g, layers: [nw - 1]).map(\.data), [blocks.last!.torgb.affine.weight.data])
        let all = SeFa.components(of: g), coarse = SeFa.components(of: g, layers: [0, 1])
        XCTAssertEqual(coarse.count, g.config.wDim)
        XCTAssertLessThan(abs(LinearAlgebra.dot(all[0].vector, coarse[0].vector)), 0.999, "a layer range changes the factorisation")
        let d = SeFa.direction(coarse[0], attribute: "pose", layers: [0, 1])
        XCTAssertEqual(d.layers, [0, 1])
        XCTAssertEqual(d.provenance["factorised_rows"], "0,1")
    }
}
