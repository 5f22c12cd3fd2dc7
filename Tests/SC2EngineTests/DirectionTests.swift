import XCTest
@testable import SC2Engine
import Tensor

final class DirectionTests: XCTestCase {
    static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    /// The Swift SVM's normal against libsvm's on the same data.
    func testLinearSVMMatchesLibSVM() throws {
        let f = try SafeTensors.read(Self.fixtures.appendingPathComponent("directions/svm16.safetensors"))
        let x = f.tensors["x"]!, y = f.tensors["y"]!, ref = f.tensors["coef"]!.data
        let d = x.shape[1]
        let rows = (0..<x.shape[0]).map { Array(x.data[$0 * d..<($0 + 1) * d]) }
        let svm = LinearSVM(x: rows, y: y.data.map { $0 > 0.5 }, c: 1, tolerance: 1e-6, maxIterations: 20000)
        let cos = LinearAlgebra.dot(LinearAlgebra.normalized(svm.weights), LinearAlgebra.normalized(ref))
        XCTAssertGreaterThan(cos, 0.999, "cosine to libsvm's normal: \(cos)")
        XCTAssertEqual(LinearAlgebra.norm(svm.weights), LinearAlgebra.norm(ref), accuracy: 0.05 * LinearAlgebra.norm(ref))
    }

    /// n - (n.c)c for one condition; the two-condition closed form (InterFaceGAN) for two.
    func testConditionalMatchesInterFaceGANFormulas() throws {
        let n = Direction(attribute: "a", method: "x", vector: [1, 2, 3, 4])
        let c1 = Direction(attribute: "b", method: "x", vector: [0, 1, 1, 0])
        let c2 = Direction(attribute: "c", method: "x", vector: [1, 0, 1, 1])
        let one = try ConditionalDirection.project(n, conditions: [c1])
        let p = LinearAlgebra.dot(n.vector, c1.vector)
        let want1 = LinearAlgebra.normalized(zip(n.vector, c1.vector).map { $0 - p * $1 })
        for k in 0..<4 { XCTAssertEqual(one.vector[k], want1[k], accuracy: 1e-5) }
        XCTAssertEqual(LinearAlgebra.dot(one.vector, c1.vector), 0, accuracy: 1e-5)

        let two = try ConditionalDirection.project(n, conditions: [c1, c2])
        let p1 = LinearAlgebra.dot(n.vector, c1.vector), p2 = LinearAlgebra.dot(n.vector, c2.vector)
        let c12 = LinearAlgebra.dot(c1.vector, c2.vector)
        let alpha = (p1 - p2 * c12) / (1 - c12 * c12 + 1e-8), beta = (p2 - p1 * c12) / (1 - c12 * c12 + 1e-8)
        let want2 = LinearAlgebra.normalized((0..<4).map { n.vector[$0] - alpha * c1.vector[$0] - beta * c2.vector[$0] })
        for k in 0..<4 { XCTAssertEqual(two.vector[k], want2[k], accuracy: 1e-5) }
    }

    func testCholeskySolvesHandComputedSystem() throws {
        // [[4, 2], [2, 3]] x = [2, 1]  =>  x = [0.5, 0]
        let x = try LinearAlgebra.solveSPD([4, 2, 2, 3], [2, 1], n: 2)
        XCTAssertEqual(x[0], 0.5, accuracy: 1e-12); XCTAssertEqual(x[1], 0, accuracy: 1e-12)
        XCTAssertThrowsError(try LinearAlgebra.solveSPD([1, 2, 2, 1], [1, 1], n: 2))
    }

    /// The closed-form W+ -> W projection returns w itself for a broadcast code, and the
    /// least-squares optimum (zero gradient of the style objective) for a mixed one.
    func testStyleSpaceProjection() throws {
        let g = try Generator(contentsOf: Self.fixtures.appendingPathComponent("parity/nv32.safetensors"))
        let proj = try StyleSpaceProjection(generator: g)
        var z = Tensor(zeros: [2, g.config.zDim])
        z.data.replaceSubrange(0..<g.config.zDim, with: g.z(seed: 1)); z.data.replaceSubrange(g.config.zDim..., with: g.z(seed: 2))
        let ws = g.ws(z: z)
        let w = proj.project(ws)
        let direct = g.mapping(z)
        XCTAssertLessThan(w.maxAbsDifference(direct), 1e-3)
        // Mixed code: rows 0-3 from seed 1, the rest from seed 2 (a style-mixing W+ code).
        let d = g.config.wDim, nw = g.config.numWs
        var mixed = Tensor(zeros: [1, nw, d])
        for r in 0..<nw { for k in 0..<d { mixed.data[r * d + k] = ws.data[((r < 4 ? 0 : 1) * nw + r) * d + k] } }
        let wm = proj.project(mixed)
        // Gradient of sum_l |A_l (w - w_l)|^2 at the solution is zero.
        var grad = [Double](repeating: 0, count: d)
        for (row, affine) in g.synthesis.affinesByRow() {
            let a = affine.weight, c = a.shape[0]
            var r = [Double](repeating: 0, count: c)
            for i in 0..<c { for k in 0..<d { r[i] += Double(a.data[i * d + k]) * Double(wm.data[k] - mixed.data[row * d + k]) } }
            for k in 0..<d { for i in 0..<c { grad[k] += 2 * Double(a.data[i * d + k]) * r[i] } }
        }
        XCTAssertLessThan(grad.map(abs).max()!, 1e-3)
    }

    func testDirectionFileRoundTripAndBadFile() throws {
        let d = Direction(attribute: "age", method: "interfacegan", vector: [3, 4], layers: [1, 2], provenance: ["model_hash": "x"])
        XCTAssertEqual(d.vector, [0.6, 0.8])
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dir-\(UUID().uuidString).json")
        try d.save(to: url)
        XCTAssertEqual(try Direction.load(url), d)
        try Data("{\"attribute\": 1}".utf8).write(to: url)
        XCTAssertThrowsError(try Direction.load(url)) { XCTAssertTrue("\($0)".contains(url.path)) }
        defer { try? FileManager.default.removeItem(at: url) }
        func message(_ json: String) -> String {
            try? Data(json.utf8).write(to: url)
            do { _ = try Direction.load(url); return "loaded" } catch { return "\(error)" }
        }
        let head = "\"attribute\": \"age\", \"method\": \"m\", \"provenance\": {}"
        XCTAssertTrue(message("{\(head)}").contains("no \"vector\" field"))
        XCTAssertTrue(message("{\(head), \"vector\": \"x\"}").contains("\"vector\" has the wrong type"))
        XCTAssertTrue(message("{\(head), \"vector\": [0, 0, 0]}").contains("zero"))
        XCTAssertTrue(message("{\(head), \"vector\": [1, 2], \"layers\": [-1]}").contains("layers"))
        XCTAssertTrue(message("not json").contains("not valid JSON"))
        // A hand-made, non-unit vector is normalised on load: 3-4-5 triangle.
        XCTAssertEqual(message("{\(head), \"vector\": [0, 3, 4]}"), "loaded")
        XCTAssertEqual(try Direction.load(url).vector, [0, 0.6, 0.8])
        XCTAssertTrue("\(Result { try Direction.load(URL(fileURLWithPath: "/nonexistent/d.json")) })".contains("no such direction file"))
    }

    /// Evaluate, edit and the explorer refuse a direction that does not fit the model's W+.
    func testCompatibilityCheck() throws {
        let d = Direction(attribute: "age", method: "m", vector: [1, 0, 0], layers: [0, 5])
        XCTAssertThrowsError(try d.checkCompatible(wDim: 4, numWs: 8, source: "f")) { XCTAssertTrue("\($0)".contains("3 dimensions")) }
        XCTAssertThrowsError(try d.checkCompatible(wDim: 3, numWs: 5, source: "f")) { XCTAssertTrue("\($0)".contains("row 5")) }
        XCTAssertNoThrow(try d.checkCompatible(wDim: 3, numWs: 6, source: "f"))
    }
}
