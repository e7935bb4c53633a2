import Augment
import Dispatch
import Foundation
import TensorCore

/// A whole pretraining run: epochs of `DataLoader` batches (`CLSAViews`, the last short batch
/// dropped) through the `PretrainingTrainer` its objective needs (`CLSATrainer`, or
/// `SupervisedTrainer` for the supervised reference), with its records in the run folder:
///
/// - `config.json`: the configuration, the run settings and their provenance;
/// - `metrics.jsonl`: one record per step (`step`, `epoch`, `loss`, `loss_c`, `loss_d`, `lr`,
///   `images_per_s`) and one per epoch, each line written as it is made;
/// - `checkpoints/step-NNNNNNNN.safetensors`: every `saveEvery` steps (also mid-epoch), at each
///   epoch's end and on cancellation; the newest `keep` are kept.
///
/// **Exact resumption.** Every random draw is keyed by (seed, epoch, sample, view) or by the
/// step number, and a checkpoint holds the complete trainer state and the loader position, so
/// a run resumed from any checkpoint makes bit for bit the steps it would have made (at the
/// same thread count, whatever the worker count).
///
/// **Stopping.** A NaN or infinite loss throws `NonFiniteLossError` (naming the step) before
/// that step's update and without saving, so the last checkpoint stays the last good one.
/// `cancellation.cancel()` (Ctrl-C) makes the run save its position and return.
///
/// **Data parallelism.** With a `processGroup` of several ranks (`mpirun … --distributed mpi`,
/// or `--distributed threads`: replicas on the threads of this process),
/// each rank loads its share of every global batch (`DataShard`) and steps its trainer on it;
/// the ranks agree before each step that every one of them has a full batch (so a rank that
/// skipped broken images cannot desynchronise the others) and whether any was cancelled. Rank 0
/// alone writes the run folder (config, metrics, checkpoints); every rank runs the kNN monitor
/// given to it (`PretrainingPlan`'s is a collective, `KNNMonitor.top1Accuracy(of:sharedBy:)`);
/// every rank reads the checkpoint it resumes from, so it must be on a file system they share.
/// A run resumes on any number of ranks that divides `batchSize`, at the first global batch after the
/// furthest rank's position.
///
///     let run = try PretrainingRun(configuration: configuration, settings: settings, dataset: data,
///                              resume: .auto) { event in render(event) }
///     let summary = try run.run()
public final class PretrainingRun {
    /// Top-1 accuracy in [0, 1] of a kNN classifier on the backbone's features.
    public typealias KNNMonitor = (ResNet) throws -> Double

    /// Which checkpoint a run continues from.
    public enum Resume: Equatable, Sendable {
        /// The newest valid checkpoint of the run folder (a fresh start when there is none).
        case auto
        /// This checkpoint file, or the newest valid one of this run folder.
        case path(String)
    }

    /// The configuration given, with `keyShuffleGroups` resolved: what `config.json` and the
    /// checkpoints record, so they hold the number of groups even when the default rule chose it.
    public let configuration: PretrainingConfiguration
    public let settings: RunSettings
    /// The training images (already subset, if `settings.subset` is set).
    public let dataset: any ImageDataset
    /// Raise to stop the run after the current step, saving its position.
    public let cancellation = CancellationFlag()
    /// The ranks of the run (one process by default).
    public let processGroup: any ProcessGroup
    private let resume: Resume?
    private let knnMonitor: KNNMonitor?
    private let report: (PretrainingEvent) -> Void

    /// Steps after which the whole run's time is estimated.
    private static let estimateAfterSteps = 5

    /// - Throws: `ConfigurationError` when `configuration` cannot run on `processGroup`'s ranks
    ///   (`PretrainingConfiguration.resolving(ranks:)`).
    public init(configuration: PretrainingConfiguration, settings: RunSettings, dataset: any ImageDataset,
                resume: Resume? = nil, knnMonitor: KNNMonitor? = nil, processGroup: any ProcessGroup = SingleProcessGroup(),
                events: @escaping (PretrainingEvent) -> Void = { _ in }) throws {
        self.configuration = try configuration.resolving(ranks: processGroup.size)
        self.processGroup = processGroup
        self.settings = settings
        self.dataset = dataset
        self.resume = resume
        self.knnMonitor = knnMonitor
        self.report = events
    }

    /// The run folder's checkpoints.
    public var checkpoints: CheckpointDirectory { CheckpointDirectory(runDirectory: settings.runDirectory) }

    /// Runs (or continues) the run to its last epoch, or until cancelled.
    /// - Throws: `ConfigurationError` for bad settings or a run folder that already holds
    ///   another run; `ResumeMismatchError` / `CheckpointError` for a checkpoint that cannot be
    ///   resumed; `NonFiniteLossError`; `CheckpointError` / `FileWriteError` when saving fails.
    public func run() throws -> PretrainingSummary {
        try configuration.validate()
        try settings.validate()
        if !processGroup.ranksShareProcess { Threading.setThreadCount(settings.threads) }
        let loader = DataLoader(dataset: dataset, transform: try configuration.views(),
                                batchSize: configuration.batchSize / processGroup.size,
                                shuffle: true, dropLast: true, seed: configuration.seed, workerCount: settings.workers,
                                normalization: Normalization(mean: configuration.mean,
                                                             standardDeviation: configuration.standardDeviation),
                                shard: DataShard(rank: processGroup.rank, count: processGroup.size),
                                warningSink: { [report] in report(.warning($0)) })
        if configuration.objective == .supervised {
            try ConfigurationError.require(!dataset.classNames.isEmpty,
                                           "`objective` supervised needs labelled data (class folders, or fashion-mnist); '\(settings.data)' has no classes")
        }
        let trainer = try makePretrainingTrainer(configuration: configuration, stepsPerEpoch: loader.nominalBatchCount,
                                                 classCount: dataset.classNames.count, processGroup: processGroup)
        let resumed = try checkpointToResume { checkpoint in
            guard checkpoint.position.epochPosition <= dataset.count else {
                throw CheckpointError(file: checkpoint.path, "metadata 'epoch_position' \(checkpoint.position.epochPosition) lies "
                                      + "beyond the \(dataset.count) images of `data`")
            }
            try checkpoint.restore(into: trainer)
        }
        let start = resumed?.position ?? .start
        try checkRanksStartAlike(step: start.step)

        let metrics: MetricsLog?
        let provenance = RunProvenance.current
        if isLeader {
            try prepareRunDirectory()
            metrics = try MetricsLog(path: path("metrics.jsonl"), resumingAt: resumed.map { _ in start })
            try writeRunRecord(provenance: provenance, stepsPerEpoch: trainer.stepsPerEpoch, totalSteps: trainer.totalSteps,
                               resumedFrom: resumed?.path)
        } else {
            metrics = nil
        }
        report(.started(PretrainingStart(configuration: configuration, settings: settings, provenance: provenance,
                                         datasetCount: dataset.count, stepsPerEpoch: trainer.stepsPerEpoch,
                                         totalSteps: trainer.totalSteps,
                                         resumedFrom: resumed.map { ($0.path, $0.position) })))
        reportStartWarnings(resumedComplete: start.epoch >= configuration.epochs)

        var state = LoopState(position: start, lastSavedStep: resumed.map { _ in start.step },
                              lastCheckpoint: resumed?.path, clock: .now())
        if start.epochPosition > 0, let metrics {
            state.epochLosses = metrics.steps(inEpoch: start.epoch).map { ($0.loss, $0.lossContrastive, $0.lossDivergence) }
        }
        try recordInterruptedEpochEnd(resumingAt: start, metrics: metrics, trainer: trainer)
        while state.position.epoch < configuration.epochs {
            guard try runEpoch(loader: loader, trainer: trainer, metrics: metrics, state: &state) else {
                return summary(of: state, trainer: trainer, interrupted: true)
            }
        }
        return summary(of: state, trainer: trainer, interrupted: false)
    }

    /// What the loop carries from step to step.
    private struct LoopState {
        var position: RunPosition
        var lastSavedStep: Int?
        var lastCheckpoint: String?
        let clock: DispatchTime
        var stepsThisProcess = 0
        /// Samples skipped (unloadable images) by this process's epochs, an interrupted one included.
        var skippedThisProcess = 0
        var lastLoss: Float?
        /// (L, L_C, L_D) of the current epoch's steps, in step order.
        var epochLosses: [(loss: Float, contrastive: Float, divergence: Float)] = []
        /// Smoothed seconds per step, for the time left.
        var secondsPerStep: Double?
        /// Seconds since `clock` after this process's first step (the estimate leaves it out).
        var firstStepEnd: Double?

        var elapsed: Double { seconds(since: clock) }
    }

    /// Throws unless every rank starts at the same step: a rank that cannot read the checkpoint
    /// the others resume from would otherwise train a different model out of step with them.
    private func checkRanksStartAlike(step: Int) throws {
        let extremes = processGroup.minimum([step, -step])
        guard extremes[0] != -extremes[1] else { return }
        throw ConfigurationError("the processes start at different steps (from \(extremes[0]) to \(-extremes[1])): every "
                                 + "rank resumes from the checkpoint it finds, so `runDirectory` '\(settings.runDirectory)' "
                                 + "must be on a file system that all of them share")
    }

    /// Whether this process writes the run folder (rank 0).
    private var isLeader: Bool { processGroup.rank == 0 }

    /// What the ranks agree on before a step.
    private struct StepAgreement {
        /// Every rank has a full batch: the step happens (else the epoch ends).
        let everyRankHasBatch: Bool
        /// A rank was cancelled: the run saves and stops.
        let cancelled: Bool
        /// Where the epoch resumes after this step: the furthest rank's position.
        let resumePosition: Int
    }

    /// One collective over the ranks (nothing on one process).
    private func agree(batch: DataLoader.Batch?) -> StepAgreement {
        let local = [batch == nil ? 0 : 1, cancellation.isCancelled ? 0 : 1, -(batch?.endPosition ?? 0)]
        let agreed = processGroup.minimum(local)
        return StepAgreement(everyRankHasBatch: agreed[0] == 1, cancelled: agreed[1] == 0, resumePosition: -agreed[2])
    }

    /// Throws `ReplicaMismatchError` unless every rank's `replicatedState` has the same checksum.
    private func checkReplicas(of trainer: any PretrainingTrainer, step: Int) throws {
        guard processGroup.isDistributed else { return }
        let value = Int(trainer.replicatedState.reduce(UInt32(0)) { crc, tensor in
            crc32Of(UnsafeRawBufferPointer(start: tensor.data, count: tensor.count * MemoryLayout<Float>.size), continuing: crc)
        })
        let extremes = processGroup.minimum([value, -value])
        guard extremes[0] == -extremes[1] else { throw ReplicaMismatchError(step: step, ranks: processGroup.size) }
    }

    /// Runs the rest of epoch `state.position.epoch`. Returns false when cancelled (after saving).
    private func runEpoch(loader: DataLoader, trainer: any PretrainingTrainer, metrics: MetricsLog?,
                          state: inout LoopState) throws -> Bool {
        let epoch = state.position.epoch
        let iterator = loader.makeIterator(epoch: epoch, startPosition: state.position.epochPosition)
        let epochStart = DispatchTime.now()
        var stepEnd = epochStart, images = 0
        while true {
            let batch = cancellation.isCancelled ? nil : try iterator.next()
            let agreement = agree(batch: batch)
            if agreement.cancelled {
                state.skippedThisProcess += iterator.skippedCount
                try save(trainer, &state)
                return false
            }
            guard let batch, agreement.everyRankHasBatch else { break }
            let stepMetrics = try trainer.step(views: batch.views, labels: batch.labels)
            if settings.checkReplicas { try checkReplicas(of: trainer, step: stepMetrics.step) }
            let stepSeconds = seconds(since: stepEnd)
            stepEnd = .now()
            images += batch.count * processGroup.size
            state.stepsThisProcess += 1
            state.lastLoss = stepMetrics.loss
            state.position = RunPosition(epoch: epoch, step: stepMetrics.step, epochPosition: agreement.resumePosition)
            state.epochLosses.append((stepMetrics.loss, stepMetrics.lossContrastive, stepMetrics.lossDivergence))
            let imagesPerSecond = Double(batch.count * processGroup.size) / max(stepSeconds, 1e-9)
            try metrics?.append(.step(MetricsRecord.Step(stepMetrics, epoch: epoch,
                                                         imagesPerSecond: imagesPerSecond.rounded(toPlaces: 2))))
            reportProgress(stepMetrics, trainer: trainer, stepSeconds: stepSeconds, imagesPerSecond: imagesPerSecond,
                           state: &state)
            let epochEnds = dataset.count - agreement.resumePosition < configuration.batchSize
            if let saveEvery = settings.saveEvery, stepMetrics.step % saveEvery == 0, !epochEnds {
                try save(trainer, &state)
            }
        }
        let seconds = seconds(since: epochStart)
        state.skippedThisProcess += iterator.skippedCount
        let skipped = processGroup.sum(iterator.skippedCount)
        state.position = RunPosition(epoch: epoch + 1, step: trainer.completedSteps, epochPosition: 0)
        // Saved before the monitor runs, so that nothing it does can reach the checkpoint.
        try save(trainer, &state)
        try finishEpoch(epoch, trainer: trainer, losses: state.epochLosses, images: images, seconds: seconds,
                        skipped: skipped, metrics: metrics)
        state.epochLosses = []
        return true
    }

    /// After epoch `epoch`'s end-of-epoch checkpoint: the kNN monitor (when due) and the epoch's
    /// record, from its steps' `losses` and this process's `images` in `seconds`.
    private func finishEpoch(_ epoch: Int, trainer: any PretrainingTrainer,
                             losses: [(loss: Float, contrastive: Float, divergence: Float)],
                             images: Int, seconds: Double, skipped: Int, metrics: MetricsLog?) throws {
        let knnAccuracy = try monitorIfDue(epoch: epoch, trainer: trainer)
        let count = Double(max(losses.count, 1))
        let epochSummary = EpochSummary(
            epoch: epoch, step: trainer.completedSteps,
            meanLoss: losses.reduce(0.0) { $0 + Double($1.loss) } / count,
            meanContrastive: losses.reduce(0.0) { $0 + Double($1.contrastive) } / count,
            meanDivergence: losses.reduce(0.0) { $0 + Double($1.divergence) } / count,
            imagesPerSecond: (Double(images) / max(seconds, 1e-9)).rounded(toPlaces: 2),
            seconds: seconds.rounded(toPlaces: 3), skippedSamples: skipped, knnAccuracy: knnAccuracy)
        try metrics?.append(.epoch(epochSummary))
        report(.epochFinished(epochSummary))
    }

    /// A run stopped between an epoch's end-of-epoch checkpoint and its record (killed in the kNN
    /// monitor, say) resumes at the next epoch; this makes the missing record first, the monitor
    /// included, from the epoch's step records: their losses, and their images over the sum of
    /// their step times (as `PretrainingTimeline` counts them). Samples the stopped process
    /// skipped were not saved, so the record counts none. Every rank takes part, as in a
    /// collective monitor it must; the leader's metrics decide whether the record is missing.
    private func recordInterruptedEpochEnd(resumingAt start: RunPosition, metrics: MetricsLog?,
                                           trainer: any PretrainingTrainer) throws {
        var steps: [MetricsRecord.Step] = []
        if let metrics, start.epoch > 0, start.epochPosition == 0, !metrics.hasEpochRecord(start.epoch - 1) {
            let epochSteps = metrics.steps(inEpoch: start.epoch - 1)
            if epochSteps.last?.step == start.step { steps = epochSteps }
        }
        guard processGroup.sum(steps.isEmpty ? 0 : 1) > 0 else { return }
        let batchSize = Double(configuration.batchSize)
        let seconds = steps.reduce(0.0) { $0 + ($1.imagesPerSecond > 0 ? batchSize / $1.imagesPerSecond : 0) }
        try finishEpoch(start.epoch - 1, trainer: trainer,
                        losses: steps.map { ($0.loss, $0.lossContrastive, $0.lossDivergence) },
                        images: steps.count * configuration.batchSize, seconds: seconds, skipped: 0, metrics: metrics)
    }

    /// Progress for the front end, and the one-off estimate of the whole run's time.
    private func reportProgress(_ metrics: StepMetrics, trainer: any PretrainingTrainer, stepSeconds: Double,
                                imagesPerSecond: Double, state: inout LoopState) {
        let remainingSteps = trainer.totalSteps - metrics.step
        state.secondsPerStep = state.secondsPerStep.map { 0.8 * $0 + 0.2 * stepSeconds } ?? stepSeconds
        if state.firstStepEnd == nil { state.firstStepEnd = state.elapsed }
        let measured = state.stepsThisProcess - 1
        if measured == Self.estimateAfterSteps || (remainingSteps == 0 && measured < Self.estimateAfterSteps) {
            // The first step (buffer allocation, loader warm-up) is left out of the rate.
            let perStep = measured > 0 ? (state.elapsed - state.firstStepEnd!) / Double(measured) : state.elapsed
            let remaining = perStep * Double(remainingSteps)
            report(.estimate(totalSeconds: state.elapsed + remaining, remainingSeconds: remaining))
        }
        let stepInEpoch = metrics.step - state.position.epoch * trainer.stepsPerEpoch
        let perStep = state.secondsPerStep ?? stepSeconds
        report(.step(StepProgress(
            epoch: state.position.epoch, epochs: configuration.epochs, stepInEpoch: stepInEpoch,
            stepsPerEpoch: trainer.stepsPerEpoch, metrics: metrics, totalSteps: trainer.totalSteps,
            imagesPerSecond: imagesPerSecond,
            epochSecondsLeft: perStep * Double(max(0, trainer.stepsPerEpoch - stepInEpoch)),
            runSecondsLeft: perStep * Double(remainingSteps))))
    }

    /// Saves the trainer at `state.position` unless that step is already saved.
    private func save(_ trainer: any PretrainingTrainer, _ state: inout LoopState) throws {
        guard isLeader, state.lastSavedStep != state.position.step else { return }
        let file = try checkpoints.save(trainer, position: state.position, keep: settings.keep)
        state.lastSavedStep = state.position.step
        state.lastCheckpoint = file
        report(.checkpointSaved(path: file, position: state.position))
    }

    /// The kNN accuracy after epoch `epoch` (0-based), every `knnEvery` epochs and after the last.
    private func monitorIfDue(epoch: Int, trainer: any PretrainingTrainer) throws -> Double? {
        guard let knnMonitor, let every = settings.knnEvery,
              (epoch + 1) % every == 0 || epoch + 1 == configuration.epochs else { return nil }
        return try knnMonitor(trainer.backbone)
    }

    /// The checkpoint `resume` names, restored by `restore`, or nil for a fresh start. A folder's
    /// checkpoint that does not restore with a `CheckpointError` is skipped with a warning, as
    /// one that does not read.
    private func checkpointToResume(restore: (TrainingCheckpoint) throws -> Void) throws -> TrainingCheckpoint? {
        switch resume {
        case nil:
            if let newest = checkpoints.files().last {
                throw ConfigurationError("'\(settings.runDirectory)' already holds a run (checkpoint '\(newest.path)'); "
                                         + "to continue it, set `resume` to auto; otherwise choose another `runDirectory`")
            }
            return nil
        case .auto:
            let found = try checkpoints.newestUsable(warning: { report(.warning($0)) }, restore)
            if found == nil {
                report(.warning("no checkpoint in '\(checkpoints.path)' to resume: starting a fresh run"))
            }
            return found
        case .path(let path):
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ConfigurationError("`resume` '\(path)' does not exist")
            }
            guard isDirectory.boolValue else {
                let checkpoint = try TrainingCheckpoint(path: path)
                try restore(checkpoint)
                return checkpoint
            }
            guard let found = try CheckpointDirectory(runDirectory: path).newestUsable(warning: { report(.warning($0)) }, restore) else {
                throw ConfigurationError("`resume` '\(path)': no valid checkpoint in '\(path)/checkpoints'")
            }
            return found
        }
    }

    private func prepareRunDirectory() throws {
        do {
            try FileManager.default.createDirectory(atPath: settings.runDirectory, withIntermediateDirectories: true)
        } catch {
            throw FileWriteError(file: settings.runDirectory, reason: "cannot create the run folder: \(error.localizedDescription)")
        }
        checkpoints.removeStaleTemporaryFiles()
    }

    private func path(_ name: String) -> String {
        (settings.runDirectory as NSString).appendingPathComponent(name)
    }

    /// `config.json`: everything needed to understand, reproduce or resume the run.
    private func writeRunRecord(provenance: RunProvenance, stepsPerEpoch: Int, totalSteps: Int, resumedFrom: String?) throws {
        let record = RunRecord(configuration: configuration, effectiveLearningRate: configuration.effectiveLearningRate,
                               settings: settings, provenance: provenance, seed: configuration.seed,
                               datasetCount: dataset.count, stepsPerEpoch: stepsPerEpoch, totalSteps: totalSteps,
                               processes: processGroup.size, resumedFrom: resumedFrom)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let file = path("config.json")
        try FileWriteError.write(Array(try encoder.encode(record)) + [0x0A], to: file)
    }

    private struct RunRecord: Encodable {
        let configuration: PretrainingConfiguration
        let effectiveLearningRate: Double
        let settings: RunSettings
        let provenance: RunProvenance
        let seed: UInt64
        let datasetCount: Int
        let stepsPerEpoch: Int
        let totalSteps: Int
        /// Ranks of the data-parallel run (1: one process).
        let processes: Int
        let resumedFrom: String?
    }

    private func reportStartWarnings(resumedComplete: Bool) {
        #if DEBUG
        report(.warning("warning: this is a debug build; training runs many times slower than with "
                        + "`swift build -c release` (.build/release/clsa)"))
        #endif
        if configuration.queueSize >= dataset.count {
            report(.warning("warning: `queueSize` \(configuration.queueSize) is not smaller than the \(dataset.count) "
                            + "training images: the queue holds keys of the query's own image as negatives"))
        }
        if resumedComplete {
            report(.warning("the checkpoint's run has already completed its \(configuration.epochs) epochs"))
        }
    }

    private func summary(of state: LoopState, trainer: any PretrainingTrainer, interrupted: Bool) -> PretrainingSummary {
        PretrainingSummary(completedSteps: trainer.completedSteps, totalSteps: trainer.totalSteps,
                           completedEpochs: state.position.epoch,
                           finalLoss: state.lastLoss, seconds: state.elapsed, skippedSamples: state.skippedThisProcess,
                           lastCheckpoint: state.lastCheckpoint, interrupted: interrupted)
    }
}

/// Seconds since `start` on the monotonic clock.
private func seconds(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) * 1e-9
}

private extension Double {
    func rounded(toPlaces places: Int) -> Double {
        let scale = pow(10, Double(places))
        return (self * scale).rounded() / scale
    }
}
