extension RGBImage {
    /// PIL's `ImageFilter.GaussianBlur(radius: sigma)`: `sigma` (pixels) is the standard
    /// deviation. As PIL does, three passes of an extended box blur along x, then three along y,
    /// approximate the Gaussian; each pass rounds to 8 bits and replicates the edge pixels.
    /// `sigma` 0 returns the image unchanged.
    public func gaussianBlurred(sigma: Float) -> RGBImage {
        precondition(sigma >= 0, "gaussianBlurred: negative sigma \(sigma)")
        let passes = 3
        guard sigma > 0, width > 0, height > 0 else { return self }
        let box = ExtendedBoxKernel(gaussianSigma: sigma, passes: passes)
        var scratch = [UInt8](repeating: 0, count: pixels.count)
        var result = self
        var accumulators = [UInt32](repeating: 0, count: width * 3)
        let rowLength = width * 3
        pixels.withUnsafeBufferPointer { source in
            scratch.withUnsafeMutableBufferPointer { scratch in
                result.pixels.withUnsafeMutableBufferPointer { output in
                    accumulators.withUnsafeMutableBufferPointer { accumulators in
                        // Six passes alternate between the two buffers, starting from the source
                        // and ending in the output: source → scratch → output → … → output.
                        var from = UnsafePointer(source.baseAddress!)
                        var buffers = (scratch.baseAddress!, output.baseAddress!)
                        for pass in 0..<(2 * passes) {
                            let to = buffers.0
                            if pass < passes {
                                box.blurLines(from, to, lineCount: height, lineStride: rowLength, length: width,
                                              step: 3, lanes: 3, accumulators.baseAddress!)
                            } else {
                                box.blurLines(from, to, lineCount: 1, lineStride: 0, length: height,
                                              step: rowLength, lanes: rowLength, accumulators.baseAddress!)
                            }
                            from = UnsafePointer(to)
                            buffers = (buffers.1, buffers.0)
                        }
                    }
                }
            }
        }
        return result
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

    /// Blurs `lineCount` lines of `length` samples each; line `l`'s sample `x` is at
    /// `l · lineStride + x · step` and has `lanes` consecutive independent channels (3 for the
    /// rows of an RGB image; a whole row for its columns, which blurs every column at once).
    /// `accumulators` holds at least `lanes` values.
    func blurLines(_ source: UnsafePointer<UInt8>, _ destination: UnsafeMutablePointer<UInt8>,
                   lineCount: Int, lineStride: Int, length: Int, step: Int, lanes: Int,
                   _ accumulators: UnsafeMutablePointer<UInt32>) {
        let last = length - 1
        let half = UInt32(1 << 23)
        for line in 0..<lineCount {
            let input = source + line * lineStride
            let output = destination + line * lineStride
            // The window of output 0: samples −radius…radius, clamped to the line.
            accumulators.update(repeating: 0, count: lanes)
            for k in -radius...radius {
                let sample = input + min(max(k, 0), last) * step
                for lane in 0..<lanes { accumulators[lane] &+= UInt32(sample[lane]) }
            }
            for x in 0..<length {
                let leftEdge = input + max(x - radius - 1, 0) * step
                let rightEdge = input + min(x + radius + 1, last) * step
                let leaving = input + max(x - radius, 0) * step
                let target = output + x * step
                for lane in 0..<lanes {
                    let total = accumulators[lane] &* inner
                        &+ (UInt32(leftEdge[lane]) &+ UInt32(rightEdge[lane])) &* edge
                    target[lane] = UInt8(truncatingIfNeeded: (total &+ half) >> 24)
                    // Slide the window one sample on: the right edge sample enters.
                    accumulators[lane] = accumulators[lane] &+ UInt32(rightEdge[lane]) &- UInt32(leaving[lane])
                }
            }
        }
    }
}
