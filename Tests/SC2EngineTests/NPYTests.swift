import Foundation
import SC2Engine
import XCTest

/// The strict .npy / .npz reader on files numpy itself wrote (tools/fixtures/make_fuzz_seeds.py): values
/// read exactly, and what numpy can write but sc2gan must not guess at refused in one line.
final class NPYTests: XCTestCase {
    static let seeds = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("fuzz-seeds")

    func npy(_ name: String) throws -> NPY.NumPyArray { try NPY.read(Self.seeds.appendingPathComponent("npy/\(name)")) }

    func assertRefused(_ name: String, _ problem: String, file: StaticString = #filePath, line: UInt = #line) {
        let url = Self.seeds.appendingPathComponent(name)
        let read: () throws -> Void = name.hasSuffix(".npz") ? { _ = try NPY.readArchive(url) } : { _ = try NPY.read(url) }
        XCTAssertThrowsError(try read(), file: file, line: line) { error in
            let message = (error as? SC2Error)?.message ?? "\(error)"
            XCTAssertTrue(message.hasPrefix(url.path), message, file: file, line: line)
            XCTAssertTrue(message.contains(problem), message, file: file, line: line)
            XCTAssertFalse(message.contains("\n"), message, file: file, line: line)
        }
    }

    func testArraysNumPyWroteReadExactly() throws {
        let boundary = try npy("boundary_f32.npy")
        XCTAssertEqual(boundary.shape, [1, 16])
        XCTAssertEqual(boundary.values, (0..<16).map { (Float($0) - 7.5) / 4 })
        let ws = try npy("ws_f64.npy")
        XCTAssertEqual(ws.shape, [2, 3, 4]); XCTAssertEqual(ws.descr, "<f8")
        XCTAssertEqual(ws.values, (0..<24).map { Float($0) * 0.5 })
        XCTAssertEqual(try npy("image_u1.npy").values, (0..<12).map { Float($0 * 20) })
        XCTAssertEqual(try npy("half_f2.npy").values, [0.5, -1.5, 65504])
        XCTAssertEqual(try npy("ints_i8.npy").values, [-3, 0, 7])
        let scalar = try npy("scalar_f4.npy")
        XCTAssertEqual(scalar.shape, []); XCTAssertEqual(scalar.values, [2.25])
        let empty = try npy("empty_f4.npy")
        XCTAssertEqual(empty.shape, [0, 16]); XCTAssertEqual(empty.values, [])
        XCTAssertEqual(try npy("flags_b1.npy").values, [1, 0, 1])
    }

    func testArchivesNumPyWroteReadExactly() throws {
        let projected = try NPY.readArchive(Self.seeds.appendingPathComponent("npz/projected_w.npz"))
        XCTAssertEqual(Array(projected.keys), ["w"])
        XCTAssertEqual(projected["w"]?.shape, [1, 4, 16])
        XCTAssertEqual(projected["w"]?.values, (0..<64).map { Float($0) / 64 })
        // np.savez_compressed deflates its members.
        let components = try NPY.readArchive(Self.seeds.appendingPathComponent("npz/components_compressed.npz"))
        XCTAssertEqual(components.keys.sorted(), ["comp", "std"])
        XCTAssertEqual(components["std"]?.values, [3, 2, 1])
        XCTAssertEqual(components["comp"]?.shape, [3, 16])
        XCTAssertEqual(components["comp"]?.values, (0..<48).map { $0 / 16 == $0 % 16 ? 1 : 0 })
    }

    func testWhatCannotBeReadSafelyIsRefused() {
        assertRefused("npy/object.npy", "holds Python objects (a pickled object array), which are refused")
        assertRefused("npz/object.npz", "holds Python objects")
        assertRefused("npy/fortran_f4.npy", "array is in Fortran order")
        assertRefused("npy/bigendian_f4.npy", "dtype '>f4' is not supported")
        assertRefused("png/rgb4.png", "not a .npy file")
    }

    func testDamagedHeadersAndSizesAreRefused() throws {
        let good = try Data(contentsOf: Self.seeds.appendingPathComponent("npy/boundary_f32.npy"))
        func refused(_ bytes: Data, _ problem: String, line: UInt = #line) {
            XCTAssertThrowsError(try bytes.withUnsafeBytes { try NPY.decode($0, name: "x.npy") }, line: line) {
                XCTAssertTrue(($0 as? SC2Error)?.message.contains(problem) ?? false, "\($0)", line: line)
            }
        }
        refused(good.dropLast(4), "needs 64 bytes of data, the file has 60 (truncated?)")
        refused(good + Data([0]), "needs 64 bytes of data, the file has 65")
        /// A version 1.0 file with this header text and body.
        func make(_ header: String, _ body: Data) -> Data {
            var text = header
            text += String(repeating: " ", count: (64 - (10 + text.utf8.count + 1) % 64) % 64) + "\n"
            var d = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(text.utf8.count & 0xff), UInt8(text.utf8.count >> 8)])
            d.append(contentsOf: Array(text.utf8))
            return d + body
        }
        let body = good.dropFirst(128)
        XCTAssertEqual(try make("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 16), }", body).withUnsafeBytes { try NPY.decode($0, name: "x.npy") }.shape, [1, 16])
        refused(make("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 99999999999999999), }", body), "holds more than")
        refused(make("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", body), "holds more than")
        refused(make("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 16), 'x': 1}", body), "not the dict numpy writes")
        refused(make("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 16), 'x': 'y'}", body), "keys other than")
        refused(make("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1, 16)}", body), "repeats the key")
        refused(make("{'descr': '<f4', 'fortran_order': False, 'shape': (1, -16), }", body), "shape is not a tuple")
        refused(make("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 16), } junk", body), "text after its dict")
        var lying = good; lying[8] = 0xff; lying[9] = 0xff
        refused(lying, "truncated .npy header")
        var version = good; version[6] = 9
        refused(version, "format version 9.0")
    }
}
