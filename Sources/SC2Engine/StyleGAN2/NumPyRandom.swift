#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#else
import Foundation
#endif

/// `numpy.random.RandomState(seed)` reproduced bit for bit, as far as the reference generate
/// script uses it: `z = RandomState(seed).randn(1, z_dim)`.
///
/// - Generator: MT19937 with numpy's legacy seeding of a 32-bit integer seed (Matsumoto and
///   Nishimura's `init_genrand`: key[0] = seed, key[i] = 1812433253 * (key[i-1] ^ key[i-1] >> 30) + i),
///   regenerated lazily (the first draw regenerates the whole state).
/// - Uniform doubles: the legacy 53-bit `random_sample`, a = next >> 5, b = next >> 6,
///   (a * 2^26 + b) / 2^53.
/// - Gaussians: the legacy polar Box-Muller. Each accepted pair (x1, x2) with
///   0 < r2 = x1^2 + x2^2 < 1 and f = sqrt(-2 log(r2) / r2) returns f * x2 at once and caches
///   f * x1, which the next call returns without drawing anything.
///
/// The arithmetic follows numpy's C code operation for operation (no fused multiply-add, C's `log`
/// from the same libm, correctly rounded square root), so the values are identical, not merely close.
package struct NumPyRandom {
    private static let n = 624
    private static let m = 397
    private static let matrixA: UInt32 = 0x9908_b0df
    private static let upperMask: UInt32 = 0x8000_0000
    private static let lowerMask: UInt32 = 0x7fff_ffff

    private var key: [UInt32]
    private var pos: Int
    private var cachedGauss: Double?

    /// Equivalent to `numpy.random.RandomState(seed)`; every seed in 0...2^32-1 is valid there.
    package init(seed: UInt32) {
        var key = [UInt32](repeating: 0, count: Self.n)
        var s = seed
        for i in 0..<Self.n {
            key[i] = s
            s = 1_812_433_253 &* (s ^ (s >> 30)) &+ UInt32(i + 1)
        }
        self.key = key
        self.pos = Self.n
        self.cachedGauss = nil
    }

    /// Regenerates all 624 words of the state (the MT19937 "twist").
    private mutating func twist() {
        let n = Self.n, m = Self.m
        key.withUnsafeMutableBufferPointer { k in
            @inline(__always) func mix(_ upper: UInt32, _ lower: UInt32) -> UInt32 {
                let y = (upper & Self.upperMask) | (lower & Self.lowerMask)
                return (y >> 1) ^ ((y & 1) == 0 ? 0 : Self.matrixA)
            }
            for i in 0..<(n - m) {
                k[i] = k[i + m] ^ mix(k[i], k[i + 1])
            }
            for i in (n - m)..<(n - 1) {
                k[i] = k[i + m - n] ^ mix(k[i], k[i + 1])
            }
            k[n - 1] = k[m - 1] ^ mix(k[n - 1], k[0])
        }
        pos = 0
    }

    /// The next tempered 32-bit output (`RandomState.randint(2**32, dtype=uint32)` draws these too).
    package mutating func nextUInt32() -> UInt32 {
        if pos == Self.n { twist() }
        var y = key[pos]
        pos += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9d2c_5680
        y ^= (y << 15) & 0xefc6_0000
        y ^= y >> 18
        return y
    }

    /// One uniform double in [0, 1), as `RandomState.random_sample()`.
    package mutating func randomSample() -> Double {
        let a = Double(nextUInt32() >> 5)
        let b = Double(nextUInt32() >> 6)
        return (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// One standard normal value, as `RandomState.standard_normal()` (legacy polar method).
    package mutating func gauss() -> Double {
        if let g = cachedGauss {
            cachedGauss = nil
            return g
        }
        var x1 = 0.0, x2 = 0.0, r2 = 0.0
        repeat {
            x1 = 2.0 * randomSample() - 1.0
            x2 = 2.0 * randomSample() - 1.0
            // two roundings, like the C expression compiled without FMA contraction
            let a = x1 * x1
            let b = x2 * x2
            r2 = a + b
        } while r2 >= 1.0 || r2 == 0.0
        let f = (-2.0 * log(r2) / r2).squareRoot()
        cachedGauss = f * x1
        return f * x2
    }

    /// `count` standard normal values, as `RandomState.randn(count)` (and, row-major, `randn(1, count)`).
    package mutating func randn(_ count: Int) -> [Double] {
        precondition(count >= 0, "negative count")
        var out = [Double]()
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(gauss()) }
        return out
    }

    /// The generate script's latent: `RandomState(seed).randn(1, zDim)` cast to float32.
    package static func latent(seed: UInt32, zDim: Int) -> [Float] {
        var rng = NumPyRandom(seed: seed)
        return rng.randn(zDim).map { Float($0) }
    }
}
