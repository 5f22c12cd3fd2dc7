import XCTest
import Foundation
import TerminalUI
@testable import SC2Explorer

/// The --trace lines bench-explorer reads: which frame of a key counts as its answer.
final class ExplorerTraceTests: XCTestCase {
    func lines(_ drive: (ExplorerTrace) -> Void) throws -> [[String: Any]] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("trace-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let trace = try ExplorerTrace(path: path)
            drive(trace)
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    func kinds(_ ls: [[String: Any]]) -> [String] {
        ls.map { l in
            ["preview", "pane", "refined"].first { l[$0] as? Bool == true } ?? "frame"
        }
    }

    /// Preview, then the pane's resolution, then the full image: one line each, in that order.
    func testPreviewPaneRefined() throws {
        let ls = try lines { t in
            t.keyPressed(.right, at: ExplorerTrace.now(), awaiting: 3)
            t.frameShown(generation: 2, drawNanoseconds: 1, renderSeconds: 0)                      // older pictures: not the answer
            t.frameShown(generation: 3, drawNanoseconds: 1, renderSeconds: 0.03, preview: true)
            t.frameShown(generation: 3, drawNanoseconds: 1, renderSeconds: 0, preview: true, pane: true)
            t.frameShown(generation: 3, drawNanoseconds: 1, renderSeconds: 0, preview: true, pane: true)  // redrawn: no second line
            t.frameShown(generation: 3, drawNanoseconds: 1, renderSeconds: 0)
        }
        XCTAssertEqual(kinds(ls), ["preview", "pane", "refined"])
        XCTAssertEqual(ls.map { $0["shown"] as? Int }, [3, 3, 3])
        let latency = ls.map { $0["latency_ms"] as! Double }
        XCTAssertEqual(latency, latency.sorted())
    }

    /// A key whose first frame is already at the pane's resolution (cached pictures) is answered
    /// by that frame, and still counted as reaching the pane.
    func testPaneAsFirstFrame() throws {
        let ls = try lines { t in
            t.keyPressed(.left, at: ExplorerTrace.now(), awaiting: 7)
            t.frameShown(generation: 7, drawNanoseconds: 1, renderSeconds: 0, preview: true, pane: true)
            t.frameShown(generation: 7, drawNanoseconds: 1, renderSeconds: 0)
        }
        XCTAssertEqual(kinds(ls), ["preview", "pane", "refined"])
    }

    /// A newer key's frame replaces a preview that was never refined: no "refined" line for it.
    func testSupersededPreviewIsNotRefined() throws {
        let ls = try lines { t in
            t.keyPressed(.right, at: ExplorerTrace.now(), awaiting: 4)
            t.frameShown(generation: 4, drawNanoseconds: 1, renderSeconds: 0.03, preview: true)
            t.keyPressed(.right, at: ExplorerTrace.now(), awaiting: 5)
            t.frameShown(generation: 5, drawNanoseconds: 1, renderSeconds: 0.5)
        }
        XCTAssertEqual(kinds(ls), ["preview", "frame"])
        XCTAssertEqual(ls.map { $0["generation"] as? Int }, [4, 5])
    }
}
