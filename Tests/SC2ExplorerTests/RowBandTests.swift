import XCTest
@testable import SC2Explorer

/// StyleGAN's bands of styles by the resolution their rows drive: coarse 4-8 px (rows 0-3),
/// middle 16-32 px (rows 4-7), fine from 64 px (rows 8 on); a band the generator lacks is skipped.
final class RowBandTests: XCTestCase {
    func testBandsOfA1024AndA64PixelGenerator() {
        // 1024 px: 18 rows.
        XCTAssertNil(RowBand.own.rows(numWs: 18))
        XCTAssertEqual(RowBand.coarse.rows(numWs: 18), [0, 1, 2, 3])
        XCTAssertEqual(RowBand.middle.rows(numWs: 18), [4, 5, 6, 7])
        XCTAssertEqual(RowBand.fine.rows(numWs: 18), Array(8...17))
        // 64 px: 10 rows; the fine band is 64 px alone.
        XCTAssertEqual(RowBand.fine.rows(numWs: 10), [8, 9])
        XCTAssertEqual(RowBand.fine.label(numWs: 10), "rows 8-9 (fine, 64 px up)")
        XCTAssertEqual(RowBand.own.next(numWs: 10), .coarse)
        XCTAssertEqual(RowBand.fine.next(numWs: 10), .own)
    }

    func testASmallGeneratorSkipsTheBandsItLacks() {
        // 32 px: 8 rows, no fine band.
        XCTAssertEqual(RowBand.fine.rows(numWs: 8), [])
        XCTAssertEqual(RowBand.middle.next(numWs: 8), .own)
        // 8 px: 4 rows, coarse only.
        XCTAssertEqual(RowBand.coarse.next(numWs: 4), .own)
        XCTAssertNil(RowBand.middle.label(numWs: 4))
    }

    func testRKeyAsksForTheNextRows() {
        var s = ExplorerState(seed: 1, attributes: ["age"], stepSize: 1)
        XCTAssertEqual(s.handle(.char("r")), [.nextRows, .render])
        var none = ExplorerState(seed: 1, attributes: [], stepSize: 1)
        XCTAssertEqual(none.handle(.char("r")), [])
    }
}
