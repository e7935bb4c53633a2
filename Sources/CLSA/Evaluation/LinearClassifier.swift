import TensorCore

/// The linear probe: one fully connected layer from frozen features to class logits, initialised
/// as MoCo's `main_lincls.py` initialises `fc` (weight ~ N(0, 0.01²), bias 0). Features enter
/// raw (pooled, not normalised), as in MoCo, or, with `standardized`, through a
/// `FeatureStandardization` (BatchNorm without affine), as MAE and MoCo v3 probe.
///
/// State names: `weight` [classes, features], `bias` [classes]; with standardisation also
/// `standardization.running_mean`, `standardization.running_var` [features].
public final class LinearClassifier: Module {
    public let layer: Linear
    public let standardization: FeatureStandardization?

    public init(featureDimension: Int, classCount: Int, standardized: Bool = false, random: inout SeededRandom) {
        layer = Linear(inputFeatures: featureDimension, outputFeatures: classCount, random: &random)
        for i in 0..<layer.weight.count { layer.weight.data[i] = Float(0.01 * random.normal()) }
        layer.bias!.zero()
        standardization = standardized ? FeatureStandardization(featureDimension: featureDimension) : nil
    }

    /// Number of classes (outputs).
    public var classCount: Int { layer.weight.shape[0] }

    /// features [N, D] → logits [N, classes].
    public func callAsFunction(_ features: Tensor) -> Tensor {
        layer(standardization.map { $0(features) } ?? features)
    }

    public func stateEntries(prefix: String) -> [StateEntry] {
        layer.stateEntries(prefix: prefix) + (standardization?.stateEntries(prefix: prefix + "standardization.") ?? [])
    }

    public func setTraining(_ training: Bool) { standardization?.setTraining(training) }
}
