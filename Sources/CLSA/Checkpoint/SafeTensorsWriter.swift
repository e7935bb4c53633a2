import CZlib
import Foundation
import TensorCore

/// Writes the safetensors format: an 8-byte little-endian header length, a JSON header
/// (`{"name": {"dtype", "shape", "data_offsets"}, "__metadata__": {string: string}}`, padded
/// with spaces to a multiple of 8 bytes), then the tensors' raw little-endian bytes, contiguous
/// and in header order.
///
/// A CRC-32 of the data section is added to the metadata as `checksum_crc32`, so a reader can
/// refuse a file whose contents were altered. Files are written atomically (`AtomicFile`).
public struct SafeTensorsWriter {
    private enum Payload {
        case float(Tensor)
        case int64([Int64])
    }
    private var entries: [(name: String, shape: [Int], payload: Payload)] = []
    /// String metadata stored under `__metadata__`.
    public var metadata: [String: String] = [:]

    public init() {}

    /// Adds a float32 tensor (dtype F32) under `name`, with its shape.
    public mutating func add(_ name: String, _ tensor: Tensor) {
        entries.append((name, tensor.shape, .float(tensor)))
    }

    /// Adds 64-bit integers (dtype I64) with `shape` (a scalar has shape []).
    public mutating func add(_ name: String, int64 values: [Int64], shape: [Int]) {
        precondition(shape.reduce(1, *) == values.count, "SafeTensorsWriter: \(name) shape \(shape) for \(values.count) values")
        entries.append((name, shape, .int64(values)))
    }

    /// The complete file's bytes.
    public func serialized() throws -> [UInt8] {
        precondition(Set(entries.map(\.name)).count == entries.count, "SafeTensorsWriter: duplicate tensor names")
        var data = [UInt8]()
        data.reserveCapacity(entries.reduce(0) { $0 + $1.shape.reduce(1, *) * 8 })
        var header: [String: Any] = [:]
        for entry in entries {
            let start = data.count
            let dtype: String
            switch entry.payload {
            case .float(let t):
                dtype = "F32"
                t.data.withMemoryRebound(to: UInt8.self, capacity: t.count * 4) {
                    data.append(contentsOf: UnsafeBufferPointer(start: $0, count: t.count * 4))
                }
            case .int64(let values):
                dtype = "I64"
                values.withUnsafeBytes { data.append(contentsOf: $0) }
            }
            header[entry.name] = ["dtype": dtype, "shape": entry.shape, "data_offsets": [start, data.count]]
        }
        var meta = metadata
        meta["checksum_crc32"] = String(crc32Of(data))
        header["__metadata__"] = meta
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var file = [UInt8]()
        file.reserveCapacity(8 + json.count + data.count)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(contentsOf: json)
        file.append(contentsOf: data)
        return file
    }

    /// Writes the file atomically: a temporary file beside `path`, fsync, rename, fsync of
    /// the folder. On failure (a full disk, say) the temporary file is removed and any
    /// existing file at `path` is untouched.
    public func write(to path: String) throws {
        try AtomicFile.write(try serialized(), to: path)
    }
}

/// CRC-32 (zlib's) of `bytes`, or of the bytes before them (whose CRC is `previous`) and `bytes`.
func crc32Of(_ bytes: UnsafeRawBufferPointer, continuing previous: UInt32 = 0) -> UInt32 {
    var crc = uLong(previous)
    var offset = 0
    // zlib takes a 32-bit length: feed large buffers in pieces.
    while offset < bytes.count {
        let length = min(bytes.count - offset, 1 << 30)
        crc = crc32(crc, bytes.baseAddress!.advanced(by: offset).assumingMemoryBound(to: Bytef.self), uInt(length))
        offset += length
    }
    return UInt32(crc)
}

func crc32Of(_ bytes: [UInt8]) -> UInt32 {
    bytes.withUnsafeBytes { crc32Of($0) }
}
