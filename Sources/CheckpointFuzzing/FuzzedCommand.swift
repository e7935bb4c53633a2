import Foundation

/// A `clsa` command that reads a checkpoint, as the fuzzing run gives it each variant.
package enum FuzzedCommand: String, CaseIterable, Sendable {
    case export
    case embed
    case linearEval = "linear-eval"
    /// `clsa pretrain --resume PATH`, continuing the fixture's run.
    case resumePath = "pretrain --resume PATH"
    /// `clsa pretrain --resume auto` in a run folder whose newest checkpoint is the variant and
    /// whose older one is the intact fixture: the variant must be skipped with a warning.
    case resumeAuto = "pretrain --resume auto"

    /// Where a command run reads and writes.
    package struct Paths: Sendable {
        /// The unlabelled images the fixture was pretrained on.
        package let data: String
        /// The same images in two class folders, for `linear-eval`.
        package let labelledData: String
        /// A scratch folder for the command's outputs, emptied before each run.
        package let output: String

        package init(data: String, labelledData: String, output: String) {
            self.data = data
            self.labelledData = labelledData
            self.output = output
        }
    }

    /// Empties `paths.output` and stages `checkpoint` (for `resumeAuto`, copied in as a run
    /// folder's newest checkpoint beside an older copy of `intact`).
    /// - Returns: the `clsa` arguments, and the path under which the command sees the checkpoint
    ///   (the path its messages name).
    package func prepare(checkpoint: String, intact: String, paths: Paths) throws -> (arguments: [String], checkpoint: String) {
        let files = FileManager.default
        try? files.removeItem(atPath: paths.output)
        try files.createDirectory(atPath: paths.output, withIntermediateDirectories: true)
        func output(_ name: String) -> String { (paths.output as NSString).appendingPathComponent(name) }
        let inference = ["--workers", "0", "--threads", "1", "--batch-size", "8"]
        switch self {
        case .export:
            return (["export", "--checkpoint", checkpoint, "--out", output("export.safetensors")], checkpoint)
        case .embed:
            return (["embed", "--checkpoint", checkpoint, "--data", paths.data, "--out", output("embed.safetensors")] + inference,
                    checkpoint)
        case .linearEval:
            return (["linear-eval", "--checkpoint", checkpoint, "--train-data", paths.labelledData,
                     "--val-data", paths.labelledData, "--epochs", "1"] + inference, checkpoint)
        case .resumePath:
            return (["pretrain", "--resume", checkpoint, "--data", paths.data, "--out", output("run")]
                    + CheckpointFixture.pretrainingFlags, checkpoint)
        case .resumeAuto:
            let run = output("run"), checkpoints = output("run/checkpoints")
            try files.createDirectory(atPath: checkpoints, withIntermediateDirectories: true)
            let newest = (checkpoints as NSString).appendingPathComponent("step-00000003.safetensors")
            try files.copyItem(atPath: intact, toPath: (checkpoints as NSString).appendingPathComponent("step-00000002.safetensors"))
            try files.copyItem(atPath: checkpoint, toPath: newest)
            return (["pretrain", "--resume", "auto", "--data", paths.data, "--out", run] + CheckpointFixture.pretrainingFlags,
                    newest)
        }
    }

    /// Copies the images of `data` into two class folders, `a` (the first half, in name order)
    /// and `b`, under `folder`, for `linear-eval`.
    package static func writeLabelledData(from data: String, to folder: String) throws {
        let files = FileManager.default
        let names = try files.contentsOfDirectory(atPath: data).filter { $0.hasSuffix(".png") }.sorted()
        for (index, name) in names.enumerated() {
            let classFolder = (folder as NSString).appendingPathComponent(index < names.count / 2 ? "a" : "b")
            try files.createDirectory(atPath: classFolder, withIntermediateDirectories: true)
            let destination = (classFolder as NSString).appendingPathComponent(name)
            try? files.removeItem(atPath: destination)
            try files.copyItem(atPath: (data as NSString).appendingPathComponent(name), toPath: destination)
        }
    }
}
