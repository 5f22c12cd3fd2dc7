import Resampling

/// A picture fitted into a box of terminal cells, two pixels per cell.
///
/// Each cell shows '▀' (U+2580) with the top pixel as foreground and the bottom pixel as
/// background, so a cell is 1 pixel wide and 2 pixels tall. The picture is scaled to fit the
/// box with its aspect ratio kept (`AreaAverage`, the area-average resize every picture of
/// the package goes through) and centred; `originX`/`originY` give its offset inside the box in cells.
package struct HalfBlockCanvas: Equatable, Sendable {
    /// One terminal cell: the colours of its upper and lower half.
    package struct Cell: Equatable, Sendable {
        package var top: RGB
        package var bottom: RGB
        package init(top: RGB, bottom: RGB) {
            self.top = top
            self.bottom = bottom
        }
    }

    /// The glyph drawn in every cell.
    package static let upperHalfBlock: Character = "\u{2580}"
    /// Default ASCII shading ramp, darkest first.
    package static let defaultRamp: [Character] = Array(" .:-=+*#%@")

    /// Width of the picture in cells (= scaled width in pixels).
    package let columns: Int
    /// Height of the picture in cells (= scaled height in pixels / 2).
    package let rows: Int
    /// Offset of the picture inside the requested box, in cells (centring).
    package let originX: Int
    package let originY: Int
    /// Cells in row-major order, `rows * columns` of them.
    package let cells: [Cell]

    /// Fits a `width` x `height` picture (`pixels`: interleaved 8-bit RGB, rows top to bottom,
    /// at least `width * height * 3` bytes) into a box of `boxColumns` x `boxRows` cells.
    /// An empty picture or box gives an empty canvas.
    package init(pixels: [UInt8], width: Int, height: Int, boxColumns: Int, boxRows: Int) {
        precondition(width >= 0 && height >= 0 && pixels.count >= width * height * 3,
                     "pixel buffer smaller than width * height * 3")
        guard width > 0, height > 0, boxColumns > 0, boxRows > 0 else {
            self.columns = 0; self.rows = 0; self.originX = 0; self.originY = 0; self.cells = []
            return
        }
        let (tw, th) = HalfBlockCanvas.fittedSize(width: width, height: height,
                                                   boxColumns: boxColumns, boxRows: boxRows)
        let scaled = AreaAverage.resize(pixels, width: width, height: height, channels: 3,
                                        toWidth: tw, toHeight: th)
        let rows = th / 2
        var cells: [Cell] = []
        cells.reserveCapacity(rows * tw)
        for row in 0..<rows {
            for col in 0..<tw {
                let t = ((2 * row) * tw + col) * 3
                let b = ((2 * row + 1) * tw + col) * 3
                cells.append(Cell(top: RGB(scaled[t], scaled[t + 1], scaled[t + 2]),
                                  bottom: RGB(scaled[b], scaled[b + 1], scaled[b + 2])))
            }
        }
        self.columns = tw
        self.rows = rows
        self.originX = (boxColumns - tw) / 2
        self.originY = (boxRows - rows) / 2
        self.cells = cells
    }

    /// The cell at (`row`, `column`) of the picture.
    package func cell(row: Int, column: Int) -> Cell {
        cells[row * columns + column]
    }

    /// Size in pixels of the fitted picture: the largest scale keeping the aspect ratio that
    /// fits `boxColumns` x `2 * boxRows` pixels, rounded, with an even height (whole cells).
    package static func fittedSize(width: Int, height: Int, boxColumns: Int, boxRows: Int) -> (width: Int, height: Int) {
        let boxH = 2 * boxRows
        let scale = min(Double(boxColumns) / Double(width), Double(boxH) / Double(height))
        let tw = max(1, min(boxColumns, Int((Double(width) * scale).rounded())))
        var th = max(2, min(boxH, Int((Double(height) * scale).rounded())))
        if th % 2 == 1 { th = th + 1 <= boxH ? th + 1 : th - 1 }
        return (tw, th)
    }

    // MARK: ASCII fallback

    /// The ramp character for a luminance in 0...255: darker gives an earlier character.
    package static func asciiCharacter(luminance: Double, ramp: [Character] = defaultRamp) -> Character {
        precondition(!ramp.isEmpty, "empty ramp")
        let t = max(0, min(1, luminance / 255))
        return ramp[Int((t * Double(ramp.count - 1)).rounded())]
    }

    /// The average colour of a cell (what one ASCII character stands for).
    package static func average(_ cell: Cell) -> RGB {
        RGB(UInt8((Int(cell.top.r) + Int(cell.bottom.r) + 1) / 2),
            UInt8((Int(cell.top.g) + Int(cell.bottom.g) + 1) / 2),
            UInt8((Int(cell.top.b) + Int(cell.bottom.b) + 1) / 2))
    }
}
