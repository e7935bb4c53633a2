/// A fully connected layer, as `torch.nn.Linear`: y = x·Wᵀ + b for x [N, in], y [N, out].
///
/// State (PyTorch `state_dict` names): `weight` [out, in] and `bias` [out], both initialised as
/// PyTorch does, U(−1/√in, 1/√in) (its Kaiming-uniform with a = √5 reduces to this bound).
///
/// ```swift
/// var random = SeededRandom(seed: 42, 1)
/// let fc = Linear(inputFeatures: 2048, outputFeatures: 128, random: &random)
/// let z = fc(features)       // [N, 2048] → [N, 128]
/// ```
public final class Linear: Module {
    /// W, [out, in].
    public let weight: Tensor
    /// b, [out]; nil when built without bias.
    public let bias: Tensor?

    /// A layer with weights (then bias) drawn from `random`.
    public init(inputFeatures: Int, outputFeatures: Int, bias: Bool = true, random: inout SeededRandom) {
        precondition(inputFeatures > 0 && outputFeatures > 0,
                     "Linear: features must be positive, got \(inputFeatures) → \(outputFeatures)")
        let bound = 1 / Double(inputFeatures).squareRoot()
        func uniformTensor(_ shape: [Int]) -> Tensor {
            Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float(random.uniform(-bound, bound)) },
                   requiresGradient: true)
        }
        weight = uniformTensor([outputFeatures, inputFeatures])
        self.bias = bias ? uniformTensor([outputFeatures]) : nil
    }

    /// x: [N, in] → [N, out].
    public func callAsFunction(_ x: Tensor) -> Tensor {
        linear(x, weight: weight, bias: bias)
    }

    public func stateEntries(prefix: String) -> [StateEntry] {
        [StateEntry(name: prefix + "weight", kind: .parameter, value: .float(weight))]
            + (bias.map { [StateEntry(name: prefix + "bias", kind: .parameter, value: .float($0))] } ?? [])
    }

    public func setTraining(_ training: Bool) {}
}
