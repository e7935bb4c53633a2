import Foundation
import TensorCore

/// One way of damaging a safetensors checkpoint, as files that users download and share are
/// damaged: by a bad disk or transfer (flipped bits, truncation), by a broken or hostile writer
/// (a header whose length, JSON, offsets, shapes or dtypes lie), or by metadata that does not
/// describe the tensors (a width, an image size or a normalisation that is missing, malformed or
/// out of range).
package enum CheckpointDamage: String, CaseIterable, Sendable {
    case headerLengthZero = "header-length-zero"
    /// The length field past the end of the file by 1 byte to 1 MiB.
    case headerLengthPastEnd = "header-length-past-end"
    /// The length field within 2^16 of 2^63 or of 2^64.
    case headerLengthHuge = "header-length-huge"
    /// The header's bytes replaced by random printable ASCII.
    case headerNotJSON = "header-not-json"
    /// A header of 50,000–100,000 nested `[` and as many `]`.
    case headerDeeplyNested = "header-deeply-nested"
    /// The header's entries in a JSON array instead of an object.
    case headerArray = "header-array"
    /// One tensor's end offset, or both offsets, past the end of the data section.
    case offsetsPastEnd = "offsets-past-end"
    case offsetsReversed = "offsets-reversed"
    /// One tensor's start offset negative (down to -2^62).
    case offsetsNegative = "offsets-negative"
    /// One tensor's range moved back into the tensor before it (its size kept).
    case offsetsOverlapping = "offsets-overlapping"
    /// One tensor's offsets written as JSON strings.
    case offsetsAsStrings = "offsets-as-strings"
    /// One tensor's shape off by one element in one dimension, or given an extra dimension.
    case shapeMismatch = "shape-mismatch"
    /// One tensor's shape made of dimensions of 2^31 and more, whose products overflow.
    case shapeHuge = "shape-huge"
    case shapeZero = "shape-zero"
    /// One tensor's shape with one negative dimension or two (whose product is the true one).
    case shapeNegative = "shape-negative"
    case dtypeUnknown = "dtype-unknown"
    /// The damages below change one metadata key: the corpus takes `targetedMetadataKeys` in turn.
    case metadataMissing = "metadata-missing"
    case metadataEmpty = "metadata-empty"
    case metadataNonNumeric = "metadata-non-numeric"
    case metadataNegative = "metadata-negative"
    case metadataHuge = "metadata-huge"
    /// The value a JSON number or object instead of a string.
    case metadataNotString = "metadata-not-string"
    /// The architecture or base width changed to another valid one, so no tensor fits.
    case networkMismatch = "network-mismatch"
    /// One tensor's dimensions permuted or flattened: its bytes fit, the network does not.
    case permutedShape = "permuted-shape"
    /// The file cut at a random length.
    case truncate
    /// 1–8 bits flipped in the header's JSON.
    case flipHeaderBits = "flip-header-bits"
    /// 1–8 bits flipped in the data section (the metadata's CRC-32 must catch them).
    case flipDataBits = "flip-data-bits"

    /// The metadata keys that the loaders read, which the metadata damages take in turn (the
    /// provenance keys, `version`, `cpu_model` and `blas_core`, are informative and left alone).
    package static let targetedMetadataKeys = [
        "architecture", "base_width", "channels", "checksum_crc32", "config", "epoch", "epoch_position",
        "format", "image_size", "kind", "mean", "std", "step", "steps_per_epoch",
    ]

    /// The file of `layout` damaged this way, drawing from `random`; a metadata damage changes
    /// `metadataKey`. Returns the bytes and what was done ("tensor 'conv1.weight' offsets [0, 108] → [108, 0]").
    package func apply(to layout: SafeTensorsLayout, metadataKey: String,
                       random: inout SeededRandom) -> (bytes: [UInt8], detail: String) {
        var header = layout.header, metadata = layout.metadata
        let fileCount = layout.dataStart + layout.data.count
        func pick<T>(_ values: [T]) -> T { values[random.integer(in: 0...(values.count - 1))] }
        func rewritten(_ detail: String) -> ([UInt8], String) {
            header["__metadata__"] = metadata
            return (SafeTensorsLayout.bytes(header: header, data: layout.data), detail)
        }
        /// Sets tensor `name`'s header field `field` to `value`.
        func setEntry(_ name: String, _ field: String, _ value: Any) {
            var entry = layout.entry(name)
            entry[field] = value
            header[name] = entry
        }
        let name = pick(layout.tensorNames)
        let entry = layout.entry(name)
        let shape = entry["shape"] as! [Int], offsets = entry["data_offsets"] as! [Int]
        let headerBytes = Array(SafeTensorsLayout.bytes(header: layout.header, data: [])[8...])

        switch self {
        case .headerLengthZero:
            return (SafeTensorsLayout.bytes(headerLength: 0, header: headerBytes, data: layout.data), "header length 0")
        case .headerLengthPastEnd:
            let length = UInt64(fileCount - 8 + random.integer(in: 1...(1 << 20)))
            return (SafeTensorsLayout.bytes(headerLength: length, header: headerBytes, data: layout.data),
                    "header length \(length) in a \(fileCount)-byte file")
        case .headerLengthHuge:
            let length = pick([UInt64(1) << 63, UInt64.max]) &- UInt64(random.integer(in: 0...(1 << 16)))
            return (SafeTensorsLayout.bytes(headerLength: length, header: headerBytes, data: layout.data),
                    "header length \(length)")
        case .headerNotJSON:
            let garbage = headerBytes.map { _ in UInt8(random.integer(in: 0x20...0x7E)) }
            return (SafeTensorsLayout.bytes(headerLength: UInt64(garbage.count), header: garbage, data: layout.data),
                    "header of \(garbage.count) random printable bytes")
        case .headerDeeplyNested:
            let depth = random.integer(in: 50_000...100_000)
            let nested = [UInt8](repeating: UInt8(ascii: "["), count: depth) + [UInt8](repeating: UInt8(ascii: "]"), count: depth)
            return (SafeTensorsLayout.bytes(headerLength: UInt64(nested.count), header: nested, data: layout.data),
                    "header of \(depth) nested arrays")
        case .headerArray:
            let array: [Any] = pick([[layout.header], layout.tensorNames.map { layout.header[$0]! }])
            return (SafeTensorsLayout.bytes(header: array, data: layout.data), "header is an array of \(array.count) values")
        case .offsetsPastEnd:
            let beyond = random.integer(in: 1...(1 << 40))
            let moved = pick([[offsets[0], layout.data.count + beyond],
                              [layout.data.count + beyond, layout.data.count + beyond + offsets[1] - offsets[0]]])
            setEntry(name, "data_offsets", moved)
            return rewritten("tensor '\(name)' offsets \(offsets) → \(moved)")
        case .offsetsReversed:
            let reversed = offsets[0] == offsets[1] ? [offsets[0] + 4, offsets[0]] : [offsets[1], offsets[0]]
            setEntry(name, "data_offsets", reversed)
            return rewritten("tensor '\(name)' offsets \(offsets) → \(reversed)")
        case .offsetsNegative:
            let start = -random.integer(in: 1...(1 << 62))
            let moved = pick([[start, offsets[1]], [start, start + offsets[1] - offsets[0]]])
            setEntry(name, "data_offsets", moved)
            return rewritten("tensor '\(name)' offsets \(offsets) → \(moved)")
        case .offsetsOverlapping:
            let shiftable = layout.tensorNames.filter { (layout.entry($0)["data_offsets"] as! [Int])[0] > 0 }
            let victim = pick(shiftable)
            let original = layout.entry(victim)["data_offsets"] as! [Int]
            let shift = random.integer(in: 1...min(original[0], 64))
            setEntry(victim, "data_offsets", [original[0] - shift, original[1] - shift])
            return rewritten("tensor '\(victim)' moved \(shift) bytes back into the tensor before it")
        case .offsetsAsStrings:
            setEntry(name, "data_offsets", offsets.map(String.init))
            return rewritten("tensor '\(name)' offsets as strings")
        case .shapeMismatch:
            var wrong = shape
            if wrong.isEmpty || random.bernoulli(0.3) {
                wrong.append(2)
            } else {
                let axis = random.integer(in: 0...(wrong.count - 1))
                wrong[axis] += wrong[axis] > 1 && random.bernoulli(0.5) ? -1 : 1
            }
            setEntry(name, "shape", wrong)
            return rewritten("tensor '\(name)' shape \(shape) → \(wrong)")
        case .shapeHuge:
            let huge = pick([[1 << 31, 1 << 31, 1 << 31], [1 << 62, 4], [Int.max], shape + [1 << 31, 1 << 31],
                             [1 << 32, 1 << 32]])
            setEntry(name, "shape", huge)
            return rewritten("tensor '\(name)' shape \(shape) → \(huge)")
        case .shapeZero:
            var zero = shape.isEmpty ? [1] : shape
            zero[random.integer(in: 0...(zero.count - 1))] = 0
            setEntry(name, "shape", zero)
            return rewritten("tensor '\(name)' shape \(shape) → \(zero)")
        case .shapeNegative:
            let candidates = layout.tensorNames.filter { ((layout.entry($0)["shape"] as! [Int]).count) >= 2 }
            let victim = pick(candidates)
            var negative = layout.entry(victim)["shape"] as! [Int]
            let original = negative
            negative[0] = -negative[0]
            if random.bernoulli(0.5) { negative[1] = -negative[1] }
            setEntry(victim, "shape", negative)
            return rewritten("tensor '\(victim)' shape \(original) → \(negative)")
        case .dtypeUnknown:
            let dtype = pick(["F16", "BF16", "F64", "U8", "I32", "BOOL", "f32", "", "F32 ", "I64\u{0}"])
            setEntry(name, "dtype", dtype)
            return rewritten("tensor '\(name)' dtype \(entry["dtype"]!) → '\(dtype)'")
        case .metadataMissing:
            metadata.removeValue(forKey: metadataKey)
            return rewritten("metadata '\(metadataKey)' removed")
        case .metadataEmpty:
            metadata[metadataKey] = ""
            return rewritten("metadata '\(metadataKey)' empty")
        case .metadataNonNumeric:
            let text = pick(["abc", "1e3", "0x10", " 16", "16 ", "NaN", "[1, 2", "{}", "sixteen", "١٦"])
            metadata[metadataKey] = text
            return rewritten("metadata '\(metadataKey)' → '\(text)'")
        case .metadataNegative, .metadataHuge:
            let value = outOfRange(metadata[metadataKey] ?? "", negative: self == .metadataNegative, random: &random)
            metadata[metadataKey] = value
            return rewritten("metadata '\(metadataKey)' → '\(value.prefix(200))'")
        case .metadataNotString:
            var raw: [String: Any] = metadata
            let value: Any = pick([16 as Any, -1 as Any, ["nested": ["deeper": 1]] as Any, [1, 2, 3] as Any, NSNull()])
            raw[metadataKey] = value
            header["__metadata__"] = raw
            return (SafeTensorsLayout.bytes(header: header, data: layout.data), "metadata '\(metadataKey)' → JSON \(value)")
        case .networkMismatch:
            if random.bernoulli(0.5) {
                let width = pick(["2", "3", "4", "8", "64"])
                metadata["base_width"] = width
                return rewritten("metadata 'base_width' → \(width)")
            }
            let architecture = pick(["resnet18", "resnet50", "resnet50-small"])
            metadata["architecture"] = architecture
            return rewritten("metadata 'architecture' → \(architecture)")
        case .permutedShape:
            let candidates = layout.tensorNames.filter { Set(layout.entry($0)["shape"] as! [Int]).count >= 2 }
            let victim = pick(candidates)
            let original = layout.entry(victim)["shape"] as! [Int]
            let permuted = random.bernoulli(0.5) ? Array(original.reversed()) : [original.reduce(1, *)]
            setEntry(victim, "shape", permuted)
            return rewritten("tensor '\(victim)' shape \(original) → \(permuted)")
        case .truncate:
            let length = random.integer(in: 0...(fileCount - 1))
            let whole = SafeTensorsLayout.bytes(headerLength: UInt64(headerBytes.count), header: headerBytes, data: layout.data)
            return (Array(whole.prefix(length)), "truncated to \(length) of \(fileCount) bytes")
        case .flipHeaderBits, .flipDataBits:
            var bytes = SafeTensorsLayout.bytes(headerLength: UInt64(headerBytes.count), header: headerBytes, data: layout.data)
            let region = self == .flipHeaderBits ? 8..<layout.dataStart : layout.dataStart..<fileCount
            var bits = Set<Int>()
            let flips = random.integer(in: 1...8)
            while bits.count < flips { bits.insert(random.integer(in: (8 * region.lowerBound)...(8 * region.upperBound - 1))) }
            for bit in bits { bytes[bit / 8] ^= 1 << UInt8(bit % 8) }
            return (bytes, "flipped \(flips) bits at bytes \(bits.sorted().map { String($0 / 8) }.joined(separator: ","))")
        }
    }

    /// A value for a metadata key now holding `current` that lies below (`negative`) or far above
    /// any valid one: a number, a normalisation triple, or, for the configuration's JSON, one of
    /// its numeric fields.
    private func outOfRange(_ current: String, negative: Bool, random: inout SeededRandom) -> String {
        func pick(_ values: [String]) -> String { values[random.integer(in: 0...(values.count - 1))] }
        if current.hasPrefix("["), current.hasSuffix("]") {
            return negative ? pick(["[-1, -1, -1]", "[0.5, -0.0001, 0.5]", "[-1e308, 0, 0]"])
                            : pick(["[1e308, 1e308, 1e308]", "[2, 2, 2]", "[0.5, 0.5, 1e30]"])
        }
        if current.hasPrefix("{"),
           var configuration = try? JSONSerialization.jsonObject(with: Data(current.utf8)) as? [String: Any] {
            let numeric = configuration.keys.filter { configuration[$0] is NSNumber }.sorted()
            if let key = numeric.isEmpty ? nil : numeric[random.integer(in: 0...(numeric.count - 1))] {
                configuration[key] = negative ? -random.integer(in: 1...999_999_999) : (random.bernoulli(0.5) ? 999_999_999 : Int.max)
                let data = try! JSONSerialization.data(withJSONObject: configuration, options: [.sortedKeys])
                return String(decoding: data, as: UTF8.self)
            }
        }
        return negative ? pick(["-1", "-16", "-999999999", "-9223372036854775808"])
                        : pick(["999999999", "2147483648", "9223372036854775807", "99999999999999999999",
                                String(repeating: "9", count: 100_000)])
    }
}
