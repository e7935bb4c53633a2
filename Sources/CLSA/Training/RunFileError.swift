/// A run record (`config.json`, `metrics.jsonl`, the run folder) that could not be written.
public struct RunFileError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let reason: String

    public init(file: String, reason: String) {
        self.file = file
        self.reason = reason
    }

    public var description: String { "cannot write '\(file)': \(reason)" }

    /// Runs `body`, turning an `AtomicFile` failure into a `RunFileError` about `file`.
    static func rethrowing(_ file: String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as CheckpointError {
            throw RunFileError(file: file, reason: error.reason)
        }
    }
}
