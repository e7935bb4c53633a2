/// The settings of a linear evaluation. Defaults are the paper's protocol (MoCo's
/// `main_lincls.py` with a cosine schedule): SGD with learning rate 10, momentum 0.9, no weight
/// decay, batch 256, 100 epochs, RandomResizedCrop (scale 0.08…1) + flip for training and
/// resize + centre crop for validation.
public struct LinearEvaluationConfiguration: Codable, Equatable, Sendable {
    public var epochs = 100
    public var batchSize = 256
    /// The base learning rate; epoch e (0-based) uses lr · ½(1 + cos(π·e/epochs)), MoCo's `--cos`.
    public var learningRate = 10.0
    public var momentum = 0.9
    public var weightDecay = 0.0
    /// The smallest crop area fraction of the training views' RandomResizedCrop.
    public var cropScaleMinimum = 0.08
    /// The fast path, a deviation from the protocol: the training set's features are extracted
    /// once with the evaluation transform (no crop or flip) and the classifier is trained on
    /// those; otherwise every epoch draws fresh augmented views through the frozen backbone.
    public var cachedFeatures = false
    /// Standardise the features before the linear layer (BatchNorm without affine, ε 1e-6), as
    /// MAE and MoCo v3 probe; the paper's protocol feeds them raw.
    public var standardizedFeatures = false
    /// Loader threads decoding and transforming images (0: load on the calling thread).
    public var workerCount = 1
    /// Seeds the classifier's initialisation, the epoch orders and the augmentations.
    public var seed: UInt64 = 0

    public init() {}

    /// Checks every setting, naming the field at fault.
    /// - Throws: `ConfigurationError`.
    public func validate() throws {
        try ConfigurationError.require(epochs >= 1, "`epochs` must be at least 1, got \(epochs)")
        try ConfigurationError.require(batchSize >= 1, "`batchSize` must be at least 1, got \(batchSize)")
        try ConfigurationError.require(learningRate > 0 && learningRate.isFinite, "`learningRate` must be positive, got \(learningRate)")
        try ConfigurationError.require((0...1).contains(momentum), "`momentum` must lie in [0, 1], got \(momentum)")
        try ConfigurationError.require(weightDecay >= 0 && weightDecay.isFinite, "`weightDecay` must be non-negative, got \(weightDecay)")
        try ConfigurationError.require(cropScaleMinimum > 0 && cropScaleMinimum <= 1, "`cropScaleMinimum` must lie in (0, 1], got \(cropScaleMinimum)")
        try ConfigurationError.require(workerCount >= 0, "`workerCount` must be at least 0 (0: load on the calling thread), got \(workerCount)")
    }
}
