/// Max and global-average pooling over channel-major feature maps [C, N, H, W], with their
/// derivatives. Each (channel, image) plane is independent, so the kernels run in parallel over
/// planes, and every output gradient lands in its own plane: sums are race-free and ordered.

/// Max pooling with a square window, as PyTorch's `max_pool2d` (floor output size, padding
/// acting as −∞, so padded positions never win). x: [C, N, H, W] → [C, N, Ho, Wo] with
/// Ho = (H + 2·padding − kernelSize)/stride + 1. The gradient of each output goes to the input
/// that held its maximum; on ties, to the first in row-major window order. NaN propagates.
public func maxPool2d(_ x: Tensor, kernelSize: Int = 3, stride: Int = 2, padding: Int = 1) -> Tensor {
    precondition(x.rank == 4, "maxPool2d: x must be [C, N, H, W], got \(x.shape)")
    // As PyTorch requires: every window then overlaps the image, so its maximum is finite.
    precondition(padding <= kernelSize / 2,
                 "maxPool2d: padding \(padding) exceeds half the kernel size \(kernelSize)")
    let g = ConvolutionGeometry(channels: x.shape[0], batch: x.shape[1], height: x.shape[2], width: x.shape[3],
                                kernelHeight: kernelSize, kernelWidth: kernelSize,
                                stride: stride, padding: padding)
    precondition(g.inputPlane <= Int(Int32.max), "maxPool2d: planes of \(x.shape) too large for Int32 indices")
    let y = Tensor(uninitializedShape: [g.channels, g.batch, g.outputHeight, g.outputWidth])
    guard Tensor.recordsGradient(x) else {
        maxPoolForward(x.data, g, into: y.data, argmax: nil)
        return y
    }
    // Within-plane index of each output's maximum, kept for backward.
    let argmax = [Int32](unsafeUninitializedCapacity: y.count) { buffer, initialized in
        maxPoolForward(x.data, g, into: y.data, argmax: buffer.baseAddress)
        initialized = y.count
    }
    let target = x.gradientTarget
    return y.recordingGradient("maxPool2d", inputs: [x]) { dy in
        target?.accumulateInPlace { dx, accumulate in
            argmax.withUnsafeBufferPointer { argmax in
                maxPoolBackward(dy.data, argmax.baseAddress!, g, into: dx, accumulate: accumulate)
            }
        }
    }
}

/// Global average pooling: x [C, N, H, W] → [N, C], out[n, c] = mean over H·W of x[c, n].
/// The output is batch-major, ready for a Linear layer. Sums in Double.
public func globalAveragePool(_ x: Tensor) -> Tensor {
    precondition(x.rank == 4, "globalAveragePool: x must be [C, N, H, W], got \(x.shape)")
    let (channels, batch, plane) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
    precondition(plane > 0, "globalAveragePool: empty planes in \(x.shape)")
    let y = Tensor(uninitializedShape: [batch, channels])
    let (source, out) = (x.data, y.data)
    Threading.parallelRanges(channels * batch) { planes in
        for p in planes {
            let values = source + p * plane
            var sum = 0.0
            for i in 0..<plane { sum += Double(values[i]) }
            let (c, n) = (p / batch, p % batch)
            out[n * channels + c] = Float(sum / Double(plane))
        }
    }
    let target = x.gradientTarget
    return y.recordingGradient("globalAveragePool", inputs: [x]) { dy in
        target?.accumulateInPlace { dx, accumulate in
            let gradient = dy.data
            let scale = 1 / Float(plane)
            Threading.parallelRanges(channels * batch) { planes in
                for p in planes {
                    let (c, n) = (p / batch, p % batch)
                    let share = gradient[n * channels + c] * scale
                    let target = dx + p * plane
                    if accumulate {
                        for i in 0..<plane { target[i] += share }
                    } else {
                        target.update(repeating: share, count: plane)
                    }
                }
            }
        }
    }
}

/// y[p, oh, ow] = max of the window of plane p; argmax (when given) gets its within-plane index.
private func maxPoolForward(_ x: UnsafePointer<Float>, _ g: ConvolutionGeometry,
                            into y: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>?) {
    let (outputHeight, outputWidth) = (g.outputHeight, g.outputWidth)
    // Window offsets relative to its top-left input element, and the outputs whose window lies
    // wholly inside the input: those take the fast path without clipping.
    let offsets = (0..<g.kernelHeight).flatMap { r in (0..<g.kernelWidth).map { r * g.width + $0 } }
    let interiorRows = interiorOutputs(input: g.height, kernel: g.kernelHeight, stride: g.stride,
                                       padding: g.padding, outputs: outputHeight)
    let interiorColumns = interiorOutputs(input: g.width, kernel: g.kernelWidth, stride: g.stride,
                                          padding: g.padding, outputs: outputWidth)
    offsets.withUnsafeBufferPointer { offsets in
        Threading.parallelRanges(g.channels * g.batch) { planes in
            for p in planes {
                let source = x + p * g.inputPlane
                let offset = p * g.outputPlane
                for oh in 0..<outputHeight {
                    let top = oh * g.stride - g.padding
                    let rows = max(0, top)..<min(g.height, top + g.kernelHeight)
                    // Strictly greater keeps the first of equal maxima; NaN wins, as in PyTorch.
                    func clipped(_ ow: Int) -> (Float, Int) {
                        let left = ow * g.stride - g.padding
                        let columns = max(0, left)..<min(g.width, left + g.kernelWidth)
                        var best = -Float.infinity
                        var bestIndex = rows.lowerBound * g.width + columns.lowerBound
                        for ih in rows {
                            for iw in columns {
                                let value = source[ih * g.width + iw]
                                if value > best || value.isNaN { best = value; bestIndex = ih * g.width + iw }
                            }
                        }
                        return (best, bestIndex)
                    }
                    let fast = interiorRows.contains(oh) ? interiorColumns : 0..<0
                    var ow = 0
                    while ow < outputWidth {
                        let o = offset + oh * outputWidth + ow
                        let (best, bestIndex): (Float, Int)
                        if fast.contains(ow) {
                            let corner = top * g.width + ow * g.stride - g.padding
                            if g.stride <= 2 && ow + MaxPoolLanes.count < fast.upperBound {
                                MaxPoolLanes(source, corner: corner, stride: g.stride, offsets: offsets)
                                    .store(into: y + o, argmax: argmax.map { $0 + o })
                                ow += MaxPoolLanes.count
                                continue
                            }
                            var value = source[corner], index = corner
                            for k in 1..<offsets.count {
                                let candidate = source[corner + offsets[k]]
                                if candidate > value || candidate.isNaN { value = candidate; index = corner + offsets[k] }
                            }
                            (best, bestIndex) = (value, index)
                        } else {
                            (best, bestIndex) = clipped(ow)
                        }
                        y[o] = best
                        argmax?[o] = Int32(bestIndex)
                        ow += 1
                    }
                }
            }
        }
    }
}

/// The maxima of eight neighbouring windows that lie wholly inside the input, and the
/// within-plane index of each, compared as the scalar path does (strictly greater keeps the
/// first of equal maxima; NaN wins). Stride 1 or 2: a window offset's eight values are one
/// load, or the even half of a 16-value load. That load reaches one value past the last window's
/// last column, so callers take lanes only while a window follows them in the same row.
private struct MaxPoolLanes {
    static let count = 8
    var values: SIMD8<Float>, indices: SIMD8<Int32>

    @inline(__always)
    init(_ source: UnsafePointer<Float>, corner: Int, stride: Int, offsets: UnsafeBufferPointer<Int>) {
        let lanes = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7) &* Int32(stride)
        @inline(__always) func load(_ start: Int) -> SIMD8<Float> {
            let raw = UnsafeRawPointer(source + start)
            return stride == 1 ? raw.loadUnaligned(as: SIMD8<Float>.self)
                : raw.loadUnaligned(as: SIMD16<Float>.self).evenHalf
        }
        values = load(corner + offsets[0])
        indices = lanes &+ Int32(corner + offsets[0])
        for k in 1..<offsets.count {
            let start = corner + offsets[k]
            let candidate = load(start)
            let better = (candidate .> values) .| (candidate .!= candidate)
            values.replace(with: candidate, where: better)
            indices.replace(with: lanes &+ Int32(start), where: better)
        }
    }

    @inline(__always)
    func store(into y: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>?) {
        UnsafeMutableRawPointer(y).storeBytes(of: values, as: SIMD8<Float>.self)
        if let argmax { UnsafeMutableRawPointer(argmax).storeBytes(of: indices, as: SIMD8<Int32>.self) }
    }
}

/// The outputs of a pooling window of `kernel` (stride, padding) that lie wholly inside an
/// input of `input` elements along one axis.
private func interiorOutputs(input: Int, kernel: Int, stride: Int, padding: Int, outputs: Int) -> Range<Int> {
    let first = (padding + stride - 1) / stride
    let last = (input - kernel + padding) / stride
    return first <= last ? first..<min(outputs, last + 1) : 0..<0
}

/// dx[p, argmax[p, o]] += dy[p, o], planes overwritten first unless `accumulate`.
private func maxPoolBackward(_ dy: UnsafePointer<Float>, _ argmax: UnsafePointer<Int32>,
                             _ g: ConvolutionGeometry, into dx: UnsafeMutablePointer<Float>, accumulate: Bool) {
    Threading.parallelRanges(g.channels * g.batch) { planes in
        for p in planes {
            let target = dx + p * g.inputPlane
            if !accumulate { target.update(repeating: 0, count: g.inputPlane) }
            let offset = p * g.outputPlane
            for o in offset..<(offset + g.outputPlane) { target[Int(argmax[o])] += dy[o] }
        }
    }
}
