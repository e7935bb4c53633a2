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
/// 4. backward, then `applyGradients()` — the one place where data-parallel training would
///    all-reduce the gradients — which steps SGD;
/// 5. momentum update of the key encoder, and the keys of T enter the queue.
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
    public var completedSteps = 0

    /// Stream keys that separate this class's draws from the loader's (seed, epoch, …) streams.
    private enum Stream: UInt64 { case queue = 0x5155_4555_45, shuffle = 0x5348_5546 }

    /// Builds the encoders, queue and optimiser for `configuration` with `stepsPerEpoch`
    /// optimiser steps in each epoch.
    public init(configuration: PretrainingConfiguration, stepsPerEpoch: Int) throws {
        try configuration.validate()
        try ConfigurationError.require(configuration.objective != .supervised,
                                       "`objective` supervised trains a `SupervisedTrainer`, not a CLSATrainer")
        guard stepsPerEpoch >= 1 else {
            throw ConfigurationError("the dataset gives no full batch of \(configuration.batchSize) images per epoch")
        }
        self.configuration = configuration
        self.stepsPerEpoch = stepsPerEpoch
        viewLayout = try configuration.views()
        let backbone = try configuration.backbone()
        var random = SeededRandom(seed: configuration.seed, modelInitializationStream)
        query = Encoder(backbone: backbone, hidden: configuration.hidden ?? backbone.featureDimension,
                        dimension: configuration.dimension, random: &random)
        query.backbone.batchNormLayers.forEach { $0.groups = configuration.queryGroups }
        key = MomentumEncoder(copying: query, momentum: Float(configuration.alpha),
                              shuffleGroups: configuration.effectiveKeyShuffleGroups)
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

    public var totalSteps: Int { schedule.totalSteps }
    /// The query encoder's backbone.
    public var backbone: ResNet { query.backbone }
    /// The query encoder (backbone under torchvision's names, head under `head.*`) and the key
    /// encoder under `key.`.
    public var modelState: [StateEntry] {
        query.backbone.state + query.head.stateEntries(prefix: "head.") + key.encoder.stateEntries(prefix: "key.")
    }
    public var negativeKeys: KeyQueue? { queue }

    /// `step(views:)`; the labels are not used.
    public func step(views: [Tensor], labels: [Int?]) throws -> StepMetrics {
        try step(views: views)
    }

    /// One optimisation step on `views` (one [N, 3, H, W] tensor per view of `viewLayout`).
    /// The ablation objectives use the first weak query only (`validate` refuses `symmetric` with them).
    /// - Throws: `NonFiniteLossError` before any parameter changes if the loss is not finite.
    public func step(views: [Tensor]) throws -> StepMetrics {
        let stepNumber = completedSteps + 1
        let learningRate = schedule.rate(atStep: completedSteps)
        optimizer.learningRate = Float(learningRate)
        query.setTraining(true)

        var shuffle = SeededRandom(seed: configuration.seed, Stream.shuffle.rawValue, UInt64(completedSteps))
        precondition(views.count == viewLayout.viewShapes.count,
                     "CLSATrainer: \(views.count) view tensors for \(viewLayout.viewShapes.count) views")
        let keyView = views[CLSAViews.keyView]
        let keys = key.keys(for: keyView, random: &shuffle)
        var pairs = viewLayout.weakQueryViews.map { QueryPair(view: views[$0], keys: keys) }
        if configuration.symmetric {
            pairs.append(QueryPair(view: keyView, keys: key.keys(for: pairs[0].view, random: &shuffle)))
        }
        let (loss, contrastive, divergence) = lossTerms(pairs: pairs, strongViews: viewLayout.strongViews.map { views[$0] })
        guard loss.item.isFinite else { throw NonFiniteLossError(step: stepNumber, loss: loss.item) }

        optimizer.zeroGradients()
        loss.backward()
        applyGradients()
        key.update(from: query)
        queue.enqueue(keys)
        completedSteps = stepNumber
        return StepMetrics(step: stepNumber, loss: loss.item, lossContrastive: contrastive,
                           lossDivergence: divergence, learningRate: learningRate)
    }

    /// Applies the accumulated gradients. Data-parallel training all-reduces them here, before
    /// the optimiser reads them; on one process they are used as they are.
    func applyGradients() {
        optimizer.step()
    }

    /// A weak query view and the key encoder's keys that are its positives.
    private struct QueryPair {
        let view: Tensor
        let keys: Tensor
    }

    private func lossTerms(pairs: [QueryPair], strongViews: [Tensor]) -> (Tensor, Float, Float) {
        switch configuration.objective {
        case .clsa:
            let strongQueries = strongViews.map { query($0) }
            var total: Tensor?, contrastive: Float = 0, divergence: Float = 0
            for pair in pairs {
                let value = objective(weakQuery: query(pair.view), strongQueries: strongQueries,
                                      keys: pair.keys, queue: queue.keys)
                total = total.map { $0 + value.total } ?? value.total
                contrastive += value.contrastive
                divergence += value.divergence
            }
            return (total!, contrastive, divergence)
        case .strongQuery:
            let loss = contrastiveLoss(query(strongViews[0]), keys: pairs[0].keys)
            return (loss, loss.item, 0)
        case .strongContrastive:
            let weak = contrastiveLoss(query(pairs[0].view), keys: pairs[0].keys)
            var total = weak, strongSum: Float = 0
            for view in strongViews {
                let term = contrastiveLoss(query(view), keys: pairs[0].keys)
                strongSum += term.item
                total = total + term * Float(configuration.beta)
            }
            return (total, weak.item, strongSum)
        case .supervised:
            preconditionFailure("CLSATrainer: init refuses the supervised objective")
        }
    }

    private func contrastiveLoss(_ q: Tensor, keys: Tensor) -> Tensor {
        let logits = objective.logits(q, keys: keys, queue: queue.keys, temperature: objective.temperature)
        return crossEntropy(logits: logits, targets: objective.targets(count: q.shape[0]))
    }
}
