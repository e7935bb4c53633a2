import Foundation

/// A run's progress against the time its steps took, read from its `metrics.jsonl` records:
/// each step's seconds are its batch over its images per second (data waits included; kNN
/// monitoring and checkpoint saves are not), summed in step order, so a run resumed across
/// processes counts every step exactly once.
///
///     let timeline = PretrainingTimeline(records: records.map(\.record), batchSize: 64)
///     timeline.trainingSeconds                          // the pretraining time to report
///     timeline.epochs.map { ($0.minutes, $0.knnAccuracy) }
public struct PretrainingTimeline: Equatable, Sendable {
    /// The state at an epoch's end.
    public struct EpochEnd: Equatable, Sendable {
        /// 1-based.
        public let epoch: Int
        public let step: Int
        /// Training seconds of the steps up to and including `step`.
        public let seconds: Double
        /// The kNN monitor's top-1 (percent) after this epoch, if it ran.
        public let knnAccuracy: Double?

        public var minutes: Double { seconds / 60 }
    }

    public let epochs: [EpochEnd]
    /// Training seconds of every recorded step.
    public let trainingSeconds: Double
    /// Steps recorded.
    public let steps: Int

    /// - Parameter batchSize: images per step (the run's `batchSize`; its last short batch is dropped).
    public init(records: [MetricsRecord], batchSize: Int) {
        var secondsAtStep: [Int: Double] = [:]
        var total = 0.0
        let steps = records.compactMap { record -> MetricsRecord.Step? in
            if case .step(let step) = record { return step } else { return nil }
        }.sorted { $0.step < $1.step }
        for step in steps {
            total += step.imagesPerSecond > 0 ? Double(batchSize) / step.imagesPerSecond : 0
            secondsAtStep[step.step] = total
        }
        epochs = records.compactMap { record in
            guard case .epoch(let summary) = record else { return nil }
            return EpochEnd(epoch: summary.epoch + 1, step: summary.step, seconds: secondsAtStep[summary.step] ?? total,
                            knnAccuracy: summary.knnAccuracy)
        }
        trainingSeconds = total
        self.steps = steps.count
    }
}

extension PretrainingTimeline {
    /// The timeline of the run in `runDirectory`: its `metrics.jsonl`, with the batch size from
    /// its `config.json`.
    /// - Throws: `ConfigurationError` naming the file that is missing or unreadable.
    public init(runDirectory: String) throws {
        let configPath = (runDirectory as NSString).appendingPathComponent("config.json")
        guard let data = FileManager.default.contents(atPath: configPath),
              let record = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let configuration = record["configuration"] as? [String: Any],
              let batchSize = configuration["batch_size"] as? Int, batchSize >= 1 else {
            throw ConfigurationError("'\(configPath)' is missing or has no configuration.batch_size: not a run folder")
        }
        let metricsPath = (runDirectory as NSString).appendingPathComponent("metrics.jsonl")
        guard FileManager.default.fileExists(atPath: metricsPath) else {
            throw ConfigurationError("'\(metricsPath)' does not exist: the run has recorded no steps")
        }
        self.init(records: try JSONLines.read(MetricsRecord.self, contentsOf: metricsPath).records.map(\.record),
                  batchSize: batchSize)
    }
}
