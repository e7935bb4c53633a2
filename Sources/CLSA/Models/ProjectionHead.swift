import TensorCore

/// MoCo v2's projection head g: Linear(in → hidden) → ReLU → Linear(hidden → dim), then L2
/// normalisation of each row. State names follow `nn.Sequential`: `0.weight`, `0.bias`,
/// `2.weight`, `2.bias`.
public final class ProjectionHead: Module {
    public let hidden: Linear
    public let output: Linear

    public init(inputFeatures: Int, hiddenFeatures: Int, outputFeatures: Int, random: inout SeededRandom) {
        hidden = Linear(inputFeatures: inputFeatures, outputFeatures: hiddenFeatures, random: &random)
        output = Linear(inputFeatures: hiddenFeatures, outputFeatures: outputFeatures, random: &random)
    }

    /// features [N, in] → unit-norm embeddings [N, dim].
    public func callAsFunction(_ features: Tensor) -> Tensor {
        l2Normalized(output(relu(hidden(features))))
    }

    public func stateEntries(prefix: String) -> [StateEntry] {
        TensorCore.stateEntries(of: [("0", hidden), ("2", output)], prefix: prefix)
    }

    public func setTraining(_ training: Bool) {}
}
