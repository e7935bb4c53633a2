import Augment

/// The settings a user changes from a preset (or from the paper's defaults): nil keeps the
/// preset's value. The fields are `PretrainingConfiguration`'s and `RunSettings`' names; `clsa
/// pretrain` fills one from its flags, a library user sets what they need.
///
///     var overrides = PretrainingOverrides()
///     overrides.epochs = 5
///     let plan = try PretrainingPlan(preset: "fashion-mnist-quick", overrides: overrides)
public struct PretrainingOverrides: Sendable {
    public var architecture: ResNetArchitecture?
    public var baseWidth: Int?
    /// The weak views' side. Without `strongSizes`, the preset's strong sizes keep their
    /// proportion to it (`StrongAugmentation.proportionalSize`).
    public var imageSize: Int?
    public var strongSizes: [Int]?
    public var weakSizes: [Int]?
    public var objective: PretrainingConfiguration.Objective?
    public var strongPool: StrongAugmentation.Pool?
    public var strongMagnitudes: StrongAugmentation.MagnitudeSampling?
    public var blur: BlurPolicy?
    public var epochs: Int?
    public var batchSize: Int?
    public var learningRate: Double?
    public var warmupEpochs: Int?
    public var momentum: Double?
    public var weightDecay: Double?
    public var queueSize: Int?
    public var keyShuffleGroups: Int?
    public var queryGroups: Int?
    public var inBatchNegatives: Bool?
    public var symmetric: Bool?
    public var temperature: Double?
    public var divergenceTemperature: Double?
    public var alpha: Double?
    public var beta: Double?
    public var dimension: Int?
    public var hidden: Int?
    public var seed: UInt64?

    /// The training data (`fashion-mnist`, `fashion-mnist:test` or an image folder); required
    /// unless the preset names it.
    public var data: String?
    public var subset: Int?
    /// Loader threads (default 2; 0 loads on the calling thread).
    public var workers: Int?
    /// OpenBLAS and parallel-loop threads (default: `Threading.threadCount`).
    public var threads: Int?
    /// The run folder (default: the resumed checkpoint's, else `runs/PRESET` or `runs/pretrain`).
    public var runDirectory: String?
    public var resume: PretrainingRun.Resume?
    public var saveEvery: Int?
    /// Checkpoints kept (default 2).
    public var keep: Int?
    public var knnEvery: Int?
    public var validationData: String?
    /// The probe that ends the run (default: the preset's, for its own data; else off).
    public var finalProbe: RunSettings.FinalProbe?
    /// Compare the ranks' replicated state after each step (default off).
    public var checkReplicas: Bool?

    public init() {}

    /// `configuration` with every model and optimisation override applied (not validated).
    public func applied(to configuration: PretrainingConfiguration) -> PretrainingConfiguration {
        var configuration = configuration
        apply(to: &configuration)
        return configuration
    }

    /// `configuration` with every model and optimisation override applied.
    func apply(to configuration: inout PretrainingConfiguration) {
        if let architecture { configuration.architecture = architecture }
        if let baseWidth { configuration.baseWidth = baseWidth }
        if let imageSize {
            configuration.strongSizes = configuration.strongSizes.map {
                StrongAugmentation.proportionalSize($0, weakSize: configuration.imageSize, newWeakSize: imageSize)
            }
            configuration.imageSize = imageSize
        }
        if let strongSizes { configuration.strongSizes = strongSizes }
        if let weakSizes { configuration.weakSizes = weakSizes }
        if let objective { configuration.objective = objective }
        if let strongPool { configuration.strongPool = strongPool }
        if let strongMagnitudes { configuration.strongMagnitudes = strongMagnitudes }
        if let blur { configuration.blur = blur }
        if let epochs { configuration.epochs = epochs }
        if let batchSize { configuration.batchSize = batchSize }
        if let learningRate { configuration.learningRate = learningRate }
        if let warmupEpochs { configuration.warmupEpochs = warmupEpochs }
        if let momentum { configuration.momentum = momentum }
        if let weightDecay { configuration.weightDecay = weightDecay }
        if let queueSize { configuration.queueSize = queueSize }
        if let keyShuffleGroups { configuration.keyShuffleGroups = keyShuffleGroups }
        if let queryGroups { configuration.queryGroups = queryGroups }
        if let inBatchNegatives { configuration.inBatchNegatives = inBatchNegatives }
        if let symmetric { configuration.symmetric = symmetric }
        if let temperature { configuration.temperature = temperature }
        if let divergenceTemperature { configuration.divergenceTemperature = divergenceTemperature }
        if let alpha { configuration.alpha = alpha }
        if let beta { configuration.beta = beta }
        if let dimension { configuration.dimension = dimension }
        if let hidden { configuration.hidden = hidden }
        if let seed { configuration.seed = seed }
    }
}
