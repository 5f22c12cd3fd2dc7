

/// The screen split: a header row, a footer row and 1...4 panes side by side between them,
/// separated by one blank column; each pane has an image area above a text area.
package struct Layout: Equatable, Sendable {
    /// One pane: `image` on top, `text` (the requested number of lines) below it.
    package struct Pane: Equatable, Sendable {
        package let frame: Rect
        package let image: Rect
        package let text: Rect
    }

    /// What `make` decided.
    package enum Result: Equatable, Sendable {
        case fits(Layout)
        /// The terminal is smaller than `minWidth` x `minHeight` cells.
        case tooSmall(minWidth: Int, minHeight: Int)
    }

    package let width: Int
    package let height: Int
    package let header: Rect
    package let footer: Rect
    package let panes: [Pane]

    /// Smallest image area a pane may get, in cells (8 cells wide and 4 tall = 8x8 pixels).
    package static let defaultMinImageWidth = 8
    package static let defaultMinImageHeight = 4

    /// Splits a `width` x `height` terminal into `paneCount` panes (clamped to 1...4) with
    /// `textLines` text lines each. Extra columns that do not divide evenly go to the
    /// leftmost panes.
    package static func make(width: Int, height: Int, paneCount: Int, textLines: Int,
                            minImageWidth: Int = defaultMinImageWidth,
                            minImageHeight: Int = defaultMinImageHeight) -> Result {
        let n = max(1, min(4, paneCount))
        let lines = max(0, textLines)
        let minWidth = n * max(1, minImageWidth) + (n - 1)
        let minHeight = 2 + lines + max(1, minImageHeight)
        guard width >= minWidth, height >= minHeight else {
            return .tooSmall(minWidth: minWidth, minHeight: minHeight)
        }
        let bodyHeight = height - 2
        let available = width - (n - 1)
        let base = available / n, extra = available % n
        var panes: [Pane] = []
        var x = 0
        for i in 0..<n {
            let w = base + (i < extra ? 1 : 0)
            let frame = Rect(y: 1, x: x, height: bodyHeight, width: w)
            let image = Rect(y: 1, x: x, height: bodyHeight - lines, width: w)
            let text = Rect(y: 1 + bodyHeight - lines, x: x, height: lines, width: w)
            panes.append(Pane(frame: frame, image: image, text: text))
            x += w + 1
        }
        return .fits(Layout(width: width, height: height,
                            header: Rect(y: 0, x: 0, height: 1, width: width),
                            footer: Rect(y: height - 1, x: 0, height: 1, width: width),
                            panes: panes))
    }

    /// The message to show when the terminal is too small (fits in `width` columns if it can).
    package static func tooSmallMessage(width: Int, height: Int, minWidth: Int, minHeight: Int) -> String {
        let long = "Terminal too small: \(width)x\(height), need at least \(minWidth)x\(minHeight). Enlarge it or press q."
        return long.count <= width ? long : "Need \(minWidth)x\(minHeight)"
    }
}
