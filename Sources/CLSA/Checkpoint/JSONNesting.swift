/// How deeply JSON text nests arrays and objects, measured by a scan of its bytes (brackets
/// inside strings do not count), so that text nested deeper than a parser's stack allows can be
/// refused before it is parsed.
enum JSONNesting {
    /// The deepest nesting of `[` and `{` in `bytes`, or `limit + 1` as soon as the scan passes
    /// `limit` (the rest is not read). Unbalanced or otherwise invalid JSON is measured all the
    /// same; the parser refuses it afterwards.
    static func depth(of bytes: UnsafeRawBufferPointer, limit: Int) -> Int {
        var depth = 0, deepest = 0, inString = false, escaped = false
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                deepest = max(deepest, depth)
                if deepest > limit { return deepest }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth -= 1
            default:
                break
            }
        }
        return deepest
    }
}
