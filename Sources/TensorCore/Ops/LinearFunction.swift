/// Affine map of a batch of row vectors, as `torch.nn.functional.linear`, forward and backward.
///
/// Shapes: x [N, in], weight W [out, in] (PyTorch's layout), bias b [out], y [N, out].
/// Forward: y = x·Wᵀ + b (bias rows first, then one GEMM with β = 1).
/// Backward with G = dy: dx = G·W, dW = Gᵀ·x (see `MatrixProduct`), db = Σ_rows G.

/// x·Wᵀ + b.
///
/// - Parameters:
///   - x: [N, in].
///   - weight: [out, in].
///   - bias: [out], or nil for none.
/// - Returns: [N, out].
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
    let product = MatrixProduct(x, weight, transposeA: false, transposeB: true)
    let rows = product.m, columns = product.n
    let out = Tensor(uninitializedShape: [rows, columns])
    if let bias {
        precondition(bias.count == columns, "linear: bias has \(bias.count) elements for \(columns) outputs")
        for row in 0..<rows { (out.data + row * columns).update(from: bias.data, count: columns) }
    }
    product.forward(into: out.data, accumulate: bias != nil)
    let biasTarget = bias?.gradientTarget
    return out.recordingGradient("linear", inputs: [x, weight] + (bias.map { [$0] } ?? [])) { g in
        product.accumulateGradients(g)
        biasTarget?.accumulate(columnSums(g))
    }
}

/// Σ over rows of a [N, K] tensor, as [K]; summed in Double, rows in order.
private func columnSums(_ g: Tensor) -> Tensor {
    let rows = g.shape[0], columns = g.shape[1]
    var sums = [Double](repeating: 0, count: columns)
    for row in 0..<rows {
        let line = g.data + row * columns
        for column in 0..<columns { sums[column] += Double(line[column]) }
    }
    return Tensor(shape: [columns], scalars: sums.map { Float($0) })
}
