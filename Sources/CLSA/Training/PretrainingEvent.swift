/// What a `PretrainingRun` reports as it goes, for a front end to render (the CLI draws a
/// progress bar on a terminal and plain lines otherwise). The run's records on disk
/// (`metrics.jsonl`, `config.json`) do not depend on how these are shown.
public enum PretrainingEvent {
    /// Before the first step.
    case started(PretrainingStart)
    /// Something the user should know that does not stop the run (one line).
    case warning(String)
    /// The whole run's expected wall time, from the first steps' speed (sent once).
    case estimate(totalSeconds: Double, remainingSeconds: Double)
    /// After each step (and its metrics record).
    case step(StepProgress)
    /// A checkpoint was written.
    case checkpointSaved(path: String, position: RunPosition)
    /// After each epoch (and its metrics record, the kNN accuracy included).
    case epochFinished(EpochSummary)
}

/// The run as it starts.
public struct PretrainingStart {
    public let configuration: PretrainingConfiguration
    public let settings: RunSettings
    public let provenance: RunProvenance
    /// Images in the (possibly subset) training data.
    public let datasetCount: Int
    public let stepsPerEpoch: Int
    public let totalSteps: Int
    /// The checkpoint resumed from and its position; nil for a fresh start.
    public let resumedFrom: (path: String, position: RunPosition)?
}

/// One step, as the progress bar shows it.
public struct StepProgress {
    /// 0-based.
    public let epoch: Int
    public let epochs: Int
    /// 1-based step within the epoch.
    public let stepInEpoch: Int
    public let stepsPerEpoch: Int
    public let metrics: StepMetrics
    public let totalSteps: Int
    /// Images per second of this step, data waits included.
    public let imagesPerSecond: Double
    /// Expected seconds to the end of the epoch and of the run, from the recent step times.
    public let epochSecondsLeft: Double
    public let runSecondsLeft: Double
}

/// One finished epoch; also its record in `metrics.jsonl` (`MetricsRecord.epoch`).
public struct EpochSummary: Codable, Equatable, Sendable {
    /// 0-based.
    public let epoch: Int
    /// Steps completed at its end.
    public let step: Int
    /// Means over the epoch's steps (a resumed epoch's earlier steps included).
    public let meanLoss: Double
    public let meanContrastive: Double
    public let meanDivergence: Double
    /// Over the steps this process ran.
    public let imagesPerSecond: Double
    public let seconds: Double
    /// Samples skipped because their image could not be loaded.
    public let skippedSamples: Int
    /// The kNN monitor's top-1 accuracy in percent, when it ran.
    public let knnAccuracy: Double?

    enum CodingKeys: String, CodingKey {
        case epoch, step, meanLoss = "loss", meanContrastive = "loss_c", meanDivergence = "loss_d"
        case imagesPerSecond = "images_per_s", seconds, skippedSamples = "skipped", knnAccuracy = "knn_top1"
    }
}

/// How a run ended.
public struct PretrainingSummary {
    public let completedSteps: Int
    public let totalSteps: Int
    /// Epochs fully completed.
    public let completedEpochs: Int
    /// The last step's loss (nil when this process ran no step).
    public let finalLoss: Float?
    /// Wall time of this process's part of the run.
    public let seconds: Double
    /// Samples skipped because their image could not be loaded, over the epochs this process
    /// ran (an interrupted one up to where it stopped); earlier processes' are in `metrics.jsonl`.
    public let skippedSamples: Int
    /// The newest checkpoint written (nil when none was).
    public let lastCheckpoint: String?
    /// Whether the run stopped early on a cancellation (Ctrl-C), after saving.
    public let interrupted: Bool
}
