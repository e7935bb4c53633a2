/// The container formats the project decodes, recognised by their leading bytes.
public enum ImageFormat: Sendable, Equatable {
    case jpeg
    case png

    /// The format whose signature `bytes` start with, or nil (file extensions are never consulted).
    public init?(signatureOf bytes: [UInt8]) {
        if bytes.starts(with: JPEGCodec.signature) {
            self = .jpeg
        } else if bytes.starts(with: PNGCodec.signature) {
            self = .png
        } else {
            return nil
        }
    }
}

/// Reads image files and decodes them to RGB by their signature, never by their extension.
///
/// Every error is an `ImageDecodingError` whose `file` is the path: `.empty` for a zero-byte
/// file, `.unreadable` when the path cannot be opened or read (missing, a directory, no
/// permission), `.unknownFormat` when the bytes are neither JPEG nor PNG, `.corrupt` for
/// truncated or damaged data, `.tooManyPixels` above `maximumPixels`.
///
/// A reader holds no codec state from one file to the next (each decode starts afresh), so a
/// damaged file cannot change how the next one decodes, and one reader may serve many threads.
///
///     let reader = ImageFileReader()
///     let image = try reader.read("train/cat/001.jpg")
public final class ImageFileReader: Sendable {
    /// Images with more pixels than this are refused before decoding.
    public let maximumPixels: Int

    public init(maximumPixels: Int = ImageLimits.defaultMaximumPixels) {
        self.maximumPixels = maximumPixels
    }

    /// Reads and decodes the file at `path`.
    /// - Parameter minimumSize: for JPEG files, the DCT-scaled decode of
    ///   `JPEGCodec.decode(_:minimumSize:maximumPixels:)`; PNG files are always full size.
    public func read(_ path: String, minimumSize: (width: Int, height: Int)? = nil) throws -> RGBImage {
        let bytes: [UInt8]
        do {
            bytes = try FileContents.bytes(atPath: path)
        } catch let failure as FileContents.ReadFailure {
            throw ImageDecodingError(file: path, reason: .unreadable(failure.reason))
        }
        do {
            return try decode(bytes, minimumSize: minimumSize)
        } catch var error as ImageDecodingError {
            error.file = path
            throw error
        }
    }

    /// Decodes bytes held in memory by their signature; errors have no `file`.
    public func decode(_ bytes: [UInt8], minimumSize: (width: Int, height: Int)? = nil) throws -> RGBImage {
        guard !bytes.isEmpty else { throw ImageDecodingError(reason: .empty) }
        switch ImageFormat(signatureOf: bytes) {
        case .jpeg: return try JPEGCodec.decode(bytes, minimumSize: minimumSize, maximumPixels: maximumPixels)
        case .png: return try PNGCodec.decode(bytes, maximumPixels: maximumPixels)
        case nil: throw ImageDecodingError(reason: .unknownFormat)
        }
    }
}
