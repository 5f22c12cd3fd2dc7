import Dispatch
import CBLAS

/// Row-major single-precision GEMM through BLAS: C = alpha * op(A) * op(B) + beta * C,
/// with op(A) of shape [m, k] and op(B) of shape [k, n].
///
/// Threading is ours, not OpenBLAS's: BLAS runs single-threaded and large products are split
/// by columns of C across the cores. OpenBLAS's own threads busy-wait and collapse when the
/// machine is shared (measured 10x slower on a loaded 2-core VM); splitting by columns keeps
/// every column's summation order, so batched and single results agree.
@inline(__always)
package func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                 alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                 b: UnsafePointer<Float>, ldb: Int,
                 beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
    guard m > 0, n > 0 else { return }
    if k == 0 {
        if beta == 0 { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
        return
    }
    BLASRuntime.configureOnce()
    let t0 = GEMMStats.enabled ? DispatchTime.now().uptimeNanoseconds : 0
    let parts = BLASRuntime.workers
    let flops = m * n * k
    if parts > 1 && flops >= gemmSplitFlops && n >= 32 * parts {
        // Column blocks, multiples of 16 for aligned kernels.
        let block = ((n + parts - 1) / parts + 15) / 16 * 16
        runConcurrently(parts) { p in
            let j0 = p * block
            guard j0 < n else { return }
            let nj = min(block, n - j0)
            let bj = transB ? b + j0 * ldb : b + j0
            cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                        Int32(m), Int32(nj), Int32(k), alpha, a, Int32(lda), bj, Int32(ldb), beta, c + j0, Int32(ldc))
        }
    } else if parts > 1 && flops >= gemmSplitFlops && m >= 64 * parts {
        // Few columns but many rows (small images, big weights): split by rows of C instead.
        // Every element still sums over k in the same order.
        let block = ((m + parts - 1) / parts + 15) / 16 * 16
        runConcurrently(parts) { p in
            let i0 = p * block
            guard i0 < m else { return }
            let mi = min(block, m - i0)
            let ai = transA ? a + i0 : a + i0 * lda
            cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                        Int32(mi), Int32(n), Int32(k), alpha, ai, Int32(lda), b, Int32(ldb), beta, c + i0 * ldc, Int32(ldc))
        }
    } else {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
    if GEMMStats.enabled { GEMMStats.record(m: m, n: n, k: k, start: t0) }
}

/// The multiply-adds (m n k) from which `gemm` splits a product over the cores.
let gemmSplitFlops = 1 << 21

/// `gemm` (B not transposed) on the calling thread only: for kernels that run several independent
/// products side by side themselves. Not counted in `GEMMStats` (the caller accounts for its
/// products' wall time, see `GEMMStats.timed`).
@inline(__always)
func gemmSerial(transA: Bool = false, m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                c: UnsafeMutablePointer<Float>, ldc: Int) {
    guard m > 0, n > 0, k > 0 else { return }
    BLASRuntime.configureOnce()   // BLAS single-threaded also when this is a process's first product
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(lda),
                b, Int32(ldb), 0, c, Int32(ldc))
}

extension Tensor {
    /// Matrix product of two rank-2 tensors (with optional transposes).
    package static func matmul(_ a: Tensor, _ b: Tensor, transA: Bool = false, transB: Bool = false) -> Tensor {
        precondition(a.rank == 2 && b.rank == 2, "matmul needs rank-2 tensors")
        let m = transA ? a.shape[1] : a.shape[0], k = transA ? a.shape[0] : a.shape[1]
        let kb = transB ? b.shape[1] : b.shape[0], n = transB ? b.shape[0] : b.shape[1]
        precondition(k == kb, "inner dimensions differ: \(a.shape) x \(b.shape)")
        var out = Tensor(zeros: [m, n])
        a.data.withUnsafeBufferPointer { pa in
            b.data.withUnsafeBufferPointer { pb in
                out.data.withUnsafeMutableBufferPointer { pc in
                    gemm(transA: transA, transB: transB, m: m, n: n, k: k, a: pa.baseAddress!, lda: a.shape[1],
                         b: pb.baseAddress!, ldb: b.shape[1], c: pc.baseAddress!, ldc: n)
                }
            }
        }
        return out
    }
}
