import Augment
import Dispatch
import TensorCore

/// Linear evaluation of a frozen backbone: a `LinearClassifier` on its pooled features is trained
/// with SGD and scored (top-1, top-5) on the validation set after every epoch.
///
/// The backbone runs in eval mode without gradients, so only the classifier learns; its state
/// is fingerprinted before training and checked afterwards (MoCo's sanity check), and `run`
/// throws if anything in it changed. Validation features are extracted once (the backbone is
/// frozen and the evaluation view is deterministic, so they are the same every epoch).
///
/// ```swift
/// let evaluation = try LinearEvaluation(backbone: backbone, train: train, validation: val,
///                                       configuration: LinearEvaluationConfiguration())
/// let result = try evaluation.run { epoch in print(epoch.top1) }
/// ```
public final class LinearEvaluation {
    public let configuration: LinearEvaluationConfiguration
    /// A frozen backbone, or raw pixels (the no-network floor).
    public let backbone: any FeatureSource
    public let classifier: LinearClassifier
    public let classNames: [String]
    public let train: any ImageDataset
    public let validation: any ImageDataset
    private let extractor: FeatureExtractor
    /// The source's state and its fingerprint before training (nil for raw pixels).
    private let frozen: (module: Module, fingerprint: StateFingerprint)?

    /// Stream keys that keep this class's draws apart from the loader's (seed, epoch, …) streams.
    private enum Stream: UInt64 { case classifier = 0x4C49_4E45_4152, order = 0x4F52_4445_52 }

    /// - Throws: `ConfigurationError` for a bad setting; `EvaluationError` when a set is
    ///   unlabelled or the two sets name different classes.
    public init(backbone: any FeatureSource, train: any ImageDataset, validation: any ImageDataset,
                configuration: LinearEvaluationConfiguration,
                warningSink: @escaping DataLoader.WarningSink = DataLoader.standardErrorSink) throws {
        try configuration.validate()
        try EvaluationError.requireMatchingLabels(train: train, validation: validation, role: "")
        self.configuration = configuration
        self.backbone = backbone
        self.train = train
        self.validation = validation
        classNames = train.classNames
        var random = SeededRandom(seed: configuration.seed, Stream.classifier.rawValue)
        classifier = LinearClassifier(featureDimension: backbone.featureDimension, classCount: classNames.count,
                                      standardized: configuration.standardizedFeatures, random: &random)
        extractor = FeatureExtractor(backbone: backbone, batchSize: configuration.batchSize,
                                     workerCount: configuration.workerCount, warningSink: warningSink)
        frozen = backbone.frozenModule.map { ($0, StateFingerprint(of: $0)) }
    }

    /// The training views of the protocol at the backbone's image size.
    public var augmentation: LinearEvaluationAugmentation {
        LinearEvaluationAugmentation(size: backbone.imageSize, scale: configuration.cropScaleMinimum...1)
    }

    /// The frozen features a run needs, extracted once: the validation set's, and with
    /// `cachedFeatures` the training set's. Several evaluations of the same source and sets (a
    /// learning-rate sweep) can share them.
    public struct Features {
        public let validation: ExtractedFeatures
        /// nil unless `cachedFeatures`.
        public let train: ExtractedFeatures?
    }

    /// Extracts the features `run` needs.
    /// - Throws: `EvaluationError.noLoadableImages`; loader errors.
    public func extractFeatures() throws -> Features {
        Features(validation: try extractor.extract(validation),
                 train: configuration.cachedFeatures ? try extractor.extract(train) : nil)
    }

    /// Trains the classifier for `configuration.epochs` epochs, calling `onEpoch` after each
    /// one's validation, then checks that the backbone is unchanged. `features` (from
    /// `extractFeatures()` of an evaluation with the same source, sets and `cachedFeatures`)
    /// saves extracting them again.
    /// - Throws: `EvaluationError.nonFiniteLoss` (training diverged), `.backboneChanged`,
    ///   `.noLoadableImages`; loader errors.
    public func run(features: Features? = nil, onEpoch: (LinearEvaluationEpoch) -> Void = { _ in }) throws -> LinearEvaluationResult {
        let features = try features ?? extractFeatures()
        precondition((features.train != nil) == configuration.cachedFeatures,
                     "LinearEvaluation: features extracted for cachedFeatures \(!configuration.cachedFeatures)")
        let validationFeatures = features.validation
        let validationLabels = validationFeatures.classLabels!
        let cached = features.train
        let optimizer = SGD(parameters: classifier.namedParameters, learningRate: Float(configuration.learningRate),
                            momentum: Float(configuration.momentum), weightDecay: Float(configuration.weightDecay))
        let schedule = CosineSchedule(baseRate: configuration.learningRate, totalSteps: configuration.epochs)
        var epochs: [LinearEvaluationEpoch] = []
        for epoch in 0..<configuration.epochs {
            let start = DispatchTime.now().uptimeNanoseconds
            let learningRate = schedule.rate(atStep: epoch)
            optimizer.learningRate = Float(learningRate)
            classifier.setTraining(true)
            var lossSum = 0.0, seen = 0
            let step = { (features: Tensor, labels: [Int]) throws in
                let loss = crossEntropy(logits: self.classifier(features), targets: labels)
                guard loss.item.isFinite else { throw EvaluationError.nonFiniteLoss(epoch: epoch + 1) }
                optimizer.zeroGradients()
                loss.backward()
                optimizer.step()
                lossSum += Double(loss.item) * Double(labels.count)
                seen += labels.count
            }
            if let cached {
                try forEachShuffledBatch(of: cached, epoch: epoch, step)
            } else {
                let iterator = extractor.loader(for: train, transform: augmentation, shuffle: true,
                                                seed: configuration.seed).makeIterator(epoch: epoch)
                while let batch = try iterator.next() {
                    try step(extractor.features(of: batch.views[0]), batch.labels.map { $0! })
                }
            }
            let (top1, top5) = accuracy(on: validationFeatures.features, labels: validationLabels)
            let record = LinearEvaluationEpoch(
                epoch: epoch + 1, learningRate: learningRate, trainLoss: seen > 0 ? lossSum / Double(seen) : .nan,
                top1: top1, top5: top5, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
            epochs.append(record)
            onEpoch(record)
        }
        if let frozen { try frozen.fingerprint.verifyUnchanged(frozen.module) }
        return LinearEvaluationResult(epochs: epochs, validationCount: validationFeatures.count,
                                      trainCount: cached?.count)
    }

    /// Top-1 and top-5 accuracy (percent) of the classifier on `features` [N, D].
    public func accuracy(on features: Tensor, labels: [Int]) -> (top1: Double, top5: Double) {
        classifier.setTraining(false)
        let logits = withoutGradients { classifier(features) }
        let counts = topKCorrectCounts(logits: logits, labels: labels, ks: [1, 5])
        return (100 * Double(counts[0]) / Double(labels.count), 100 * Double(counts[1]) / Double(labels.count))
    }

    /// Mini-batches of cached features in a seeded order per epoch; the last short one is kept.
    private func forEachShuffledBatch(of cached: ExtractedFeatures, epoch: Int,
                                      _ body: (Tensor, [Int]) throws -> Void) rethrows {
        let labels = cached.classLabels!
        var order = Array(0..<cached.count)
        var random = SeededRandom(seed: configuration.seed, Stream.order.rawValue, UInt64(epoch))
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(i, random.integer(in: 0...i))
        }
        let width = cached.features.shape[1]
        for start in stride(from: 0, to: order.count, by: configuration.batchSize) {
            let rows = order[start..<min(start + configuration.batchSize, order.count)]
            let batch = Tensor(uninitializedShape: [rows.count, width])
            for (slot, row) in rows.enumerated() {
                (batch.data + slot * width).update(from: cached.features.data + row * width, count: width)
            }
            try body(batch, rows.map { labels[$0] })
        }
    }
}

/// One epoch of linear evaluation. JSON keys: `epoch`, `lr`, `train_loss`, `top1`, `top5`, `seconds`.
public struct LinearEvaluationEpoch: Codable, Equatable, Sendable {
    /// 1-based.
    public var epoch: Int
    public var learningRate: Double
    /// Mean cross-entropy over the epoch's training samples.
    public var trainLoss: Double
    /// Validation accuracy after the epoch, percent.
    public var top1: Double
    public var top5: Double
    /// Wall time of the epoch (training and validation), seconds.
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case epoch, learningRate = "lr", trainLoss = "train_loss", top1, top5, seconds
    }
}

/// The outcome of a linear evaluation. The backbone was verified unchanged (else `run` threw).
public struct LinearEvaluationResult: Equatable, Sendable {
    public let epochs: [LinearEvaluationEpoch]
    /// Validation images scored.
    public let validationCount: Int
    /// Training images with cached features (nil on the augmented path, where each epoch loads them anew).
    public let trainCount: Int?

    /// The last epoch's scores, the figures to report.
    public var final: LinearEvaluationEpoch { epochs[epochs.count - 1] }
    /// The epoch with the highest top-1 (MoCo's "best acc1"), earliest on ties.
    public var best: LinearEvaluationEpoch {
        epochs.reduce(epochs[0]) { $1.top1 > $0.top1 ? $1 : $0 }
    }
}
