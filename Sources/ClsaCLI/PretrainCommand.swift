import ArgumentParser
import Augment
import CLSA
import Dispatch
import Foundation
import TensorCore

/// `clsa pretrain`: a CLSA (or MoCo v2) pretraining run, resumable from its checkpoints.
/// Flags left out take the `--preset`'s value, else the paper's default.
struct PretrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain",
        abstract: "Pretrain a ResNet with CLSA (contrastive learning with stronger augmentations).",
        discussion: """
            Defaults are the paper's CLSA-Single (ResNet-50 at 224 px, strong view 96 px, K 65536, \
            batch 256, lr 0.03·batch/256 with cosine decay, 200 epochs). Presets (flags override them):
            \(PretrainingPreset.all.map { "  \($0.name): \($0.summary)" }.joined(separator: "\n"))

            The run folder (--out) receives config.json, metrics.jsonl (one record per step and per \
            epoch) and checkpoints/step-NNNNNNNN.safetensors. Ctrl-C saves a checkpoint and exits; \
            --resume auto continues from the newest valid checkpoint, bit for bit as if never stopped \
            (at the same --threads).
            """)

    @Option(help: "A preset: \(PretrainingPreset.all.map(\.name).joined(separator: ", ")).")
    var preset: String?

    @Option(help: "The training images: an image folder, or fashion-mnist (the Debian package's IDX files).")
    var data: String?

    @Option(help: "Train on the first N images of a seeded permutation of the data.")
    var subset: Int?

    @Option(help: "The backbone (-small: the small-image stem for 28–64 px images).")
    var arch: ResNetArchitecture?

    @Option(help: "Channels of the backbone's stem (64 in torchvision; smaller is narrower and faster).")
    var baseWidth: Int?

    @Option(help: "Side of the weak views T and T′ in pixels.")
    var imageSize: Int?

    @Option(help: "Strong view sizes, comma-separated: 96 (CLSA-Single) or 224,192,160,128,96 (CLSA-Multi).")
    var strongSizes: String?

    @Option(help: "Weak query view sizes, comma-separated (the released code's multi-crop variant: one weak query per size, each adding L_C and supervising every strong view; default: one at --image-size).")
    var weakSizes: String?

    @Option(help: "Epochs.")
    var epochs: Int?

    @Option(help: "Images per step.")
    var batchSize: Int?

    @Option(help: "Base learning rate, absolute (default 0.03·batch/256); decays by a cosine per step.")
    var lr: Double?

    @Option(help: "Epochs of linear learning-rate warm-up before the cosine decay.")
    var warmupEpochs: Int?

    @Option(help: "SGD momentum.")
    var momentum: Double?

    @Option(help: "SGD weight decay.")
    var weightDecay: Double?

    @Option(help: "K, the number of queued negative keys (a multiple of --batch-size).")
    var queueSize: Int?

    @Option(help: "BatchNorm groups of the key encoder's shuffle-BN (default: the largest divisor of --batch-size that is at most 8).")
    var keyGroups: Int?

    @Option(help: "BatchNorm groups of the query encoder (1: the whole batch; N: as N data-parallel workers would).")
    var queryGroups: Int?

    @Option(help: "τ, the temperature of the contrastive loss.")
    var tau: Double?

    @Option(help: "τ_D, the temperature of L_D's distributions (default: --tau).")
    var tauD: Double?

    @Option(help: "How the strong views enter the loss: clsa (L_C + β·L_D), strong-query (the strong view is the contrastive query), strong-contrastive (L_C + β·L_C of each strong view).")
    var objective: PretrainingConfiguration.Objective?

    @Option(help: "The strong policy's 14 operations: paper (with Invert) or released (Identity instead of Invert, as the released code).")
    var strongPool: StrongAugmentation.Pool?

    @Option(help: "How each strong operation's magnitude is drawn: levels (1–9 of 10, as the released code) or continuous (uniform over the paper's ranges).")
    var strongMagnitudes: StrongAugmentation.MagnitudeSampling?

    @Option(help: "α, the key encoder's momentum.")
    var alpha: Double?

    @Option(help: "β, the weight of the distributional divergence loss L_D (0: MoCo v2).")
    var beta: Double?

    @Option(help: "Embedding size of the projection head.")
    var dim: Int?

    @Option(help: "Hidden width of the projection head (default: the backbone's feature size).")
    var hidden: Int?

    @Option(help: "Data loader worker threads (0: load on the calling thread; results do not depend on it).")
    var workers: Int?

    @Option(help: "Threads for OpenBLAS and the parallel loops (default: all cores). Losses are bitwise reproducible at a fixed value.")
    var threads: Int?

    @Option(help: "The random seed.")
    var seed: UInt64?

    @Option(help: "The run folder (default: the resumed checkpoint's, else runs/PRESET or runs/pretrain).")
    var out: String?

    @Option(help: "Continue a run: 'auto' (the newest valid checkpoint in --out), a checkpoint file or a run folder.")
    var resume: String?

    @Option(help: "Save a checkpoint every N steps, also mid-epoch (default: at the end of each epoch only).")
    var saveEvery: Int?

    @Option(help: "How many of the newest checkpoints to keep.")
    var keep = 2

    @Option(help: "Run the kNN monitor every N epochs (needs --val-data).")
    var knnEvery: Int?

    @Option(help: "Labelled data for the kNN monitor: an image folder with class sub-folders, or fashion-mnist:test.")
    var valData: String?

    /// For the resumption test: the process kills itself with SIGKILL once step N's metrics are written.
    @Option(help: .hidden)
    var debugKillAfterStep: Int?

    func validate() throws {
        if let preset, PretrainingPreset.named(preset) == nil {
            throw ValidationError("unknown --preset '\(preset)'; presets: \(PretrainingPreset.all.map(\.name).joined(separator: ", "))")
        }
        let (configuration, settings) = try resolved()
        do {
            try configuration.validate()
            try settings.validate()
        } catch let error as ConfigurationError {
            throw ValidationError(error.message)
        }
        if knnEvery != nil && valData == nil { throw ValidationError("--knn-every needs --val-data") }
        if let resume, resume != "auto", !FileManager.default.fileExists(atPath: resume) {
            throw ValidationError("--resume '\(resume)' does not exist (give 'auto', a checkpoint file or a run folder)")
        }
    }

    func run() throws {
        let (configuration, settings) = try resolved()
        let dataset = try openDataset(settings, seed: configuration.seed)
        let reporter = PretrainingReporter(isTerminal: isatty(STDOUT_FILENO) != 0)
        let killStep = debugKillAfterStep
        let run = PretrainingRun(configuration: configuration, settings: settings, dataset: dataset,
                                 resume: resume.map { $0 == "auto" ? .auto : .path($0) },
                                 knnMonitor: try knnMonitor(configuration, settings, train: dataset)) { event in
            reporter.handle(event)
            if case .step(let progress) = event, progress.metrics.step == killStep { kill(getpid(), SIGKILL) }
        }
        let interruption = InterruptHandler(cancellation: run.cancellation)
        defer { interruption.stop() }
        do {
            let summary = try run.run()
            try writeChart(runDirectory: settings.runDirectory)
            reporter.finish(summary)
        } catch {
            reporter.abandonLine()
            throw error
        }
    }

    /// The configuration and run settings: the preset (or the paper's defaults), then the flags.
    private func resolved() throws -> (PretrainingConfiguration, RunSettings) {
        let base = preset.flatMap(PretrainingPreset.named)
        var c = base?.configuration ?? PretrainingConfiguration()
        if let arch { c.architecture = arch }
        if let baseWidth { c.baseWidth = baseWidth }
        if let imageSize {
            // Without --strong-sizes, the strong views keep their proportion to the weak ones.
            let scale = Double(imageSize) / Double(c.imageSize)
            c.strongSizes = c.strongSizes.map { max(4, Int((Double($0) * scale).rounded())) }
            c.imageSize = imageSize
        }
        if let strongSizes { c.strongSizes = try Self.parseSizes(strongSizes, flag: "--strong-sizes") }
        if let weakSizes { c.weakSizes = try Self.parseSizes(weakSizes, flag: "--weak-sizes") }
        if let epochs { c.epochs = epochs }
        if let batchSize { c.batchSize = batchSize }
        if let lr { c.learningRate = lr }
        if let warmupEpochs { c.warmupEpochs = warmupEpochs }
        if let momentum { c.momentum = momentum }
        if let weightDecay { c.weightDecay = weightDecay }
        if let queueSize { c.queueSize = queueSize }
        if let keyGroups { c.keyShuffleGroups = keyGroups }
        if let queryGroups { c.queryGroups = queryGroups }
        if let tau { c.temperature = tau }
        if let tauD { c.divergenceTemperature = tauD }
        if let objective { c.objective = objective }
        if let strongPool { c.strongPool = strongPool }
        if let strongMagnitudes { c.strongMagnitudes = strongMagnitudes }
        if let alpha { c.alpha = alpha }
        if let beta { c.beta = beta }
        if let dim { c.dimension = dim }
        if let hidden { c.hidden = hidden }
        if let seed { c.seed = seed }
        guard let data = data ?? base?.data else {
            throw ValidationError("--data is required (an image folder, or fashion-mnist) unless a --preset names it")
        }
        let settings = RunSettings(
            runDirectory: out ?? resumedRunDirectory ?? "runs/\(preset ?? "pretrain")", data: data, subset: subset ?? base?.subset,
            preset: preset, workers: workers ?? 2, threads: threads ?? Threading.threadCount,
            saveEvery: saveEvery, keep: keep, knnEvery: knnEvery, validationData: valData)
        return (c, settings)
    }

    /// The run folder of `--resume PATH`: the folder itself, or the one holding
    /// `checkpoints/step-….safetensors`.
    private var resumedRunDirectory: String? {
        guard let resume, resume != "auto" else { return nil }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resume, isDirectory: &isDirectory) else { return nil }
        if isDirectory.boolValue { return resume }
        var folder = (resume as NSString).deletingLastPathComponent
        if (folder as NSString).lastPathComponent == "checkpoints" { folder = (folder as NSString).deletingLastPathComponent }
        return folder.isEmpty ? "." : folder
    }

    /// "224,192,160" → [224, 192, 160].
    private static func parseSizes(_ text: String, flag: String) throws -> [Int] {
        let sizes = text.split(separator: ",", omittingEmptySubsequences: false).map {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        guard !sizes.isEmpty, sizes.allSatisfy({ $0 != nil }) else {
            throw ValidationError("\(flag) must be comma-separated whole numbers, got '\(text)'")
        }
        return sizes.map { $0! }
    }

    /// The training data, subset if asked. A missing or empty dataset is a usage error.
    private func openDataset(_ settings: RunSettings, seed: UInt64) throws -> any ImageDataset {
        do {
            let dataset = try DatasetSpecifier(parsing: settings.data).open()
            guard let subset = settings.subset else { return dataset }
            guard subset <= dataset.count else {
                throw ValidationError("--subset \(subset) exceeds the \(dataset.count) images of --data '\(settings.data)'")
            }
            return DatasetSubset(dataset, count: subset, seed: seed)
        } catch let error as DatasetError {
            throw ValidationError("--data: \(error)")
        }
    }

    /// The kNN monitor for `--knn-every`: the `--val-data` set classified against the training
    /// data (the run's `--data`, subset included) with the evaluation transform.
    private func knnMonitor(_ configuration: PretrainingConfiguration, _ settings: RunSettings,
                            train: any ImageDataset) throws -> PretrainingRun.KNNMonitor? {
        guard settings.knnEvery != nil, let validationData = settings.validationData else { return nil }
        let validation: any ImageDataset
        do {
            validation = try DatasetSpecifier(parsing: validationData).open()
        } catch let error as DatasetError {
            throw ValidationError("--val-data: \(error)")
        }
        let monitor = try KNNMonitor(train: train, validation: validation, imageSize: configuration.imageSize,
                                     normalization: Normalization(mean: configuration.mean,
                                                                  standardDeviation: configuration.standardDeviation),
                                     workerCount: settings.workers)
        return { network in try monitor.top1Accuracy(of: network) }
    }

    /// Draws `RUN_DIR/metrics.png` (losses per step, kNN accuracy per epoch) from the run's records.
    private func writeChart(runDirectory: String) throws {
        let log = try PretrainingMetricsLog(contentsOf: runDirectory + "/metrics.jsonl")
        try PNGOutput.write(TrainingCharts.pretraining(log), to: runDirectory + "/metrics.png")
    }
}

/// Ctrl-C during a run: the first asks the run to save and stop after its current step; a
/// second quits at once (the last checkpoint stays intact, as after a kill).
final class InterruptHandler {
    private let source: DispatchSourceSignal
    private var count = 0

    init(cancellation: CancellationFlag) {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [unowned self] in
            count += 1
            if count > 1 { Foundation.exit(130) }
            cancellation.cancel()
            FileHandle.standardError.write(Data(
                "\nclsa: interrupted: saving a checkpoint after this step (Ctrl-C again to quit at once)\n".utf8))
        }
        source.resume()
    }

    /// Restores the default SIGINT behaviour.
    func stop() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
