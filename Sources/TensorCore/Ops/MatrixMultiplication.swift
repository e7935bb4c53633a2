/// Matrix product of 2-D tensors through `sgemm`, forward and backward.
///
/// Shapes: op(A) is [m, k], op(B) is [k, n], C = op(A)·op(B) is [m, n], where op(A) is A or Aᵀ
/// as stored (A is [m, k], or [k, m] when transposed; likewise B).
/// Backward with G = dC: d op(A) = G·op(B)ᵀ, d op(B) = op(A)ᵀ·G, each written straight into the
/// input's gradient buffer by one GEMM (β = 0 for a fresh buffer, 1 to accumulate).

/// op(a)·op(b) for 2-D tensors.
///
/// - Parameters:
///   - a: [m, k], or [k, m] when `transposeA`.
///   - b: [k, n], or [n, k] when `transposeB`.
/// - Returns: [m, n].
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    let product = MatrixProduct(a, b, transposeA: transposeA, transposeB: transposeB)
    let out = Tensor(uninitializedShape: [product.m, product.n])
    product.forward(into: out.data, accumulate: false)
    return out.recordingGradient("matmul", inputs: [a, b]) { g in
        product.accumulateGradients(g)
    }
}

/// The dimensions and operands of C = op(A)·op(B); shared by `matmul` and `linear`.
struct MatrixProduct {
    let a: Tensor, b: Tensor
    let transposeA: Bool, transposeB: Bool
    let m: Int, n: Int, k: Int

    init(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool) {
        precondition(a.rank == 2 && b.rank == 2, "matmul: needs 2-D tensors, got \(a.shape) and \(b.shape)")
        let (m, ka) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let (kb, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        precondition(ka == kb, "matmul: op(a) \(m)×\(ka) and op(b) \(kb)×\(n) do not chain"
                     + " (a \(a.shape), b \(b.shape), transposeA \(transposeA), transposeB \(transposeB))")
        self.a = a; self.b = b
        self.transposeA = transposeA; self.transposeB = transposeB
        self.m = m; self.n = n; self.k = ka
    }

    /// c ← op(A)·op(B) (+ c when `accumulate`); c is [m, n].
    func forward(into c: UnsafeMutablePointer<Float>, accumulate: Bool) {
        OpProfile.countMultiplyAdds(m * n * k)
        sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
              a: a.data, lda: a.shape[1], b: b.data, ldb: b.shape[1],
              beta: accumulate ? 1 : 0, c: c, ldc: n)
    }

    /// Adds the gradients of A and B (those that require one) given g = dC, [m, n].
    func accumulateGradients(_ g: Tensor) {
        let lda = a.shape[1], ldb = b.shape[1]
        if let target = a.gradientTarget {
            target.accumulateInPlace { da, accumulate in
                let beta: Float = accumulate ? 1 : 0
                if transposeA {
                    // A is [k, m]: dA = (G·op(B)ᵀ)ᵀ = op(B)·Gᵀ.
                    sgemm(transposeA: transposeB, transposeB: true, m: k, n: m, k: n,
                          a: b.data, lda: ldb, b: g.data, ldb: n, beta: beta, c: da, ldc: m)
                } else {
                    // A is [m, k]: dA = G·op(B)ᵀ.
                    sgemm(transposeA: false, transposeB: !transposeB, m: m, n: k, k: n,
                          a: g.data, lda: n, b: b.data, ldb: ldb, beta: beta, c: da, ldc: k)
                }
            }
        }
        if let target = b.gradientTarget {
            target.accumulateInPlace { db, accumulate in
                let beta: Float = accumulate ? 1 : 0
                if transposeB {
                    // B is [n, k]: dB = (op(A)ᵀ·G)ᵀ = Gᵀ·op(A).
                    sgemm(transposeA: true, transposeB: transposeA, m: n, n: k, k: m,
                          a: g.data, lda: n, b: a.data, ldb: lda, beta: beta, c: db, ldc: k)
                } else {
                    // B is [k, n]: dB = op(A)ᵀ·G.
                    sgemm(transposeA: !transposeA, transposeB: false, m: k, n: n, k: m,
                          a: a.data, lda: lda, b: g.data, ldb: n, beta: beta, c: db, ldc: n)
                }
            }
        }
    }
}
