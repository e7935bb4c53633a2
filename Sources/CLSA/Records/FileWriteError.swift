import Foundation

/// A file the program writes (a run record, a chart, an output) that could not be written;
/// `description` names it: `cannot write 'runs/a/metrics.jsonl': No space left on device`.
public struct FileWriteError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let reason: String

    public init(file: String, reason: String) {
        self.file = file
        self.reason = reason
    }

    public var description: String { "cannot write '\(file)': \(reason)" }

    /// Writes `bytes` to `file` atomically (`AtomicFile`): the old contents or the new, never half.
    public static func write(_ bytes: [UInt8], to file: String) throws {
        do {
            try AtomicFile.write(bytes, to: file)
        } catch let error as CheckpointError {
            throw FileWriteError(file: file, reason: error.reason)
        }
    }
}
