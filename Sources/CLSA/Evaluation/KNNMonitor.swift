import Augment
import TensorCore

/// The kNN monitor of pretraining: every few epochs, the validation set is classified by a
/// `WeightedKNN` (k = 200, T = 0.1) against the training set's features, both taken through the
/// backbone being trained with the evaluation transform and BatchNorm in eval mode. The
/// backbone's training mode is restored afterwards.
///
/// ```swift
/// let monitor = try KNNMonitor(train: train, validation: val, imageSize: 224, normalization: .imageNet)
/// let top1 = try monitor.top1Accuracy(of: trainer.query.backbone)   // percent
/// ```
public struct KNNMonitor {
    public let train: any ImageDataset
    public let validation: any ImageDataset
    public let imageSize: Int
    public let normalization: Normalization
    public var classifier: WeightedKNN
    /// Images per forward pass.
    public var batchSize: Int
    /// Loader threads (0: load on the calling thread).
    public var workerCount: Int
    public var warningSink: DataLoader.WarningSink

    /// - Throws: `EvaluationError` when a set is unlabelled or the two name different classes.
    public init(train: any ImageDataset, validation: any ImageDataset, imageSize: Int, normalization: Normalization,
                classifier: WeightedKNN = WeightedKNN(), batchSize: Int = 256, workerCount: Int = 1,
                warningSink: @escaping DataLoader.WarningSink = DataLoader.standardErrorSink) throws {
        try EvaluationError.requireMatchingLabels(train: train, validation: validation, role: "kNN")
        self.train = train
        self.validation = validation
        self.imageSize = imageSize
        self.normalization = normalization
        self.classifier = classifier
        self.batchSize = batchSize
        self.workerCount = workerCount
        self.warningSink = warningSink
    }

    /// The kNN top-1 accuracy (percent) of the validation set with `network`'s current weights.
    /// - Throws: `EvaluationError.noLoadableImages`; loader errors.
    public func top1Accuracy(of network: ResNet) throws -> Double {
        try top1Accuracy(of: PretrainedBackbone(network: network, imageSize: imageSize, normalization: normalization))
    }

    /// `top1Accuracy(of:)` with the work shared by the ranks of `group`, each on its own threads
    /// (every rank calls it): each rank takes the features of its contiguous share of both sets,
    /// the training features are gathered on every rank, each rank classifies its validation
    /// share against all of them, and the correct counts are summed. Every rank gets the figure
    /// one process computes from rank 0's network. For that, every rank's BatchNorm running
    /// statistics (each rank's follow its own share of the batches) first become rank 0's, the
    /// ones checkpoints hold, so a resumed run's monitor sees what an uninterrupted one's does.
    /// - Throws: `EvaluationError.noLoadableImages` (on every rank) when either set has no
    ///   loadable image; loader errors.
    public func top1Accuracy(of network: ResNet, sharedBy group: any ProcessGroup) throws -> Double {
        guard group.isDistributed else { return try top1Accuracy(of: network) }
        group.copyFromLeader(network.batchNormLayers.flatMap { [$0.runningMean, $0.runningVariance] })
        let extractor = FeatureExtractor(backbone: PretrainedBackbone(network: network, imageSize: imageSize,
                                                                      normalization: normalization),
                                         batchSize: batchSize, workerCount: workerCount, warningSink: warningSink)
        let trainShare = try LabelledRows(extractor, share(of: train, for: group))
        let validationShare = try LabelledRows(extractor, share(of: validation, for: group))
        let bank = trainShare.gathered(by: group)
        let queries = group.sum(validationShare.labels.count)
        guard !bank.labels.isEmpty, queries > 0 else {
            throw EvaluationError.noLoadableImages(skipped: group.sum(trainShare.skipped + validationShare.skipped))
        }
        var correct = 0
        if !validationShare.labels.isEmpty {
            let predicted = classifier.predict(queries: validationShare.tensor, train: bank.tensor, trainLabels: bank.labels,
                                               classCount: train.classNames.count)
            correct = zip(predicted, validationShare.labels).filter { $0 == $1 }.count
        }
        return 100 * Double(group.sum(correct)) / Double(queries)
    }

    /// Rank r's share of `dataset`: images ⌊r·n/size⌋ ..< ⌊(r + 1)·n/size⌋.
    private func share(of dataset: any ImageDataset, for group: any ProcessGroup) -> any ImageDataset {
        let n = dataset.count
        return DatasetSlice(dataset, range: group.rank * n / group.size ..< (group.rank + 1) * n / group.size)
    }

    /// The kNN top-1 accuracy (percent) of the validation set with `source`'s features (its own
    /// image size and normalisation): a frozen backbone, or raw pixels, the floor.
    /// - Throws: `EvaluationError.noLoadableImages`; loader errors.
    public func top1Accuracy(of source: any FeatureSource) throws -> Double {
        let extractor = FeatureExtractor(backbone: source, batchSize: batchSize, workerCount: workerCount,
                                         warningSink: warningSink)
        let trainFeatures = try extractor.extract(train)
        let validationFeatures = try extractor.extract(validation)
        return classifier.top1Accuracy(queries: validationFeatures.features, queryLabels: validationFeatures.classLabels!,
                                       train: trainFeatures.features, trainLabels: trainFeatures.classLabels!,
                                       classCount: train.classNames.count)
    }
}

/// One rank's share of a labelled set as feature rows [n, D] with their labels; a share with no
/// loadable image (or no image at all) has none.
private struct LabelledRows {
    let dimension: Int
    var features: [Float] = []
    var labels: [Int] = []
    var skipped = 0

    init(_ extractor: FeatureExtractor, _ share: any ImageDataset) throws {
        dimension = extractor.backbone.featureDimension
        guard share.count > 0 else { return }
        do {
            let extracted = try extractor.extract(share)
            features = extracted.features.scalars
            labels = extracted.classLabels!
            skipped = extracted.skippedCount
        } catch EvaluationError.noLoadableImages(let count) {
            skipped = count
        }
    }

    private init(dimension: Int, features: [Float], labels: [Int]) {
        (self.dimension, self.features, self.labels) = (dimension, features, labels)
    }

    /// [n, D].
    var tensor: Tensor { Tensor(shape: [labels.count, dimension], scalars: features) }

    /// Every rank's rows in rank order: each rank's rows, padded to the longest share with
    /// label −1, gathered with their labels as a last column, and the padding dropped.
    func gathered(by group: any ProcessGroup) -> LabelledRows {
        let longest = -group.minimum([-labels.count])[0]
        guard longest > 0 else { return self }
        let width = dimension + 1
        var padded = [Float](repeating: 0, count: longest * width)
        for row in 0..<longest {
            if row < labels.count {
                padded.replaceSubrange(row * width ..< row * width + dimension,
                                       with: features[row * dimension ..< (row + 1) * dimension])
            }
            padded[row * width + dimension] = row < labels.count ? Float(labels[row]) : -1
        }
        let all = group.gatherRows(of: Tensor(shape: [longest, width], scalars: padded)).scalars
        var rows = LabelledRows(dimension: dimension, features: [], labels: [])
        for row in 0..<(group.size * longest) where all[row * width + dimension] >= 0 {
            rows.features += all[row * width ..< row * width + dimension]
            rows.labels.append(Int(all[row * width + dimension]))
        }
        return rows
    }
}
