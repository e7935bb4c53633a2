/// Concatenation of tensors, forward and backward.
///
/// Along columns: inputs [N, aᵢ] → [N, Σaᵢ] (CLSA's logits [positive | queue]).
/// Along rows: inputs [nᵢ, …] with equal trailing dimensions → [Σnᵢ, …].
/// Both are the same pattern: the output is `outer` rows of Σwᵢ elements and input i fills
/// columns offsetᵢ ..< offsetᵢ + wᵢ of each row (along rows: one row, wᵢ = element count).
/// Backward: each input receives its columns of the output gradient.

/// The tensors joined along dimension 1 (`alongColumns`, 2-D inputs with equal row counts) or
/// along dimension 0 (any rank, equal trailing dimensions).
///
/// - Parameters:
///   - tensors: at least one; the same tensor may appear more than once.
///   - alongColumns: [N, a] ++ [N, b] → [N, a+b] when true; [a, …] ++ [b, …] → [a+b, …] when false.
public func concatenate(_ tensors: [Tensor], alongColumns: Bool = false) -> Tensor {
    precondition(!tensors.isEmpty, "concatenate: no tensors")
    let first = tensors[0]
    let outer: Int, widths: [Int], shape: [Int]
    if alongColumns {
        precondition(tensors.allSatisfy { $0.rank == 2 && $0.shape[0] == first.shape[0] },
                     "concatenate: along columns needs [N, a] tensors with one N, got \(tensors.map(\.shape))")
        outer = first.shape[0]
        widths = tensors.map { $0.shape[1] }
        shape = [outer, widths.reduce(0, +)]
    } else {
        precondition(tensors.allSatisfy { $0.rank >= 1 && $0.shape.dropFirst() == first.shape.dropFirst() },
                     "concatenate: along rows needs equal trailing dimensions, got \(tensors.map(\.shape))")
        outer = 1
        widths = tensors.map(\.count)
        shape = [tensors.reduce(0) { $0 + $1.shape[0] }] + first.shape.dropFirst()
    }
    let total = widths.reduce(0, +)
    let offsets = widths.indices.map { widths[..<$0].reduce(0, +) }

    let out = Tensor(uninitializedShape: shape)
    forEachRow(outer, width: total) { row in
        for (i, tensor) in tensors.enumerated() {
            (out.data + row * total + offsets[i]).update(from: tensor.data + row * widths[i], count: widths[i])
        }
    }
    let targets = tensors.map(\.gradientTarget)
    return out.recordingGradient("concatenate", inputs: tensors) { g in
        for (i, target) in targets.enumerated() {
            let width = widths[i]
            target?.accumulateInPlace { gradient, accumulate in
                forEachRow(outer, width: width) { row in
                    let source = g.data + row * total + offsets[i]
                    store(gradient + row * width, count: width, accumulate: accumulate) { source[$0] }
                }
            }
        }
    }
}
