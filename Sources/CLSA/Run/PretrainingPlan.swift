import Augment
import Foundation
import TensorCore

/// A pretraining run worked out from a preset and a user's overrides: the one place where
/// "preset + flags" becomes a validated configuration, run settings, a run folder and the
/// checkpoint to resume, so that `clsa pretrain` and a library user get the same run.
///
/// Rules: the preset's configuration (the paper's defaults without one), then each override;
/// a new `imageSize` scales the preset's strong sizes in proportion unless `strongSizes` is
/// given; the data is the override's, else the preset's (with the preset's subset, validation
/// data and final probe, which belong to its data and so do not apply to other data); the run
/// folder is the override's, else the folder of the checkpoint or run folder being resumed,
/// else `runs/PRESET` (`runs/pretrain`).
///
///     var overrides = PretrainingOverrides()
///     overrides.epochs = 1
///     let plan = try PretrainingPlan(preset: "fashion-mnist-quick", overrides: overrides)
///     let summary = try plan.makeRun { event in print(event) }.run()
public struct PretrainingPlan {
    /// The preset the plan started from, if any.
    public let preset: PretrainingPreset?
    /// Validated.
    public let configuration: PretrainingConfiguration
    /// Validated.
    public let settings: RunSettings
    public let resume: PretrainingRun.Resume?

    /// Loader threads when no override gives them.
    public static let defaultWorkers = 2

    /// - Parameter preset: a preset's name (`PretrainingPreset.all`), or nil for the paper's defaults.
    /// - Throws: `ConfigurationError` naming the field at fault (`preset`, `data`, `resume`, …).
    public init(preset name: String? = nil, overrides: PretrainingOverrides) throws {
        let preset = try name.map { name in
            guard let preset = PretrainingPreset.named(name) else {
                throw ConfigurationError("unknown `preset` '\(name)'; presets: \(PretrainingPreset.all.map(\.name).joined(separator: ", "))")
            }
            return preset
        }
        var configuration = preset?.configuration ?? PretrainingConfiguration()
        overrides.apply(to: &configuration)
        guard let data = overrides.data ?? preset?.data else {
            throw ConfigurationError("`data` is required (an image folder, or fashion-mnist) unless the `preset` names it")
        }
        if case .path(let path) = overrides.resume, !FileManager.default.fileExists(atPath: path) {
            throw ConfigurationError("`resume` '\(path)' does not exist (give auto, a checkpoint file or a run folder)")
        }
        let runDirectory = overrides.runDirectory ?? overrides.resume.flatMap(Self.runDirectory(resuming:))
            ?? "runs/\(name ?? "pretrain")"
        // The preset's subset, validation data and final probe belong to its data.
        let ownData = overrides.data == nil ? preset : nil
        let settings = RunSettings(
            runDirectory: runDirectory, data: data, subset: overrides.subset ?? ownData?.subset,
            preset: name,
            workers: overrides.workers ?? Self.defaultWorkers, threads: overrides.threads ?? Threading.threadCount,
            saveEvery: overrides.saveEvery, keep: overrides.keep ?? 2, knnEvery: overrides.knnEvery,
            validationData: overrides.validationData ?? ownData?.validationData,
            finalProbe: overrides.finalProbe ?? ownData?.finalProbe, checkReplicas: overrides.checkReplicas ?? false)
        if settings.knnEvery != nil && settings.validationData == nil {
            throw ConfigurationError("`knnEvery` needs `validationData`")
        }
        if settings.finalProbe == .knn && settings.validationData == nil {
            throw ConfigurationError("`finalProbe` knn needs `validationData`")
        }
        try configuration.validate()
        try settings.validate()
        self.preset = preset
        self.configuration = configuration
        self.settings = settings
        resume = overrides.resume
    }

    /// The run folder a resumed checkpoint belongs to: a run folder itself, or the one holding
    /// `checkpoints/step-….safetensors`; nil for `auto` or a path that does not exist.
    static func runDirectory(resuming resume: PretrainingRun.Resume) -> String? {
        guard case .path(let path) = resume else { return nil }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return nil }
        if isDirectory.boolValue { return path }
        var folder = (path as NSString).deletingLastPathComponent
        if (folder as NSString).lastPathComponent == CheckpointDirectory.folderName {
            folder = (folder as NSString).deletingLastPathComponent
        }
        return folder.isEmpty ? "." : folder
    }

    /// The training images: `settings.data`, cut to `settings.subset` images of a permutation
    /// seeded by the configuration's seed.
    /// - Throws: `ConfigurationError` naming `data` or `subset` for a missing, empty or too small dataset.
    public func openDataset() throws -> any ImageDataset {
        let dataset: any ImageDataset
        do {
            dataset = try DatasetSpecifier(parsing: settings.data).open()
        } catch let error as DatasetError {
            throw ConfigurationError("`data`: \(error)")
        }
        guard let subset = settings.subset else { return dataset }
        guard subset <= dataset.count else {
            throw ConfigurationError("`subset` \(subset) exceeds the \(dataset.count) images of `data` '\(settings.data)'")
        }
        return DatasetSubset(dataset, count: subset, seed: configuration.seed)
    }

    /// The kNN monitor of `settings.knnEvery`: `settings.validationData` classified against
    /// `train` (the run's data) with the evaluation transform, its work shared by the ranks of
    /// `processGroup` (each of which runs it); nil when not asked for.
    /// - Throws: `ConfigurationError` naming `validationData`; `EvaluationError` for unlabelled data.
    public func knnMonitor(train: any ImageDataset,
                           sharedBy processGroup: any ProcessGroup = SingleProcessGroup()) throws -> PretrainingRun.KNNMonitor? {
        guard settings.knnEvery != nil else { return nil }
        let monitor = try KNNMonitor(train: train, validation: try openValidationData(), imageSize: configuration.imageSize,
                                     normalization: Normalization(mean: configuration.mean,
                                                                  standardDeviation: configuration.standardDeviation),
                                     workerCount: settings.workers)
        return { network in try monitor.top1Accuracy(of: network, sharedBy: processGroup) }
    }

    /// The comparison `settings.finalProbe` asks for: `settings.validationData` classified
    /// against `train` (the run's data); nil when not asked for.
    /// - Throws: `ConfigurationError` naming `validationData`; `EvaluationError` for unlabelled data.
    public func baselineComparison(train: any ImageDataset) throws -> BaselineComparison? {
        guard settings.finalProbe == .knn else { return nil }
        return BaselineComparison(train: train, validation: try openValidationData(), configuration: configuration,
                                  workerCount: settings.workers)
    }

    /// `settings.validationData`, opened.
    /// - Throws: `ConfigurationError` naming `validationData` when there is none or it cannot be opened.
    private func openValidationData() throws -> any ImageDataset {
        guard let validationData = settings.validationData else { throw ConfigurationError("`validationData` is not set") }
        do {
            return try DatasetSpecifier(parsing: validationData).open()
        } catch let error as DatasetError {
            throw ConfigurationError("`validationData`: \(error)")
        }
    }

    /// The run over `openDataset()` on this rank of `processGroup`, with the kNN monitor if
    /// asked for.
    public func makeRun(processGroup: any ProcessGroup = SingleProcessGroup(),
                        events: @escaping (PretrainingEvent) -> Void = { _ in }) throws -> PretrainingRun {
        let dataset = try openDataset()
        return try PretrainingRun(configuration: configuration, settings: settings, dataset: dataset, resume: resume,
                                  knnMonitor: try knnMonitor(train: dataset, sharedBy: processGroup),
                                  processGroup: processGroup, events: events)
    }
}
