import Augment
import TensorCore

/// What pretraining bought: the kNN top-1 of the pretrained backbone beside that of the
/// untrained backbone the run started from (the same seed's initialisation) and of the raw
/// pixels (no network), all on the same evaluation views (`FeatureSource.evaluationTransform`
/// at the run's image size and normalisation), by the pretraining monitor's weighted kNN
/// (k 200, T 0.1: no training, no hyperparameter to tune per source).
///
///     let comparison = BaselineComparison(train: trainingImages, validation: testImages,
///                                         configuration: configuration)
///     let scores = try comparison.scores(pretrained: trainedNetwork)   // percent, top-1
public struct BaselineComparison {
    /// Top-1 accuracies on the validation set, in percent.
    public struct Scores: Equatable, Sendable {
        public let pretrained: Double
        public let untrained: Double
        public let rawPixels: Double
    }

    /// The labelled images whose features are the kNN's neighbours.
    public let train: any ImageDataset
    /// The labelled images it is scored on.
    public let validation: any ImageDataset
    /// The run's configuration: its image size, normalisation and the untrained backbone's seed.
    public let configuration: PretrainingConfiguration
    /// Loader threads (0: load on the calling thread).
    public var workerCount: Int

    public init(train: any ImageDataset, validation: any ImageDataset, configuration: PretrainingConfiguration,
                workerCount: Int = 2) {
        self.train = train
        self.validation = validation
        self.configuration = configuration
        self.workerCount = workerCount
    }

    /// The kNN top-1 of `pretrained` (a backbone of `configuration`'s architecture), of the
    /// untrained backbone a run of `configuration` starts from, and of the raw pixels.
    /// - Throws: `EvaluationError` when a set is unlabelled, the two name different classes or
    ///   hold no loadable image; `ConfigurationError` for an invalid configuration; loader errors.
    public func scores(pretrained: ResNet) throws -> Scores {
        let normalization = Normalization(mean: configuration.mean, standardDeviation: configuration.standardDeviation)
        let size = configuration.imageSize
        let monitor = try KNNMonitor(train: train, validation: validation, imageSize: size,
                                     normalization: normalization, workerCount: workerCount)
        let untrained = try CLSATrainer.initialBackbone(for: configuration)
        return Scores(
            pretrained: try monitor.top1Accuracy(of: PretrainedBackbone(network: pretrained, imageSize: size,
                                                                        normalization: normalization)),
            untrained: try monitor.top1Accuracy(of: PretrainedBackbone(network: untrained, imageSize: size,
                                                                       normalization: normalization)),
            rawPixels: try monitor.top1Accuracy(of: RawPixels(imageSize: size, normalization: normalization)))
    }
}
