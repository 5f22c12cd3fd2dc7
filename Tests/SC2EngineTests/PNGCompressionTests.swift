import XCTest
@testable import SC2Engine

/// Every PNG compression writes files libpng reads back to the very pixels, and the trade they
/// promise holds: smallest <= balanced < fastest in size on a picture like the model's.
final class PNGCompressionTests: XCTestCase {
    /// A smooth picture with a little noise (a face's statistics, roughly), or pure noise.
    func picture(width w: Int, height h: Int, noise: Bool, seed: UInt64) -> RGBImage {
        var rng = Xoshiro(seed: seed)
        var px = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h { for x in 0..<w { for c in 0..<3 {
            let smooth = 40 + (x * 3 + y * 2 + c * 50) % 160
            let jitter = Int(rng.next() % (noise ? 256 : 7))
            px[(y * w + x) * 3 + c] = UInt8(noise ? jitter : smooth + jitter)
        } } }
        return RGBImage(width: w, height: h, pixels: px)
    }

    func testEveryCompressionReadsBackToTheSamePixels() throws {
        var seed: UInt64 = 1
        for (w, h) in [(1, 1), (1, 7), (7, 1), (2, 3), (33, 5), (64, 64), (300, 2)] {
            for noise in [false, true] {
                let image = picture(width: w, height: h, noise: noise, seed: seed)
                seed += 1
                for compression in PNG.Compression.allCases {
                    let bytes = try PNG.encode(image, compression: compression)
                    XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "\(compression) \(w)x\(h)")
                    let back = try PNG.decode(bytes, name: "\(compression)")
                    XCTAssertEqual(back, image, "\(compression) \(w)x\(h) noise \(noise)")
                }
            }
        }
    }

    func testSizesOrderAsDocumented() throws {
        let image = picture(width: 64, height: 64, noise: false, seed: 99)
        let size = try Dictionary(uniqueKeysWithValues: PNG.Compression.allCases.map { ($0, try PNG.encode(image, compression: $0).count) })
        XCTAssertLessThanOrEqual(size[.smallest]!, size[.balanced]!)
        XCTAssertLessThan(size[.balanced]!, size[.fastest]!)
    }

    /// A corrupted byte in the balanced writer's IDAT fails libpng's CRC check: the CRCs are real.
    func testBalancedChunksCarryValidCRCs() throws {
        let image = picture(width: 16, height: 16, noise: false, seed: 5)
        var bytes = try PNG.encode(image, compression: .balanced)
        XCTAssertNoThrow(try PNG.decode(bytes))
        bytes[8 + 25 + 10] ^= 0xFF   // inside IDAT's data (signature 8, IHDR 25, IDAT header 8)
        XCTAssertThrowsError(try PNG.decode(bytes))
    }
}
