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

    /// The geometry of the convolution that maps dY back to dX when this one is square with
    /// stride 1 and padding p ≤ k − 1: over dY [Cout, N, Ho, Wo] (`channels` = Cout), same
    /// kernel size, stride 1, padding k − 1 − p, so that its output is [·, N, H, W]. Nil for
    /// every other convolution (strided, non-square, or padded by k or more).
    package init?(transposeOf g: ConvolutionGeometry, outChannels: Int) {
        let k = g.kernelHeight
        guard g.stride == 1, g.kernelWidth == k, g.padding <= k - 1 else { return nil }
        self.init(channels: outChannels, batch: g.batch, height: g.outputHeight, width: g.outputWidth,
                  kernelHeight: k, kernelWidth: k, stride: 1, padding: k - 1 - g.padding)
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
///
/// Every input plane is first copied into a buffer with a zero border of `padding`, so that
/// filling a column row needs no clipping and no separate zero fills. Two ways to fill rows, by
/// output width (`ConvolutionTuning.narrowOutputWidth`):
/// - wide planes, parallel over (channel, image) planes: each output row of each of the plane's
///   kh·kw column rows is one plain copy (stride 1) or gather (stride 2) of Wo values;
/// - narrow planes (the deep layers of 32 px networks and their 14 px strong views, rows of 2–7
///   values), parallel over channels: a channel's planes of the whole block are bordered side
///   by side, and each of its kh·kw column rows is then one gather through a table of source
///   offsets — no loop and no call per output row, which at these widths cost more than the
///   copies.
/// `parallel: false` runs on the calling thread (inside a loop that is already parallel).
package func im2col(_ x: UnsafePointer<Float>, _ g: ConvolutionGeometry, images: Range<Int>,
            into column: UnsafeMutablePointer<Float>, parallel: Bool = true) {
    OpProfile.measure(.im2col) {
        if g.outputWidth < ConvolutionTuning.narrowOutputWidth {
            im2colNarrow(x, g, images: images, into: column, parallel: parallel)
        } else {
            im2colWide(x, g, images: images, into: column, parallel: parallel)
        }
    }
}

/// A plane of `g` with a zero border of `g.padding`: its row width and element count.
private struct PaddedPlane {
    let width: Int, count: Int
    init(_ g: ConvolutionGeometry) {
        width = g.width + 2 * g.padding
        count = (g.height + 2 * g.padding) * width
    }
}

/// `im2col` by rows of output, parallel over (channel, image) planes.
private func im2colWide(_ x: UnsafePointer<Float>, _ g: ConvolutionGeometry, images: Range<Int>,
                        into column: UnsafeMutablePointer<Float>, parallel: Bool) {
    let blockImages = images.count
    let rowStride = blockImages * g.outputPlane
    let (outputHeight, outputWidth) = (g.outputHeight, g.outputWidth)
    let plane = PaddedPlane(g)
    Threading.ranges(g.channels * blockImages, parallel: parallel) { tasks in
        withUnsafeTemporaryAllocation(of: Float.self, capacity: plane.count) { buffer in
            let padded = buffer.baseAddress!
            // The border stays zero: each plane overwrites only the interior.
            padded.update(repeating: 0, count: plane.count)
            let interior = padded + g.padding * plane.width + g.padding
            for task in tasks {
                let channel = task / blockImages, image = task % blockImages
                let source = x + (channel * g.batch + images.lowerBound + image) * g.inputPlane
                for h in 0..<g.height {
                    copyFloats(source + h * g.width, to: interior + h * plane.width, count: g.width)
                }
                for i in 0..<g.kernelHeight {
                    for j in 0..<g.kernelWidth {
                        let row = (channel * g.kernelHeight + i) * g.kernelWidth + j
                        let destination = column + row * rowStride + image * g.outputPlane
                        for oh in 0..<outputHeight {
                            let input = padded + (oh * g.stride + i) * plane.width + j
                            let out = destination + oh * outputWidth
                            if g.stride == 1 {
                                copyFloats(input, to: out, count: outputWidth)
                            } else if g.stride == 2 {
                                gatherEven(input, into: out, count: outputWidth)
                            } else {
                                for ow in 0..<outputWidth { out[ow] = input[ow * g.stride] }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `im2col` by whole column rows, parallel over channels. For one channel, the block's planes
/// lie bordered side by side in a buffer; `sources[q]` is the buffer offset that column q of a
/// row reads for kernel offset (0, 0), and offset (i, j) reads `sources[q] + i·width + j`.
private func im2colNarrow(_ x: UnsafePointer<Float>, _ g: ConvolutionGeometry, images: Range<Int>,
                          into column: UnsafeMutablePointer<Float>, parallel: Bool) {
    let blockImages = images.count
    let rowStride = blockImages * g.outputPlane
    let plane = PaddedPlane(g)
    // Where each input element goes in its bordered plane, and where each column's window starts.
    var interior = [Int32](repeating: 0, count: g.inputPlane)
    for h in 0..<g.height {
        for w in 0..<g.width { interior[h * g.width + w] = Int32((h + g.padding) * plane.width + w + g.padding) }
    }
    var sources = [Int32](repeating: 0, count: rowStride)
    for image in 0..<blockImages {
        for oh in 0..<g.outputHeight {
            for ow in 0..<g.outputWidth {
                sources[(image * g.outputHeight + oh) * g.outputWidth + ow] =
                    Int32(image * plane.count + oh * g.stride * plane.width + ow * g.stride)
            }
        }
    }
    interior.withUnsafeBufferPointer { interiorBuffer in sources.withUnsafeBufferPointer { sourceBuffer in
        let interior = interiorBuffer.baseAddress!, sources = sourceBuffer.baseAddress!
        Threading.ranges(g.channels, parallel: parallel) { channels in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: blockImages * plane.count) { buffer in
                let padded = buffer.baseAddress!
                // Borders stay zero: each channel overwrites only the interiors.
                padded.update(repeating: 0, count: blockImages * plane.count)
                for channel in channels {
                    let first = x + (channel * g.batch + images.lowerBound) * g.inputPlane
                    for image in 0..<blockImages {
                        let source = first + image * g.inputPlane, target = padded + image * plane.count
                        for e in 0..<g.inputPlane { target[Int(interior[e])] = source[e] }
                    }
                    for i in 0..<g.kernelHeight {
                        for j in 0..<g.kernelWidth {
                            let row = (channel * g.kernelHeight + i) * g.kernelWidth + j
                            let destination = column + row * rowStride
                            let window = UnsafePointer(padded) + i * plane.width + j
                            for q in 0..<rowStride { destination[q] = window[Int(sources[q])] }
                        }
                    }
                }
            }
        }
    } }
}

/// Scatters `column` (laid out as `im2col` writes it) back onto dx: [C, N, H, W], summing the
/// contributions of overlapping windows. When `accumulate` is false the planes of `images` are
/// overwritten, otherwise added to. Parallel (unless `parallel` is false) over (channel, image)
/// planes, each owned by one task, so the sums are race-free and in a fixed order.
package func col2im(_ column: UnsafePointer<Float>, _ g: ConvolutionGeometry, images: Range<Int>,
            into dx: UnsafeMutablePointer<Float>, accumulate: Bool, parallel: Bool = true) {
    let blockImages = images.count
    let rowStride = blockImages * g.outputPlane
    let outputWidth = g.outputWidth
    OpProfile.measure(.im2col) { Threading.ranges(g.channels * blockImages, parallel: parallel) { tasks in
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
// scalar loop; the stride-2 helpers move 8 values per step through one unaligned 16-float
// access. Their vector steps stop while k + 8 < count, so no access passes element 2·count − 2,
// the last one used.

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
