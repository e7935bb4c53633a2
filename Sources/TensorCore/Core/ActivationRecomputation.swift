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
