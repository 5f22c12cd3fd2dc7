import XCTest
@testable import SC2Engine

/// The method names of `evaluate --methods`: what each makes and where its file goes.
final class MethodNameTests: XCTestCase {
    func testParseKeepsTableOrderAndRefusesUnknownOrRepeated() throws {
        XCTAssertEqual(try MethodName.parse("sc2-pinned,interfacegan,sc2", flag: "--methods"), [.original, .sc2, .pinned])
        XCTAssertThrowsError(try MethodName.parse("sc2,sc2", flag: "--methods"))
        XCTAssertThrowsError(try MethodName.parse("sc3", flag: "--methods")) { e in
            XCTAssertTrue("\(e)".contains("sc2-pinned"), "the error lists the known methods: \(e)")
        }
    }

    /// Every SC² method writes its own file, named after its variant; the pinned variant is the
    /// full method with pinning switched on.
    func testVariantsHaveTheirOwnFiles() {
        let files = MethodName.allCases.map(\.fileName)
        XCTAssertEqual(Set(files).count, files.count, "two methods share a file: \(files)")
        XCTAssertEqual(MethodName.pinned.variant, .pinned)
        XCTAssertEqual(MethodName.pinned.fileName, "sc2-pinned")
        XCTAssertEqual(MethodName.sc2.fileName, DirectionMethod.corrected.rawValue)
        XCTAssertNil(MethodName.conditional.variant)
    }
}
