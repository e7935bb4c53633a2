import TensorCore

/// The time of one `conv2d` forward and backward pass (dX and dW) at a given shape and im2col
/// column budget, with dX by the transposed convolution or by col2im: the measurement behind
/// `ConvolutionTuning.columnBudgetBytes` and the choice of each gradient's path.
///
/// ```swift
/// let t = ConvolutionBenchmark.measure(inChannels: 16, outChannels: 16, kernelSize: 3, padding: 1,
///                                      height: 32, width: 32, batch: 64)
/// print(t.forward, t.backward)   // seconds for the whole batch
/// ```
package enum ConvolutionBenchmark {
    /// Seconds for the whole batch, each the fastest of the repetitions.
    package struct Timing: Sendable {
        /// y = conv2d(x, weight).
        package var forward = Double.infinity
        /// dX and dW from dY.
        package var backward = Double.infinity

        package var total: Double { forward + backward }
    }

    /// How a 3×3 stride-1 padding-1 convolution is computed.
    package enum Path: CaseIterable, Sendable {
        case im2col
        /// Winograd F(2×2, 3×3).
        case winogradF2
        /// Winograd F(4×4, 3×3).
        case winogradF4
    }

    /// Times a k×k convolution x [Cin, N, H, W] → [Cout, N, Ho, Wo] as `conv2d` runs it, with
    /// `columnBudgetBytes` (default: the tuned value) for its im2col blocks, dX by the transposed
    /// convolution where it applies (`transposedInputGradient`) or by GEMM + col2im, and the batch
    /// split into one share per thread or not (`perThreadShares`; default: the tuned rule), and
    /// a 3×3 stride-1 padding-1 convolution by `path` (default: the tuned rule).
    package static func measure(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1,
                               padding: Int = 0, height: Int, width: Int, batch: Int,
                               columnBudgetBytes: Int? = nil, transposedInputGradient: Bool = true,
                               perThreadShares: Bool? = nil, path: Path? = nil, repetitions: Int = 5) -> Timing {
        typealias Tuning = ConvolutionTuning
        let saved = (Tuning.columnBudgetBytes, Tuning.inputGradientByTransposedConvolution, Tuning.perThreadWeightLimit,
                     Tuning.winogradMinimumChannels, Tuning.forcedWinogradVariant)
        defer {
            (Tuning.columnBudgetBytes, Tuning.inputGradientByTransposedConvolution, Tuning.perThreadWeightLimit,
             Tuning.winogradMinimumChannels, Tuning.forcedWinogradVariant) = saved
        }
        Tuning.columnBudgetBytes = columnBudgetBytes ?? saved.0
        Tuning.inputGradientByTransposedConvolution = transposedInputGradient
        Tuning.perThreadWeightLimit = perThreadShares.map { $0 ? Int.max : 0 } ?? saved.2
        switch path {
        case nil: break
        case .im2col?: Tuning.winogradMinimumChannels = Int.max
        case .winogradF2?: (Tuning.winogradMinimumChannels, Tuning.forcedWinogradVariant) = (0, .f2x2)
        case .winogradF4?: (Tuning.winogradMinimumChannels, Tuning.forcedWinogradVariant) = (0, .f4x4)
        }

        var random = SeededRandom(seed: 1)
        func filled(_ shape: [Int], requiresGradient: Bool) -> Tensor {
            Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float(random.uniform(-1, 1)) },
                   requiresGradient: requiresGradient)
        }
        let x = filled([inChannels, batch, height, width], requiresGradient: true)
        let weight = filled([outChannels, inChannels, kernelSize, kernelSize], requiresGradient: true)
        let outputSize = { (size: Int) in (size + 2 * padding - kernelSize) / stride + 1 }
        let dy = filled([outChannels, batch, outputSize(height), outputSize(width)], requiresGradient: false)

        var best = Timing()
        // One pass more than asked: the first pays for page faults and thread start-up, and the
        // per-phase minimum discards it.
        for _ in 0...max(1, repetitions) {
            x.gradient = nil
            weight.gradient = nil
            var watch = Stopwatch()
            let y = conv2d(x, weight: weight, stride: stride, padding: padding)
            best.forward = min(best.forward, watch.elapsedSeconds)
            watch = Stopwatch()
            y.backward(seed: dy)
            best.backward = min(best.backward, watch.elapsedSeconds)
        }
        return best
    }
}
