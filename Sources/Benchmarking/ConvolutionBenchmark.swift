import TensorCore
/// Where the time of an im2col convolution goes: the two rearrangements against the three
/// GEMMs of a forward and backward pass, measured on the code `conv2d` runs (same image
/// blocks, same workspace).
///
/// ```swift
/// let p = ConvolutionBenchmark.measure(inChannels: 64, outChannels: 64, kernelSize: 3,
///                                      padding: 1, height: 56, width: 56, batch: 32)
/// print(p.im2col, p.forwardGEMM, p.col2im)   // seconds
/// ```
public enum ConvolutionBenchmark {
    /// Seconds per phase for the whole batch (the fastest of the repetitions, per phase).
    public struct Phases: Sendable {
        /// im2col of the whole batch (done once in forward and again in backward).
        public var im2col = Double.infinity
        /// Y = W·col.
        public var forwardGEMM = Double.infinity
        /// dW += dY·colᵀ.
        public var weightGradientGEMM = Double.infinity
        /// dcol = Wᵀ·dY.
        public var columnGradientGEMM = Double.infinity
        /// col2im of the whole batch.
        public var col2im = Double.infinity

        /// Forward plus backward, with im2col counted twice as `conv2d` runs it.
        public var total: Double { 2 * im2col + forwardGEMM + weightGradientGEMM + columnGradientGEMM + col2im }
    }

    /// Times each phase of a k×k convolution x [Cin, N, H, W] → [Cout, N, Ho, Wo].
    public static func measure(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1,
                               padding: Int = 0, height: Int, width: Int, batch: Int,
                               repetitions: Int = 5) -> Phases {
        let g = ConvolutionGeometry(channels: inChannels, batch: batch, height: height, width: width,
                                    kernelHeight: kernelSize, kernelWidth: kernelSize,
                                    stride: stride, padding: padding)
        var random = SeededRandom(seed: 1)
        func filled(_ shape: [Int]) -> Tensor {
            Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float(random.uniform(-1, 1)) })
        }
        let x = filled([inChannels, batch, height, width])
        let weight = filled([outChannels, inChannels, kernelSize, kernelSize])
        let dy = filled([outChannels, batch, g.outputHeight, g.outputWidth])
        let y = Tensor(uninitializedShape: dy.shape)
        let dx = Tensor(uninitializedShape: x.shape), dw = Tensor(uninitializedShape: weight.shape)
        let (rows, allColumns) = (g.columnRows, batch * g.outputPlane)

        var best = Phases()
        // One pass more than asked: the first pays for page faults and thread start-up, and the
        // per-phase minimum discards it.
        for _ in 0...max(1, repetitions) {
            var pass = Phases(im2col: 0, forwardGEMM: 0, weightGradientGEMM: 0, columnGradientGEMM: 0, col2im: 0)
            forEachImageBlock(g) { images, column in
                let columns = images.count * g.outputPlane
                let offset = images.lowerBound * g.outputPlane
                var watch = Stopwatch()
                im2col(x.data, g, images: images, into: column)
                pass.im2col += watch.elapsedSeconds
                watch = Stopwatch()
                sgemm(m: outChannels, n: columns, k: rows, a: weight.data, lda: rows,
                      b: column, ldb: columns, c: y.data + offset, ldc: allColumns)
                pass.forwardGEMM += watch.elapsedSeconds
                watch = Stopwatch()
                sgemm(transposeB: true, m: outChannels, n: rows, k: columns,
                      a: dy.data + offset, lda: allColumns, b: column, ldb: columns,
                      beta: images.lowerBound > 0 ? 1 : 0, c: dw.data, ldc: rows)
                pass.weightGradientGEMM += watch.elapsedSeconds
                watch = Stopwatch()
                sgemm(transposeA: true, m: rows, n: columns, k: outChannels,
                      a: weight.data, lda: rows, b: dy.data + offset, ldb: allColumns,
                      c: column, ldc: columns)
                pass.columnGradientGEMM += watch.elapsedSeconds
                watch = Stopwatch()
                col2im(column, g, images: images, into: dx.data, accumulate: false)
                pass.col2im += watch.elapsedSeconds
            }
            best.im2col = min(best.im2col, pass.im2col)
            best.forwardGEMM = min(best.forwardGEMM, pass.forwardGEMM)
            best.weightGradientGEMM = min(best.weightGradientGEMM, pass.weightGradientGEMM)
            best.columnGradientGEMM = min(best.columnGradientGEMM, pass.columnGradientGEMM)
            best.col2im = min(best.col2im, pass.col2im)
        }
        return best
    }
}
