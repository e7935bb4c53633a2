import Augment
import TensorCore

/// Everything that defines a pretraining run. Defaults are the paper's (CLSA-Single on
/// ResNet-50 at 224 px, K = 65536, τ = 0.2, α = 0.999, β = 1, SGD 0.03·batch/256 with
/// momentum 0.9 and weight decay 1e-4, cosine schedule). Saved in `config.json` and in every
/// checkpoint; a resumed run must match it on the fields `resumeMismatches` compares.
///
/// Decoding is lenient about absent fields, never about bad values: a field missing from an
/// older `config.json` or checkpoint takes its default, so fields added later keep old runs
/// loading; a value of the wrong type or an unknown spelling is an error.
public struct PretrainingConfiguration: Codable, Equatable, Sendable {
    /// How the strong views enter the loss (the paper's Table 4 ablations besides CLSA itself),
    /// or the supervised reference.
    public enum Objective: String, Codable, CaseIterable, Sendable {
        /// L_C on the weak query + β·L_D on each strong view (CLSA).
        case clsa
        /// The strong view replaces the weak one as the contrastive query; no L_D.
        case strongQuery = "strong-query"
        /// L_C on the weak query + β·L_C on each strong view (a contrastive loss instead of L_D).
        case strongContrastive = "strong-contrastive"
        /// No contrastive learning: the backbone and a linear classifier trained with labels by
        /// cross-entropy on view T alone (`SupervisedTrainer`), a study's ceiling.
        case supervised
    }

    public var architecture = ResNetArchitecture.resnet50
    /// Channels of the backbone's stem (64 in torchvision); smaller values make narrower nets.
    public var baseWidth = 64
    /// Side of the weak views T and T′, in pixels.
    public var imageSize = 224
    /// Side of each strong view: [96] is CLSA-Single, [224, 192, 160, 128, 96] CLSA-Multi.
    public var strongSizes = [96]
    /// Sides of the weak query views (the released code's variant: one weak query per size, each
    /// adding an L_C term and supervising every strong view); nil is the paper's single T′ at
    /// `imageSize`.
    public var weakSizes: [Int]?
    public var objective = Objective.clsa
    /// The strong policy's op pool and magnitude sampling (see `StrongAugmentation`).
    public var strongPool = StrongAugmentation.Pool.paper
    public var strongMagnitudes = StrongAugmentation.MagnitudeSampling.levels
    /// How the Gaussian blur of T, T′ and the strong views' colour ops is sized (`BlurPolicy`).
    public var blur = BlurPolicy.paper
    public var epochs = 200
    public var batchSize = 256
    /// Absolute base learning rate; nil means 0.03 · batchSize / 256.
    public var learningRate: Double?
    public var warmupEpochs = 0
    public var momentum = 0.9
    public var weightDecay = 1e-4
    /// K, the number of queued negative keys.
    public var queueSize = 65536
    /// τ.
    public var temperature = 0.2
    /// τ_D, the temperature of L_D's distributions; nil means τ.
    public var divergenceTemperature: Double?
    /// α, the key encoder's momentum.
    public var alpha = 0.999
    /// β, the weight of L_D (0: MoCo v2 — no strong views are made).
    public var beta = 1.0
    /// Embedding size of the projection head.
    public var dimension = 128
    /// Hidden width of the projection head; nil means the backbone's feature size.
    public var hidden: Int?
    /// BatchNorm groups of the key encoder (single-process shuffle-BN); nil means the largest
    /// divisor of `batchSize` that is at most 8 (`effectiveKeyShuffleGroups`).
    public var keyShuffleGroups: Int?
    /// BatchNorm groups of the query encoder (1: the whole batch).
    public var queryGroups = 1
    /// Whether the other images' keys of the batch are negatives besides the queue (the
    /// released code's logits `q·k_allᵀ`; `contrastiveLogits`).
    public var inBatchNegatives = false
    /// Whether the loss adds the mirrored term, T as the query against the keys of T′ (the
    /// released code's `--sym`): one more key and query pass per step. CLSA and MoCo v2 only,
    /// with a single weak query view.
    public var symmetric = false
    /// Per-channel normalisation of the views.
    public var mean = [0.485, 0.456, 0.406]
    public var standardDeviation = [0.229, 0.224, 0.225]
    public var seed: UInt64 = 0

    public init() {}

    public init(from decoder: Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func read<Value: Decodable>(_ key: CodingKeys, into field: inout Value) throws {
            if let value = try container.decodeIfPresent(Value.self, forKey: key) { field = value }
        }
        func read<Value: Decodable>(_ key: CodingKeys, into field: inout Value?) throws {
            if let value = try container.decodeIfPresent(Value.self, forKey: key) { field = value }
        }
        try read(.architecture, into: &architecture)
        try read(.baseWidth, into: &baseWidth)
        try read(.imageSize, into: &imageSize)
        try read(.strongSizes, into: &strongSizes)
        try read(.weakSizes, into: &weakSizes)
        try read(.objective, into: &objective)
        try read(.strongPool, into: &strongPool)
        try read(.strongMagnitudes, into: &strongMagnitudes)
        try read(.blur, into: &blur)
        try read(.epochs, into: &epochs)
        try read(.batchSize, into: &batchSize)
        try read(.learningRate, into: &learningRate)
        try read(.warmupEpochs, into: &warmupEpochs)
        try read(.momentum, into: &momentum)
        try read(.weightDecay, into: &weightDecay)
        try read(.queueSize, into: &queueSize)
        try read(.temperature, into: &temperature)
        try read(.divergenceTemperature, into: &divergenceTemperature)
        try read(.alpha, into: &alpha)
        try read(.beta, into: &beta)
        try read(.dimension, into: &dimension)
        try read(.hidden, into: &hidden)
        try read(.keyShuffleGroups, into: &keyShuffleGroups)
        try read(.queryGroups, into: &queryGroups)
        try read(.inBatchNegatives, into: &inBatchNegatives)
        try read(.symmetric, into: &symmetric)
        try read(.mean, into: &mean)
        try read(.standardDeviation, into: &standardDeviation)
        try read(.seed, into: &seed)
    }

    /// The base learning rate actually used.
    public var effectiveLearningRate: Double { learningRate ?? 0.03 * Double(batchSize) / 256 }

    /// The key encoder's shuffle-BN groups actually used: `keyShuffleGroups`, else the largest
    /// divisor of `batchSize` that is at most 8 (8 at batches 64 and 256, 6 at 12, 4 at 4).
    public var effectiveKeyShuffleGroups: Int {
        keyShuffleGroups ?? (1...8).last { batchSize % $0 == 0 }!
    }

    /// The projection head's hidden width actually used: `hidden`, else the backbone's feature
    /// size (128 for the small ResNet-18 of width 16, 2048 for ResNet-50).
    public var effectiveHidden: Int { hidden ?? backboneShape.featureDimension }

    /// This configuration with `keyShuffleGroups` set to `effectiveKeyShuffleGroups`, as a run
    /// records it (in `config.json` and its checkpoints).
    public func resolvingKeyShuffleGroups() -> PretrainingConfiguration {
        var resolved = self
        resolved.keyShuffleGroups = effectiveKeyShuffleGroups
        return resolved
    }

    /// This configuration as a data-parallel run on `ranks` processes records it. `batchSize`
    /// stays the global batch; each rank's BatchNorm groups are its share of the global groups,
    /// so both group counts must be multiples of `ranks`: a `queryGroups` of 1 becomes one
    /// group per rank (each rank's query BN sees its own batch, as under DDP), and the default
    /// `keyShuffleGroups` is the largest divisor of `batchSize` that is a multiple of `ranks`
    /// and at most max(8, `ranks`). One rank resolves as `resolvingKeyShuffleGroups()`.
    /// - Throws: `ConfigurationError` for a batch or group count that `ranks` does not divide.
    public func resolving(ranks: Int) throws -> PretrainingConfiguration {
        guard ranks > 1 else { return resolvingKeyShuffleGroups() }
        try ConfigurationError.require(batchSize % ranks == 0,
                                       "`batchSize` \(batchSize) (the global batch) must be divisible by the \(ranks) processes")
        var resolved = self
        if queryGroups == 1 { resolved.queryGroups = ranks }
        try ConfigurationError.require(resolved.queryGroups % ranks == 0,
                                       "`queryGroups` \(queryGroups) must be 1 or a multiple of the \(ranks) processes")
        let limit = max(8, ranks)
        resolved.keyShuffleGroups = keyShuffleGroups
            ?? stride(from: ranks, through: min(limit, batchSize), by: ranks).reversed().first { batchSize % $0 == 0 }
        try ConfigurationError.require(resolved.keyShuffleGroups.map { $0 % ranks == 0 } ?? false,
                                       "`keyShuffleGroups` \(keyShuffleGroups.map(String.init) ?? "default") must be a multiple of the \(ranks) processes")
        return resolved
    }

    /// Whether the run makes and forwards strong views at all (not for MoCo v2, β = 0, nor the
    /// supervised objective).
    public var usesStrongViews: Bool { objective != .supervised && (beta != 0 || objective == .strongQuery) }

    /// The backbone's configuration.
    public func backbone() throws -> ResNetConfiguration {
        try ConfigurationError.require(baseWidth >= 1, "`baseWidth` must be positive, got \(baseWidth)")
        return backboneShape
    }

    /// The GEMMs this run's steps make, for the choice of OpenBLAS's kernel: `.wide` for a
    /// backbone of 2,048 features or more (ResNet-50 at torchvision's width, measured faster on
    /// the `wide` choice), `.general` for narrower ones (the `fashion-mnist` preset's 192,
    /// measured slower there).
    public var blasWorkload: BLASWorkload { backboneShape.featureDimension >= 2048 ? .wide : .general }

    /// `architecture` at `baseWidth`, unchecked.
    private var backboneShape: ResNetConfiguration {
        var configuration = architecture.configuration()
        configuration.baseWidth = baseWidth
        return configuration
    }

    /// The views the loader makes: T, T′ and (unless MoCo v2) one strong view per size; T alone
    /// for the supervised objective.
    public func views() throws -> CLSAViews {
        let weak = blur.applied(to: WeakAugmentation(size: imageSize), size: imageSize)
        if objective == .supervised { return CLSAViews(weak: weak, weakQuerySizes: [], strong: []) }
        let strong = usesStrongViews
            ? strongSizes.map { size -> StrongAugmentation in
                var strong = StrongAugmentation(size: size, weakSize: imageSize, pool: strongPool, magnitudes: strongMagnitudes)
                strong.base = blur.applied(to: strong.base, size: size)
                return strong
            }
            : []
        return CLSAViews(weak: weak, weakQuerySizes: weakSizes, strong: strong)
    }

    /// Checks every setting, naming the field at fault (`` `batchSize` must be at least 2, got 1``).
    public func validate() throws {
        _ = try backbone()
        try ConfigurationError.require(imageSize >= 8, "`imageSize` must be at least 8, got \(imageSize)")
        try ConfigurationError.require(!strongSizes.isEmpty && strongSizes.allSatisfy { $0 >= StrongAugmentation.minimumSize && $0 <= imageSize },
                    "`strongSizes` must be between \(StrongAugmentation.minimumSize) and `imageSize` \(imageSize), got \(strongSizes)")
        try ConfigurationError.require(epochs >= 1, "`epochs` must be at least 1, got \(epochs)")
        try ConfigurationError.require(batchSize >= 2, "`batchSize` must be at least 2, got \(batchSize)")
        if let weakSizes {
            try ConfigurationError.require(!weakSizes.isEmpty && weakSizes.allSatisfy { $0 >= 8 },
                        "`weakSizes` must be sizes of at least 8 pixels, got \(weakSizes)")
        }
        try KeyQueue.validate(size: queueSize, batchSize: batchSize)
        if let keyShuffleGroups {
            try ConfigurationError.require(keyShuffleGroups >= 1 && batchSize % keyShuffleGroups == 0,
                        "`keyShuffleGroups` must be a divisor of `batchSize` \(batchSize), got \(keyShuffleGroups)")
        }
        try ConfigurationError.require(!symmetric || (objective == .clsa && (weakSizes?.count ?? 1) == 1),
                    "`symmetric` needs the clsa objective and one weak query view, got \(objective.rawValue) with \(weakSizes?.count ?? 1)")
        try ConfigurationError.require(batchSize % queryGroups == 0, "`batchSize` \(batchSize) must be divisible by `queryGroups` \(queryGroups)")
        try ConfigurationError.require(effectiveLearningRate > 0 && effectiveLearningRate.isFinite, "`learningRate` must be positive, got \(effectiveLearningRate)")
        try ConfigurationError.require(warmupEpochs >= 0 && warmupEpochs < epochs, "`warmupEpochs` must lie in 0..<`epochs` (\(epochs)), got \(warmupEpochs)")
        try ConfigurationError.require((0...1).contains(momentum), "`momentum` must lie in [0, 1], got \(momentum)")
        try ConfigurationError.require(weightDecay >= 0, "`weightDecay` must be non-negative, got \(weightDecay)")
        try ConfigurationError.require(temperature > 0, "`temperature` must be positive, got \(temperature)")
        try ConfigurationError.require((divergenceTemperature ?? 1) > 0, "`divergenceTemperature` must be positive, got \(divergenceTemperature ?? 0)")
        try ConfigurationError.require((0...1).contains(alpha), "`alpha` must lie in [0, 1], got \(alpha)")
        try ConfigurationError.require(beta >= 0 && beta.isFinite, "`beta` must be non-negative, got \(beta)")
        try ConfigurationError.require(dimension >= 1 && (hidden ?? 1) >= 1, "`dimension` and `hidden` must be positive, got \(dimension) and \(hidden.map(String.init) ?? "nil")")
        try ConfigurationError.require(mean.count == 3 && standardDeviation.count == 3 && standardDeviation.allSatisfy { $0 > 0 },
                    "`mean` and `standardDeviation` need 3 values each, the deviations positive")
        _ = try views()
        try validateBatchNormSamples()
    }

    /// Training BatchNorm needs more than one value per channel in each of its groups, and the
    /// last stage, where the maps are smallest, has the fewest: (batch / groups) · side². Each
    /// query view is normalised in `queryGroups` groups, the key view (`imageSize`) in
    /// `effectiveKeyShuffleGroups`.
    private func validateBatchNormSamples() throws {
        let network = backboneShape
        func require(size: Int, groups: Int, views: String, remedy: String) throws {
            let side = network.finalFeatureMapSide(forInput: size)
            guard batchSize / groups * side * side < 2 else { return }
            throw ConfigurationError("with \(size) px \(views), \(architecture.rawValue)'s last stage is \(side) px wide, so each "
                                     + "of \(groups) BatchNorm groups of `batchSize` \(batchSize) holds one value per channel; "
                                     + "use \(remedy)")
        }
        let querySizes = (weakSizes ?? [imageSize]) + (usesStrongViews ? strongSizes : [])
        for size in Set(querySizes).sorted() {
            try require(size: size, groups: queryGroups, views: "query views",
                        remedy: "larger views, a larger batch or fewer `queryGroups`")
        }
        if objective != .supervised {
            try require(size: imageSize, groups: effectiveKeyShuffleGroups, views: "key views",
                        remedy: "a larger `imageSize`, a larger batch or fewer `keyShuffleGroups`")
        }
    }

    /// Fields that must agree for a checkpoint to resume this run — every one that shapes the
    /// training, not where or how fast it runs (threads, workers, output, saving, monitoring):
    /// "architecture: checkpoint has resnet18, this run has resnet50". Learning rates and
    /// temperatures are compared as used (a learning rate left to the batch-size rule equals
    /// the same rate given).
    public func resumeMismatches(with saved: PretrainingConfiguration) -> [String] {
        var differences: [String] = []
        func compare<T: Equatable>(_ name: String, _ mine: T, _ theirs: T) {
            if mine != theirs { differences.append("\(name): checkpoint has \(theirs), this run has \(mine)") }
        }
        compare("architecture", architecture.rawValue, saved.architecture.rawValue)
        compare("base width", baseWidth, saved.baseWidth)
        compare("image size", imageSize, saved.imageSize)
        compare("strong sizes", strongSizes, saved.strongSizes)
        compare("weak sizes", weakSizes ?? [imageSize], saved.weakSizes ?? [saved.imageSize])
        compare("strong pool", strongPool.rawValue, saved.strongPool.rawValue)
        compare("strong magnitudes", strongMagnitudes.rawValue, saved.strongMagnitudes.rawValue)
        compare("blur", blur.rawValue, saved.blur.rawValue)
        compare("mean", mean, saved.mean)
        compare("standard deviation", standardDeviation, saved.standardDeviation)
        compare("queue size", queueSize, saved.queueSize)
        compare("batch size", batchSize, saved.batchSize)
        compare("key groups", effectiveKeyShuffleGroups, saved.effectiveKeyShuffleGroups)
        compare("query groups", queryGroups, saved.queryGroups)
        compare("dim", dimension, saved.dimension)
        compare("hidden", effectiveHidden, saved.effectiveHidden)
        compare("epochs", epochs, saved.epochs)
        compare("learning rate", effectiveLearningRate, saved.effectiveLearningRate)
        compare("warm-up epochs", warmupEpochs, saved.warmupEpochs)
        compare("momentum", momentum, saved.momentum)
        compare("weight decay", weightDecay, saved.weightDecay)
        compare("tau", temperature, saved.temperature)
        compare("tau_D", divergenceTemperature ?? temperature, saved.divergenceTemperature ?? saved.temperature)
        compare("alpha", alpha, saved.alpha)
        compare("objective", objective.rawValue, saved.objective.rawValue)
        compare("beta", beta, saved.beta)
        compare("in-batch negatives", inBatchNegatives, saved.inBatchNegatives)
        compare("symmetric", symmetric, saved.symmetric)
        compare("seed", seed, saved.seed)
        return differences
    }
}
