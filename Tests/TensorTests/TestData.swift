import XCTest

extension XCTestCase {
    /// `n` reproducible values in [-1, 1) from a 64-bit LCG seeded with `seed`: the kernels' inputs.
    func randomArray(_ n: Int, seed: UInt64) -> [Float] {
        var s = seed
        return (0..<n).map { _ in
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: s >> 11) % 2000) / 1000 - 1
        }
    }
}
