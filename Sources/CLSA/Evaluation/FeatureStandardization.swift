import TensorCore

/// BatchNorm without affine parameters over frozen features [N, D], the layer MAE and MoCo v3
/// put before their linear probe (`BatchNorm1d(D, affine=False, eps=1e-6)`): in training, each
/// feature is standardised with the batch's mean and biased variance, and running estimates are
/// updated as PyTorch does (momentum 0.1, unbiased variance); in evaluation, the running
/// estimates standardise. It has no parameters and passes no gradient (the features are frozen).
///
/// State names: `running_mean`, `running_var` [D].
public final class FeatureStandardization: Module {
    public let runningMean: Tensor
    public let runningVariance: Tensor
    public private(set) var isTraining = true
    public let epsilon: Float = 1e-6
    public let momentum: Float = 0.1

    public init(featureDimension: Int) {
        runningMean = Tensor(zeros: [featureDimension])
        runningVariance = Tensor(shape: [featureDimension], scalars: Array(repeating: 1, count: featureDimension))
    }

    /// features [N, D] → standardised [N, D] (a new tensor without a graph).
    public func callAsFunction(_ features: Tensor) -> Tensor {
        precondition(features.rank == 2 && features.shape[1] == runningMean.count,
                     "FeatureStandardization: features must be [N, \(runningMean.count)], got \(features.shape)")
        let count = features.shape[0], width = features.shape[1]
        let output = Tensor(uninitializedShape: features.shape)
        for feature in 0..<width {
            let mean: Float, variance: Float
            if isTraining {
                var sum = 0.0, squares = 0.0
                for row in 0..<count {
                    let value = Double(features.data[row * width + feature])
                    sum += value
                    squares += value * value
                }
                let batchMean = sum / Double(count)
                let biased = max(0, squares / Double(count) - batchMean * batchMean)
                mean = Float(batchMean)
                variance = Float(biased)
                let unbiased = count > 1 ? biased * Double(count) / Double(count - 1) : biased
                runningMean.data[feature] = (1 - momentum) * runningMean.data[feature] + momentum * mean
                runningVariance.data[feature] = (1 - momentum) * runningVariance.data[feature] + momentum * Float(unbiased)
            } else {
                mean = runningMean.data[feature]
                variance = runningVariance.data[feature]
            }
            let scale = 1 / (variance + epsilon).squareRoot()
            for row in 0..<count {
                output.data[row * width + feature] = (features.data[row * width + feature] - mean) * scale
            }
        }
        return output
    }

    public func stateEntries(prefix: String) -> [StateEntry] {
        [StateEntry(name: prefix + "running_mean", kind: .buffer, value: .float(runningMean)),
         StateEntry(name: prefix + "running_var", kind: .buffer, value: .float(runningVariance))]
    }

    public func setTraining(_ training: Bool) { isTraining = training }
}
