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
