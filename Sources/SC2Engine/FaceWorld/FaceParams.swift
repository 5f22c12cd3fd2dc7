import Foundation

/// Everything that decides one FaceWorld picture: the six attributes plus nuisance factors
/// that vary freely (never correlated with the attributes).
package struct FaceParams: Sendable, Equatable {
    package var attributes: [Bool]          // FaceWorld order (FaceAttribute.allCases)
    package var skin: SIMD3<Float>
    package var hair: SIMD3<Float>
    package var eye: SIMD3<Float>
    package var background: SIMD3<Float>
    package var shirt: SIMD3<Float>
    package var lipstickColor: SIMD3<Float>
    package var frameColor: SIMD3<Float>
    package var faceWidth: Float            // ellipse x radius factor (face shape)
    package var jaw: Float                  // 0 round ... 1 narrow chin
    package var shift: SIMD2<Float>         // centre offset, in image fractions
    package var scale: Float
    package var tilt: Float                 // radians
    package var light: Float                // strength of the lighting gradient
    package var lightAngle: Float

    package func has(_ a: FaceAttribute) -> Bool { attributes[a.index] }

    /// Draws nuisance factors at random for the given attribute labels.
    package static func random<R: RandomNumberGenerator>(attributes: [Bool], using rng: inout R) -> FaceParams {
        func u(_ lo: Float, _ hi: Float) -> Float { Float.random(in: lo..<hi, using: &rng) }
        func pick(_ xs: [SIMD3<Float>]) -> SIMD3<Float> { xs[Int.random(in: 0..<xs.count, using: &rng)] }
        func jitter(_ c: SIMD3<Float>, _ a: Float) -> SIMD3<Float> {
            simd_clamp01(c + SIMD3(u(-a, a), u(-a, a), u(-a, a)))
        }
        let old = attributes[FaceAttribute.age.index]
        let t = u(0, 1)
        let skin = SIMD3<Float>(0.96, 0.83, 0.71) * (1 - t) + SIMD3<Float>(0.46, 0.31, 0.21) * t
        let youngHair: [SIMD3<Float>] = [[0.09, 0.07, 0.06], [0.28, 0.17, 0.09], [0.45, 0.30, 0.16],
                                         [0.86, 0.71, 0.40], [0.62, 0.24, 0.10]]
        let oldHair: [SIMD3<Float>] = [[0.70, 0.70, 0.70], [0.93, 0.93, 0.92], [0.80, 0.80, 0.85]]
        let hair = jitter(old ? pick(oldHair) : pick(youngHair), 0.04)
        let eye = jitter(pick([[0.35, 0.2, 0.1], [0.2, 0.4, 0.75], [0.25, 0.5, 0.3], [0.45, 0.45, 0.5]]), 0.05)
        let bg = SIMD3<Float>(u(0.15, 0.95), u(0.15, 0.95), u(0.15, 0.95))
        let shirt = SIMD3<Float>(u(0.05, 0.9), u(0.05, 0.9), u(0.05, 0.9))
        let lip = jitter(pick([[0.86, 0.06, 0.14], [0.72, 0.02, 0.10], [0.93, 0.20, 0.45]]), 0.04)
        let frame = pick([[0.05, 0.05, 0.05], [0.25, 0.12, 0.05], [0.05, 0.08, 0.3]])
        return FaceParams(attributes: attributes, skin: skin, hair: hair, eye: eye, background: bg,
                          shirt: shirt, lipstickColor: lip, frameColor: frame,
                          faceWidth: u(0.88, 1.08), jaw: u(0, 1),
                          shift: SIMD2(u(-0.045, 0.045), u(-0.04, 0.04)), scale: u(0.92, 1.08),
                          tilt: u(-0.14, 0.14), light: u(0, 0.5), lightAngle: u(0, 2 * .pi))
    }
}

@inline(__always) func simd_clamp01(_ c: SIMD3<Float>) -> SIMD3<Float> {
    SIMD3(min(max(c.x, 0), 1), min(max(c.y, 0), 1), min(max(c.z, 0), 1))
}
