import Foundation

/// Draws FaceWorld faces: flat-shaded shapes evaluated at supersampled points, averaged down
/// (anti-aliasing), so that glasses, lipstick, grey hair, smiles and beards read at 64 px.
package struct FaceRenderer: Sendable {
    package let size: Int
    package let supersample: Int

    package init(size: Int = 64, supersample: Int = 4) {
        self.size = size; self.supersample = supersample
    }

    package func render(_ p: FaceParams) -> RGBImage {
        var px = [UInt8](repeating: 0, count: size * size * 3)
        let ss = supersample
        let inv = 1 / Float(size * ss)
        let cosT = cos(-p.tilt), sinT = sin(-p.tilt)
        let centre = SIMD2<Float>(0.5, 0.52) + p.shift
        let lightDir = SIMD2<Float>(cos(p.lightAngle), sin(p.lightAngle))
        for y in 0..<size {
            for x in 0..<size {
                var acc = SIMD3<Float>(0, 0, 0)
                for sy in 0..<ss {
                    for sx in 0..<ss {
                        let uv = SIMD2<Float>((Float(x * ss + sx) + 0.5) * inv, (Float(y * ss + sy) + 0.5) * inv)
                        let d = uv - centre
                        let q = SIMD2<Float>(cosT * d.x - sinT * d.y, sinT * d.x + cosT * d.y) / p.scale
                        var c = shade(q, p)
                        let l = 1 + p.light * ((uv - 0.5) * lightDir).sum()
                        c *= l
                        acc += c
                    }
                }
                acc /= Float(ss * ss)
                let i = 3 * (y * size + x)
                px[i] = UInt8(min(max(acc.x * 255 + 0.5, 0), 255))
                px[i + 1] = UInt8(min(max(acc.y * 255 + 0.5, 0), 255))
                px[i + 2] = UInt8(min(max(acc.z * 255 + 0.5, 0), 255))
            }
        }
        return RGBImage(width: size, height: size, pixels: px)
    }

    /// The colour at face-local point q (x right, y down; the face ellipse is about
    /// 0.46 wide and 0.58 tall, centred on the origin).
    @inline(__always)
    func shade(_ q: SIMD2<Float>, _ p: FaceParams) -> SIMD3<Float> {
        let rx: Float = 0.215 * p.faceWidth, ry: Float = 0.28
        let old = p.has(.age), longHair = p.has(.longHair)
        var c = p.background

        // Shoulders and neck.
        if ell(q, SIMD2(0, 0.64), SIMD2(0.40, 0.24)) < 1 { c = p.shirt }
        if abs(q.x) < 0.085, q.y > 0.15, q.y < 0.5 { c = p.skin * 0.86 }

        // Long hair behind the face, down to the shoulders.
        let hairOuter = ell(q, SIMD2(0, -0.02), SIMD2(rx + 0.045, ry + 0.05))
        if longHair {
            let side = abs(q.x) < rx + 0.075 && q.y > -0.05 && q.y < 0.40 - 0.25 * max(0, abs(q.x) - rx) / 0.075
            if side || hairOuter < 1 { c = p.hair * 0.92 }
        }

        // Ears.
        if ell(SIMD2(abs(q.x), q.y), SIMD2(rx - 0.005, 0.0), SIMD2(0.035, 0.06)) < 1 { c = p.skin * 0.9 }

        // Face: an ellipse whose lower half narrows towards the chin by `jaw`.
        var fq = q
        if q.y > 0 { fq.x = q.x / (1 - 0.22 * p.jaw * (q.y / ry)) }
        let face = ell(fq, SIMD2(0, 0), SIMD2(rx, ry))
        if face < 1 {
            c = p.skin
            // Wrinkles (old): forehead lines, lines under the eyes, nasolabial folds.
            if old {
                let wr = p.skin * 0.62
                for yy: Float in [-0.138, -0.113] where abs(q.y - yy - 0.02 * (q.x * q.x) / 0.01) < 0.0075 && abs(q.x) < 0.105 { c = wr }
                let ax = abs(q.x)
                if abs(q.y - (0.06 + 0.9 * (ax - 0.07))) < 0.007, ax > 0.07, ax < 0.115 { c = wr }
                if abs(q.y - 0.035) < 0.006, abs(ax - 0.09) < 0.04 { c = wr }
            }
        }

        // Hair cap above the hairline.
        if hairOuter < 1 {
            let hairline: Float = -0.165 + 0.06 * (q.x * q.x) / (rx * rx) + (longHair ? -0.01 : 0.0)
            if face >= 1 && q.y < 0.02 || q.y < hairline { c = p.hair }
        }

        // Beard: lower face and chin, sideburns.
        if p.has(.beard) {
            let beardRegion = ell(fq, SIMD2(0, 0.015), SIMD2(rx + 0.012, ry + 0.045)) < 1 && q.y > 0.07
            let sideburn = face < 1 && abs(q.x) > rx - 0.05 && q.y > -0.06
            if beardRegion || sideburn { c = p.hair * 0.75 + SIMD3(0.03, 0.03, 0.03) }
        }

        // Eyebrows.
        let brow = (old ? p.hair : p.hair * 0.8)
        for sx: Float in [-1, 1] {
            let bx = q.x - sx * 0.088
            if abs(bx) < 0.048, abs(q.y + 0.078 + 0.01 * sx * bx / 0.05 * 0) < 0.011 { c = brow }
        }

        // Eyes.
        for sx: Float in [-1, 1] {
            let e = q - SIMD2(sx * 0.088, -0.02)
            if ell(e, .zero, SIMD2(0.045, 0.027)) < 1 {
                c = SIMD3(0.97, 0.97, 0.97)
                let r2 = (e * e).sum()
                if r2 < 0.022 * 0.022 { c = p.eye }
                if r2 < 0.010 * 0.010 { c = SIMD3(0.03, 0.03, 0.03) }
            }
        }

        // Nose.
        if abs(q.x) < 0.012 + 0.25 * max(0, q.y - 0.03), q.y > 0.02, q.y < 0.095, abs(q.x) > 0.002 + 0.18 * max(0, q.y - 0.03) { c = p.skin * 0.8 }
        if ell(q, SIMD2(0, 0.095), SIMD2(0.035, 0.012)) < 1 { c = p.skin * 0.82 }

        // Mouth.
        let lips = p.has(.lipstick) ? p.lipstickColor : p.skin * SIMD3(0.82, 0.58, 0.56)
        if p.has(.smile) {
            // Open smile: a D-shaped mouth with teeth, corners up.
            let m = q - SIMD2(0, 0.150)
            let inside = m.y > -0.01 * (1 - (m.x * m.x) / 0.0095) && ell(m, .zero, SIMD2(0.098, 0.078)) < 1
            let outline = m.y > -0.026 && ell(m, .zero, SIMD2(0.116, 0.096)) < 1
            if outline && !inside { if m.y > -0.02 || p.has(.lipstick) { c = lips } }
            if inside {
                c = SIMD3(0.32, 0.04, 0.07)
                if m.y < 0.026 { c = SIMD3(0.98, 0.98, 0.96) }
            }
        } else {
            let thick: Float = p.has(.lipstick) ? 0.030 : 0.020
            if ell(q, SIMD2(0, 0.165), SIMD2(0.078, thick)) < 1 {
                c = lips
                if abs(q.y - 0.165) < 0.004 { c = lips * 0.55 }
            }
        }

        // Eyeglasses: thick frames, bridge, temples, slightly tinted lenses.
        if p.has(.eyeglasses) {
            for sx: Float in [-1, 1] {
                let g = SIMD2(abs(q.x - sx * 0.088), abs(q.y + 0.018))
                let half = SIMD2<Float>(0.068, 0.050)
                let outer = roundBox(g, half, 0.02)
                if outer < 0 {
                    if outer > -0.026 { c = p.frameColor } else { c = c * 0.82 + SIMD3(0.15, 0.17, 0.2) }
                }
            }
            if abs(q.x) < 0.022, abs(q.y + 0.032) < 0.011 { c = p.frameColor }
            if abs(q.x) > 0.15, abs(q.x) < rx + 0.02, abs(q.y + 0.04) < 0.011 { c = p.frameColor }
        }
        return c
    }

    /// Normalised ellipse distance: < 1 inside.
    @inline(__always) func ell(_ q: SIMD2<Float>, _ c: SIMD2<Float>, _ r: SIMD2<Float>) -> Float {
        let d = (q - c) / r
        return (d * d).sum()
    }

    /// Signed distance to a rounded box of half-size `b` with corner radius `r` (q folded to >= 0).
    @inline(__always) func roundBox(_ q: SIMD2<Float>, _ b: SIMD2<Float>, _ r: Float) -> Float {
        let d = q - b + r
        let o = SIMD2(max(d.x, 0), max(d.y, 0))
        return (o * o).sum().squareRoot() + min(max(d.x, d.y), 0) - r
    }
}
