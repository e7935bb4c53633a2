import TensorCore

/// MoCo's logits of queries against a bank of positive keys and a shared queue of negatives,
/// divided by a temperature (Eq. 1 and 3 of the CLSA paper). With `inBatchNegatives` false
/// (MoCo and the paper), each query meets its own key only:
///
///     out[n, 0]     = q_n · k_n / τ          (the positive, index 0)
///     out[n, 1 + j] = q_n · Q_j / τ          (the negatives)
///
/// With `inBatchNegatives` true (the released CLSA code's logits, `q·k_allᵀ`), each query meets
/// every key of the batch (of the global batch, on the ranks of a data-parallel run), the other
/// images' keys being extra negatives:
///
///     out[n, m]     = q_n · k_m / τ          (m < M; the positive is m = firstPositive + n)
///     out[n, M + j] = q_n · Q_j / τ
///
/// - Parameters:
///   - query: [N, D], the only input that receives a gradient.
///   - positiveKeys: [N, D], constants (from the key encoder); with in-batch negatives, every
///     key of the batch, [M, D], whose rows `firstPositive ..< firstPositive + N` are the
///     queries' positives.
///   - queue: [K, D], constants.
/// - Returns: [N, 1 + K], or [N, M + K] with in-batch negatives; `contrastiveTargets` gives
///   each row's positive column.
public func contrastiveLogits(query: Tensor, positiveKeys: Tensor, queue: Tensor, temperature: Float,
                              inBatchNegatives: Bool = false, firstPositive: Int = 0) -> Tensor {
    let n = query.shape[0], d = query.shape[1], k = queue.shape[0], m = positiveKeys.shape[0]
    precondition(query.rank == 2 && positiveKeys.rank == 2 && positiveKeys.shape[1] == d && queue.rank == 2
                 && queue.shape[1] == d && (inBatchNegatives ? firstPositive >= 0 && firstPositive + n <= m : m == n),
                 "contrastiveLogits: query \(query.shape), keys \(positiveKeys.shape) from row \(firstPositive), queue \(queue.shape)")
    let keyColumns = inBatchNegatives ? m : 1
    let width = keyColumns + k
    let scale = 1 / temperature
    let out = Tensor(uninitializedShape: [n, width])
    let q = query.data, keys = positiveKeys.data, o = out.data
    OpProfile.countMultiplyAdds(n * width * d)
    // Negatives from the queue: one GEMM writing the columns after the keys' (ldc = width).
    sgemm(transposeB: true, m: n, n: k, k: d, alpha: scale, a: q, lda: d, b: queue.data, ldb: d,
          beta: 0, c: o + keyColumns, ldc: width)
    if inBatchNegatives {
        sgemm(transposeB: true, m: n, n: m, k: d, alpha: scale, a: q, lda: d, b: keys, ldb: d,
              beta: 0, c: o, ldc: width)
    } else {
        for row in 0..<n {
            var dot: Float = 0
            for j in 0..<d { dot += q[row * d + j] * keys[row * d + j] }
            o[row * width] = dot * scale
        }
    }
    let target = query.gradientTarget
    return out.recordingGradient("contrastiveLogits", inputs: [query]) { g in
        // The keys and the queue as tensors, not pointers: the rule keeps them alive until it runs.
        let keys = positiveKeys.data
        // dq_n = (Σ_m g[n,m]·k_m + Σ_j g[n,keyColumns+j]·Q_j) / τ, m over the key columns.
        target?.accumulateInPlace { dq, accumulate in
            sgemm(m: n, n: d, k: k, alpha: scale, a: g.data + keyColumns, lda: width, b: queue.data, ldb: d,
                  beta: accumulate ? 1 : 0, c: dq, ldc: d)
            if inBatchNegatives {
                sgemm(m: n, n: d, k: m, alpha: scale, a: g.data, lda: width, b: keys, ldb: d,
                      beta: 1, c: dq, ldc: d)
            } else {
                for row in 0..<n {
                    let gp = g.data[row * width] * scale
                    for j in 0..<d { dq[row * d + j] += gp * keys[row * d + j] }
                }
            }
        }
    }
}

/// The column of each of `count` rows of `contrastiveLogits` that holds its positive: 0 for
/// every row, or `firstPositive` plus the row's index with in-batch negatives.
public func contrastiveTargets(count: Int, inBatchNegatives: Bool = false, firstPositive: Int = 0) -> [Int] {
    inBatchNegatives ? Array(firstPositive ..< firstPositive + count) : [Int](repeating: 0, count: count)
}
