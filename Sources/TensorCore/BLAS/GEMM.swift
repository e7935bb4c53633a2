import COpenBLAS

/// C ← α·op(A)·op(B) + β·C on row-major float32 matrices, through OpenBLAS's `cblas_sgemm`.
///
/// The first call warns once on stderr if OpenBLAS runs an older kernel than the CPU
/// supports (`BLASKernel.checkAndWarn()`). Before a GEMM that OpenBLAS runs on its own threads,
/// the worker pool's spinning threads go to sleep (`WorkerPool.parkWorkers()`).
///
/// - Parameters:
///   - m, n, k: op(A) is m×k, op(B) is k×n, C is m×n.
///   - a, lda: A and its row stride (elements between rows as stored: k if not transposed, m if transposed).
///   - b, ldb: B and its row stride (n if not transposed, k if transposed).
///   - c, ldc: C and its row stride (≥ n; larger for a block of a wider matrix).
@inline(__always)
public func sgemm(transposeA: Bool = false, transposeB: Bool = false,
                  m: Int, n: Int, k: Int,
                  alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                  b: UnsafePointer<Float>, ldb: Int,
                  beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
    guard m > 0, n > 0 else { return }
    guard k > 0 else {
        // An empty sum: C ← β·C (BLAS would do the same, but some builds reject k = 0).
        for row in 0..<m {
            for col in 0..<n { c[row * ldc + col] = beta == 0 ? 0 : beta * c[row * ldc + col] }
        }
        return
    }
    BLASKernel.checkAndWarn()
    if Threading.blasUsesThreads(m: m, n: n, k: k) { WorkerPool.parkWorkers() }
    cblas_sgemm(CblasRowMajor,
                transposeA ? CblasTrans : CblasNoTrans,
                transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k),
                alpha, a, Int32(lda), b, Int32(ldb),
                beta, c, Int32(ldc))
}
