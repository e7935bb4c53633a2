/// An IDX file, the container of MNIST and Fashion-MNIST: a big-endian header of two zero bytes,
/// a type byte (0x08, unsigned bytes, the only type supported), the number of dimensions, then
/// each dimension as a UInt32; then the values, row-major. Files may be gzip-compressed
/// (recognised by the gzip signature, not the name).
///
///     let images = try IDXFile(contentsOf: "train-images-idx3-ubyte.gz")  // dimensions [60000, 28, 28]
public struct IDXFile: Sendable, Equatable {
    /// The size of each dimension, outermost first (`[count, rows, columns]` for images).
    public let dimensions: [Int]
    /// `dimensions.reduce(1, *)` values, row-major.
    public let values: [UInt8]

    /// The type byte of unsigned 8-bit data, the third byte of the magic number 0x000008nn.
    public static let unsignedByteType: UInt8 = 0x08

    /// An in-memory file (tests, writers): `values.count` must be the product of `dimensions`.
    public init(dimensions: [Int], values: [UInt8]) {
        precondition(values.count == dimensions.reduce(1, *),
                     "IDXFile: \(values.count) values for dimensions \(dimensions)")
        self.dimensions = dimensions
        self.values = values
    }

    /// Parses uncompressed IDX bytes; `source` names the data in errors.
    /// - Throws: `IDXError` for a bad magic number, an unsupported type, or a size that does not
    ///   match the dimensions.
    public init(parsing bytes: [UInt8], source: String) throws {
        func fail(_ reason: IDXError.Reason) -> IDXError { IDXError(file: source, reason: reason) }
        guard bytes.count >= 4 else { throw fail(.truncated(expected: 4, actual: bytes.count)) }
        let magic = bytes[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard bytes[0] == 0, bytes[1] == 0, bytes[3] > 0 else { throw fail(.badMagic(magic)) }
        guard bytes[2] == IDXFile.unsignedByteType else { throw fail(.unsupportedType(bytes[2])) }
        let rank = Int(bytes[3])
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else { throw fail(.truncated(expected: headerSize, actual: bytes.count)) }
        let dimensions = (0..<rank).map { d in
            bytes[(4 + 4 * d)..<(8 + 4 * d)].reduce(0) { $0 << 8 | Int($1) }
        }
        let (count, overflow) = dimensions.reduce((1, false)) { partial, size in
            let product = partial.0.multipliedReportingOverflow(by: size)
            return (product.partialValue, partial.1 || product.overflow)
        }
        guard !overflow, count <= bytes.count - headerSize else {
            throw fail(.truncated(expected: overflow ? Int.max : headerSize + count, actual: bytes.count))
        }
        guard count == bytes.count - headerSize else {
            throw fail(.trailingBytes(bytes.count - headerSize - count))
        }
        self.dimensions = dimensions
        self.values = Array(bytes[headerSize...])
    }

    /// Reads and parses the file at `path`, inflating it first when it is gzip-compressed.
    /// - Throws: `IDXError` (`.unreadable`, `.corruptGzip`, or a parsing error), naming `path`.
    public init(contentsOf path: String) throws {
        var bytes: [UInt8]
        do {
            bytes = try FileContents.bytes(atPath: path)
        } catch let failure as FileContents.ReadFailure {
            throw IDXError(file: path, reason: .unreadable(failure.reason))
        }
        if bytes.starts(with: Gzip.signature) {
            do {
                bytes = try Gzip.decompress(bytes)
            } catch let failure as Gzip.Failure {
                throw IDXError(file: path, reason: .corruptGzip(failure.reason))
            }
        }
        try self.init(parsing: bytes, source: path)
    }

    /// The file's bytes: header then values, uncompressed.
    public func serialized() -> [UInt8] {
        var bytes: [UInt8] = [0, 0, IDXFile.unsignedByteType, UInt8(dimensions.count)]
        for size in dimensions {
            bytes += [UInt8(truncatingIfNeeded: size >> 24), UInt8(truncatingIfNeeded: size >> 16),
                      UInt8(truncatingIfNeeded: size >> 8), UInt8(truncatingIfNeeded: size)]
        }
        return bytes + values
    }
}

/// Why an IDX file could not be used; `description` names the file.
public struct IDXError: Error, CustomStringConvertible, Equatable {
    public enum Reason: Equatable, Sendable {
        /// The file could not be opened or read: the system's message.
        case unreadable(String)
        /// The first four bytes are not 0x00 0x00 type rank (rank ≥ 1).
        case badMagic(UInt32)
        /// A type byte other than 0x08 (unsigned byte).
        case unsupportedType(UInt8)
        /// Fewer bytes than the header and dimensions require.
        case truncated(expected: Int, actual: Int)
        /// More bytes than the dimensions account for.
        case trailingBytes(Int)
        /// The gzip stream is damaged or truncated.
        case corruptGzip(String)
        /// The dimensions do not fit the file's role (`expected` describes the shape it needs).
        case unexpectedShape(dimensions: [Int], expected: String)
        /// An image file and its label file disagree on the number of items.
        case mismatchedCounts(images: Int, labels: Int)
        /// A label outside `0..<classCount`.
        case labelOutOfRange(index: Int, label: Int, classCount: Int)
    }

    /// The file (or data source) the error is about.
    public let file: String
    public let reason: Reason

    public init(file: String, reason: Reason) {
        self.file = file
        self.reason = reason
    }

    public var description: String {
        let why: String
        switch reason {
        case .unreadable(let message): return "cannot read '\(file)': \(message)"
        case .badMagic(let magic):
            why = "bad magic number 0x\(String(magic, radix: 16, uppercase: true)) (expected 0x000008nn)"
        case .unsupportedType(let type):
            why = "unsupported value type 0x\(String(type, radix: 16, uppercase: true)) (only 0x08, unsigned byte)"
        case .truncated(let expected, let actual): why = "truncated: \(actual) bytes, expected \(expected)"
        case .trailingBytes(let extra): why = "\(extra) unexpected bytes after the data"
        case .corruptGzip(let message): why = message
        case .unexpectedShape(let dimensions, let expected):
            why = "dimensions \(dimensions.map(String.init).joined(separator: "×")), expected \(expected)"
        case .mismatchedCounts(let images, let labels): why = "\(images) images but \(labels) labels"
        case .labelOutOfRange(let index, let label, let classCount):
            why = "label \(label) of item \(index) is outside 0..<\(classCount)"
        }
        return "invalid IDX file '\(file)': \(why)"
    }
}
