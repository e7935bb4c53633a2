import Augment
import CZlib

/// What decoding one file gave: the image's size and the CRC-32 (zlib's, as Python's
/// `zlib.crc32`) of its RGB bytes, or the error's reason.
package enum DecodeOutcome: Equatable, Sendable, CustomStringConvertible {
    case decoded(width: Int, height: Int, crc32: UInt32)
    case rejected(String)

    /// Decodes the file at `path` with `reader`.
    package init(decoding path: String, with reader: ImageFileReader) {
        do {
            self.init(try reader.read(path))
        } catch let error as ImageDecodingError {
            self = .rejected(ImageDecodingError(reason: error.reason).description)
        } catch {
            self = .rejected("\(error)")
        }
    }

    /// The outcome of a successful decode to `image`.
    package init(_ image: RGBImage) {
        let crc = image.pixels.withUnsafeBufferPointer { pixels in
            crc32(0, pixels.baseAddress, UInt32(pixels.count))
        }
        self = .decoded(width: image.width, height: image.height, crc32: UInt32(crc))
    }

    package var isDecoded: Bool {
        if case .decoded = self { return true }
        return false
    }

    /// `decoded 45×35 crc 0x1a2b3c4d` or `rejected: <reason>`.
    package var description: String {
        switch self {
        case .decoded(let width, let height, let crc): return "decoded \(width)×\(height) crc \(String(crc, radix: 16))"
        case .rejected(let reason): return "rejected: \(reason)"
        }
    }
}
