/// 2-D convolution (cross-correlation, as PyTorch's `conv2d`) on channel-major feature maps,
/// without bias, and its derivative.
///
/// Shapes: x [Cin, N, H, W], weight [Cout, Cin, kh, kw], y [Cout, N, Ho, Wo] with
/// Ho = (H + 2p − kh)/s + 1 (floor) and likewise Wo. Because x is channel-major, x read as a
/// matrix is [Cin, N·H·W] and y is [Cout, N·Ho·Wo]: one GEMM covers the whole batch.
///
/// - 1×1, stride 1, padding 0: Y = W·X directly; dX = Wᵀ·dY, dW = dY·Xᵀ — over the whole batch
///   on OpenBLAS's threads, or, for weights of at most `ConvolutionTuning.perThreadWeightLimit`
///   floats, over one share of the batch's columns per thread with its own partial dW.
/// - Otherwise, per block of images: col = im2col(x) [Cin·kh·kw, b·Ho·Wo], Y[:, block] = W·col;
///   backward recomputes col for dW += dY[:, block]·colᵀ (keeping col alive from forward to
///   backward would cost more memory than the recomputation costs time).
/// - dX of a square stride-1 kernel with p ≤ k − 1 and Cout ≤ Cin is itself a stride-1
///   convolution: of dY with the kernel flipped in space and transposed in channels, W′[Cin, Cout, i, j] =
///   W[Cout, Cin, k−1−i, k−1−j], padding k−1−p — so it runs as im2col(dY) and one GEMM, which
///   reads dY nine times but writes dX once.
/// - Any other dX (strided convolutions): dcol = Wᵀ·dY[:, block], and col2im scatters dcol onto
///   dX, adding overlapping windows. A strided 1×1 convolution (ResNet's downsampling shortcut)
///   takes this path too, where im2col is a plain subsampling.
/// - 3×3, stride 1, padding 1 with at least `ConvolutionTuning.winogradMinimumChannels` input and
///   output channels (every 3×3 of a ResNet past the stem): Winograd F(2×2, 3×3) or F(4×4, 3×3)
///   (`WinogradConvolution`, `ConvolutionTuning.winogradVariant`), forward and both gradients.

/// Knobs of the im2col and Winograd paths.
package enum ConvolutionTuning {
    /// The most bytes one column buffer may take, unless `minimumBlockColumns` asks for more:
    /// the batch is processed in blocks of whole images (at least one per block), so that
    /// im2col's output is still in cache when the GEMMs read it. Tests lower it to force
    /// several blocks.
    ///
    /// 4 MiB (four times a 1 MiB L2), measured with `ConvolutionBenchmark` on a 2-core AMD EPYC
    /// (BENCHMARKS.md): the `fashion-mnist` network's 3×3 at 32 px (16 channels, 1,024 columns
    /// per image) ran forward + backward in about 0.7 of the time it took with 16 MiB blocks.
    nonisolated(unsafe) package static var columnBudgetBytes = 4 << 20

    /// The fewest columns a block may have (more than the budget allows where an image has few
    /// positions): OpenBLAS packs the weight matrix again for every GEMM, so blocks of a few
    /// hundred columns — ResNet-50's layer4 at 49 positions per image — would pack 9 MB of
    /// weights for every 4 images. Tests set it to 0.
    nonisolated(unsafe) package static var minimumBlockColumns = 2048

    /// The largest weight matrix (floats, Cout·Cin·kh·kw) of a convolution whose batch is split
    /// into one share per thread (`ImageBlocking`); larger ones share every block between the
    /// threads. 0 turns the split off.
    ///
    /// 3·2^17 (1.5 MiB): every convolution of the `fashion-mnist` network — its layer4's 3×3
    /// (192 × 192 × 9 = 331,776 floats at width 24) ran forward + backward 10–20 % faster split
    /// than on OpenBLAS's threads at 4 and 2 px (2 threads, BENCHMARKS.md) — and ResNet-50's
    /// stem, layer1, layer2 and layer3's 1×1s (whose stride-1 ones ran in 0.96–0.98 of the
    /// time of one GEMM over the batch, `BenchmarkTests.testPointwiseShares`). ResNet-50's
    /// layer3 and layer4 3×3s keep OpenBLAS's own threads: split, they ran 1.3–1.6× slower.
    nonisolated(unsafe) package static var perThreadWeightLimit = 3 << 17

    /// Whether dX of a square stride-1 convolution runs as the transposed convolution
    /// (im2col(dY) + GEMM) rather than GEMM + col2im. Tests and benchmarks switch it off to
    /// check and time the two paths against each other.
    nonisolated(unsafe) package static var inputGradientByTransposedConvolution = true

    /// Output widths below which `im2col` fills each column row by one gather through a table
    /// of offsets instead of a copy per output row. 8: narrower rows are shorter than one
    /// vector step of the row copy, and there the loop and call per row cost more than the
    /// copy. Tests set 0 (never) and `Int.max` (always) to compare the two.
    nonisolated(unsafe) package static var narrowOutputWidth = 8

    /// The fewest input and output channels for which a 3×3, stride-1, padding-1 convolution
    /// runs as Winograd (`WinogradConvolution`) instead of im2col + GEMM. Tests set
    /// `Int.max` (never) and 0 (always) to compare the two.
    ///
    /// 16, measured (`BenchmarkTests.testWinogradAgainstIm2col`, BENCHMARKS.md): from 16
    /// channels up, Winograd ran forward + backward 1.15–1.85× faster at every 3×3 shape of the
    /// `fashion-mnist` network and ResNet-50; the 32 px stem (3 → 16 channels), whose GEMMs
    /// would reduce over 3 channels, took twice as long as by im2col.
    nonisolated(unsafe) package static var winogradMinimumChannels = 16

    /// The Winograd variant every 3×3 stride-1 convolution takes, or nil for `winogradVariant`'s
    /// choice by size. Tests and benchmarks set it to run and time each variant.
    nonisolated(unsafe) package static var forcedWinogradVariant: WinogradVariant?

    /// The most bytes F(4×4, 3×3)'s transformed kernels U (36 floats per kernel, against
    /// F(2×2)'s 16) may take; larger weights keep F(2×2). 16 MiB: every convolution of the
    /// `fashion-mnist` network and ResNet-50's but its layer4 (512 × 512 kernels: 36 MiB of U,
    /// held in forward and twice in backward, raised the CLSA-Single step's peak memory past
    /// 4 GB, where F(4×4) ran its 7 px maps no faster than F(2×2): 1.39× and 1.37× im2col's speed).
    nonisolated(unsafe) package static var winogradLargeTileKernelBytes = 16 << 20

    /// The Winograd variant for a convolution of `outChannels` × `channels` kernels over a
    /// height×width feature map: F(4×4, 3×3) where its GEMMs take fewer multiply-adds than
    /// F(2×2, 3×3)'s over the tiles that cover the map, 36 per 4×4 tile against 16 per 2×2
    /// tile, and its U fits `winogradLargeTileKernelBytes`. Of square maps, all but 1, 2, 5 and
    /// 6 px favour F(4×4); at 5 and 6 px the two tie (4 tiles of 4×4 against 9 of 2×2) and
    /// F(2×2), the more exact, is kept.
    package static func winogradVariant(height: Int, width: Int, channels: Int, outChannels: Int) -> WinogradVariant {
        if let forcedWinogradVariant { return forcedWinogradVariant }
        guard 36 * channels * outChannels * MemoryLayout<Float>.stride <= winogradLargeTileKernelBytes else { return .f2x2 }
        func tiles(_ size: Int) -> Int { (height + size - 1) / size * ((width + size - 1) / size) }
        return 36 * tiles(4) < 16 * tiles(2) ? .f4x4 : .f2x2
    }

    /// The most bytes of transforms — the kernels' U (n² floats per kernel) and the input's V
    /// (16 floats per 2×2 tile and channel, four times x, or 36 per 4×4 tile, 2.25 times x) —
    /// that a Winograd convolution's forward pass keeps for its backward pass instead of
    /// transforming the weight and x again. 16 MiB: every convolution of the `fashion-mnist`
    /// network at batch 64; of ResNet-50's at batch 32 only those of its 96 px strong view's
    /// layer1–3 (its layer4's U alone is 36 MiB by F(4×4); keeping it raised the CLSA-Single
    /// step's peak memory past 4 GB).
    nonisolated(unsafe) package static var winogradKeptTransformBytes = 16 << 20

    /// The most bytes of a Winograd block's transformed input and output (V and M, or dV and
    /// dM) per thread, for weights of at most `perThreadWeightLimit` floats (larger ones keep
    /// the im2col rule: `columnBudgetBytes`, at least `minimumBlockColumns` tiles). 1 MiB, a
    /// core's L2 on the AMD EPYC hosts (2 MiB on the Xeon), measured on one thread
    /// (`BenchmarkTests.testWinogradBlockBudgets`, BENCHMARKS.md): the `fashion-mnist`
    /// network's convolutions ran forward + backward in 0.31–0.91 of the time they took in
    /// blocks of at least 2,048 tiles, which spilled past L2, ResNet-50's layer1 and layer2 in
    /// 0.84 and 0.81; its layer3 and layer4, with 1–2 images per MiB, needed more columns per
    /// GEMM than that leaves (1.7–1.8× the time).
    nonisolated(unsafe) package static var winogradBlockBytes = 1 << 20
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

    let (xTarget, weightTarget) = (x.gradientTarget, weight.gradientTarget)
    let winograd = WinogradConvolution(g, outChannels: outChannels)
    var winogradSaved: WinogradConvolution.Saved?
    if let winograd {
        winogradSaved = winograd.forward(x.data, weight: weight.data, into: y.data,
                                         keeping: xTarget != nil || weightTarget != nil)
    } else if pointwise {
        // y[Cout, N·H·W] = W[Cout, Cin] · x[Cin, N·H·W], by columns of each share of the batch.
        ImageBlocking.shares(batch: g.batch, weightCount: weight.count).forEach { _, images, _ in
            let offset = images.lowerBound * g.outputPlane
            sgemm(m: outChannels, n: images.count * g.outputPlane, k: rows, a: weight.data, lda: rows,
                  b: x.data + offset, ldb: allColumns, c: y.data + offset, ldc: allColumns)
        }
    } else {
        ImageBlocking(g, weightCount: weight.count).forEach { block, column in
            convolveBlock(x.data, g, block, column: column, weight: weight.data, outChannels: outChannels,
                          into: y.data, accumulate: false)
        }
    }

    // x only for dW, unless the Winograd path kept its transform; a BN + ReLU output as its
    // recipe (`SavedTensor`).
    let savedInput = weightTarget == nil || winogradSaved != nil ? nil : SavedTensor(x)
    return y.recordingGradient("conv2d", inputs: [x, weight]) { dy in
        withGradientBuffer(of: xTarget) { dx, accumulateX in
            withGradientBuffer(of: weightTarget) { dw, accumulateW in
                withValues(of: savedInput) { input in
                    if let winograd {
                        winograd.backward(dy.data, saved: winogradSaved, input: input, weight: weight.data,
                                          dx: dx, accumulateX: accumulateX, dw: dw, accumulateW: accumulateW)
                        return
                    }
                    if pointwise {
                        pointwiseBackward(dy.data, input: input, weight: weight.data, outChannels: outChannels, g,
                                          dx: dx, accumulateX: accumulateX, dw: dw, accumulateW: accumulateW)
                        return
                    }
                    // im2col(dY) has Cout·k² rows where the scatter has Cin·k²: taken where it moves no more data.
                    let transposedConvolution = ConvolutionTuning.inputGradientByTransposedConvolution && outChannels <= g.channels
                        ? ConvolutionGeometry(transposeOf: g, outChannels: outChannels) : nil
                    // Both gradients per block of images, while the block of dY is in cache.
                    let blocking = ImageBlocking(g, alsoFitting: transposedConvolution, weightCount: weight.count)
                    let flippedCount = transposedConvolution == nil || dx == nil ? 0 : weight.count
                    // With one share of the batch per thread, each share sums its own dW, and the
                    // shares are added in order afterwards: the same sums on every run.
                    let partialCount = dw == nil || blocking.shares == 1 ? 0 : blocking.shares * weight.count
                    // At least one float: a zero-capacity allocation need not have a base address.
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: max(1, flippedCount + partialCount)) { scratch in
                        let flipped = scratch.baseAddress!, partials = scratch.baseAddress! + flippedCount
                        if flippedCount > 0 {
                            flipAndTransposeKernel(weight.data, outChannels: outChannels, g, into: flipped)
                        }
                        blocking.forEach { block, column in
                            let columns = block.images.count * g.outputPlane
                            let dyBlock = dy.data + block.images.lowerBound * g.outputPlane
                            if let dw, let input {
                                im2col(input, g, images: block.images, into: column, parallel: block.parallel)
                                // dW[Cout, K] (+)= dy[:, block] · colᵀ; later blocks add to the first.
                                let (target, overwrite) = partialCount == 0
                                    ? (dw, block.isFirstOfShare && !accumulateW)
                                    : (partials + block.share * weight.count, block.isFirstOfShare)
                                sgemm(transposeB: true, m: outChannels, n: rows, k: columns,
                                      a: dyBlock, lda: allColumns, b: column, ldb: columns,
                                      beta: overwrite ? 0 : 1, c: target, ldc: rows)
                            }
                            guard let dx else { return }
                            // Blocks hold disjoint images, so each overwrites or adds as the whole dx does.
                            if let transposedConvolution {
                                convolveBlock(dy.data, transposedConvolution, block, column: column,
                                              weight: flipped, outChannels: g.channels, into: dx, accumulate: accumulateX)
                            } else {
                                // dcol[K, b·Ho·Wo] = Wᵀ[K, Cout] · dy[:, block], reusing the column buffer.
                                sgemm(transposeA: true, m: rows, n: columns, k: outChannels,
                                      a: weight.data, lda: rows, b: dyBlock, ldb: allColumns,
                                      c: column, ldc: columns)
                                col2im(column, g, images: block.images, into: dx, accumulate: accumulateX,
                                       parallel: block.parallel)
                            }
                        }
                        if let dw, partialCount > 0 {
                            sumShares(partials, shares: blocking.shares, count: weight.count, into: dw, accumulate: accumulateW)
                        }
                    }
                }
            }
        }
    }
}

/// The gradients of a 1×1, stride-1, padding-0 convolution over x [Cin, N·H·W] for dy
/// [Cout, N·H·W], by columns of each share of the batch (`ImageBlocking.shares`):
/// dx (+)= Wᵀ·dy, and dW (+)= dy·xᵀ — each share's own partial dW where the batch is split,
/// summed in share order.
private func pointwiseBackward(_ dy: UnsafePointer<Float>, input: UnsafePointer<Float>?, weight: UnsafePointer<Float>,
                               outChannels: Int, _ g: ConvolutionGeometry,
                               dx: UnsafeMutablePointer<Float>?, accumulateX: Bool,
                               dw: UnsafeMutablePointer<Float>?, accumulateW: Bool) {
    let (channels, allColumns) = (g.channels, g.batch * g.outputPlane)
    let weightCount = outChannels * channels
    let shares = ImageBlocking.shares(batch: g.batch, weightCount: weightCount)
    let partialCount = dw == nil || input == nil || shares.count == 1 ? 0 : shares.count * weightCount
    withUnsafeTemporaryAllocation(of: Float.self, capacity: max(1, partialCount)) { partials in
        shares.forEach { share, images, _ in
            let offset = images.lowerBound * g.outputPlane, columns = images.count * g.outputPlane
            if let dx {
                // dx[Cin, columns] (+)= Wᵀ[Cin, Cout] · dy[Cout, columns]
                sgemm(transposeA: true, m: channels, n: columns, k: outChannels,
                      a: weight, lda: channels, b: dy + offset, ldb: allColumns,
                      beta: accumulateX ? 1 : 0, c: dx + offset, ldc: allColumns)
            }
            if let dw, let input {
                // dW[Cout, Cin] (+)= dy[Cout, columns] · xᵀ[columns, Cin]
                let (target, overwrite) = partialCount == 0
                    ? (dw, !accumulateW) : (partials.baseAddress! + share * weightCount, true)
                sgemm(transposeB: true, m: outChannels, n: channels, k: columns,
                      a: dy + offset, lda: allColumns, b: input + offset, ldb: allColumns,
                      beta: overwrite ? 0 : 1, c: target, ldc: channels)
            }
        }
        if let dw, partialCount > 0 {
            sumShares(partials.baseAddress!, shares: shares.count, count: weightCount, into: dw, accumulate: accumulateW)
        }
    }
}

/// output[:, block] (+)= weight[M, C·kh·kw] · im2col(input, block): one block of images of the
/// im2col path of a convolution over input [C, N, H, W] with geometry g, into output
/// [M, N·Ho·Wo].
private func convolveBlock(_ input: UnsafePointer<Float>, _ g: ConvolutionGeometry, _ block: ImageBlocking.Block,
                           column: UnsafeMutablePointer<Float>, weight: UnsafePointer<Float>, outChannels: Int,
                           into output: UnsafeMutablePointer<Float>, accumulate: Bool) {
    im2col(input, g, images: block.images, into: column, parallel: block.parallel)
    let (rows, columns) = (g.columnRows, block.images.count * g.outputPlane)
    sgemm(m: outChannels, n: columns, k: rows, a: weight, lda: rows, b: column, ldb: columns,
          beta: accumulate ? 1 : 0, c: output + block.images.lowerBound * g.outputPlane, ldc: g.batch * g.outputPlane)
}

/// target[i] (+)= Σ over shares s, in order, of partials[s·count + i]: the per-thread shares'
/// weight gradients of a convolution, summed in parallel over i (each element in the same order
/// on every run).
func sumShares(_ partials: UnsafePointer<Float>, shares: Int, count: Int,
               into target: UnsafeMutablePointer<Float>, accumulate: Bool) {
    Threading.parallelRanges(count, minimumChunk: elementwiseMinimumChunk) { range in
        for i in range {
            var sum = accumulate ? target[i] : 0
            for share in 0..<shares { sum += partials[share * count + i] }
            target[i] = sum
        }
    }
}

/// flipped[Cin, Cout, k, k] = weight[Cout, Cin, k−1−i, k−1−j]: the kernel of the convolution
/// that maps dY to dX for a stride-1 convolution with geometry g.
private func flipAndTransposeKernel(_ weight: UnsafePointer<Float>, outChannels: Int, _ g: ConvolutionGeometry,
                                    into flipped: UnsafeMutablePointer<Float>) {
    let k = g.kernelHeight, area = g.kernelHeight * g.kernelWidth
    for output in 0..<outChannels {
        for input in 0..<g.channels {
            let source = weight + (output * g.channels + input) * area
            let destination = flipped + (input * outChannels + output) * area
            for i in 0..<k {
                for j in 0..<k { destination[i * k + j] = source[(k - 1 - i) * k + (k - 1 - j)] }
            }
        }
    }
}

/// How a convolution's batch is cut into blocks of images, each im2col'd into a column buffer
/// and multiplied while it is in cache.
///
/// Blocks are near-equal, as large as `ConvolutionTuning.columnBudgetBytes` allows but no
/// smaller than `ConvolutionTuning.minimumBlockColumns` columns (or the whole batch). A
/// convolution with a weight matrix of at most `ConvolutionTuning.perThreadWeightLimit` floats
/// splits the batch into one contiguous share per thread, each run alone with OpenBLAS on one
/// thread and its share of the budget: a block's columns stay in the cache of the core that
/// wrote them, and no block waits on a fork and a join. Larger ones run their blocks one after
/// another, every thread inside each block's im2col and GEMM.
package struct ImageBlocking {
    /// One block of images, as `forEach` hands it over.
    package struct Block {
        /// The share of the batch (the thread) it belongs to; 0 when blocks are not split.
        package let share: Int
        /// Its images, a range of the batch.
        package let images: Range<Int>
        /// Whether it is the first block of its share (of the batch, when not split).
        package let isFirstOfShare: Bool
        /// Whether its kernels may use every thread (false inside a share).
        package let parallel: Bool
    }

    /// The batch's shares, one per thread or one for all (`ImageBlocking.shares`).
    private let batchShares: Shares
    /// Shares of the batch run at once, one per thread; 1 when the threads share every block.
    package var shares: Int { batchShares.count }
    /// Images of the largest block.
    package let blockImages: Int
    /// Floats of one column buffer.
    private let columnCount: Int

    /// Blocks for geometry g, with buffers large enough for the columns of `other` too (a
    /// geometry over the same images), for a weight matrix of `weightCount` floats.
    package init(_ g: ConvolutionGeometry, alsoFitting other: ConvolutionGeometry? = nil, weightCount: Int) {
        let imageFloats = max(g.columnRows * g.outputPlane, other.map { $0.columnRows * $0.outputPlane } ?? 0)
        self.init(batch: g.batch, floatsPerImage: imageFloats, columnsPerImage: g.outputPlane, weightCount: weightCount)
    }

    /// Blocks of a batch whose images each need `floatsPerImage` floats of buffer and give
    /// `columnsPerImage` columns to the block's GEMMs, for a weight matrix of `weightCount` floats.
    /// With `cacheBytes`, a weight matrix of at most `ConvolutionTuning.perThreadWeightLimit`
    /// floats takes blocks of at most `cacheBytes` per thread, however few columns that leaves
    /// (at least one image): its GEMMs are cheap to set up, and what a block writes is read
    /// again from the core's own cache.
    package init(batch: Int, floatsPerImage: Int, columnsPerImage: Int, weightCount: Int, cacheBytes: Int? = nil) {
        let smallWeights = weightCount <= ConvolutionTuning.perThreadWeightLimit
        batchShares = Self.shares(batch: batch, weightCount: weightCount)
        let shares = batchShares.count
        let shareImages = (batch + shares - 1) / shares
        let imageBytes = max(floatsPerImage * MemoryLayout<Float>.stride, 1)
        let fitting: Int
        if let cacheBytes, smallWeights {
            fitting = max(1, cacheBytes / imageBytes)
        } else {
            let imagesForColumns = (ConvolutionTuning.minimumBlockColumns + columnsPerImage - 1) / max(columnsPerImage, 1)
            fitting = max(1, ConvolutionTuning.columnBudgetBytes / shares / imageBytes, imagesForColumns)
        }
        let blocks = (shareImages + fitting - 1) / fitting
        blockImages = max(1, (shareImages + blocks - 1) / max(blocks, 1))
        columnCount = floatsPerImage * blockImages
    }

    /// Runs `body` for every block, with a column buffer borrowed from the shared workspace
    /// (one per share): in order, or — split — each share's blocks in order on its own thread.
    package func forEach(_ body: (_ block: Block, _ column: UnsafeMutablePointer<Float>) -> Void) {
        batchShares.forEach { share, images, parallel in
            Workspace.shared.withBuffer(count: columnCount) { column in
                for start in Swift.stride(from: images.lowerBound, to: images.upperBound, by: blockImages) {
                    let block = Block(share: share, images: start..<min(images.upperBound, start + blockImages),
                                      isFirstOfShare: start == images.lowerBound, parallel: parallel)
                    body(block, column)
                }
            }
        }
    }

    /// The shares of a batch of `batch` images for a weight matrix of `weightCount` floats, by
    /// the rule of `ImageBlocking` (one per thread when the weights are small, else one), for
    /// convolutions that need no blocks within a share.
    package static func shares(batch: Int, weightCount: Int) -> Shares {
        let small = weightCount <= ConvolutionTuning.perThreadWeightLimit
        return Shares(count: Threading.threadCount > 1 && small ? Threading.chunkCount(batch) : 1, batch: batch)
    }

    /// A batch cut into `count` contiguous shares of images.
    package struct Shares {
        /// Shares run at once, one per thread; 1 when the threads share the whole batch.
        package let count: Int
        let batch: Int

        /// Runs `body(share, images, parallel)` for each share: the whole batch on this thread with
        /// OpenBLAS on every thread (`parallel` true), or each share on a thread of its own with
        /// OpenBLAS on one.
        package func forEach(_ body: (_ share: Int, _ images: Range<Int>, _ parallel: Bool) -> Void) {
            guard batch > 0 else { return }
            if count == 1 {
                body(0, 0..<batch, true)
            } else {
                Threading.withSingleThreadedBLAS {
                    Threading.parallelChunks(batch) { share, images in body(share, images, false) }
                }
            }
        }
    }
}

/// Runs `body` with the values of `saved`, or with nil when nothing was saved.
private func withValues(of saved: SavedTensor?, _ body: (UnsafePointer<Float>?) -> Void) {
    if let saved {
        saved.withValues { body($0) }
    } else {
        body(nil)
    }
}
