/// A lookup table per channel, mapping each 8-bit R, G and B value to a new one: what PIL's
/// `Image.point` applies for ImageOps' colour operations (invert, solarize, posterize,
/// autocontrast, equalize) and for blends against a constant image.
struct ChannelLookupTable {
    /// 768 entries: 256 for red, then green, then blue.
    private(set) var entries: [UInt8]

    /// One table for all three channels (256 entries).
    init(shared table: [UInt8]) {
        precondition(table.count == 256, "ChannelLookupTable: \(table.count) entries instead of 256")
        entries = table + table + table
    }

    /// A table per channel (0 red, 1 green, 2 blue), each of 256 entries.
    init(perChannel table: (_ channel: Int) -> [UInt8]) {
        entries = (0..<3).flatMap { channel -> [UInt8] in
            let values = table(channel)
            precondition(values.count == 256, "ChannelLookupTable: \(values.count) entries instead of 256")
            return values
        }
    }
}

extension RGBImage {
    /// Every sample replaced by its channel's table entry.
    func applying(_ table: ChannelLookupTable) -> RGBImage {
        var result = self
        table.entries.withUnsafeBufferPointer { lookup in
            let red = lookup.baseAddress!, green = red + 256, blue = red + 512
            result.pixels.withUnsafeMutableBufferPointer { pixels in
                for i in 0..<(width * height) {
                    pixels[3 * i] = red[Int(pixels[3 * i])]
                    pixels[3 * i + 1] = green[Int(pixels[3 * i + 1])]
                    pixels[3 * i + 2] = blue[Int(pixels[3 * i + 2])]
                }
            }
        }
        return result
    }
}
