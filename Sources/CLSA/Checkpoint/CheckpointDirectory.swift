import Foundation

/// A run's checkpoints: `RUN_DIR/checkpoints/step-00000123.safetensors`, one file per saved
/// step, of which the newest `keep` are kept.
///
///     let folder = CheckpointDirectory(runDirectory: "runs/fmnist")
///     try folder.save(trainer, position: position, keep: 2)
///     let latest = try folder.newestValid { print($0) }    // nil when there is none
public struct CheckpointDirectory {
    /// `RUN_DIR/checkpoints`.
    public let path: String

    /// The folder's name inside a run folder.
    public static let folderName = "checkpoints"

    private static let prefix = "step-", suffix = ".safetensors", digits = 8

    public init(runDirectory: String) {
        path = (runDirectory as NSString).appendingPathComponent(Self.folderName)
    }

    /// `step-00000123.safetensors` for step 123.
    public static func fileName(forStep step: Int) -> String {
        let number = String(step)
        return prefix + String(repeating: "0", count: max(0, digits - number.count)) + number + suffix
    }

    /// The path of step `step`'s checkpoint.
    public func file(forStep step: Int) -> String {
        (path as NSString).appendingPathComponent(Self.fileName(forStep: step))
    }

    /// The checkpoint files present, oldest step first (other files are ignored; a missing
    /// folder has none).
    public func files() -> [(step: Int, path: String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.compactMap { name -> (step: Int, path: String)? in
            guard name.hasPrefix(Self.prefix), name.hasSuffix(Self.suffix),
                  let step = Int(name.dropFirst(Self.prefix.count).dropLast(Self.suffix.count)) else { return nil }
            return (step, (path as NSString).appendingPathComponent(name))
        }.sorted { $0.step < $1.step }
    }

    /// The newest checkpoint that reads and validates. Damaged or truncated files are skipped,
    /// each with one `warning` line saying why.
    public func newestValid(warning: (String) -> Void) -> TrainingCheckpoint? {
        try? newestUsable(warning: warning) { _ in }
    }

    /// The newest checkpoint that reads, validates and that `use` takes without a
    /// `CheckpointError` (restoring it into a trainer, say, which checks every tensor's shape).
    /// Files that fail either way are skipped, each with one `warning` line saying why.
    /// - Throws: any other error `use` throws (a `ResumeMismatchError`, say), at once.
    public func newestUsable(warning: (String) -> Void, _ use: (TrainingCheckpoint) throws -> Void) throws -> TrainingCheckpoint? {
        for file in files().reversed() {
            do {
                let checkpoint = try TrainingCheckpoint(path: file.path)
                try use(checkpoint)
                return checkpoint
            } catch let error as CheckpointError {
                warning("warning: skipping \(error)")
            }
        }
        return nil
    }

    /// Saves `trainer` at `position` as `file(forStep: position.step)`, then removes all but
    /// the newest `keep` checkpoints.
    /// - Returns: the path written.
    /// - Throws: `CheckpointError` when the folder cannot be made or the write fails (a full
    ///   disk, say); the checkpoints already there are then untouched.
    @discardableResult
    public func save(_ trainer: any PretrainingTrainer, position: RunPosition, keep: Int,
                     provenance: RunProvenance = .current) throws -> String {
        precondition(keep >= 1, "CheckpointDirectory: keep must be at least 1, got \(keep)")
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw CheckpointError(file: path, "cannot create the checkpoint folder: \(error.localizedDescription)")
        }
        let destination = file(forStep: position.step)
        try TrainingCheckpoint.save(trainer, position: position, to: destination, provenance: provenance)
        for old in files().dropLast(keep) {
            try? FileManager.default.removeItem(atPath: old.path)
        }
        return destination
    }

    /// Removes temporary files that a killed save left behind (`.step-….safetensors.tmp-PID`).
    public func removeStaleTemporaryFiles() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        for name in names where name.hasPrefix("." + Self.prefix) && name.contains(Self.suffix + ".tmp-") {
            try? FileManager.default.removeItem(atPath: (path as NSString).appendingPathComponent(name))
        }
    }
}
