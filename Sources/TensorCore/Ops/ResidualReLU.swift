/// relu(a + b), the end of every ResNet block, in one pass instead of two. Shapes must match.
///
/// Backward: the gradient masked by the output (> 0) goes to both inputs (a copy to one).
public func addingReLU(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.shape == b.shape, "addingReLU: shapes \(a.shape) and \(b.shape) differ")
    let out = Tensor(uninitializedShape: a.shape)
    let x = a.data, y = b.data, z = out.data
    Threading.parallelRanges(a.count, minimumChunk: elementwiseMinimumChunk) { range in
        for i in range { z[i] = max(x[i] + y[i], 0) }
    }
    // The storage, not the tensor: the tensor owns this closure, and must not be kept alive by it.
    let output = out.storage
    let (da, db) = (a.gradientTarget, b.gradientTarget)
    return out.recordingGradient("addingReLU", inputs: [a, b]) { g in
        maskByPositiveOutput(g, output: output.base)
        da?.accumulate(db == nil ? g : g.copy())
        db?.accumulate(g)
    }
}
