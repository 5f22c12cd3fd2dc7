

/// Plain functions mapping RGB onto the colour sets terminals offer. No terminal needed.
package enum ColorQuantizer {
    /// xterm-256 indices for a whole picture (`width` x `height` pixels, row-major), with
    /// Floyd-Steinberg error diffusion (serpentine, 3/4 of the error carried: less speckle on
    /// flat areas): a colour between palette entries becomes a fine mix whose local average
    /// is that colour, instead of a flat band of the nearest entry.
    package static func errorDiffusedXterm256(_ pixels: [RGB], width: Int, height: Int) -> [Int] {
        precondition(pixels.count == width * height)
        var error = [SIMD3<Float>](repeating: .zero, count: 2 * (width + 2))   // this row and the next
        var out = [Int](repeating: 0, count: pixels.count)
        let carry: Float = 0.75
        for y in 0..<height {
            let cur = (y & 1) * (width + 2), next = (1 - (y & 1)) * (width + 2)
            for i in 0..<(width + 2) { error[next + i] = .zero }
            let leftToRight = y & 1 == 0
            for step in 0..<width {
                let x = leftToRight ? step : width - 1 - step
                let p = pixels[y * width + x]
                let want = SIMD3<Float>(Float(p.r), Float(p.g), Float(p.b)) + error[cur + x + 1]
                let clamped = want.clamped(lowerBound: SIMD3(repeating: 0), upperBound: SIMD3(repeating: 255))
                let index = xterm256Index(RGB(UInt8(clamped.x.rounded()), UInt8(clamped.y.rounded()), UInt8(clamped.z.rounded())))
                out[y * width + x] = index
                let shown = xterm256Color(index)
                let e = (clamped - SIMD3<Float>(Float(shown.r), Float(shown.g), Float(shown.b))) * carry
                let ahead = leftToRight ? 1 : -1
                error[cur + x + 1 + ahead] += e * (7 / 16)
                error[next + x + 1 - ahead] += e * (3 / 16)
                error[next + x + 1] += e * (5 / 16)
                error[next + x + 1 + ahead] += e * (1 / 16)
            }
        }
        return out
    }

    /// The six channel levels of the xterm 6x6x6 colour cube (indices 16...231).
    package static let cubeLevels: [Int] = [0, 95, 135, 175, 215, 255]

    /// Index of the cube level nearest to `v` (the level gaps are 95, 40, 40, 40, 40).
    static func nearestCubeLevel(_ v: Int) -> Int {
        if v < 48 { return 0 }
        if v < 115 { return 1 }
        return min(5, (v - 35) / 40)
    }

    /// The xterm-256 palette index nearest to `color` among the colour cube (16...231) and the
    /// grey ramp (232...255 = 8, 18, ..., 238), by Euclidean distance in RGB. The 16 system
    /// colours are skipped: their actual shades differ from terminal to terminal.
    package static func xterm256Index(_ color: RGB) -> Int {
        let r = Int(color.r), g = Int(color.g), b = Int(color.b)
        // Distance is separable per channel, so the nearest cube entry is per-channel nearest.
        let ri = nearestCubeLevel(r), gi = nearestCubeLevel(g), bi = nearestCubeLevel(b)
        let cube = RGB(UInt8(cubeLevels[ri]), UInt8(cubeLevels[gi]), UInt8(cubeLevels[bi]))
        let cubeIndex = 16 + 36 * ri + 6 * gi + bi
        // The nearest grey (v, v, v) is the one nearest to the channel mean.
        let mean = Double(r + g + b) / 3
        let k = max(0, min(23, Int(((mean - 8) / 10).rounded())))
        let greyLevel = UInt8(8 + 10 * k)
        let grey = RGB(greyLevel, greyLevel, greyLevel)
        return grey.distanceSquared(to: color) < cube.distanceSquared(to: color) ? 232 + k : cubeIndex
    }

    /// The colour xterm shows for palette index `index` (0...255; system colours approximated
    /// by xterm's defaults).
    package static func xterm256Color(_ index: Int) -> RGB {
        switch index {
        case 16...231:
            let i = index - 16
            return RGB(UInt8(cubeLevels[i / 36]), UInt8(cubeLevels[(i / 6) % 6]), UInt8(cubeLevels[i % 6]))
        case 232...255:
            let v = UInt8(8 + 10 * (index - 232))
            return RGB(v, v, v)
        case 0...7:
            return basic8Color(index)
        case 8:
            return RGB(127, 127, 127)
        case 9...15:
            let c = basic8Color(index - 8)
            return RGB(c.r == 0 ? 0 : 255, c.g == 0 ? 0 : 255, c.b == 0 ? 0 : 255)
        default:
            return .black
        }
    }

    /// The direct-colour value 0xRRGGBB for `color`. Values below 8 still select ANSI colours
    /// in direct mode (xterm-direct's setaf), so those (pure black and near-black blues) get
    /// their green channel set to 1: the nearest colour that is read as RGB.
    package static func directValue(_ color: RGB) -> Int32 {
        let value = Int32(color.r) << 16 | Int32(color.g) << 8 | Int32(color.b)
        return value < 8 ? value | 0x0100 : value
    }

    /// The ANSI colour (0 black, 1 red, 2 green, 3 yellow, 4 blue, 5 magenta, 6 cyan, 7 white)
    /// nearest to `color`: each channel thresholded at half intensity.
    package static func basic8Index(_ color: RGB) -> Int {
        (color.r >= 128 ? 1 : 0) | (color.g >= 128 ? 2 : 0) | (color.b >= 128 ? 4 : 0)
    }

    /// A nominal RGB for ANSI colour `index` (0...7), the inverse of `basic8Index`.
    package static func basic8Color(_ index: Int) -> RGB {
        RGB(index & 1 != 0 ? 205 : 0, index & 2 != 0 ? 205 : 0, index & 4 != 0 ? 205 : 0)
    }
}
