import Foundation

/// A good safetensors file taken apart for damaging: its header as a JSON object and its data
/// section, which `bytes(header:data:)` puts back together (the header serialised with sorted
/// keys and padded with spaces to a multiple of 8 bytes, as `SafeTensorsWriter` writes it).
package struct SafeTensorsLayout: @unchecked Sendable {
    /// The header: tensor names to `{"dtype", "shape", "data_offsets"}`, and `__metadata__`.
    package let header: [String: Any]
    /// The data section's bytes.
    package let data: [UInt8]
    /// The tensor names (no `__metadata__`), sorted.
    package let tensorNames: [String]
    /// `__metadata__`'s keys, sorted.
    package let metadataKeys: [String]
    /// Bytes of the file's header length field and header (the data section starts here).
    package let dataStart: Int

    /// A file that is not a safetensors file this layout can take apart.
    package struct Unreadable: Error, CustomStringConvertible {
        package let reason: String
        package var description: String { "not a safetensors file to damage: \(reason)" }
    }

    /// Takes `bytes`, a complete safetensors file, apart.
    /// - Throws: `Unreadable` when the length field or the header does not hold together.
    package init(bytes: [UInt8]) throws {
        guard bytes.count >= 8 else { throw Unreadable(reason: "\(bytes.count) bytes") }
        let length = bytes.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
        guard length <= bytes.count - 8,
              let header = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + length)])) as? [String: Any],
              let metadata = header["__metadata__"] as? [String: String] else {
            throw Unreadable(reason: "no JSON header object with __metadata__")
        }
        self.header = header
        data = Array(bytes[(8 + length)...])
        tensorNames = header.keys.filter { $0 != "__metadata__" }.sorted()
        metadataKeys = metadata.keys.sorted()
        dataStart = 8 + length
    }

    /// `__metadata__`.
    package var metadata: [String: String] { header["__metadata__"] as! [String: String] }

    /// Tensor `name`'s header entry.
    package func entry(_ name: String) -> [String: Any] { header[name] as! [String: Any] }

    /// A file of `header` (any JSON value) and `data`, the header length field giving the
    /// header's true length.
    package static func bytes(header: Any, data: [UInt8]) -> [UInt8] {
        var json = [UInt8](try! JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .fragmentsAllowed]))
        while json.count % 8 != 0 { json.append(0x20) }
        return bytes(headerLength: UInt64(json.count), header: json, data: data)
    }

    /// A file whose length field says `headerLength`, whatever the length of `header`.
    package static func bytes(headerLength: UInt64, header: [UInt8], data: [UInt8]) -> [UInt8] {
        withUnsafeBytes(of: headerLength.littleEndian) { Array($0) } + header + data
    }
}
