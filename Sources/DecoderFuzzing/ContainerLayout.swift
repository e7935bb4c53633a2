/// Where the parts of a JPEG or PNG file lie, read leniently from its bytes: the targets of the
/// corpus's damage.
///
/// A JPEG is split into its marker segments (SOI, APPn, DQT, SOF, DHT, SOS, …) and, after each SOS
/// header, its entropy-coded scan data (which runs to the next marker other than a stuffed
/// `FF 00` or a restart marker). A PNG is split into its signature and chunks. Parsing stops at
/// the first inconsistency, so a layout of a damaged file covers what could be read.
package struct ContainerLayout: Sendable {
    /// A marker segment, a JPEG scan's entropy-coded data, or a PNG chunk.
    package struct Segment: Sendable, Equatable {
        /// The whole segment: marker (or chunk length) through its last byte.
        package let range: Range<Int>
        /// What the segment carries after its marker and length (PNG: the chunk's data, no CRC).
        package let payload: Range<Int>
        /// The segment's big-endian length field: its offset and width in bytes (2 in JPEG, 4 in PNG).
        package let lengthField: (offset: Int, width: Int)?
        /// Compressed pixels: a JPEG scan's entropy-coded data or a PNG IDAT chunk.
        package let isImageData: Bool

        package static func == (a: Segment, b: Segment) -> Bool {
            a.range == b.range && a.payload == b.payload && a.isImageData == b.isImageData
                && a.lengthField?.offset == b.lengthField?.offset && a.lengthField?.width == b.lengthField?.width
        }
    }

    package let segments: [Segment]
    /// Bytes of the file.
    package let count: Int
    /// Length of the format's signature (2 for JPEG's SOI, 8 for PNG).
    package let signatureLength: Int

    /// The layout of JPEG or PNG `bytes` (by signature); nil for any other data.
    package init?(of bytes: [UInt8]) {
        count = bytes.count
        if bytes.starts(with: [0xFF, 0xD8]) {
            signatureLength = 2
            segments = ContainerLayout.jpegSegments(bytes)
        } else if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            signatureLength = 8
            segments = ContainerLayout.pngSegments(bytes)
        } else {
            return nil
        }
    }

    /// Offset of the first compressed-pixel byte; the bytes before it (after the signature) are
    /// the header. The file's length when it holds no image data.
    package var headerEnd: Int {
        segments.first(where: \.isImageData)?.payload.lowerBound ?? count
    }

    private static func bigEndian(_ bytes: [UInt8], at offset: Int, width: Int) -> Int {
        bytes[offset..<(offset + width)].reduce(0) { $0 << 8 | Int($1) }
    }

    private static func jpegSegments(_ bytes: [UInt8]) -> [Segment] {
        let n = bytes.count
        var segments = [Segment(range: 0..<2, payload: 2..<2, lengthField: nil, isImageData: false)]
        var position = 2
        while position + 1 < n, bytes[position] == 0xFF {
            var markerAt = position + 1
            while markerAt < n, bytes[markerAt] == 0xFF { markerAt += 1 }  // fill bytes
            guard markerAt < n else { break }
            let marker = bytes[markerAt], afterMarker = markerAt + 1
            if marker == 0xD9 || marker == 0x01 || (0xD0...0xD7).contains(marker) {  // EOI, TEM, RSTn: no length
                segments.append(Segment(range: position..<afterMarker, payload: afterMarker..<afterMarker,
                                        lengthField: nil, isImageData: false))
                position = afterMarker
                if marker == 0xD9 { break }
                continue
            }
            guard afterMarker + 2 <= n else { break }
            let end = min(afterMarker + bigEndian(bytes, at: afterMarker, width: 2), n)
            guard end >= afterMarker + 2 else { break }
            segments.append(Segment(range: position..<end, payload: (afterMarker + 2)..<end,
                                    lengthField: (afterMarker, 2), isImageData: false))
            position = end
            if marker == 0xDA {
                var scanEnd = position
                while scanEnd + 1 < n, !(bytes[scanEnd] == 0xFF && bytes[scanEnd + 1] != 0
                                         && !(0xD0...0xD7).contains(bytes[scanEnd + 1])) {
                    scanEnd += 1
                }
                if scanEnd + 1 >= n { scanEnd = n }
                segments.append(Segment(range: position..<scanEnd, payload: position..<scanEnd,
                                        lengthField: nil, isImageData: true))
                position = scanEnd
            }
        }
        return segments
    }

    private static func pngSegments(_ bytes: [UInt8]) -> [Segment] {
        let n = bytes.count
        var segments = [Segment(range: 0..<8, payload: 8..<8, lengthField: nil, isImageData: false)]
        var position = 8
        while position + 8 <= n {
            let length = bigEndian(bytes, at: position, width: 4)
            let dataEnd = min(position + 8 + length, n)
            let isData = Array(bytes[(position + 4)..<(position + 8)]) == Array("IDAT".utf8)
            segments.append(Segment(range: position..<min(dataEnd + 4, n), payload: (position + 8)..<dataEnd,
                                    lengthField: (position, 4), isImageData: isData))
            position = min(dataEnd + 4, n)
        }
        return segments
    }
}
