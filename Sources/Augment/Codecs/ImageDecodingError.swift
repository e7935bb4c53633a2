/// Why an image could not be read. `description` is one line naming the file when known:
/// `cannot decode 'a/b.jpg': truncated JPEG data`.
public struct ImageDecodingError: Error, CustomStringConvertible, Equatable {
    public enum Reason: Equatable, Sendable {
        /// The file could not be opened or read.
        case unreadable(String)
        /// Neither a JPEG nor a PNG signature.
        case unknownFormat
        /// The data is damaged or truncated; the codec's message.
        case corrupt(String)
        /// More pixels than the configured limit (a guard against decompression bombs).
        case tooManyPixels(width: Int, height: Int, limit: Int)
        /// The file has no bytes.
        case empty
    }

    /// The file the data came from, when known.
    public var file: String?
    public let reason: Reason

    public init(file: String? = nil, reason: Reason) {
        self.file = file
        self.reason = reason
    }

    public var description: String {
        let subject = file.map { "'\($0)'" } ?? "image data"
        switch reason {
        case .unreadable(let why): return "cannot read \(subject): \(why)"
        case .unknownFormat: return "cannot decode \(subject): not a JPEG or PNG file"
        case .corrupt(let why): return "cannot decode \(subject): \(why)"
        case .tooManyPixels(let w, let h, let limit):
            return "cannot decode \(subject): \(w)×\(h) pixels exceeds the limit of \(limit) pixels"
        case .empty: return "cannot decode \(subject): the file is empty"
        }
    }
}
