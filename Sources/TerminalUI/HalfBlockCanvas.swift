/// A picture fitted into a box of terminal cells, two pixels per cell.
///
/// Each cell shows '▀' (U+2580) with the top pixel as foreground and the bottom pixel as
/// background, so a cell is 1 pixel wide and 2 pixels tall. The picture is scaled to fit the
/// box with its aspect ratio kept (area averaging when shrinking, nearest neighbour when
/// growing) and centred; `originX`/`originY` give its offset inside the box in cells.
public struct HalfBlockCanvas: Equatable, Sendable {
    /// One terminal cell: the colours of its upper and lower half.
    public struct Cell: Equatable, Sendable {
        public var top: RGB
        public var bottom: RGB
        public init(top: RGB, bottom: RGB) {
            self.top = top
            self.bottom = bottom
        }
    }

    /// The glyph drawn in every cell.
    public static let upperHalfBlock: Character = "\u{2580}"
    /// Default ASCII shading ramp, darkest first.
    public static let defaultRamp: [Character] = Array(" .:-=+*#%@")

    /// Width of the picture in cells (= scaled width in pixels).
    public let columns: Int
    /// Height of the picture in cells (= scaled height in pixels / 2).
    public let rows: Int
    /// Offset of the picture inside the requested box, in cells (centring).
    public let originX: Int
    public let originY: Int
    /// Cells in row-major order, `rows * columns` of them.
    public let cells: [Cell]

    /// Fits a `width` x `height` picture (`pixels`: interleaved 8-bit RGB, rows top to bottom,
    /// at least `width * height * 3` bytes) into a box of `boxColumns` x `boxRows` cells.
    /// An empty picture or box gives an empty canvas.
    public init(pixels: [UInt8], width: Int, height: Int, boxColumns: Int, boxRows: Int) {
        precondition(width >= 0 && height >= 0 && pixels.count >= width * height * 3,
                     "pixel buffer smaller than width * height * 3")
        guard width > 0, height > 0, boxColumns > 0, boxRows > 0 else {
            self.columns = 0; self.rows = 0; self.originX = 0; self.originY = 0; self.cells = []
            return
        }
        let (tw, th) = HalfBlockCanvas.fittedSize(width: width, height: height,
                                                   boxColumns: boxColumns, boxRows: boxRows)
        let scaled = HalfBlockCanvas.resample(pixels, width: width, height: height,
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
    public func cell(row: Int, column: Int) -> Cell {
        cells[row * columns + column]
    }

    /// Size in pixels of the fitted picture: the largest scale keeping the aspect ratio that
    /// fits `boxColumns` x `2 * boxRows` pixels, rounded, with an even height (whole cells).
    public static func fittedSize(width: Int, height: Int, boxColumns: Int, boxRows: Int) -> (width: Int, height: Int) {
        let boxH = 2 * boxRows
        let scale = min(Double(boxColumns) / Double(width), Double(boxH) / Double(height))
        let tw = max(1, min(boxColumns, Int((Double(width) * scale).rounded())))
        var th = max(2, min(boxH, Int((Double(height) * scale).rounded())))
        if th % 2 == 1 { th = th + 1 <= boxH ? th + 1 : th - 1 }
        return (tw, th)
    }

    /// Source contributions (index, weight) for each destination index along one axis:
    /// box-filter coverage when shrinking, the nearest source sample otherwise.
    static func axisWeights(source: Int, destination: Int) -> [[(Int, Float)]] {
        if destination >= source {
            return (0..<destination).map { d in
                [(min(source - 1, (2 * d + 1) * source / (2 * destination)), 1)]
            }
        }
        let step = Double(source) / Double(destination)
        return (0..<destination).map { d in
            let lo = Double(d) * step, hi = Double(d + 1) * step
            var taps: [(Int, Float)] = []
            var i = Int(lo)
            while Double(i) < hi && i < source {
                let overlap = min(hi, Double(i + 1)) - max(lo, Double(i))
                if overlap > 1e-9 { taps.append((i, Float(overlap / step))) }
                i += 1
            }
            return taps
        }
    }

    /// Resamples an interleaved RGB picture to `toWidth` x `toHeight` (separable filter).
    static func resample(_ pixels: [UInt8], width: Int, height: Int, toWidth: Int, toHeight: Int) -> [UInt8] {
        let xs = axisWeights(source: width, destination: toWidth)
        let ys = axisWeights(source: height, destination: toHeight)
        // Horizontal pass: height rows of toWidth pixels, kept in Float.
        var mid = [Float](repeating: 0, count: height * toWidth * 3)
        for y in 0..<height {
            for x in 0..<toWidth {
                var r: Float = 0, g: Float = 0, b: Float = 0
                for (sx, w) in xs[x] {
                    let s = (y * width + sx) * 3
                    r += w * Float(pixels[s]); g += w * Float(pixels[s + 1]); b += w * Float(pixels[s + 2])
                }
                let o = (y * toWidth + x) * 3
                mid[o] = r; mid[o + 1] = g; mid[o + 2] = b
            }
        }
        // Vertical pass.
        var out = [UInt8](repeating: 0, count: toHeight * toWidth * 3)
        for y in 0..<toHeight {
            for x in 0..<toWidth {
                var acc: (Float, Float, Float) = (0, 0, 0)
                for (sy, w) in ys[y] {
                    let s = (sy * toWidth + x) * 3
                    acc.0 += w * mid[s]; acc.1 += w * mid[s + 1]; acc.2 += w * mid[s + 2]
                }
                let o = (y * toWidth + x) * 3
                out[o] = clampByte(acc.0); out[o + 1] = clampByte(acc.1); out[o + 2] = clampByte(acc.2)
            }
        }
        return out
    }

    private static func clampByte(_ v: Float) -> UInt8 {
        UInt8(max(0, min(255, v.rounded())))
    }

    // MARK: ASCII fallback

    /// The ramp character for a luminance in 0...255: darker gives an earlier character.
    public static func asciiCharacter(luminance: Double, ramp: [Character] = defaultRamp) -> Character {
        precondition(!ramp.isEmpty, "empty ramp")
        let t = max(0, min(1, luminance / 255))
        return ramp[Int((t * Double(ramp.count - 1)).rounded())]
    }

    /// The average colour of a cell (what one ASCII character stands for).
    public static func average(_ cell: Cell) -> RGB {
        RGB(UInt8((Int(cell.top.r) + Int(cell.bottom.r) + 1) / 2),
            UInt8((Int(cell.top.g) + Int(cell.bottom.g) + 1) / 2),
            UInt8((Int(cell.top.b) + Int(cell.bottom.b) + 1) / 2))
    }
}
