import Foundation
import XCTest
@testable import SC2Engine

/// NumPyRandom against numpy itself: Fixtures/parity/numpy_randn.json holds the first 600 values
/// of numpy.random.RandomState(seed).randn(600) for a few seeds (tools/fixtures/make_parity_fixtures.py).
final class NumPyRandomTests: XCTestCase {
    private func fixture() throws -> [String: [Double]] {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let url = dir.appendingPathComponent("parity/numpy_randn.json")
        let data = try Data(contentsOf: url)
        // Parse the numbers from their text with Double(String) (correctly rounded strtod), so the
        // comparison cannot be blurred by a JSON decoder's number handling.
        let raw = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let text = try XCTUnwrap(String(data: data, encoding: .utf8))
        var out = [String: [Double]]()
        for key in raw.keys {
            let open = try XCTUnwrap(text.range(of: "\"\(key)\": ["))
            let close = try XCTUnwrap(text.range(of: "]", range: open.upperBound..<text.endIndex))
            let body = text[open.upperBound..<close.lowerBound]
            out[key] = try body.split(separator: ",").map {
                try XCTUnwrap(Double($0.trimmingCharacters(in: .whitespacesAndNewlines)), "bad number \($0)")
            }
            XCTAssertEqual(out[key]?.count, (raw[key] as? [Any])?.count, "seed \(key)")
        }
        return out
    }

    func testRandnMatchesNumPyBitForBit() throws {
        let expected = try fixture()
        XCTAssertEqual(Set(expected.keys), ["0", "1", "2", "42", "1234", "4294967295"])
        for (key, values) in expected.sorted(by: { $0.key < $1.key }) {
            let seed = try XCTUnwrap(UInt32(key))
            XCTAssertEqual(values.count, 600)
            var rng = NumPyRandom(seed: seed)
            let got = rng.randn(values.count)
            var mismatches = 0
            for i in 0..<values.count where got[i].bitPattern != values[i].bitPattern {
                if mismatches < 5 {
                    XCTFail("seed \(seed) [\(i)]: \(got[i]) != numpy \(values[i])")
                }
                mismatches += 1
            }
            XCTAssertEqual(mismatches, 0, "seed \(seed): \(mismatches) of \(values.count) differ")
        }
    }

    func testDrawsInPiecesContinueTheSameStream() throws {
        let expected = try XCTUnwrap(try fixture()["42"])
        var rng = NumPyRandom(seed: 42)
        // odd-sized pieces split the cached second Gaussian of a pair across calls
        var got = [Double]()
        for n in [1, 2, 3, 0, 7, 87] { got += rng.randn(n) }
        XCTAssertEqual(got, Array(expected.prefix(got.count)))
        XCTAssertEqual(rng.gauss(), expected[got.count])
    }

    func testLatentIsFloat32OfRandn() throws {
        let expected = try XCTUnwrap(try fixture()["1"])
        XCTAssertEqual(NumPyRandom.latent(seed: 1, zDim: 32), expected.prefix(32).map { Float($0) })
    }

    func testUniformAndRawOutputs() {
        // numpy.random.RandomState(5).randint(2**32, size=3, dtype=numpy.uint32)
        var a = NumPyRandom(seed: 5)
        XCTAssertEqual([a.nextUInt32(), a.nextUInt32(), a.nextUInt32()], [953_453_411, 236_996_814, 3_739_766_767])
        // numpy.random.RandomState(0).random_sample(): 0.5488135039273248, then 0.7151893663724195
        var b = NumPyRandom(seed: 0)
        XCTAssertEqual(b.randomSample(), 0.5488135039273248)
        XCTAssertEqual(b.randomSample(), 0.7151893663724195)
    }
}
