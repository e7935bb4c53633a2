import Augment
import TensorCore

/// One CLSA (or MoCo v2, β = 0) pretraining run's model and optimiser state, and its step.
///
/// A step, for a batch of views (T, T′, S…) from `CLSAViews`:
/// 1. keys z = key encoder(T), without gradients, with shuffle-BN;
/// 2. weak query z′ = query encoder(T′); strong queries z″_s = query encoder(S_s);
/// 3. L = L_C + β·Σ_s L_D(s) (`CLSAObjective`), or an ablation's loss; with several weak query
///    sizes, the sum of that over the weak queries; `symmetric` adds the mirrored term, in which
///    T is the query and the key encoder's keys of T′ are the positives (the released code's
///    `--sym`);
/// 4. backward, then `applyGradients()`, which averages the gradients over the ranks of a
///    data-parallel run and steps SGD;
/// 5. momentum update of the key encoder, and the keys of T enter the queue.
///
/// **Data parallelism** (`processGroup` of several ranks, each stepping its share of the global
/// batch, as the released code across GPUs): the key batch is gathered from every rank,
/// permuted by a permutation every rank draws alike, normalised in slices by the ranks and
/// un-permuted (shuffle-BN across ranks); every rank's queue receives the keys of the whole
/// global batch; query BN works on each rank's own batch; the gradients are averaged before
/// the SGD step, so the parameters stay the same on every rank. A run on N ranks computes what
/// one process computes with `queryGroups` N and the same key groups.
public final class CLSATrainer: PretrainingTrainer {
    public let configuration: PretrainingConfiguration
    public let query: Encoder
    public let key: MomentumEncoder
    public let queue: KeyQueue
    public let optimizer: SGD
    public let schedule: CosineSchedule
    public let objective: CLSAObjective
    public let stepsPerEpoch: Int
    /// Which of a step's view tensors is the key, the weak queries and the strong views.
    public let viewLayout: CLSAViews
    /// The ranks of a data-parallel run (one process by default).
    public let processGroup: any ProcessGroup
    public var completedSteps = 0
    /// The gradients in one buffer for their average over the ranks.
    private var gradientBuffer: Tensor?

    /// Stream keys that separate this class's draws from the loader's (seed, epoch, …) streams.
    private enum Stream: UInt64 { case queue = 0x5155_4555_45, shuffle = 0x5348_5546 }

    /// Builds the encoders, queue and optimiser for `configuration` with `stepsPerEpoch`
    /// optimiser steps in each epoch, on this rank of `processGroup` (whose batches hold
    /// `batchSize / processGroup.size` images; `configuration.resolving(ranks:)`).
    public init(configuration given: PretrainingConfiguration, stepsPerEpoch: Int,
                processGroup: any ProcessGroup = SingleProcessGroup()) throws {
        let configuration = processGroup.isDistributed ? try given.resolving(ranks: processGroup.size) : given
        try configuration.validate()
        try ConfigurationError.require(configuration.objective != .supervised,
                                       "`objective` supervised trains a `SupervisedTrainer`, not a CLSATrainer")
        guard stepsPerEpoch >= 1 else {
            throw ConfigurationError("the dataset gives no full batch of \(configuration.batchSize) images per epoch")
        }
        self.configuration = configuration
        self.stepsPerEpoch = stepsPerEpoch
        self.processGroup = processGroup
        viewLayout = try configuration.views()
        query = try Self.initialQueryEncoder(for: configuration)
        query.backbone.batchNormLayers.forEach { $0.groups = configuration.queryGroups / processGroup.size }
        key = MomentumEncoder(copying: query, momentum: Float(configuration.alpha),
                              shuffleGroups: configuration.effectiveKeyShuffleGroups / processGroup.size)
        var queueRandom = SeededRandom(seed: configuration.seed, Stream.queue.rawValue)
        queue = KeyQueue(size: configuration.queueSize, dimension: configuration.dimension, random: &queueRandom)
        optimizer = SGD(parameters: query.namedParameters, learningRate: Float(configuration.effectiveLearningRate),
                        momentum: Float(configuration.momentum), weightDecay: Float(configuration.weightDecay))
        let totalSteps = configuration.epochs * stepsPerEpoch
        schedule = CosineSchedule(baseRate: configuration.effectiveLearningRate, totalSteps: totalSteps,
                                  warmupSteps: configuration.warmupEpochs * stepsPerEpoch)
        objective = CLSAObjective(temperature: Float(configuration.temperature),
                                  divergenceTemperature: configuration.divergenceTemperature.map(Float.init),
                                  beta: Float(configuration.beta),
                                  inBatchNegatives: configuration.inBatchNegatives)
    }

    /// The query encoder a run of `configuration` starts from: its seeded initialisation.
    private static func initialQueryEncoder(for configuration: PretrainingConfiguration) throws -> Encoder {
        var random = SeededRandom(seed: configuration.seed, modelInitializationStream)
        return Encoder(backbone: try configuration.backbone(), hidden: configuration.effectiveHidden,
                       dimension: configuration.dimension, random: &random)
    }

    /// The untrained backbone a run of `configuration` starts from (its query encoder's seeded
    /// initialisation, bit for bit): the random-initialisation baseline of a study.
    /// - Throws: `ConfigurationError` for an invalid configuration or the supervised objective
    ///   (whose run starts from `SupervisedTrainer`'s network).
    public static func initialBackbone(for configuration: PretrainingConfiguration) throws -> ResNet {
        try configuration.validate()
        try ConfigurationError.require(configuration.objective != .supervised,
                                       "`objective` supervised starts from a `SupervisedTrainer`'s network, not a CLSATrainer's")
        return try initialQueryEncoder(for: configuration).backbone
    }

    public var totalSteps: Int { schedule.totalSteps }
    /// The query encoder's backbone.
    public var backbone: ResNet { query.backbone }
    /// The query encoder (backbone under torchvision's names, head under `head.*`) and the key
    /// encoder under `key.`.
    public var modelState: [StateEntry] {
        query.backbone.state + query.head.stateEntries(prefix: "head.") + key.encoder.stateEntries(prefix: "key.")
    }
    public var negativeKeys: KeyQueue? { queue }
    public var replicatedState: [Tensor] {
        query.parameters + key.encoder.parameters + optimizer.momentumBuffers.compactMap { $0 } + [queue.keys]
    }

    /// `step(views:)`; the labels are not used.
    public func step(views: [Tensor], labels: [Int?]) throws -> StepMetrics {
        try step(views: views)
    }

    /// One optimisation step on `views` (one [N, 3, H, W] tensor per view of `viewLayout`; N is
    /// this rank's share of the batch). The ablation objectives use the first weak query only
    /// (`validate` refuses `symmetric` with them). The metrics' losses are means over the ranks.
    /// - Throws: `NonFiniteLossError` before any parameter changes if the loss (on any rank) is
    ///   not finite.
    public func step(views: [Tensor]) throws -> StepMetrics {
        let stepNumber = completedSteps + 1
        let learningRate = schedule.rate(atStep: completedSteps)
        optimizer.learningRate = Float(learningRate)
        query.setTraining(true)

        var shuffle = SeededRandom(seed: configuration.seed, Stream.shuffle.rawValue, UInt64(completedSteps))
        precondition(views.count == viewLayout.viewShapes.count,
                     "CLSATrainer: \(views.count) view tensors for \(viewLayout.viewShapes.count) views")
        let keyView = views[CLSAViews.keyView]
        let keys = key.keys(for: keyView, random: &shuffle, processGroup: processGroup)
        var pairs = viewLayout.weakQueryViews.map { pair(views[$0], keys) }
        if configuration.symmetric {
            pairs.append(pair(keyView, key.keys(for: pairs[0].view, random: &shuffle, processGroup: processGroup)))
        }
        let (loss, contrastive, divergence) = lossTerms(pairs: pairs, strongViews: viewLayout.strongViews.map { views[$0] })
        let means = processGroup.mean([loss.item, contrastive, divergence])
        guard means[0].isFinite else { throw NonFiniteLossError(step: stepNumber, loss: means[0]) }

        optimizer.zeroGradients()
        loss.backward()
        applyGradients()
        key.update(from: query)
        queue.enqueue(keys.all)
        completedSteps = stepNumber
        return StepMetrics(step: stepNumber, loss: means[0], lossContrastive: means[1],
                           lossDivergence: means[2], learningRate: learningRate)
    }

    /// Averages the gradients over the ranks (nothing to do on one process), then steps SGD.
    func applyGradients() {
        processGroup.averageGradients(of: optimizer.parameters.map(\.tensor), buffer: &gradientBuffer)
        optimizer.step()
    }

    /// A weak query view and the key encoder's keys that are its positives: this rank's keys,
    /// or with in-batch negatives every key of the global batch, the positives from row
    /// `firstPositive` on.
    private struct QueryPair {
        let view: Tensor
        let keys: Tensor
        let firstPositive: Int
    }

    private func pair(_ view: Tensor, _ keys: (local: Tensor, all: Tensor)) -> QueryPair {
        guard configuration.inBatchNegatives else { return QueryPair(view: view, keys: keys.local, firstPositive: 0) }
        return QueryPair(view: view, keys: keys.all, firstPositive: processGroup.rank * view.shape[0])
    }

    private func lossTerms(pairs: [QueryPair], strongViews: [Tensor]) -> (Tensor, Float, Float) {
        switch configuration.objective {
        case .clsa:
            let strongQueries = strongViews.map { query($0) }
            var total: Tensor?, contrastive: Float = 0, divergence: Float = 0
            for pair in pairs {
                let value = objective(weakQuery: query(pair.view), strongQueries: strongQueries,
                                      keys: pair.keys, queue: queue.keys, firstPositive: pair.firstPositive)
                total = total.map { $0 + value.total } ?? value.total
                contrastive += value.contrastive
                divergence += value.divergence
            }
            return (total!, contrastive, divergence)
        case .strongQuery:
            let loss = contrastiveLoss(query(strongViews[0]), pairs[0])
            return (loss, loss.item, 0)
        case .strongContrastive:
            let weak = contrastiveLoss(query(pairs[0].view), pairs[0])
            var total = weak, strongSum: Float = 0
            for view in strongViews {
                let term = contrastiveLoss(query(view), pairs[0])
                strongSum += term.item
                total = total + term * Float(configuration.beta)
            }
            return (total, weak.item, strongSum)
        case .supervised:
            preconditionFailure("CLSATrainer: init refuses the supervised objective")
        }
    }

    /// L_C of `q` against `pair`'s positives and the queue.
    private func contrastiveLoss(_ q: Tensor, _ pair: QueryPair) -> Tensor {
        let logits = objective.logits(q, keys: pair.keys, queue: queue.keys, temperature: objective.temperature,
                                      firstPositive: pair.firstPositive)
        return crossEntropy(logits: logits, targets: objective.targets(count: q.shape[0], firstPositive: pair.firstPositive))
    }
}
