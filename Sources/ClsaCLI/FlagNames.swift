/// The one table from the library's field names to `clsa`'s flags. Library errors and warnings
/// name fields in backquotes (`` `batchSize` must be at least 2``); everything `clsa` prints
/// passes through `translate`, so a command-line user reads flags (`--batch-size must be at
/// least 2`). `CommandLineErrorTests` checks that each flag named this way exists.
enum FlagNames {
    /// Field (of `PretrainingConfiguration`, `RunSettings`, `PretrainingPlan`, `LinearEvaluationConfiguration`) → flag.
    static let flags: [String: String] = [
        "alpha": "--alpha",
        "architecture": "--arch",
        "baseWidth": "--base-width",
        "batchSize": "--batch-size",
        "beta": "--beta",
        "blur": "--blur",
        "data": "--data",
        "dimension": "--dim",
        "divergenceTemperature": "--tau-d",
        "epochs": "--epochs",
        "finalProbe": "--final-probe",
        "hidden": "--hidden",
        "imageSize": "--image-size",
        "inBatchNegatives": "--in-batch-negatives",
        "keep": "--keep",
        "keyShuffleGroups": "--key-groups",
        "knnEvery": "--knn-every",
        "checkReplicas": "--check-replicas",
        "learningRate": "--lr",
        "magnitude": "--magnitude",
        "momentum": "--momentum",
        "objective": "--objective",
        "preset": "--preset",
        "queryGroups": "--query-groups",
        "queueSize": "--queue-size",
        "resume": "--resume",
        "runDirectory": "--out",
        "saveEvery": "--save-every",
        "seed": "--seed",
        "strongMagnitudes": "--strong-magnitudes",
        "strongPool": "--strong-pool",
        "strongSizes": "--strong-sizes",
        "subset": "--subset",
        "symmetric": "--symmetric",
        "temperature": "--tau",
        "threads": "--threads",
        "validationData": "--val-data",
        "warmupEpochs": "--warmup-epochs",
        "weakSizes": "--weak-sizes",
        "weightDecay": "--weight-decay",
        "workerCount": "--workers",
        "workers": "--workers",
    ]

    /// `text` with each backquoted field that has a flag replaced by the flag; other backquoted
    /// names (settings no flag reaches, such as a preset's `mean`) keep their quotes.
    static func translate(_ text: String) -> String {
        var output = "", rest = Substring(text)
        while let open = rest.firstIndex(of: "`"),
              let close = rest[rest.index(after: open)...].firstIndex(of: "`") {
            let name = String(rest[rest.index(after: open)..<close])
            output += rest[..<open]
            output += flags[name] ?? "`\(name)`"
            rest = rest[rest.index(after: close)...]
        }
        return output + rest
    }
}
