import TensorCore

/// The linear probe: one fully connected layer from frozen features to class logits, initialised
/// as MoCo's `main_lincls.py` initialises `fc` (weight ~ N(0, 0.01²), bias 0). Features enter
/// raw (pooled, not normalised), as in MoCo.
///
/// State names: `weight` [classes, features], `bias` [classes].
public final class LinearClassifier: Module {
    public let layer: Linear

    public init(featureDimension: Int, classCount: Int, random: inout SeededRandom) {
        layer = Linear(inputFeatures: featureDimension, outputFeatures: classCount, random: &random)
        for i in 0..<layer.weight.count { layer.weight.data[i] = Float(0.01 * random.normal()) }
        layer.bias!.zero()
    }

    /// Number of classes (outputs).
    public var classCount: Int { layer.weight.shape[0] }

    /// features [N, D] → logits [N, classes].
    public func callAsFunction(_ features: Tensor) -> Tensor {
        layer(features)
    }

    public func stateEntries(prefix: String) -> [StateEntry] {
        layer.stateEntries(prefix: prefix)
    }

    public func setTraining(_ training: Bool) {}
}
