import Foundation
import SC2Engine
import TerminalUI

/// `--trace FILE`: one JSON line per key press with the time from reading the key to the end of
/// the refresh of the first frame that shows its result (for a key that asked for pictures: the
/// frame showing pictures of its request or a newer one).
///
///     {"key":"right","t_ms":1523.41,"latency_ms":18.20,"generation":12,"shown":12,"draw_ms":3.1,"render_ms":14.2}
///
/// `draw_ms`: drawing and refreshing that frame; `render_ms`: generating its pictures (0 when
/// they came from the cache or the prefetch). When that frame was a preview (a large model's
/// pictures stopped at an earlier block), `"preview":true`, and a second line with
/// `"refined":true` follows once the full-resolution frame of that request is shown, and before
/// it, when the pictures were first refined to the pane's resolution, one with `"pane":true`.
package final class ExplorerTrace {
    private struct Pending {
        let key: String
        let t0: UInt64
        let generation: Int
        var paneShown = false
    }

    private let handle: FileHandle
    private let start = DispatchTime.now().uptimeNanoseconds
    private var pending: [Pending] = []
    private var refining: [Pending] = []

    /// Creates (or truncates) `path`; throws a one-line error when it cannot be written.
    package init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let h = FileHandle(forWritingAtPath: path) else {
            throw SC2Error(.traceFile(path), "cannot be written")
        }
        handle = h
    }

    deinit { try? handle.close() }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// A key was read at `t0`; its result is on screen once a frame shows `generation`
    /// (0: the next frame).
    func keyPressed(_ key: Key, at t0: UInt64, awaiting generation: Int) {
        pending.append(Pending(key: ExplorerTrace.name(of: key), t0: t0, generation: generation))
    }

    /// A frame showing the pictures of request `shown` has just been refreshed; drawing and
    /// refreshing it took `drawNanoseconds`, generating its pictures `renderSeconds`.
    /// A frame at the pane's resolution (`pane`) is a preview too: its request is still refining.
    func frameShown(generation shown: Int, drawNanoseconds: UInt64, renderSeconds: Double, preview: Bool = false, pane: Bool = false) {
        guard !pending.isEmpty || !refining.isEmpty else { return }
        let t = ExplorerTrace.now()
        var lines = ""
        func line(_ p: Pending, _ extra: String) -> String {
            String(format: "{\"key\":\"%@\",\"t_ms\":%.2f,\"latency_ms\":%.3f,\"generation\":%d,\"shown\":%d,\"draw_ms\":%.3f,\"render_ms\":%.3f%@}\n",
                   p.key, Double(p.t0 - start) / 1e6, Double(t - p.t0) / 1e6, p.generation, shown, Double(drawNanoseconds) / 1e6,
                   renderSeconds * 1000, extra)
        }
        if !preview {
            refining.removeAll { p in
                guard p.generation <= shown else { return false }
                // A newer request's frame replaced a preview before it was refined: nothing to report.
                if p.generation == shown { lines += line(p, ",\"refined\":true") }
                return true
            }
        }
        pending.removeAll { p in
            guard p.generation <= shown else { return false }
            lines += line(p, preview ? ",\"preview\":true" : "")
            if preview && p.generation > 0 { refining.append(p) }
            return true
        }
        // Pictures at the pane's resolution (still refining): the first such frame of each key,
        // also when it was the key's first frame (the pane's pictures were cached).
        if pane {
            for i in refining.indices where refining[i].generation == shown && !refining[i].paneShown {
                lines += line(refining[i], ",\"pane\":true")
                refining[i].paneShown = true
            }
        }
        if !lines.isEmpty { handle.write(Data(lines.utf8)) }
    }

    /// A JSON-safe name of a key ("right", "char:n", "ctrl-c").
    static func name(of key: Key) -> String {
        switch key {
        case .left: return "left"
        case .right: return "right"
        case .up: return "up"
        case .down: return "down"
        case .home: return "home"
        case .end: return "end"
        case .pageUp: return "pageup"
        case .pageDown: return "pagedown"
        case .tab: return "tab"
        case .backTab: return "backtab"
        case .enter: return "enter"
        case .escape: return "escape"
        case .backspace: return "backspace"
        case .delete: return "delete"
        case .insert: return "insert"
        case .resize: return "resize"
        case .ctrlC: return "ctrl-c"
        case .ctrl(let c): return c.isLetter || c.isNumber ? "ctrl-\(c)" : "ctrl"
        case .function(let n): return "f\(n)"
        case .char(let c): return c.isLetter || c.isNumber ? "char:\(c)" : "char:u\(c.unicodeScalars.first!.value)"
        case .mouse: return "mouse"
        case .none: return "none"
        }
    }
}
