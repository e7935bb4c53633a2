/// Batch normalisation of channel-major feature maps, as `torch.nn.BatchNorm2d`.
///
/// State (PyTorch `state_dict` names): parameters `weight` (γ, ones) and `bias` (β, zeros);
/// buffers `running_mean` (zeros), `running_var` (ones) and `num_batches_tracked`, none of which
/// are trained. Training mode uses batch statistics and updates the buffers; evaluation mode
/// uses the buffers. See `batchNorm2d` for the exact rules.
///
/// ```swift
/// let bn = BatchNorm2D(channels: 64)
/// let y = bn(x)              // x, y: [64, N, H, W]
/// bn.groups = 2              // key encoder: two sub-batches normalised separately
/// ```
public final class BatchNorm2D: Module {
    /// γ, [C].
    public let weight: Tensor
    /// β, [C].
    public let bias: Tensor
    /// Running mean, [C]; not trained.
    public let runningMean: Tensor
    /// Running (unbiased) variance, [C]; not trained.
    public let runningVariance: Tensor
    /// Training batches seen; not trained.
    public let numBatchesTracked: Int64Buffer
    /// Weight of the newest batch in the running statistics.
    public let momentum: Float
    /// Added to the variance before the square root.
    public let epsilon: Float
    /// Sub-batches normalised separately in training (single-process shuffle-BN); must divide N.
    public var groups: Int = 1
    /// Whether batch statistics are used and the running statistics updated.
    public private(set) var isTraining = true

    /// A layer for `channels` channels with PyTorch's defaults.
    public init(channels: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        weight = Tensor(shape: [channels], repeating: 1, requiresGradient: true)
        bias = Tensor(zeros: [channels], requiresGradient: true)
        runningMean = Tensor(zeros: [channels])
        runningVariance = Tensor(shape: [channels], repeating: 1)
        numBatchesTracked = Int64Buffer()
        self.momentum = momentum
        self.epsilon = epsilon
    }

    /// Normalises x: [C, N, H, W] → [C, N, H, W]; plus `residual` ([C, N, H, W]) when given,
    /// then ReLU with `applyingReLU`, all in one fused pass (`batchNorm2d`).
    public func callAsFunction(_ x: Tensor, adding residual: Tensor? = nil, applyingReLU: Bool = false) -> Tensor {
        batchNorm2d(x, weight: weight, bias: bias, runningMean: runningMean,
                    runningVariance: runningVariance, numBatchesTracked: numBatchesTracked,
                    training: isTraining, momentum: momentum, epsilon: epsilon, groups: groups,
                    adding: residual, applyingReLU: applyingReLU)
    }

    public func stateEntries(prefix: String) -> [StateEntry] {
        [StateEntry(name: prefix + "weight", kind: .parameter, value: .float(weight)),
         StateEntry(name: prefix + "bias", kind: .parameter, value: .float(bias)),
         StateEntry(name: prefix + "running_mean", kind: .buffer, value: .float(runningMean)),
         StateEntry(name: prefix + "running_var", kind: .buffer, value: .float(runningVariance)),
         StateEntry(name: prefix + "num_batches_tracked", kind: .buffer, value: .int64(numBatchesTracked))]
    }

    public func setTraining(_ training: Bool) { isTraining = training }
}
