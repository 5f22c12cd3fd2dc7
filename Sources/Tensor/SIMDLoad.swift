/// Unaligned SIMD loads and stores on raw float pointers, for the transforms the compiler leaves
/// scalar (too many pointers for its alias checks). Baseline x86-64: SIMD4 is one SSE register.
enum SIMDLoad {
    @inline(__always)
    static func load4(_ p: UnsafePointer<Float>) -> SIMD4<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self)
    }

    @inline(__always)
    static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func store4(_ v: SIMD4<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD4<Float>.self)
    }

    /// p[0 ..< 8] = a0, b0, a1, b1, a2, b2, a3, b3.
    @inline(__always)
    static func storeInterleaved(_ a: SIMD4<Float>, _ b: SIMD4<Float>, _ p: UnsafeMutablePointer<Float>) {
        store4(SIMD4(a[0], b[0], a[1], b[1]), p)
        store4(SIMD4(a[2], b[2], a[3], b[3]), p + 4)
    }
}
