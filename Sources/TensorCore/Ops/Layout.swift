/// Conversions between the public batch-major image layout [N, C, H, W] and the channel-major
/// layout [C, N, H, W] of backbone feature maps (where a convolution is one GEMM across the
/// batch). Both are the same rearrangement — swapping the first two axes of a 4-D tensor —
/// so each is the other's derivative.

/// [N, C, H, W] → [C, N, H, W].
public func channelMajor(_ x: Tensor) -> Tensor {
    swappingLeadingAxes(x, name: "channelMajor")
}

/// [C, N, H, W] → [N, C, H, W]; the inverse of `channelMajor`.
public func batchMajor(_ x: Tensor) -> Tensor {
    swappingLeadingAxes(x, name: "batchMajor")
}

/// x: [A, B, H, W] → [B, A, H, W], differentiable.
private func swappingLeadingAxes(_ x: Tensor, name: String) -> Tensor {
    precondition(x.rank == 4, "\(name): expected a 4-D tensor, got \(x.shape)")
    let (a, b) = (x.shape[0], x.shape[1])
    let y = Tensor(uninitializedShape: [b, a, x.shape[2], x.shape[3]])
    swapLeadingAxes(x.data, a: a, b: b, plane: x.shape[2] * x.shape[3], into: y.data, accumulate: false)
    let target = x.gradientTarget, plane = x.shape[2] * x.shape[3]
    return y.recordingGradient(name, inputs: [x]) { dy in
        target?.accumulateInPlace { dx, accumulate in
            swapLeadingAxes(dy.data, a: b, b: a, plane: plane, into: dx, accumulate: accumulate)
        }
    }
}

/// y[j, i, :] (+)= x[i, j, :] for x: [a, b, plane], y: [b, a, plane]; parallel over planes.
private func swapLeadingAxes(_ x: UnsafePointer<Float>, a: Int, b: Int, plane: Int,
                             into y: UnsafeMutablePointer<Float>, accumulate: Bool) {
    // Planes can be as small as one element (pooled features), so split by elements, not planes.
    Threading.parallelRanges(a * b, minimumChunk: max(1, elementwiseMinimumChunk / max(plane, 1))) { planes in
        for p in planes {
            let (i, j) = (p / b, p % b)
            let source = x + p * plane, target = y + (j * a + i) * plane
            if accumulate {
                for e in 0..<plane { target[e] += source[e] }
            } else {
                target.update(from: source, count: plane)
            }
        }
    }
}
