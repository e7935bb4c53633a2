/// im2col and col2im: the rearrangements that turn a convolution into one matrix product.
///
/// Feature maps are channel-major, x: [C, N, H, W]. For a block of images n ∈ [n0, n0 + b), the
/// column matrix is col: [C·kh·kw, b·Ho·Wo], row r = (c·kh + i)·kw + j holding, at column
/// (n − n0)·Ho·Wo + oh·Wo + ow, the input x[c, n, oh·s − p + i, ow·s − p + j] (0 outside the image).
/// Then Y[:, block] = W[Cout, C·kh·kw] · col.

/// The sizes of one convolution (or pooling) window sweep over a [C, N, H, W] tensor.
package struct ConvolutionGeometry: Equatable {
    package let channels: Int, batch: Int, height: Int, width: Int
    package let kernelHeight: Int, kernelWidth: Int
    package let stride: Int, padding: Int

    package init(channels: Int, batch: Int, height: Int, width: Int,
         kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Int) {
        precondition(stride >= 1, "convolution: stride must be at least 1, got \(stride)")
        precondition(padding >= 0, "convolution: padding must be non-negative, got \(padding)")
        precondition(height + 2 * padding >= kernelHeight && width + 2 * padding >= kernelWidth,
                     "convolution: kernel \(kernelHeight)×\(kernelWidth) exceeds padded input \(height)×\(width) (padding \(padding))")
        (self.channels, self.batch, self.height, self.width) = (channels, batch, height, width)
        (self.kernelHeight, self.kernelWidth) = (kernelHeight, kernelWidth)
        (self.stride, self.padding) = (stride, padding)
    }

    package var outputHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
    package var outputWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }
    /// Elements of one input plane (one channel of one image).
    package var inputPlane: Int { height * width }
    /// Elements of one output plane; also the columns one image contributes to the column matrix.
    package var outputPlane: Int { outputHeight * outputWidth }
    /// Rows of the column matrix: C·kh·kw.
    package var columnRows: Int { channels * kernelHeight * kernelWidth }

    /// The outputs o whose input coordinate o·s − p + offset lies in [0, size) — the only ones
    /// that read real input; the others read padding. Computed once per row so hot loops need
    /// no per-element bounds checks.
    @inline(__always)
    package func validOutputs(offset: Int, inputSize: Int, outputSize: Int) -> Range<Int> {
        let first = padding - offset
        let lower = first <= 0 ? 0 : (first + stride - 1) / stride
        let last = inputSize - 1 + padding - offset
        let upper = last < 0 ? 0 : min(outputSize, last / stride + 1)
        return lower..<max(lower, upper)
    }
}

/// Fills `column` ([C·kh·kw, images.count·Ho·Wo], row stride images.count·Ho·Wo) from x.
/// Parallel over (row, image) pairs; each task writes one contiguous Ho·Wo stretch.
package func im2col(_ x: UnsafePointer<Float>, _ g: ConvolutionGeometry, images: Range<Int>,
            into column: UnsafeMutablePointer<Float>) {
    let blockImages = images.count
    let rowStride = blockImages * g.outputPlane
    let (kernelArea, outputWidth) = (g.kernelHeight * g.kernelWidth, g.outputWidth)
    OpProfile.measure(.im2col) { Threading.parallelRanges(g.columnRows * blockImages) { tasks in
        for task in tasks {
            let row = task / blockImages, image = task % blockImages
            let channel = row / kernelArea
            let i = (row % kernelArea) / g.kernelWidth, j = row % g.kernelWidth
            let source = x + (channel * g.batch + images.lowerBound + image) * g.inputPlane
            let destination = column + row * rowStride + image * g.outputPlane
            let rows = g.validOutputs(offset: i, inputSize: g.height, outputSize: g.outputHeight)
            let columns = g.validOutputs(offset: j, inputSize: g.width, outputSize: outputWidth)
            // Output rows reading only padding, then the left/right padding of each real row.
            destination.update(repeating: 0, count: rows.lowerBound * outputWidth)
            for oh in rows {
                let out = destination + oh * outputWidth
                let input = source + (oh * g.stride - g.padding + i) * g.width - g.padding + j
                out.update(repeating: 0, count: columns.lowerBound)
                if g.stride == 1 {
                    (out + columns.lowerBound).update(from: input + columns.lowerBound, count: columns.count)
                } else if g.stride == 2 {
                    gatherEven(input + 2 * columns.lowerBound, into: out + columns.lowerBound, count: columns.count)
                } else {
                    for ow in columns { out[ow] = input[ow * g.stride] }
                }
                (out + columns.upperBound).update(repeating: 0, count: outputWidth - columns.upperBound)
            }
            (destination + rows.upperBound * outputWidth)
                .update(repeating: 0, count: (g.outputHeight - rows.upperBound) * outputWidth)
        }
    } }
}

/// Scatters `column` (laid out as `im2col` writes it) back onto dx: [C, N, H, W], summing the
/// contributions of overlapping windows. When `accumulate` is false the planes of `images` are
/// overwritten, otherwise added to. Parallel over (channel, image) planes, each owned by one
/// task, so the sums are race-free and in a fixed order.
package func col2im(_ column: UnsafePointer<Float>, _ g: ConvolutionGeometry, images: Range<Int>,
            into dx: UnsafeMutablePointer<Float>, accumulate: Bool) {
    let blockImages = images.count
    let rowStride = blockImages * g.outputPlane
    let outputWidth = g.outputWidth
    OpProfile.measure(.im2col) { Threading.parallelRanges(g.channels * blockImages) { tasks in
        for task in tasks {
            let channel = task / blockImages, image = task % blockImages
            let plane = dx + (channel * g.batch + images.lowerBound + image) * g.inputPlane
            if !accumulate { plane.update(repeating: 0, count: g.inputPlane) }
            for i in 0..<g.kernelHeight {
                let rows = g.validOutputs(offset: i, inputSize: g.height, outputSize: g.outputHeight)
                for j in 0..<g.kernelWidth {
                    let columns = g.validOutputs(offset: j, inputSize: g.width, outputSize: outputWidth)
                    let row = (channel * g.kernelHeight + i) * g.kernelWidth + j
                    let source = column + row * rowStride + image * g.outputPlane
                    for oh in rows {
                        let target = plane + (oh * g.stride - g.padding + i) * g.width - g.padding + j
                        let contribution = source + oh * outputWidth
                        if g.stride == 1 {
                            for ow in columns { target[ow] += contribution[ow] }
                        } else if g.stride == 2 {
                            scatterAddEven(contribution + columns.lowerBound,
                                           into: target + 2 * columns.lowerBound, count: columns.count)
                        } else {
                            for ow in columns { target[ow * g.stride] += contribution[ow] }
                        }
                    }
                }
            }
        }
    } }
}

// Stride 2 — ResNet's stem, its downsampling 3×3 and 1×1 convolutions — would otherwise run a
// scalar loop; these move 8 values per step through one unaligned 16-float access. The vector
// steps stop while k + 8 < count, so no access passes element 2·count − 2, the last one used.

/// out[k] = input[2k] for k < count.
@inline(__always)
private func gatherEven(_ input: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int) {
    let source = UnsafeRawPointer(input), destination = UnsafeMutableRawPointer(out)
    var k = 0
    while k + 8 < count {
        let pairs = source.loadUnaligned(fromByteOffset: 2 * k * 4, as: SIMD16<Float>.self)
        destination.storeBytes(of: pairs.evenHalf, toByteOffset: k * 4, as: SIMD8<Float>.self)
        k += 8
    }
    while k < count { out[k] = input[2 * k]; k += 1 }
}

/// target[2k] += values[k] for k < count (odd elements are read and written back unchanged).
@inline(__always)
private func scatterAddEven(_ values: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, count: Int) {
    let source = UnsafeRawPointer(values), destination = UnsafeMutableRawPointer(target)
    var k = 0
    while k + 8 < count {
        var addend = SIMD16<Float>()
        addend.evenHalf = source.loadUnaligned(fromByteOffset: k * 4, as: SIMD8<Float>.self)
        let sum = destination.loadUnaligned(fromByteOffset: 2 * k * 4, as: SIMD16<Float>.self) + addend
        destination.storeBytes(of: sum, toByteOffset: 2 * k * 4, as: SIMD16<Float>.self)
        k += 8
    }
    while k < count { target[2 * k] += values[k]; k += 1 }
}
