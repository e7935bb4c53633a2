import Foundation

/// Why a checkpoint (safetensors) file could not be read, written or used. The description
/// names the file: `checkpoint 'run/ckpt-100.safetensors': truncated: …`, on one line (line
/// breaks that a damaged file's names or values carry into it are written as `\n` and `\r`).
public struct CheckpointError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let reason: String

    public init(file: String, _ reason: String) {
        self.file = file
        self.reason = reason
    }

    public var description: String {
        "checkpoint '\(file)': \(reason)"
            .replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "\r", with: "\\r")
    }
}
