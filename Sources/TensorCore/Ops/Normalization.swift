/// Row-wise L2 normalisation, as `torch.nn.functional.normalize(x, dim=1)`, forward and backward.
///
/// Shapes: x and y are [N, D]. Per row, with r = ‖x‖₂ and d = max(r, ε):
/// Forward: y = x / d.
/// Backward: dx = (dy − y·⟨y, dy⟩) / r when r > ε (the projection off y), else dx = dy / ε.

/// Each row of x divided by max(‖row‖₂, ε).
///
/// - Parameters:
///   - x: [N, D].
///   - epsilon: the smallest divisor, so zero rows stay finite.
/// - Returns: [N, D].
public func l2Normalized(_ x: Tensor, epsilon: Float = 1e-12) -> Tensor {
    precondition(x.rank == 2, "l2Normalized: x must be [N, D], got \(x.shape)")
    let rows = x.shape[0], width = x.shape[1]
    let out = Tensor(uninitializedShape: x.shape)
    var divisors = [Float](repeating: 0, count: rows)
    divisors.withUnsafeMutableBufferPointer { divisor in
        forEachRow(rows, width: width) { row in
            let xs = x.data + row * width, ys = out.data + row * width
            let norm = Float(dotDouble(xs, xs, count: width).squareRoot())
            divisor[row] = max(norm, epsilon)
            let inverse = 1 / divisor[row]
            for i in 0..<width { ys[i] = xs[i] * inverse }
        }
    }
    // The storage, not the tensor: the tensor owns this closure, and must not be kept alive by it.
    let output = out.storage
    let target = x.gradientTarget
    return out.recordingGradient("l2Normalized", inputs: [x]) { g in
        target?.accumulateInPlace { dx, accumulate in
            forEachRow(rows, width: width) { row in
                let ys = output.base + row * width, dy = g.data + row * width, dxs = dx + row * width
                let clamped = divisors[row] == epsilon
                let projection = clamped ? 0 : Float(dotDouble(ys, dy, count: width))
                let inverse = 1 / divisors[row]
                store(dxs, count: width, accumulate: accumulate) { i in (dy[i] - ys[i] * projection) * inverse }
            }
        }
    }
}
