import Augment
import CLSA
import Foundation

/// Writes an image the CLI produced as a PNG file.
enum PNGOutput {
    /// Encodes `image` and writes it to `path`, replacing any file there.
    /// - Throws: `FileWriteError` naming `path` when it cannot be written.
    static func write(_ image: RGBImage, to path: String) throws {
        let bytes = try PNGCodec.encode(image)
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        } catch {
            throw FileWriteError(file: path, reason: (error as NSError).localizedFailureReason ?? error.localizedDescription)
        }
    }
}
