import Foundation
import Synchronization

/// A one-line progress bar on stderr (quiet when stderr is not a terminal, except at the end).
/// Updated from any thread: the time of the last draw is behind a lock, which every draw holds.
final class ProgressBar: Sendable {
    private let total: Int
    private let label: String
    private let start = Date()
    private let last = Mutex(Date.distantPast)
    private let tty = isatty(STDERR_FILENO) != 0

    init(_ label: String, total: Int) { self.label = label; self.total = max(total, 1) }

    func update(_ done: Int) {
        guard tty else { return }
        last.withLock { last in
            let now = Date()
            guard done >= total || now.timeIntervalSince(last) > 0.1 else { return }
            last = now
            draw(done)
        }
    }

    private func draw(_ done: Int) {
        let frac = Double(min(done, total)) / Double(total)
        let width = 30
        let filled = Int(frac * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let el = Date().timeIntervalSince(start)
        let eta = frac > 0 ? el / frac - el : 0
        let line = String(format: "\r%@ %@ %3.0f%% %d/%d  %.1fs elapsed, %.1fs left ", label, bar, frac * 100, done, total, el, eta)
        FileHandle.standardError.write(line.data(using: .utf8)!)
    }

    func finish(_ message: String? = nil) {
        last.withLock { _ in
            let el = Date().timeIntervalSince(start)
            if tty { FileHandle.standardError.write("\r\u{1B}[2K".data(using: .utf8)!) }
            let msg = message ?? "\(label): \(total) done"
            FileHandle.standardError.write(String(format: "%@ (%.1fs)\n", msg, el).data(using: .utf8)!)
        }
    }
}
