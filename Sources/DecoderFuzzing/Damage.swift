import TensorCore

/// One way of damaging an image file, as broken files in real folders are damaged: by a bad
/// disk or transfer (overwritten runs, flipped bits, zeroed blocks), by a cut-off download
/// (truncation), or by a broken writer (segment lengths that lie).
package enum Damage: String, CaseIterable, Sendable {
    /// 1–16 bytes overwritten with other random values in the header (after the signature,
    /// before the pixel data).
    case overwriteHeader = "overwrite-header"
    /// 1–64 bytes overwritten with other random values inside the compressed pixel data.
    case overwriteScan = "overwrite-scan"
    /// 1–8 bytes overwritten with other random values within the last 32 bytes.
    case overwriteTail = "overwrite-tail"
    /// The file cut at a uniformly random offset.
    case truncate
    /// 1–8 distinct random bits flipped anywhere after the signature.
    case flipBits = "flip-bits"
    /// The payload of one random segment (marker segment, scan data or chunk) that is not all
    /// zero already set to zero.
    case zeroSegment = "zero-segment"
    /// One random segment's length field replaced by another value: 0 or 1, off by 1–16 either
    /// way, its largest value, or a random value.
    case lyingLength = "lying-length"

    /// `bytes` damaged this way with draws from `random` (never equal to `bytes`), and what was
    /// done ("overwrote 7 bytes at 312").
    /// - Precondition: `layout` is `bytes`'s layout, and `bytes` is longer than its signature.
    package func apply(to bytes: [UInt8], layout: ContainerLayout, random: inout SeededRandom) -> (bytes: [UInt8], detail: String) {
        var damaged = bytes
        let start = layout.signatureLength, end = bytes.count
        precondition(end > start, "Damage: \(end) bytes hold nothing after the signature")

        /// Overwrites 1…maximum random bytes starting at a random offset of `range`.
        func overwrite(in range: Range<Int>, maximum: Int) -> String {
            let clamped = range.clamped(to: start..<end)
            let range = clamped.isEmpty ? start..<end : clamped
            let offset = random.integer(in: range.lowerBound...(range.upperBound - 1))
            let length = min(random.integer(in: 1...maximum), end - offset)
            for i in offset..<(offset + length) { damaged[i] ^= UInt8(random.integer(in: 1...255)) }
            return "overwrote \(length) bytes at \(offset)"
        }

        let detail: String
        switch self {
        case .overwriteHeader:
            detail = overwrite(in: start..<layout.headerEnd, maximum: 16)
        case .overwriteScan:
            let scans = layout.segments.filter { $0.isImageData && !$0.payload.isEmpty }
            detail = scans.isEmpty
                ? overwrite(in: start..<end, maximum: 64)
                : overwrite(in: scans[random.integer(in: 0...(scans.count - 1))].payload, maximum: 64)
        case .overwriteTail:
            detail = overwrite(in: max(start, end - 32)..<end, maximum: 8)
        case .truncate:
            let length = random.integer(in: 1...(end - 1))
            damaged = Array(bytes.prefix(length))
            detail = "truncated to \(length) of \(end) bytes"
        case .flipBits:
            var bits = Set<Int>()
            let flips = min(random.integer(in: 1...8), 8 * (end - start))
            while bits.count < flips { bits.insert(random.integer(in: (8 * start)...(8 * end - 1))) }
            for bit in bits { damaged[bit / 8] ^= 1 << UInt8(bit % 8) }
            detail = "flipped \(flips) bits at \(bits.sorted().map { String($0 / 8) }.joined(separator: ","))"
        case .zeroSegment:
            let candidates = layout.segments.filter { segment in segment.payload.contains { bytes[$0] != 0 } }
            if candidates.isEmpty {
                detail = overwrite(in: start..<end, maximum: 16)
            } else {
                let segment = candidates[random.integer(in: 0...(candidates.count - 1))]
                for i in segment.payload { damaged[i] = 0 }
                detail = "zeroed \(segment.payload.count) bytes at \(segment.payload.lowerBound)"
            }
        case .lyingLength:
            let candidates = layout.segments.compactMap(\.lengthField)
            if candidates.isEmpty {
                detail = overwrite(in: start..<end, maximum: 16)
            } else {
                let field = candidates[random.integer(in: 0...(candidates.count - 1))]
                let bytesOfField = field.offset..<(field.offset + field.width)
                let largest = (1 << (8 * field.width)) - 1
                let current = damaged[bytesOfField].reduce(0) { $0 << 8 | Int($1) }
                var lie: Int
                switch random.integer(in: 0...4) {
                case 0: lie = random.integer(in: 0...1)
                case 1: lie = min(current + random.integer(in: 1...16), largest)
                case 2: lie = max(0, current - random.integer(in: 1...16))
                case 3: lie = largest
                default: lie = random.integer(in: 0...largest)
                }
                if lie == current { lie = current == 0 ? 1 : current - 1 }
                for (k, i) in bytesOfField.enumerated() {
                    damaged[i] = UInt8(truncatingIfNeeded: lie >> (8 * (field.width - 1 - k)))
                }
                detail = "length at \(field.offset) \(current) → \(lie)"
            }
        }
        return (damaged, detail)
    }
}
