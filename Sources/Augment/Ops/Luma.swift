/// PIL's ITU-R 601-2 luma of one pixel, in its 16-bit fixed point:
/// `(19595·R + 38470·G + 7471·B + 0x8000) >> 16` (Convert.c's `L24`). The weights sum to 65536,
/// so the result never exceeds 255.
@inline(__always)
func lumaValue(_ red: UInt8, _ green: UInt8, _ blue: UInt8) -> UInt8 {
    let weighted = 19595 &* UInt32(red) &+ 38470 &* UInt32(green) &+ 7471 &* UInt32(blue) &+ 0x8000
    return UInt8(truncatingIfNeeded: weighted >> 16)
}

extension RGBImage {
    /// PIL's `convert("L")`: one luma byte per pixel, `height × width`, row-major.
    public func luma() -> [UInt8] {
        let count = width * height
        return pixels.withUnsafeBufferPointer { source in
            [UInt8](unsafeUninitializedCapacity: count) { luma, initialized in
                for i in 0..<count {
                    luma[i] = lumaValue(source[3 * i], source[3 * i + 1], source[3 * i + 2])
                }
                initialized = count
            }
        }
    }

    /// The luma replicated to all three channels: PIL's `convert("L").convert("RGB")`, which is
    /// torchvision's `RandomGrayscale` output and `ImageEnhance.Color`'s degenerate image.
    public func grayscale() -> RGBImage {
        var result = self
        result.pixels.withUnsafeMutableBufferPointer { pixels in
            for i in 0..<(width * height) {
                let value = lumaValue(pixels[3 * i], pixels[3 * i + 1], pixels[3 * i + 2])
                pixels[3 * i] = value
                pixels[3 * i + 1] = value
                pixels[3 * i + 2] = value
            }
        }
        return result
    }
}
