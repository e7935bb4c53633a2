/// 2-D convolution (cross-correlation, as PyTorch's `conv2d`) on channel-major feature maps,
/// without bias, and its derivative.
///
/// Shapes: x [Cin, N, H, W], weight [Cout, Cin, kh, kw], y [Cout, N, Ho, Wo] with
/// Ho = (H + 2p − kh)/s + 1 (floor) and likewise Wo. Because x is channel-major, x read as a
/// matrix is [Cin, N·H·W] and y is [Cout, N·Ho·Wo]: one GEMM covers the whole batch.
///
/// - 1×1, stride 1, padding 0: Y = W·X directly; dX = Wᵀ·dY, dW = dY·Xᵀ.
/// - Otherwise, per block of images: col = im2col(x) [Cin·kh·kw, b·Ho·Wo], Y[:, block] = W·col;
///   backward recomputes col for dW += dY[:, block]·colᵀ (keeping col alive from forward to
///   backward would cost more memory than the recomputation costs time), then
///   dcol = Wᵀ·dY[:, block] and col2im scatters dcol onto dX. A strided 1×1 convolution (ResNet's
///   downsampling shortcut) takes this path too, where im2col is a plain subsampling.

/// Knobs of the im2col path.
enum ConvolutionTuning {
    /// The most bytes one column buffer may take; the batch is processed in blocks of whole
    /// images that fit (at least one image per block). Tests lower it to force several blocks.
    ///
    /// 16 MiB rather than 64, measured with `ConvolutionBenchmark` at batch 32 on a 2-core Xeon
    /// (4 MiB L2 per core): blocks that stay in cache between im2col and the GEMMs reading them
    /// made layer1's 3×3 and the stem 18–22% faster forward + backward, while layer4's 3×3,
    /// split into two blocks instead of one, lost about 15% of a smaller total.
    nonisolated(unsafe) static var columnBudgetBytes = 16 << 20
}

/// Convolves channel-major feature maps x [Cin, N, H, W] with weight [Cout, Cin, kh, kw]
/// (PyTorch's layout), no bias. Returns [Cout, N, Ho, Wo], Ho = (H + 2·padding − kh)/stride + 1.
public func conv2d(_ x: Tensor, weight: Tensor, stride: Int = 1, padding: Int = 0) -> Tensor {
    precondition(x.rank == 4, "conv2d: x must be [Cin, N, H, W], got \(x.shape)")
    precondition(weight.rank == 4 && weight.shape[1] == x.shape[0],
                 "conv2d: weight \(weight.shape) does not match x \(x.shape) (want [Cout, \(x.shape[0]), kh, kw])")
    let g = ConvolutionGeometry(channels: x.shape[0], batch: x.shape[1], height: x.shape[2], width: x.shape[3],
                                kernelHeight: weight.shape[2], kernelWidth: weight.shape[3],
                                stride: stride, padding: padding)
    let outChannels = weight.shape[0]
    let y = Tensor(uninitializedShape: [outChannels, g.batch, g.outputHeight, g.outputWidth])
    let pointwise = g.kernelHeight == 1 && g.kernelWidth == 1 && stride == 1 && padding == 0
    let (rows, allColumns) = (g.columnRows, g.batch * g.outputPlane)
    OpProfile.countMultiplyAdds(outChannels * rows * allColumns)

    if pointwise {
        // y[Cout, N·H·W] = W[Cout, Cin] · x[Cin, N·H·W]
        sgemm(m: outChannels, n: allColumns, k: rows, a: weight.data, lda: rows,
              b: x.data, ldb: allColumns, c: y.data, ldc: allColumns)
    } else {
        forEachImageBlock(g) { images, column in
            im2col(x.data, g, images: images, into: column)
            // y[:, block] ([Cout, b·Ho·Wo] of the [Cout, N·Ho·Wo] matrix) = W[Cout, K] · col[K, b·Ho·Wo]
            let columns = images.count * g.outputPlane
            sgemm(m: outChannels, n: columns, k: rows, a: weight.data, lda: rows,
                  b: column, ldb: columns, c: y.data + images.lowerBound * g.outputPlane, ldc: allColumns)
        }
    }

    return y.recordingGradient("conv2d", inputs: [x, weight]) { dy in
        withGradientBuffer(of: x) { dx, accumulateX in
            withGradientBuffer(of: weight) { dw, accumulateW in
                if pointwise {
                    if let dx {
                        // dx[Cin, N·H·W] (+)= Wᵀ[Cin, Cout] · dy[Cout, N·H·W]
                        sgemm(transposeA: true, m: rows, n: allColumns, k: outChannels,
                              a: weight.data, lda: rows, b: dy.data, ldb: allColumns,
                              beta: accumulateX ? 1 : 0, c: dx, ldc: allColumns)
                    }
                    if let dw {
                        // dW[Cout, Cin] (+)= dy[Cout, N·H·W] · xᵀ[N·H·W, Cin]
                        sgemm(transposeB: true, m: outChannels, n: rows, k: allColumns,
                              a: dy.data, lda: allColumns, b: x.data, ldb: allColumns,
                              beta: accumulateW ? 1 : 0, c: dw, ldc: rows)
                    }
                    return
                }
                forEachImageBlock(g) { images, column in
                    let columns = images.count * g.outputPlane
                    let dyBlock = dy.data + images.lowerBound * g.outputPlane
                    if let dw {
                        im2col(x.data, g, images: images, into: column)
                        // dW[Cout, K] (+)= dy[:, block] · colᵀ; later blocks add to the first.
                        let beta: Float = accumulateW || images.lowerBound > 0 ? 1 : 0
                        sgemm(transposeB: true, m: outChannels, n: rows, k: columns,
                              a: dyBlock, lda: allColumns, b: column, ldb: columns,
                              beta: beta, c: dw, ldc: rows)
                    }
                    if let dx {
                        // dcol[K, b·Ho·Wo] = Wᵀ[K, Cout] · dy[:, block], reusing the column buffer.
                        sgemm(transposeA: true, m: rows, n: columns, k: outChannels,
                              a: weight.data, lda: rows, b: dyBlock, ldb: allColumns,
                              c: column, ldc: columns)
                        // Blocks hold disjoint images, so each overwrites or adds as the whole dx does.
                        col2im(column, g, images: images, into: dx, accumulate: accumulateX)
                    }
                }
            }
        }
    }
}

/// Runs `body` for consecutive blocks of images covering the batch, each with a column buffer
/// of [C·kh·kw, b·Ho·Wo] borrowed once from the shared workspace. Blocks are near-equal in size
/// and as large as `ConvolutionTuning.columnBudgetBytes` allows.
package func forEachImageBlock(_ g: ConvolutionGeometry,
                       _ body: (_ images: Range<Int>, _ column: UnsafeMutablePointer<Float>) -> Void) {
    guard g.batch > 0 else { return }
    let imageBytes = g.columnRows * g.outputPlane * MemoryLayout<Float>.stride
    let fitting = max(1, ConvolutionTuning.columnBudgetBytes / max(imageBytes, 1))
    let blocks = (g.batch + fitting - 1) / fitting
    let blockImages = (g.batch + blocks - 1) / blocks
    Workspace.shared.withBuffer(count: g.columnRows * blockImages * g.outputPlane) { column in
        for start in Swift.stride(from: 0, to: g.batch, by: blockImages) {
            body(start..<min(g.batch, start + blockImages), column)
        }
    }
}

/// Gives `body` the gradient buffer of `tensor` and whether to add into it (see
/// `Tensor.accumulateGradient`), or nil when `tensor` needs no gradient.
private func withGradientBuffer(of tensor: Tensor,
                                _ body: (_ buffer: UnsafeMutablePointer<Float>?, _ accumulate: Bool) -> Void) {
    if tensor.requiresGradient {
        tensor.accumulateGradient { buffer, accumulate in body(buffer, accumulate) }
    } else {
        body(nil, false)
    }
}
