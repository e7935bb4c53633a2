/// Rectified linear unit, forward and backward. Any shape; out has x's shape.
///
/// Forward: out = max(x, 0).  Backward: dx = dy where out > 0, else 0 (reads the output, so the
/// input need not be kept — which is what makes the in-place form possible).

/// max(x, 0) element-wise.
///
/// - Parameter inPlace: overwrite x's storage and return a tensor sharing it, saving one
///   activation-sized buffer. Only safe when nothing kept x for its backward pass — for
///   example when x is the output of `batchNorm2d`, whose backward reads its *input* — and
///   when x is not used again. x must not be a leaf that requires a gradient.
public func relu(_ x: Tensor, inPlace: Bool = false) -> Tensor {
    let out: Tensor
    if inPlace {
        precondition(!(x.requiresGradient && x.gradientNode == nil),
                     "relu: in place on a leaf \(x.shape) that requires a gradient would lose its values")
        out = Tensor(shape: x.shape, storage: x.storage)
    } else {
        out = Tensor(uninitializedShape: x.shape)
    }
    // An explicit loop, as in VectorKernels: an element closure would not be inlined.
    let source = x.data, destination = out.data
    Threading.parallelRanges(x.count, minimumChunk: elementwiseMinimumChunk) { range in
        for i in range { destination[i] = max(source[i], 0) }
    }
    // The storage, not the tensor: the tensor owns this closure, and must not be kept alive by it.
    let output = out.storage
    let target = x.gradientTarget
    return out.recordingGradient("relu", inputs: [x]) { g in
        maskByPositiveOutput(g, output: output.base)
        target?.accumulate(g)
    }
}

/// ReLU's backward in place: g[i] = 0 where output[i] ≤ 0. g must belong to the calling node
/// alone (the engine hands each gradient to one tensor and drops the output's after its node
/// runs), so it can be masked and handed on without a copy.
private func maskByPositiveOutput(_ g: Tensor, output y: UnsafePointer<Float>) {
    let dy = g.data
    Threading.parallelRanges(g.count, minimumChunk: elementwiseMinimumChunk) { range in
        for i in range {
            // Both loads unconditional, so the select vectorises.
            let gradient = dy[i], output = y[i]
            dy[i] = output > 0 ? gradient : 0
        }
    }
}
