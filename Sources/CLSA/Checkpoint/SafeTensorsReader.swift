import Foundation
import TensorCore

/// Reads and validates a safetensors file (see `SafeTensorsWriter`) before anything is used:
/// the header must parse, every tensor's byte range must match its dtype and shape, the ranges
/// must tile the data section exactly, and a `checksum_crc32` in the metadata must match.
/// A truncated or altered file is refused whole, never loaded half.
public struct SafeTensorsReader {
    public enum DType: String {
        case f32 = "F32", i64 = "I64"

        /// Bytes per element.
        var byteWidth: Int { self == .f32 ? 4 : 8 }
    }

    public struct Entry {
        public let dtype: DType
        public let shape: [Int]
        /// Where the tensor's bytes lie, from the start of the data section.
        let range: Range<Int>
    }

    /// The deepest nesting of arrays and objects a header may have (a checkpoint's has 3): deeper
    /// text is refused before it reaches the JSON parser, whose recursion it could exhaust.
    static let maximumHeaderDepth = 64

    /// The file's path, for messages.
    public let path: String
    /// Tensors by name.
    public let entries: [String: Entry]
    /// `__metadata__`.
    public let metadata: [String: String]
    private let bytes: Data
    private let dataStart: Int

    /// Reads and validates `path`.
    /// - Throws: `CheckpointError` naming the file and the problem.
    public init(path: String) throws {
        self.path = path
        let fail = { (reason: String) in CheckpointError(file: path, reason) }
        let file: Data
        do {
            file = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw fail("cannot read: \(error.localizedDescription)")
        }
        guard file.count >= 8 else { throw fail("truncated: \(file.count) bytes, no header") }
        let headerLength = file.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(file.count - 8), headerLength <= 100_000_000 else {
            throw fail("truncated or not safetensors: header of \(headerLength) bytes in a \(file.count)-byte file")
        }
        let headerEnd = 8 + Int(headerLength)
        let depth = file.withUnsafeBytes { JSONNesting.depth(of: UnsafeRawBufferPointer(rebasing: $0[8..<headerEnd]),
                                                             limit: Self.maximumHeaderDepth) }
        guard depth <= Self.maximumHeaderDepth else {
            throw fail("damaged: the header nests deeper than \(Self.maximumHeaderDepth) levels")
        }
        guard let json = try? JSONSerialization.jsonObject(with: file.subdata(in: 8..<headerEnd)),
              var header = json as? [String: Any] else {
            throw fail("damaged: the header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        if let meta = header.removeValue(forKey: "__metadata__") {
            guard let strings = meta as? [String: String] else { throw fail("damaged: __metadata__ values must be strings") }
            metadata = strings
        }
        let dataLength = file.count - headerEnd
        var entries: [String: Entry] = [:]
        for (name, value) in header {
            entries[name] = try Entry(name: name, header: value, dataLength: dataLength, file: path)
        }
        var cursor = 0
        for entry in entries.values.sorted(by: { $0.range.lowerBound < $1.range.lowerBound }) {
            guard entry.range.lowerBound == cursor else { throw fail("damaged: tensor byte ranges overlap or leave holes") }
            cursor = entry.range.upperBound
        }
        guard cursor == dataLength else {
            throw fail("damaged: \(dataLength - cursor) bytes after the last tensor")
        }
        if let recorded = metadata["checksum_crc32"] {
            let actual = file.withUnsafeBytes { crc32Of(UnsafeRawBufferPointer(rebasing: $0[headerEnd...])) }
            guard recorded == String(actual) else {
                throw fail("damaged: content checksum \(actual) does not match the recorded \(recorded)")
            }
        }
        self.entries = entries
        self.metadata = metadata
        self.bytes = file
        self.dataStart = headerEnd
    }

    /// Tensor names, sorted.
    public var names: [String] { entries.keys.sorted() }

    /// The F32 tensor `name`.
    /// - Throws: `CheckpointError` if it is missing or not F32.
    public func tensor(_ name: String) throws -> Tensor {
        let entry = try lookup(name, .f32)
        let out = Tensor(uninitializedShape: entry.shape)
        bytes.withUnsafeBytes { raw in
            UnsafeMutableRawPointer(out.data).copyMemory(from: raw.baseAddress! + dataStart + entry.range.lowerBound,
                                                         byteCount: entry.range.count)
        }
        return out
    }

    /// The I64 tensor `name`, flattened.
    public func int64s(_ name: String) throws -> [Int64] {
        let entry = try lookup(name, .i64)
        var values = [Int64](repeating: 0, count: entry.range.count / 8)
        bytes.withUnsafeBytes { raw in
            values.withUnsafeMutableBytes {
                $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[(dataStart + entry.range.lowerBound)..<(dataStart + entry.range.upperBound)]))
            }
        }
        return values
    }

    private func lookup(_ name: String, _ dtype: DType) throws -> Entry {
        guard let entry = entries[name] else { throw CheckpointError(file: path, "no tensor named '\(name)'") }
        guard entry.dtype == dtype else {
            throw CheckpointError(file: path, "tensor '\(name)' is \(entry.dtype.rawValue), expected \(dtype.rawValue)")
        }
        return entry
    }
}
