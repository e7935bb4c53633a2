import Foundation

/// Cross-entropy of logits against class indices or against target distributions, fused with
/// a stable log-softmax, forward and backward.
///
/// Shapes: logits z [N, K]; targets: N class indices, or probabilities p [N, K]; loss [1].
/// Per row, with ℓ = log Σ_k exp(z_k) (max-shifted) and p the target distribution (one-hot for
/// an index):  loss_row = −Σ_k p_k·(z_k − ℓ) = ℓ·Σ_k p_k − Σ_k p_k·z_k;  loss = mean over rows.
/// Backward: dz = (softmax(z)·Σ_k p_k − p) · dloss / N. Only ℓ per row is kept (plus z itself):
/// the [N, K] softmax is recomputed in the backward pass rather than stored.

/// Mean over rows of −log softmax(logits)[row, targets[row]], as `torch.nn.functional.cross_entropy`.
///
/// - Parameters:
///   - logits: [N, K].
///   - targets: N class indices in 0..<K.
/// - Returns: [1].
public func crossEntropy(logits: Tensor, targets: [Int]) -> Tensor {
    crossEntropy(logits, against: .classes(targets), op: "crossEntropy")
}

/// Mean over rows of −Σ_k p_k · log softmax(logits)_k: cross-entropy against target
/// distributions (CLSA's distributional loss L_D).
///
/// The targets are constants: no gradient reaches `targetProbabilities`, even if it requires one.
///
/// - Parameters:
///   - logits: [N, K].
///   - targetProbabilities: [N, K], rows normally summing to 1 (other rows are weighted by their sum).
/// - Returns: [1].
public func softCrossEntropy(logits: Tensor, targetProbabilities: Tensor) -> Tensor {
    crossEntropy(logits, against: .distributions(targetProbabilities), op: "softCrossEntropy")
}

/// What each row's logits are scored against.
private enum CrossEntropyTarget {
    case classes([Int])
    case distributions(Tensor)
}

private func crossEntropy(_ logits: Tensor, against target: CrossEntropyTarget, op: String) -> Tensor {
    precondition(logits.rank == 2 && logits.shape[1] > 0, "\(op): logits must be [N, K], got \(logits.shape)")
    let rows = logits.shape[0], width = logits.shape[1]
    precondition(rows > 0, "\(op): no rows to average over")
    switch target {
    case .classes(let classes):
        precondition(classes.count == rows, "\(op): \(classes.count) targets for \(rows) rows")
        if let bad = classes.first(where: { !(0..<width).contains($0) }) {
            preconditionFailure("\(op): target class \(bad) outside 0..<\(width)")
        }
    case .distributions(let p):
        precondition(p.shape == logits.shape, "\(op): targets \(p.shape) for logits \(logits.shape)")
    }

    // Per row: ℓ (kept for backward), Σ_k p_k and the row's loss.
    var normalisers = [LogSumExp](repeating: LogSumExp(largest: 0, logSum: 0), count: rows)
    var masses = [Float](repeating: 1, count: rows)
    var losses = [Double](repeating: 0, count: rows)
    normalisers.withUnsafeMutableBufferPointer { normaliser in
        masses.withUnsafeMutableBufferPointer { mass in
            losses.withUnsafeMutableBufferPointer { loss in
                forEachRow(rows, width: width) { row in
                    let zs = logits.data + row * width
                    normaliser[row] = LogSumExp(zs, count: width)
                    switch target {
                    case .classes(let classes):
                        loss[row] = -Double(normaliser[row].logProbability(zs[classes[row]]))
                    case .distributions(let p):
                        let ps = p.data + row * width
                        var total = 0.0
                        for k in 0..<width { total += Double(ps[k]) }
                        mass[row] = Float(total)
                        loss[row] = normaliser[row].value * total - dotDouble(ps, zs, count: width)
                    }
                }
            }
        }
    }
    let out = Tensor(shape: [1], scalars: [Float(losses.reduce(0, +) / Double(rows))])
    let logitsTarget = logits.gradientTarget
    return out.recordingGradient(op, inputs: [logits]) { g in
        let scale = g.item / Float(rows)
        logitsTarget?.accumulateInPlace { dz, accumulate in
            forEachRow(rows, width: width) { row in
                let zs = logits.data + row * width, dzs = dz + row * width
                let normaliser = normalisers[row], weight = scale * masses[row]
                switch target {
                case .classes(let classes):
                    store(dzs, count: width, accumulate: accumulate) { k in weight * exp(normaliser.logProbability(zs[k])) }
                    dzs[classes[row]] -= scale
                case .distributions(let p):
                    let ps = p.data + row * width
                    store(dzs, count: width, accumulate: accumulate) { k in
                        weight * exp(normaliser.logProbability(zs[k])) - scale * ps[k]
                    }
                }
            }
        }
    }
}
