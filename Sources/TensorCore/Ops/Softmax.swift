import Foundation

/// Softmax and log-softmax over the last dimension, forward and backward.
///
/// Shapes: x and y are [N, K] (any rank: rows are the last dimension). Per row, with
/// ℓ = log Σ_k exp(x_k) taken after subtracting the row maximum (no overflow at any scale):
/// softmax:     y = exp(x − ℓ),  dx = y ⊙ (dy − ⟨dy, y⟩)
/// logSoftmax:  y = x − ℓ,       dx = dy − exp(y)·Σ_k dy_k
/// Both backward passes read only the output.

/// exp(x) / Σ exp(x) along the last dimension; x: [N, K] → [N, K].
public func softmax(_ x: Tensor) -> Tensor {
    let (rows, width) = rowsOfLastDimension(x, "softmax")
    let out = Tensor(uninitializedShape: x.shape)
    forEachRow(rows, width: width) { row in
        let xs = x.data + row * width, ys = out.data + row * width
        let normaliser = LogSumExp(xs, count: width)
        for k in 0..<width { ys[k] = exp(normaliser.logProbability(xs[k])) }
    }
    // The storage, not the tensor: the tensor owns this closure, and must not be kept alive by it.
    let output = out.storage
    let target = x.gradientTarget
    return out.recordingGradient("softmax", inputs: [x]) { g in
        target?.accumulateInPlace { dx, accumulate in
            forEachRow(rows, width: width) { row in
                let ys = output.base + row * width, dy = g.data + row * width
                let projection = Float(dotDouble(dy, ys, count: width))
                store(dx + row * width, count: width, accumulate: accumulate) { k in ys[k] * (dy[k] - projection) }
            }
        }
    }
}

/// log softmax(x) along the last dimension, computed without forming softmax; x: [N, K] → [N, K].
public func logSoftmax(_ x: Tensor) -> Tensor {
    let (rows, width) = rowsOfLastDimension(x, "logSoftmax")
    let out = Tensor(uninitializedShape: x.shape)
    forEachRow(rows, width: width) { row in
        let xs = x.data + row * width, ys = out.data + row * width
        let normaliser = LogSumExp(xs, count: width)
        for k in 0..<width { ys[k] = normaliser.logProbability(xs[k]) }
    }
    // The storage, not the tensor: the tensor owns this closure, and must not be kept alive by it.
    let output = out.storage
    let target = x.gradientTarget
    return out.recordingGradient("logSoftmax", inputs: [x]) { g in
        target?.accumulateInPlace { dx, accumulate in
            forEachRow(rows, width: width) { row in
                let ys = output.base + row * width, dy = g.data + row * width
                var total = 0.0
                for k in 0..<width { total += Double(dy[k]) }
                let gradientSum = Float(total)
                store(dx + row * width, count: width, accumulate: accumulate) { k in dy[k] - exp(ys[k]) * gradientSum }
            }
        }
    }
}
