import Augment
import Foundation

/// Writes an image the CLI produced as a PNG file.
enum PNGOutput {
    /// Encodes `image` and writes it to `path`, replacing any file there.
    /// - Throws: `OutputFileError` naming `path` when it cannot be written.
    static func write(_ image: RGBImage, to path: String) throws {
        let bytes = try PNGCodec.encode(image)
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        } catch {
            throw OutputFileError(path: path, reason: (error as NSError).localizedFailureReason ?? error.localizedDescription)
        }
    }
}

/// An output file that could not be written; `description` names it.
struct OutputFileError: Error, CustomStringConvertible {
    let path: String
    let reason: String

    var description: String { "cannot write '\(path)': \(reason)" }
}
