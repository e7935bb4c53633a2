import ArgumentParser
import Augment
import CLSA
import Dispatch
import Foundation
import Reporting
import TensorCore

/// `clsa pretrain`: a CLSA (or MoCo v2) pretraining run, resumable from its checkpoints.
/// Flags left out take the `--preset`'s value, else the paper's default.
struct PretrainCommand: ParsableCommand, BLASWorkloadCommand {
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
    var strongSizes: CommaSeparated<Int>?

    @Option(help: "Weak query view sizes, comma-separated (the released code's multi-crop variant: one weak query per size, each adding L_C and supervising every strong view; default: one at --image-size).")
    var weakSizes: CommaSeparated<Int>?

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

    @Flag(inversion: .prefixedNo, help: "Score each query against every key of the batch, the other images' keys as extra negatives (the released code's logits).")
    var inBatchNegatives: Bool?

    @Flag(inversion: .prefixedNo, help: "Add the mirrored loss term, T as the query against the keys of T′ (the released code's --sym; one more key and query pass per step).")
    var symmetric: Bool?

    @Option(help: "τ, the temperature of the contrastive loss.")
    var tau: Double?

    @Option(help: "τ_D, the temperature of L_D's distributions (default: --tau).")
    var tauD: Double?

    @Option(help: "How the strong views enter the loss: clsa (L_C + β·L_D), strong-query (the strong view is the contrastive query), strong-contrastive (L_C + β·L_C of each strong view); or supervised (no contrastive learning: the backbone and a linear classifier trained with labels on view T, the ceiling of a study; score it with clsa evaluate).")
    var objective: PretrainingConfiguration.Objective?

    @Option(help: "The strong policy's 14 operations: paper (with Invert) or released (Identity instead of Invert, as the released code).")
    var strongPool: StrongAugmentation.Pool?

    @Option(help: "How each strong operation's magnitude is drawn: levels (1–9 of 10, as the released code) or continuous (uniform over the paper's ranges).")
    var strongMagnitudes: StrongAugmentation.MagnitudeSampling?

    @Option(help: "The Gaussian blur of the weak colour ops: paper (σ 0.1–2 px at every size), scaled (σ scaled by size/224) or off.")
    var blur: BlurPolicy?

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

    @Option(help: "How many of the newest checkpoints to keep (default: 2).")
    var keep: Int?

    @Option(help: "Data-parallel training: `threads` runs one replica of the model per --threads in this process, each stepping its share of every batch on one core (faster than one replica on several threads for small images; query BatchNorm per replica); `mpi` runs one per process of an MPI job: `mpirun -np N clsa pretrain --distributed mpi …` (needs a build with --traits MPI). --batch-size stays the global batch.")
    var distributed: DistributedBackend?

    @Flag(help: "With --distributed, compare a checksum of every rank's parameters, momentum buffers and queue after each step, and stop at the first difference.")
    var checkReplicas = false

    @Option(help: "How progress is shown: bar (redrawn in place) or lines (plain lines, as log files want). Default: a bar on a terminal, lines otherwise and on the ranks of an MPI job.")
    var progress: ProgressStyle?

    @Option(help: "Run the kNN monitor every N epochs (needs --val-data).")
    var knnEvery: Int?

    @Option(help: "Labelled data for the kNN monitor and the final probe: an image folder with class sub-folders, or fashion-mnist:test.")
    var valData: String?

    @Option(help: "What a finished run reports: knn (the kNN top-1 on --val-data of the pretrained backbone, of the untrained one it started from and of the raw pixels) or off.")
    var finalProbe: RunSettings.FinalProbe?

    func validate() throws {
        _ = try plan()
    }

    /// The configured network's (`PretrainingConfiguration.blasWorkload`).
    var blasWorkload: BLASWorkload { (try? plan())?.configuration.blasWorkload ?? .general }

    func run() throws {
        let plan = try plan()
        switch distributed {
        case nil:
            try train(plan, processGroup: SingleProcessGroup())
        case .mpi:
            Self.trainOrAbort(plan, processGroup: try DistributedBackend.mpiProcessGroup(), command: self)
        case .threads:
            let replicas = plan.settings.threads
            do {
                _ = try plan.configuration.resolving(ranks: replicas)
            } catch let error as ConfigurationError {
                throw ValidationError("--distributed threads runs \(replicas) replicas (--threads): \(error.message)")
            }
            try ThreadProcessGroup.run(replicas: replicas) { group in
                Self.trainOrAbort(plan, processGroup: group, command: self)
            }
        }
    }

    /// `train` on a rank of several: a rank that stopped calling the collectives would leave
    /// the others waiting, so any error ends the whole job, naming the rank.
    private static func trainOrAbort(_ plan: PretrainingPlan, processGroup: any ProcessGroup, command: PretrainCommand) {
        do {
            try command.train(plan, processGroup: processGroup)
        } catch {
            let message = error is ValidationError ? Clsa.message(for: error) : "\(error)"
            FileHandle.standardError.write(Data("clsa: rank \(processGroup.rank) of \(processGroup.size): \(FlagNames.translate(message))\n".utf8))
            processGroup.abort(status: 1)
        }
    }

    /// The run on this rank: rank 0 reports everything, the other ranks only their warnings.
    private func train(_ plan: PretrainingPlan, processGroup: any ProcessGroup) throws {
        let style = progress ?? .automatic(standardOutputIsTerminal: isatty(STDOUT_FILENO) != 0,
                                           environment: ProcessInfo.processInfo.environment)
        let reporter = PretrainingReporter(progress: style)
        let killStep = Self.testKillStep
        let rank = processGroup.rank
        let run: PretrainingRun
        do {
            run = try plan.makeRun(processGroup: processGroup) { event in
                if rank == 0 {
                    reporter.handle(event)
                } else if case .warning(let line) = event {
                    reporter.handle(.warning("rank \(rank): \(line)"))
                }
                if case .step(let progress) = event, progress.metrics.step == killStep, rank == Self.testKillRank {
                    kill(getpid(), SIGKILL)
                }
            }
        } catch let error as ConfigurationError {
            throw ValidationError(error.message)  // a missing or empty dataset is a usage error
        }
        // Ranks on threads of this process share its SIGINT: rank 0 takes it (the ranks agree
        // on cancellation before each step).
        let interruption = rank == 0 || !processGroup.ranksShareProcess ? InterruptHandler(cancellation: run.cancellation) : nil
        defer { interruption?.stop() }
        do {
            let summary = try run.run()
            guard rank == 0 else { return }
            try writeChart(runDirectory: plan.settings.runDirectory)
            reporter.finish(summary)
            if !summary.interrupted, let comparison = try plan.baselineComparison(train: run.dataset) {
                try reporter.report(comparison, runDirectory: plan.settings.runDirectory)
            }
        } catch {
            reporter.abandonLine()
            throw error
        }
    }

    /// For the resumption tests only: `CLSA_TEST_KILL_AFTER_STEP=N` makes the process (of a
    /// distributed run, rank `CLSA_TEST_KILL_RANK`, default 0) kill itself with SIGKILL once
    /// step N's metrics are written.
    private static let testKillStep = ProcessInfo.processInfo.environment["CLSA_TEST_KILL_AFTER_STEP"].flatMap { Int($0) }
    private static let testKillRank = ProcessInfo.processInfo.environment["CLSA_TEST_KILL_RANK"].flatMap { Int($0) } ?? 0

    /// The run the flags describe (`PretrainingPlan`: the preset, then each flag given).
    private func plan() throws -> PretrainingPlan {
        var o = PretrainingOverrides()
        o.architecture = arch
        o.baseWidth = baseWidth
        o.imageSize = imageSize
        o.strongSizes = strongSizes?.values
        o.weakSizes = weakSizes?.values
        o.objective = objective
        o.strongPool = strongPool
        o.strongMagnitudes = strongMagnitudes
        o.blur = blur
        o.epochs = epochs
        o.batchSize = batchSize
        o.learningRate = lr
        o.warmupEpochs = warmupEpochs
        o.momentum = momentum
        o.weightDecay = weightDecay
        o.queueSize = queueSize
        o.keyShuffleGroups = keyGroups
        o.queryGroups = queryGroups
        o.inBatchNegatives = inBatchNegatives
        o.symmetric = symmetric
        o.temperature = tau
        o.divergenceTemperature = tauD
        o.alpha = alpha
        o.beta = beta
        o.dimension = dim
        o.hidden = hidden
        o.seed = seed
        o.data = data
        o.subset = subset
        o.workers = workers
        o.threads = threads
        o.runDirectory = out
        o.resume = resume.map { $0 == "auto" ? .auto : .path($0) }
        o.saveEvery = saveEvery
        o.keep = keep
        o.knnEvery = knnEvery
        o.validationData = valData
        o.finalProbe = finalProbe
        o.checkReplicas = checkReplicas
        do {
            return try PretrainingPlan(preset: preset, overrides: o)
        } catch let error as ConfigurationError {
            throw ValidationError(error.message)
        }
    }

    /// Draws `RUN_DIR/metrics.png` (losses per step, kNN accuracy per epoch) from the run's records.
    private func writeChart(runDirectory: String) throws {
        let records = try JSONLines.read(MetricsRecord.self, contentsOf: runDirectory + "/metrics.jsonl").records
        try PNGOutput.write(TrainingCharts.pretraining(records.map(\.record)), to: runDirectory + "/metrics.png")
    }
}
