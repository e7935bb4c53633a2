/// A tensor's place in the autograd graph, apart from its memory: the gradient that collects
/// for it during `backward()` and the operation that produced it.
///
/// The graph links slots, not tensors, so recording an operation keeps alive only what its
/// backward rule captures. A backward rule accumulates into its inputs' slots
/// (`Tensor.gradientTarget`) and captures an input tensor only when it reads the input's values:
/// an activation that no rule reads — a BatchNorm output summed into a residual, say — is freed
/// as soon as the forward pass drops it, and every saved activation is freed as soon as
/// `backward()` has run the rule that saved it.
public final class GradientSlot {
    /// The shape of the tensor whose gradient this is.
    public let shape: [Int]
    /// Number of elements of the gradient.
    public let count: Int
    /// The gradient accumulated so far, or nil before any contribution.
    var gradient: Tensor?
    /// The operation that produced the tensor; nil for a leaf, and once `backward()` has run it.
    var node: GradientNode?

    init(shape: [Int]) {
        self.shape = shape
        count = shape.reduce(1, *)
    }

    /// Adds `contribution` (same element count) to the gradient; the first contribution is
    /// adopted without a copy, so callers pass freshly made tensors.
    public func accumulate(_ contribution: Tensor) {
        precondition(contribution.count == count, "GradientSlot.accumulate: \(contribution.shape) into \(shape)")
        if let existing = gradient {
            addInPlace(existing.data, contribution.data, count: count)
        } else {
            gradient = contribution.shape == shape ? contribution : contribution.reshapedStorage(shape)
        }
    }

    /// Gives `body` the gradient buffer to write into. `accumulate` is false when the buffer is
    /// new and uninitialised (the body must overwrite every element) and true when it already
    /// holds a gradient (the body must add) — so GEMM kernels can pass β = 0 or 1.
    public func accumulateInPlace(_ body: (_ buffer: UnsafeMutablePointer<Float>, _ accumulate: Bool) -> Void) {
        if let existing = gradient {
            body(existing.data, true)
        } else {
            let fresh = Tensor(uninitializedShape: shape)
            body(fresh.data, false)
            gradient = fresh
        }
    }
}

/// Gives `body` the gradient buffer of `target` and whether to add into it (see
/// `GradientSlot.accumulateInPlace`), or nil when there is no target.
func withGradientBuffer(of target: GradientSlot?,
                        _ body: (_ buffer: UnsafeMutablePointer<Float>?, _ accumulate: Bool) -> Void) {
    if let target {
        target.accumulateInPlace { buffer, accumulate in body(buffer, accumulate) }
    } else {
        body(nil, false)
    }
}
