import SC2Engine
import TerminalUI

/// The labelling view's state: a page of seeds in a grid, a cursor, and the labels typed so far.
/// Pure: `handle(_:)` returns the effects (save the file, leave), so every key is testable
/// without a terminal or a model.
package struct LabelState: Equatable {
    enum Effect: Equatable { case save, quit }

    package var labels: HandLabels
    /// The first seed of the current page and the one under the cursor.
    package private(set) var pageStart: UInt32
    package private(set) var cursor: UInt32
    /// Tiles per page and per row (set from the terminal's size by the app).
    package private(set) var pageSize = 6
    package private(set) var columns = 3
    var showsHelp = false
    var status: String?
    var shouldQuit = false

    /// Starts at the first seed from `first` on that has no label yet (a resumed file goes on
    /// where it stopped).
    package init(labels: HandLabels, first: UInt32) {
        self.labels = labels
        var s = first
        while labels.label(of: s) != nil && s < UInt32.max { s += 1 }
        cursor = s
        pageStart = s
    }

    package var pageSeeds: [UInt32] {
        (0..<pageSize).compactMap { i in pageStart.addingReportingOverflow(UInt32(i)).overflow ? nil : pageStart + UInt32(i) }
    }

    /// A new grid size keeps the cursor on its page.
    package mutating func setGrid(columns c: Int, rows r: Int) {
        columns = max(1, c)
        pageSize = max(1, c * max(1, r))
        if !pageSeeds.contains(cursor) { pageStart = cursor }
    }

    mutating func handle(_ key: Key) -> [Effect] {
        if key == .ctrlC || (key == .char("q") && !showsHelp) { shouldQuit = true; return [.quit] }
        if showsHelp { showsHelp = false; if key == .char("q") { shouldQuit = true; return [.quit] }; return [] }
        switch key {
        case .char("y"), .char("1"), .char("+"): return mark(.present)
        case .char("n"), .char("0"), .char("-"): return mark(.absent)
        case .char("x"), .char(" "): return mark(.skip)
        case .char("u"), .backspace:
            // Undo: back one seed and clear its label.
            guard cursor > 0 else { return [] }
            move(to: cursor - 1)
            guard labels.label(of: cursor) != nil else { return [] }
            labels.set(nil, for: cursor)
            status = "seed \(cursor): label removed"
            return [.save]
        case .right: move(by: 1)
        case .left: move(by: -1)
        case .down: move(by: columns)
        case .up: move(by: -columns)
        case .pageDown, .char("]"): move(by: pageSize, page: true)
        case .pageUp, .char("["): move(by: -pageSize, page: true)
        case .char("?"), .char("h"), .function(1): showsHelp = true
        default: break
        }
        return []
    }

    private mutating func mark(_ l: HandLabels.Label) -> [Effect] {
        labels.set(l, for: cursor)
        status = "seed \(cursor): \(l.rawValue)"
        if cursor < UInt32.max { move(to: cursor + 1) }
        return [.save]
    }

    private mutating func move(by offset: Int, page: Bool = false) {
        let target = Int64(cursor) + Int64(offset)
        if !page { guard target >= 0, target <= Int64(UInt32.max) else { return } }
        if page {
            pageStart = UInt32(max(0, min(Int64(UInt32.max), Int64(pageStart) + Int64(offset))))
            cursor = pageStart
        } else {
            move(to: UInt32(target))
        }
    }

    /// Moves the cursor; leaving the page turns it (by whole pages from the current one).
    private mutating func move(to seed: UInt32) {
        cursor = seed
        let size = UInt32(pageSize)
        while cursor < pageStart { pageStart = pageStart >= size ? pageStart - size : 0 }
        while cursor >= pageStart &+ size && pageStart <= UInt32.max - size { pageStart += size }
    }
}
