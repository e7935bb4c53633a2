import TensorCore

/// Compares an operation's analytic gradient (from `backward`) with a central finite
/// difference — the check every differentiable op in this package passes.
///
/// The function's output, of any shape, is reduced to the scalar L = Σᵢ wᵢ·outᵢ with fixed
/// random weights w, so every output element matters; L is summed in Double. Float32 storage
/// limits the numerical derivative's accuracy to roughly ε_float·|L| / step, so steps of
/// 1e-3…1e-2 and relative tolerances near 1e-2 are normal.
public enum GradientCheck {
    /// The agreement between analytic and numerical gradients of one input.
    public struct InputResult {
        /// ‖analytic − numeric‖ / (‖analytic‖ + ‖numeric‖), over the checked entries; 0 when both vanish.
        public let relativeError: Double
        /// Entries compared.
        public let checkedEntries: Int
    }

    /// Checks `function` at `inputs` (each must require a gradient).
    ///
    /// - Parameters:
    ///   - step: the finite-difference step h (derivative ≈ (L(x+h) − L(x−h)) / 2h).
    ///   - maximumEntries: at most this many entries per input are perturbed (evenly spaced),
    ///     to bound the cost on large tensors.
    ///   - seed: seeds the projection weights w.
    /// - Returns: one result per input, in order.
    public static func run(inputs: [Tensor], step: Double = 1e-2, maximumEntries: Int = 200,
                           seed: UInt64 = 7, _ function: ([Tensor]) -> Tensor) -> [InputResult] {
        let probe = GradientMode.withoutGradients { function(inputs) }
        var random = SeededRandom(seed: seed)
        let weights = Tensor(shape: probe.shape,
                             scalars: (0..<probe.count).map { _ in Float(random.uniform(-1, 1)) })

        for input in inputs {
            precondition(input.requiresGradient, "GradientCheck: every input must require a gradient")
            input.gradient = nil
        }
        function(inputs).backward(seed: weights)

        func projected() -> Double {
            let out = GradientMode.withoutGradients { function(inputs) }
            var total = 0.0
            for i in 0..<out.count { total += Double(out.data[i]) * Double(weights.data[i]) }
            return total
        }

        return inputs.map { input in
            let analytic = input.gradient ?? Tensor(zeros: input.shape)
            let stride = max(1, input.count / maximumEntries)
            var difference = 0.0, analyticNorm = 0.0, numericNorm = 0.0, checked = 0
            for index in Swift.stride(from: 0, to: input.count, by: stride) {
                let original = input.data[index]
                input.data[index] = Float(Double(original) + step)
                let plus = projected()
                input.data[index] = Float(Double(original) - step)
                let minus = projected()
                input.data[index] = original
                let numeric = (plus - minus) / (2 * step)
                let a = Double(analytic.data[index])
                difference += (a - numeric) * (a - numeric)
                analyticNorm += a * a
                numericNorm += numeric * numeric
                checked += 1
            }
            let scale = analyticNorm.squareRoot() + numericNorm.squareRoot()
            return InputResult(relativeError: scale == 0 ? 0 : difference.squareRoot() / scale,
                               checkedEntries: checked)
        }
    }
}
