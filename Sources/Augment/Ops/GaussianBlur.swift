extension RGBImage {
    /// PIL's `ImageFilter.GaussianBlur(radius: sigma)`: `sigma` (pixels) is the standard
    /// deviation. As PIL does, three passes of an extended box blur along x, then three along y,
    /// approximate the Gaussian; each pass rounds to 8 bits and replicates the edge pixels.
    /// `sigma` 0 returns the image unchanged.
    public func gaussianBlurred(sigma: Float) -> RGBImage {
        precondition(sigma >= 0, "gaussianBlurred: negative sigma \(sigma)")
        guard sigma > 0, width > 0, height > 0 else { return self }
        let passes = 3
        let box = ExtendedBoxKernel(gaussianSigma: sigma, passes: passes)
        // Blurring down columns runs along whole rows at once (vectorised), so the x passes,
        // which must all come first (each pass rounds), run down the columns of the transpose.
        var transposed = RGBImage(width: height, height: width)
        Self.transpose(self, into: &transposed)
        box.blurColumns(&transposed, passes: passes)
        var result = RGBImage(width: width, height: height)
        Self.transpose(transposed, into: &result)
        box.blurColumns(&result, passes: passes)
        return result
    }

    /// Writes `source` mirrored about its main diagonal (pixel (x, y) to (y, x)) into
    /// `destination`, which must be `source.height` wide and `source.width` high.
    private static func transpose(_ source: RGBImage, into destination: inout RGBImage) {
        let width = source.width, height = source.height
        source.pixels.withUnsafeBufferPointer { input in
            destination.pixels.withUnsafeMutableBufferPointer { output in
                for y in 0..<height {
                    for x in 0..<width {
                        let from = (y * width + x) * 3, to = (x * height + y) * 3
                        output[to] = input[from]
                        output[to + 1] = input[from + 1]
                        output[to + 2] = input[from + 2]
                    }
                }
            }
        }
    }
}

/// One pass of PIL's extended box blur (BoxBlur.c): a box of `2·radius + 1` samples with
/// weight `inner` each, plus the next sample on either side with the smaller weight `edge`,
/// in 8.24 fixed point (the weights sum to at most 2²⁴), rounded half up back to 8 bits.
/// Samples beyond either end repeat the end sample.
struct ExtendedBoxKernel {
    let radius: Int
    let inner: UInt32
    let edge: UInt32

    /// The box whose `passes`-fold repetition has variance `sigma²` (BoxBlur.c's
    /// `_gaussian_blur_radius`, after Gwosdek et al. 2011), its float32 and double steps kept.
    init(gaussianSigma sigma: Float, passes: Int) {
        let variance = sigma * sigma / Float(passes)
        let length = Float((12.0 * Double(variance) + 1.0).squareRoot())
        let whole = Float(((Double(length) - 1.0) / 2.0).rounded(.down))
        var fraction = (2 * whole + 1) * (whole * (whole + 1) - 3 * variance)
        fraction /= 6 * (variance - (whole + 1) * (whole + 1))
        self.init(radius: whole + fraction)
    }

    /// The box of fractional radius `radius` (BoxBlur.c's `ImagingHorizontalBoxBlur` weights).
    init(radius floatRadius: Float) {
        radius = Int(floatRadius)
        inner = UInt32(Float(1 << 24) / (floatRadius * 2 + 1))
        edge = ((1 << 24) - UInt32(radius * 2 + 1) * inner) / 2
    }

    /// Blurs every column of `image` `passes` times.
    func blurColumns(_ image: inout RGBImage, passes: Int) {
        let rowLength = image.width * 3, rows = image.height
        var scratch = [UInt8](repeating: 0, count: image.pixels.count)
        var accumulators = [UInt32](repeating: 0, count: rowLength)
        image.pixels.withUnsafeMutableBufferPointer { image in
            scratch.withUnsafeMutableBufferPointer { scratch in
                accumulators.withUnsafeMutableBufferPointer { accumulators in
                    for pass in 0..<passes {
                        // Ping-pong between the buffers; an odd count ends with a copy back.
                        let (from, to) = pass % 2 == 0 ? (image, scratch) : (scratch, image)
                        blurColumnsOnce(UnsafePointer(from.baseAddress!), to.baseAddress!, rows: rows,
                                        rowLength: rowLength, accumulators.baseAddress!)
                    }
                    if passes % 2 == 1 {
                        image.baseAddress!.update(from: scratch.baseAddress!, count: scratch.count)
                    }
                }
            }
        }
    }

    /// One pass down the columns of a `rows × rowLength` sample array, every column at once:
    /// `accumulators` (`rowLength` values) hold each column's current window sum.
    private func blurColumnsOnce(_ source: UnsafePointer<UInt8>, _ destination: UnsafeMutablePointer<UInt8>,
                                 rows: Int, rowLength: Int, _ accumulators: UnsafeMutablePointer<UInt32>) {
        let last = rows - 1
        let half = UInt32(1 << 23)
        func row(_ index: Int) -> UnsafePointer<UInt8> {
            source + min(max(index, 0), last) * rowLength
        }
        // The window of row 0: rows −radius…radius, clamped to the image.
        accumulators.update(repeating: 0, count: rowLength)
        for k in -radius...radius {
            let sample = row(k)
            for i in 0..<rowLength { accumulators[i] &+= UInt32(sample[i]) }
        }
        for y in 0..<rows {
            let above = row(y - radius - 1), below = row(y + radius + 1), leaving = row(y - radius)
            let target = destination + y * rowLength
            for i in 0..<rowLength {
                let total = accumulators[i] &* inner &+ (UInt32(above[i]) &+ UInt32(below[i])) &* edge
                target[i] = UInt8(truncatingIfNeeded: (total &+ half) >> 24)
                // Slide the window down one row: the row below enters, the top one leaves.
                accumulators[i] = accumulators[i] &+ UInt32(below[i]) &- UInt32(leaving[i])
            }
        }
    }
}
