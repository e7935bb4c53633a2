import Augment
import TensorCore

/// Top-1 and top-5 accuracy (percent) of a classifier on `count` labelled images.
public struct ClassifierAccuracy: Equatable, Sendable {
    public let top1: Double
    public let top5: Double
    /// Images scored (those that failed to load are skipped, each with a warning).
    public let count: Int
}

/// The supervised arm's own score: a supervised run's checkpoint (`objective` supervised)
/// classifies a labelled set with its backbone (BatchNorm in eval mode, the evaluation view:
/// resize and centre crop at the run's image size) and its `fc` — no probe is trained.
///
///     let accuracy = try SupervisedClassifierEvaluation.evaluate(
///         checkpoint: "runs/supervised/checkpoints/step-00007496.safetensors", on: testSet)
public enum SupervisedClassifierEvaluation {
    /// - Throws: `CheckpointError` for an unreadable checkpoint or one of another objective;
    ///   `EvaluationError` for an unlabelled set, one with another number of classes, or one
    ///   whose images all fail to load.
    public static func evaluate(checkpoint path: String, on dataset: any ImageDataset, batchSize: Int = 256,
                                workerCount: Int = 1,
                                warningSink: @escaping DataLoader.WarningSink = DataLoader.standardErrorSink) throws -> ClassifierAccuracy {
        let checkpoint = try TrainingCheckpoint(path: path)
        guard let trainer = try checkpoint.makeTrainer() as? SupervisedTrainer else {
            throw CheckpointError(file: path, "is a checkpoint of objective \(checkpoint.configuration.objective.rawValue), "
                                  + "not of a supervised run: it has no classifier to evaluate")
        }
        guard !dataset.classNames.isEmpty else { throw EvaluationError.unlabelledDataset(role: "evaluation") }
        guard dataset.classNames.count == trainer.classCount else {
            throw EvaluationError.classCountMismatch(classifier: trainer.classCount, dataset: dataset.classNames.count)
        }
        let configuration = trainer.configuration
        let backbone = PretrainedBackbone(network: trainer.network, imageSize: configuration.imageSize,
                                          normalization: Normalization(mean: configuration.mean,
                                                                       standardDeviation: configuration.standardDeviation))
        let extracted = try FeatureExtractor(backbone: backbone, batchSize: batchSize, workerCount: workerCount,
                                             warningSink: warningSink).extract(dataset)
        let logits = withoutGradients { trainer.network.fc!(extracted.features) }
        let counts = topKCorrectCounts(logits: logits, labels: extracted.classLabels!, ks: [1, 5])
        return ClassifierAccuracy(top1: 100 * Double(counts[0]) / Double(extracted.count),
                                  top5: 100 * Double(counts[1]) / Double(extracted.count), count: extracted.count)
    }
}
