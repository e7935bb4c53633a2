import CZlib

/// In-memory gzip decompression through zlib.
enum Gzip {
    /// The two bytes every gzip member starts with.
    static let signature: [UInt8] = [0x1F, 0x8B]

    /// Why inflating failed: zlib's message, or that the data ended before the stream did.
    struct Failure: Error {
        let reason: String
    }

    /// The decompressed bytes of one or more concatenated gzip members.
    /// - Throws: `Failure` for damaged or truncated data.
    static func decompress(_ compressed: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        // 15 + 32: the largest window, with automatic gzip/zlib header detection.
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure(reason: "zlib initialisation failed")
        }
        defer { inflateEnd(&stream) }
        // The gzip trailer's ISIZE (the last member's size mod 2³²) is a good first guess; deflate
        // cannot expand more than 1032-fold, which bounds a damaged trailer's guess.
        let trailerSize = compressed.suffix(4).reversed().reduce(0) { $0 << 8 | Int($1) }
        var output = [UInt8](repeating: 0, count: max(min(trailerSize, compressed.count * 1032), 1024))
        var produced = 0
        try compressed.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            var remaining = input.count
            while true {
                if stream.avail_in == 0 && remaining > 0 {
                    let chunk = min(remaining, Int(UInt32.max))
                    stream.avail_in = UInt32(chunk)
                    remaining -= chunk
                }
                if produced == output.count {
                    output.append(contentsOf: repeatElement(0, count: output.count))
                }
                let status = output.withUnsafeMutableBufferPointer { out -> Int32 in
                    let room = min(out.count - produced, Int(UInt32.max))
                    stream.next_out = out.baseAddress! + produced
                    stream.avail_out = UInt32(room)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    produced += room - Int(stream.avail_out)
                    return status
                }
                switch status {
                case Z_STREAM_END:
                    guard stream.avail_in > 0 || remaining > 0 else { return }
                    // Another gzip member follows.
                    guard inflateReset(&stream) == Z_OK else { throw Failure(reason: "zlib reset failed") }
                case Z_OK:
                    continue
                case Z_BUF_ERROR where stream.avail_in == 0 && remaining == 0:
                    throw Failure(reason: "truncated gzip data")
                case Z_BUF_ERROR:
                    continue
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    throw Failure(reason: "corrupt gzip data: \(message)")
                }
            }
        }
        output.removeSubrange(produced...)
        return output
    }
}
