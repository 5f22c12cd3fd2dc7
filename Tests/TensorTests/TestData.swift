import XCTest
@testable import Tensor

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

extension XCTestCase {
    /// Runs `body` once per vector instruction set the element-wise kernels have (SSE: the Swift
    /// kernels; AVX2 and AVX-512: SIMDKernels), with that set installed as the limit, and restores
    /// the configuration. Sets this CPU lacks are reported as skipped (XCTSkip) after the others ran.
    func forEachVectorISA(_ body: (VectorISA) throws -> Void) throws {
        let saved = KernelConfiguration.current
        defer { KernelConfiguration.install(saved) }
        var missing: [String] = []
        for isa in VectorISA.allCases {
            guard isa <= VectorISA.detected else { missing.append(isa.rawValue); continue }
            var c = saved
            c.vectorLimit = isa
            KernelConfiguration.install(c)
            XCTAssertEqual(KernelConfiguration.vectorISA, isa)
            try body(isa)
        }
        if !missing.isEmpty { throw XCTSkip("this CPU has no \(missing.joined(separator: ", ")): those kernels were not run") }
    }
}
