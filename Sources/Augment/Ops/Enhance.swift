/// PIL's `Image.blend(degenerate, image, factor)` for one sample, the kernel of every
/// `ImageEnhance` operation: `degenerate + factor · (image − degenerate)` evaluated in float32
/// (as Blend.c does), then truncated toward zero and clipped to 0…255 (only factors outside
/// 0…1 can leave that range).
@inline(__always)
func blendSample(_ degenerate: UInt8, _ image: UInt8, _ factor: Float) -> UInt8 {
    let value = Float(degenerate) + factor * Float(Int32(image) - Int32(degenerate))
    if value <= 0 { return 0 }
    if value >= 255 { return 255 }
    return UInt8(value)
}

extension RGBImage {
    /// PIL's `ImageEnhance.Contrast(image).enhance(factor)`: a blend with a uniform grey, the
    /// mean luma rounded half up (`int(mean + 0.5)`). 0 gives the grey image, 1 the original,
    /// factors above 1 raise the contrast.
    public func adjustingContrast(_ factor: Float) -> RGBImage {
        let pixelCount = width * height
        guard pixelCount > 0 else { return self }
        let lumaSum = luma().reduce(0) { $0 + Int($1) }
        let grey = UInt8(Double(lumaSum) / Double(pixelCount) + 0.5)
        return blendingWithConstant(grey, factor)
    }

    /// PIL's `ImageEnhance.Brightness(image).enhance(factor)`: a blend with black. 0 gives a
    /// black image, 1 the original.
    public func adjustingBrightness(_ factor: Float) -> RGBImage {
        blendingWithConstant(0, factor)
    }

    /// PIL's `ImageEnhance.Color(image).enhance(factor)` (torchvision's `adjust_saturation`): a
    /// blend with the image's own grayscale (`grayscale()`). 0 gives that grayscale, 1 the
    /// original, factors above 1 saturate.
    public func adjustingSaturation(_ factor: Float) -> RGBImage {
        var result = self
        result.pixels.withUnsafeMutableBufferPointer { pixels in
            for i in 0..<(width * height) {
                let grey = lumaValue(pixels[3 * i], pixels[3 * i + 1], pixels[3 * i + 2])
                pixels[3 * i] = blendSample(grey, pixels[3 * i], factor)
                pixels[3 * i + 1] = blendSample(grey, pixels[3 * i + 1], factor)
                pixels[3 * i + 2] = blendSample(grey, pixels[3 * i + 2], factor)
            }
        }
        return result
    }

    /// PIL's `ImageEnhance.Sharpness(image).enhance(factor)`: a blend with the image smoothed by
    /// PIL's SMOOTH filter, the 3×3 kernel (1 1 1 / 1 5 1 / 1 1 1) / 13. 0 gives the smoothed
    /// image, 1 the original, factors above 1 sharpen. The first and last rows and columns are
    /// never changed (the filter copies them), nor is an image under 3 pixels wide or high.
    public func adjustingSharpness(_ factor: Float) -> RGBImage {
        guard width >= 3, height >= 3 else { return self }
        var result = self
        // Filter.c divides the integer kernel by the divisor in float32, adds 0.5 to the
        // float32 accumulator for rounding, and sums each kernel row (bottom row first) before
        // adding it; keeping that order keeps the sums bit-identical.
        let side: Float = 1 / 13, centre: Float = 5 / 13
        let rowLength = width * 3
        pixels.withUnsafeBufferPointer { source in
            result.pixels.withUnsafeMutableBufferPointer { destination in
                for y in 1..<(height - 1) {
                    let above = source.baseAddress! + (y - 1) * rowLength
                    let row = above + rowLength, below = row + rowLength
                    let out = destination.baseAddress! + y * rowLength
                    for i in 3..<(rowLength - 3) {
                        var sum: Float = 0.5
                        sum += Float(below[i - 3]) * side + Float(below[i]) * side + Float(below[i + 3]) * side
                        sum += Float(row[i - 3]) * side + Float(row[i]) * centre + Float(row[i + 3]) * side
                        sum += Float(above[i - 3]) * side + Float(above[i]) * side + Float(above[i + 3]) * side
                        let smoothed = UInt8(min(max(sum, 0), 255))
                        out[i] = blendSample(smoothed, row[i], factor)
                    }
                }
            }
        }
        return result
    }

    /// A blend with a uniform image of value `constant`: one table for every sample.
    private func blendingWithConstant(_ constant: UInt8, _ factor: Float) -> RGBImage {
        applying(ChannelLookupTable(shared: (0...255).map { blendSample(constant, UInt8($0), factor) }))
    }
}
