/// An input that a backward rule reads, as the rule keeps it: the tensor itself, or — for a
/// tensor that is cheap to recompute (`Tensor.recomputation`, set by BatchNorm + ReLU) — only
/// the recipe, run again into a pooled buffer when the rule needs the values.
///
/// ResNet's BN + ReLU outputs feed one convolution each, whose weight gradient needs them; the
/// BatchNorm keeps its own input anyway, so keeping the recipe instead of the output saves one
/// activation per BN + ReLU for the price of one element-wise pass in the backward pass (with
/// `ActivationRecomputation.minimumBytes`, 0.44 GB of the 3.6 GB a ResNet-50 CLSA-Single step
/// at batch 32 held).
struct SavedTensor {
    private let tensor: Tensor?
    private let recomputation: ((UnsafeMutablePointer<Float>) -> Void)?
    private let count: Int

    init(_ x: Tensor) {
        count = x.count
        if let recomputation = x.recomputation {
            (tensor, self.recomputation) = (nil, recomputation)
        } else {
            (tensor, self.recomputation) = (x, nil)
        }
    }

    /// Runs `body` with the tensor's values (valid only inside `body`).
    func withValues<Result>(_ body: (UnsafePointer<Float>) -> Result) -> Result {
        if let tensor { return body(tensor.data) }
        let storage = TensorStorage(uninitializedCount: count)
        recomputation!(storage.base)
        return withExtendedLifetime(storage) { body(storage.base) }
    }
}
