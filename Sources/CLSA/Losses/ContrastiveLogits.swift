import TensorCore

/// MoCo's logits of queries against a bank of one positive key per query and a shared queue
/// of negatives, divided by a temperature (Eq. 1 and 3 of the CLSA paper):
///
///     out[n, 0]     = q_n · k_n / τ          (the positive, index 0)
///     out[n, 1 + j] = q_n · Q_j / τ          (the negatives)
///
/// - Parameters:
///   - query: [N, D], the only input that receives a gradient.
///   - positiveKeys: [N, D], constants (from the key encoder).
///   - queue: [K, D], constants.
/// - Returns: [N, 1 + K].
public func contrastiveLogits(query: Tensor, positiveKeys: Tensor, queue: Tensor, temperature: Float) -> Tensor {
    let n = query.shape[0], d = query.shape[1], k = queue.shape[0]
    precondition(query.rank == 2 && positiveKeys.shape == query.shape && queue.rank == 2 && queue.shape[1] == d,
                 "contrastiveLogits: query \(query.shape), keys \(positiveKeys.shape), queue \(queue.shape)")
    let width = 1 + k
    let scale = 1 / temperature
    let out = Tensor(uninitializedShape: [n, width])
    let q = query.data, keys = positiveKeys.data, o = out.data
    // Negatives: one GEMM writing columns 1… of each row (ldc = 1 + K).
    sgemm(transposeB: true, m: n, n: k, k: d, alpha: scale, a: q, lda: d, b: queue.data, ldb: d,
          beta: 0, c: o + 1, ldc: width)
    for row in 0..<n {
        var dot: Float = 0
        for j in 0..<d { dot += q[row * d + j] * keys[row * d + j] }
        o[row * width] = dot * scale
    }
    return out.recordingGradient("contrastiveLogits", inputs: [query]) { g in
        // dq_n = (g[n,0]·k_n + Σ_j g[n,1+j]·Q_j) / τ
        query.accumulateGradient { dq, accumulate in
            sgemm(m: n, n: d, k: k, alpha: scale, a: g.data + 1, lda: width, b: queue.data, ldb: d,
                  beta: accumulate ? 1 : 0, c: dq, ldc: d)
            for row in 0..<n {
                let gp = g.data[row * width] * scale
                for j in 0..<d { dq[row * d + j] += gp * keys[row * d + j] }
            }
        }
    }
}
