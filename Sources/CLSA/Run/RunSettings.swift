/// How a pretraining run is carried out, beyond what the model learns: where its data and
/// records are, how it is parallelised and how often it saves. Recorded in `config.json`; none
/// of it changes a step's result except `threads` (reduction splits) and the data.
public struct RunSettings: Codable, Equatable, Sendable {
    /// The run folder: `config.json`, `metrics.jsonl`, `checkpoints/`.
    public var runDirectory: String
    /// `--data` as given: `fashion-mnist` or an image folder.
    public var data: String
    /// Train on the first `subset` images of a seeded permutation of the data (nil: all).
    public var subset: Int?
    /// The preset the configuration started from, if any.
    public var preset: String?
    /// Loader worker threads (decode + augment; 0: load on the calling thread); the results do
    /// not depend on it.
    public var workers: Int
    /// Threads of OpenBLAS and the parallel loops.
    public var threads: Int
    /// Save a checkpoint every this many steps, also mid-epoch (nil: at epoch ends only).
    public var saveEvery: Int?
    /// Checkpoints kept (the newest).
    public var keep: Int
    /// Run the kNN monitor every this many epochs (nil: never).
    public var knnEvery: Int?
    /// Labelled data the kNN monitor evaluates on.
    public var validationData: String?
    /// The probe that ends the run (nil: none, as `.off`).
    public var finalProbe: FinalProbe?
    /// On several processes, compare a checksum of every rank's replicated state (parameters,
    /// momentum buffers, queue) after each step, and stop the run at the first difference.
    public var checkReplicas: Bool

    public init(runDirectory: String, data: String, subset: Int? = nil, preset: String? = nil, workers: Int = 2,
                threads: Int, saveEvery: Int? = nil, keep: Int = 2, knnEvery: Int? = nil, validationData: String? = nil,
                finalProbe: FinalProbe? = nil, checkReplicas: Bool = false) {
        self.runDirectory = runDirectory
        self.data = data
        self.subset = subset
        self.preset = preset
        self.workers = workers
        self.threads = threads
        self.saveEvery = saveEvery
        self.keep = keep
        self.knnEvery = knnEvery
        self.validationData = validationData
        self.finalProbe = finalProbe
        self.checkReplicas = checkReplicas
    }

    /// Checks the settings, naming the field at fault.
    public func validate() throws {
        if let subset, subset < 1 { throw ConfigurationError("`subset` must be at least 1, got \(subset)") }
        guard workers >= 0 else {
            throw ConfigurationError("`workers` must be at least 0 (0: load on the calling thread), got \(workers)")
        }
        guard threads >= 1 else { throw ConfigurationError("`threads` must be at least 1, got \(threads)") }
        if let saveEvery, saveEvery < 1 { throw ConfigurationError("`saveEvery` must be at least 1, got \(saveEvery)") }
        guard keep >= 1 else { throw ConfigurationError("`keep` must be at least 1, got \(keep)") }
        if let knnEvery, knnEvery < 1 { throw ConfigurationError("`knnEvery` must be at least 1, got \(knnEvery)") }
    }

    enum CodingKeys: String, CodingKey {
        case runDirectory = "run_directory", data, subset, preset, workers, threads
        case saveEvery = "save_every", keep, knnEvery = "knn_every", validationData = "val_data"
        case finalProbe = "final_probe", checkReplicas = "check_replicas"
    }

    /// What a finished run reports beyond its losses.
    public enum FinalProbe: String, Codable, CaseIterable, Sendable {
        /// Nothing.
        case off
        /// `BaselineComparison`: the kNN top-1 of the pretrained backbone, of the untrained one
        /// it started from and of the raw pixels on `validationData`, against the run's data.
        case knn
    }
}
