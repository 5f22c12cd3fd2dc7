import TerminalUI
import XCTest

/// The colour choices behind `--colors` and COLORTERM, and 256-colour dithering.
final class ColorPreferenceTests: XCTestCase {
    func testCOLORTERMSelectsTheDirectColourDescription() {
        let auto = ColorPreference.automatic
        XCTAssertEqual(auto.terminalCandidates(term: "xterm-256color", colorTerm: "truecolor"), ["xterm-direct"])
        XCTAssertEqual(auto.terminalCandidates(term: "tmux-256color", colorTerm: "24bit"), ["tmux-direct", "xterm-direct"])
        XCTAssertEqual(auto.terminalCandidates(term: "xterm-256color", colorTerm: "TrueColor"), ["xterm-direct"])
        XCTAssertEqual(auto.terminalCandidates(term: "xterm-256color", colorTerm: nil), [])
        XCTAssertEqual(auto.terminalCandidates(term: "xterm-256color", colorTerm: "yes"), [])
        XCTAssertEqual(auto.terminalCandidates(term: "xterm-direct", colorTerm: "truecolor"), [], "already direct")
        XCTAssertEqual(auto.terminalCandidates(term: "dumb", colorTerm: "truecolor"), [])
        XCTAssertEqual(auto.terminalCandidates(term: nil, colorTerm: "truecolor"), [])
        XCTAssertEqual(ColorPreference.direct24.terminalCandidates(term: "screen-256color", colorTerm: nil), ["screen-direct", "xterm-direct"])
        XCTAssertEqual(ColorPreference.palette256.terminalCandidates(term: "xterm-256color", colorTerm: "truecolor"), [])
        XCTAssertEqual(ColorPreference.ascii.terminalCandidates(term: "xterm-256color", colorTerm: "truecolor"), [])
    }

    func testPreferenceLimitsTheMode() {
        XCTAssertEqual(ColorPreference.palette256.limit(.direct24), .palette256)
        XCTAssertEqual(ColorPreference.palette256.limit(.basic8), .basic8)
        XCTAssertEqual(ColorPreference.ascii.limit(.direct24), .mono)
        XCTAssertEqual(ColorPreference.automatic.limit(.direct24), .direct24)
        XCTAssertEqual(ColorPreference(rawValue: "24bit"), .direct24)
        XCTAssertNil(ColorPreference(rawValue: "16"))
    }

    /// A flat colour between palette entries: nearest-colour rounding shows one entry (a flat
    /// band, off by the whole gap); error diffusion mixes entries whose average is the colour.
    func testErrorDiffusionKeepsTheAverageColour() {
        let colour = RGB(120, 60, 200), size = 16
        let indices = ColorQuantizer.errorDiffusedXterm256([RGB](repeating: colour, count: size * size), width: size, height: size)
        XCTAssertGreaterThan(Set(indices).count, 1, "no mixing")
        var mean = SIMD3<Double>.zero
        for i in indices {
            let c = ColorQuantizer.xterm256Color(i)
            mean += SIMD3(Double(c.r), Double(c.g), Double(c.b)) / Double(indices.count)
        }
        let want = SIMD3<Double>(120, 60, 200)
        let nearest = ColorQuantizer.xterm256Color(ColorQuantizer.xterm256Index(colour))
        let nearestError = (SIMD3(Double(nearest.r), Double(nearest.g), Double(nearest.b)) - want)
        let ditherError = mean - want
        // 3/4 of the error is carried, so the mean keeps a little of the bias, much less than rounding.
        XCTAssertLessThan((ditherError * ditherError).sum().squareRoot(), 0.5 * (nearestError * nearestError).sum().squareRoot())

        // A colour the palette holds exactly stays exactly that entry everywhere.
        let exact = ColorQuantizer.errorDiffusedXterm256([RGB](repeating: RGB(95, 135, 175), count: 64), width: 8, height: 8)
        XCTAssertEqual(Set(exact), [16 + 36 * 1 + 6 * 2 + 3])
    }
}
