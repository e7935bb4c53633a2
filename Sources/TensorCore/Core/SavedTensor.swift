/// An input that a backward rule reads, as the rule keeps it: the tensor itself, or — for a
/// tensor that is cheap to recompute (`Tensor.recomputation`, set by BatchNorm + ReLU) — only
/// the recipe, run again into a pooled buffer when the rule needs the values.
///
/// ResNet's BN + ReLU outputs feed one convolution each, whose weight gradient needs them; the
/// BatchNorm keeps its own input anyway, so keeping the recipe instead of the output saves one
/// activation per BN + ReLU for the price of one element-wise pass in the backward pass (with
/// `ActivationRecomputation.minimumBytes`, 0.44 GB of the 3.6 GB a ResNet-50 CLSA-Single step
/// at batch 32 held).
/// Which BN + ReLU outputs `batchNorm2d` makes recomputable.
package enum ActivationRecomputation {
    /// The smallest output, in bytes, kept as a recipe; smaller ones are kept as they are.
    /// Tests set 0 (every one) and `Int.max` (none) to compare the two.
    ///
    /// 8 MiB: ResNet-50's outputs at batch 32 and 224 px (12.8–103 MB, except layer3's and
    /// layer4's last 3.2–6.4 MB) are recomputed, saving about 0.4 GB of a CLSA-Single step;
    /// the `fashion-mnist` network's (at most 4 MiB) are kept, since there the memory does not
    /// matter and the extra pass cost 2 % of a one-thread step (BENCHMARKS.md).
    nonisolated(unsafe) package static var minimumBytes = 8 << 20
}

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
