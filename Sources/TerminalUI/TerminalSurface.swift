

/// What a frame is drawn onto: the ncurses screen (TerminalCurses.Screen) in the product, an
/// in-memory `TextSurface` in tests. Coordinates are cells, (0, 0) top left; drawing outside
/// the surface is clipped.
package protocol TerminalSurface: AnyObject {
    /// Size in cells.
    var size: (rows: Int, columns: Int) { get }
    var colorMode: ColorMode { get }
    /// Whether the locale's character set is UTF-8 (else only ASCII is drawn).
    var isUTF8: Bool { get }
    /// Blanks the surface before a frame.
    func clear()
    /// Shows the frame.
    func refresh()
    /// Writes `text` at (`y`, `x`), clipped to `maxWidth` columns and the edge. Colours are
    /// ignored in monochrome; nil is the terminal's default colour.
    func put(_ text: String, y: Int, x: Int, style: TextStyle, foreground: RGB?, background: RGB?, maxWidth: Int?)
    /// Draws a picture in the box whose top-left cell is (`y`, `x`), at the canvas's centring
    /// offset: '▀' half blocks with colour and UTF-8, ASCII shading otherwise.
    func draw(_ canvas: HalfBlockCanvas, y: Int, x: Int)
}

extension TerminalSurface {
    /// Whether pictures are drawn with '▀' half blocks (UTF-8 and colour) rather than ASCII.
    package var usesHalfBlocks: Bool { isUTF8 && colorMode.hasColor }

    package func put(_ text: String, y: Int, x: Int, style: TextStyle = [],
                    foreground: RGB? = nil, background: RGB? = nil, maxWidth: Int? = nil) {
        put(text, y: y, x: x, style: style, foreground: foreground, background: background, maxWidth: maxWidth)
    }
}
