import COpenBLAS

/// C ← α·op(A)·op(B) + β·C on row-major float32 matrices, through OpenBLAS's `cblas_sgemm`.
///
/// Large products are split into `Threading.threadCount` blocks of columns (or of rows, when C
/// is taller than wide) computed concurrently by single-threaded OpenBLAS calls. OpenBLAS's
/// own worker threads would otherwise spin (sched_yield) between GEMMs and take the cores from
/// the element-wise loops that run there (measured: 20–35 % of a ResNet-50 step). The split
/// depends only on the shapes and the thread count, so results are reproducible.
///
/// The first call warns once on stderr if OpenBLAS runs an older kernel than the CPU
/// supports (`BLASKernel.checkAndWarn()`).
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
    let threads = Threading.threadCount
    guard threads > 1, 2 * m * n * k >= gemmParallelMinimumFlops else {
        singleThreadedSgemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        return
    }
    if n >= m {
        // Column blocks, multiples of 16 (one AVX-512 register) so kernels stay on full tiles.
        let blocks = min(threads, max(1, n / 16))
        Threading.parallelChunks(blocks) { block, _ in
            let columns = gemmBlock(block, of: blocks, total: n, granule: 16)
            guard !columns.isEmpty else { return }
            let bBlock = transposeB ? b + columns.lowerBound * ldb : b + columns.lowerBound
            singleThreadedSgemm(transposeA, transposeB, m, columns.count, k, alpha, a, lda,
                                bBlock, ldb, beta, c + columns.lowerBound, ldc)
        }
    } else {
        let blocks = min(threads, max(1, m / 16))
        Threading.parallelChunks(blocks) { block, _ in
            let rows = gemmBlock(block, of: blocks, total: m, granule: 16)
            guard !rows.isEmpty else { return }
            let aBlock = transposeA ? a + rows.lowerBound : a + rows.lowerBound * lda
            singleThreadedSgemm(transposeA, transposeB, rows.count, n, k, alpha, aBlock, lda,
                                b, ldb, beta, c + rows.lowerBound * ldc, ldc)
        }
    }
}

/// Products below this many FLOPs run as one call: splitting costs more than it saves.
let gemmParallelMinimumFlops = 1 << 22

/// The `block`-th of `blocks` near-equal pieces of `0..<total`, boundaries on multiples of `granule`.
func gemmBlock(_ block: Int, of blocks: Int, total: Int, granule: Int) -> Range<Int> {
    let units = (total + granule - 1) / granule
    let piece = Threading.chunkRange(block, of: blocks, total: units)
    return min(total, piece.lowerBound * granule)..<min(total, piece.upperBound * granule)
}

@inline(__always)
private func singleThreadedSgemm(_ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int,
                                 _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int,
                                 _ b: UnsafePointer<Float>, _ ldb: Int,
                                 _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
    cblas_sgemm(CblasRowMajor,
                transposeA ? CblasTrans : CblasNoTrans,
                transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k),
                alpha, a, Int32(lda), b, Int32(ldb),
                beta, c, Int32(ldc))
}
