/// A 3×3, stride-1, padding-1 convolution run as Winograd F(m×m, 3×3) (`WinogradTransforms`),
/// F(2×2) or F(4×4) as `ConvolutionTuning.winogradVariant` picks for the map's size: per block
/// of images, the input patches are transformed (V [n², C, P], n = m + 2), multiplied by the
/// transformed kernels in n² GEMMs (M_ξ [K, P] = U_ξ [K, C] · V_ξ [C, P]) and transformed back.
/// That is n²·K·C multiply-adds per m×m tile — 4 (F(2×2)) or 2.25 (F(4×4)) per output pixel
/// against im2col's 9 — and transformed arrays of 4 or 2.25 floats per pixel against im2col's 9.
///
/// The backward pass transforms dy once (dM [n², K, P]) and uses it for both gradients:
/// dU_ξ [K, C] = dM_ξ · V_ξᵀ and dV_ξ [C, P] = U_ξᵀ · dM_ξ, scattered back onto dx. Where U and V
/// are small (`ConvolutionTuning.winogradKeptTransformBytes`) the forward pass keeps them for it;
/// otherwise both are recomputed from the weight and the saved input, as im2col's path
/// recomputes its columns.
///
/// Blocks and threads follow `ImageBlocking`: small weight matrices split the batch into one
/// share per thread, each with its own buffers and single-threaded GEMMs, in blocks whose V and
/// M fit `ConvolutionTuning.winogradBlockBytes` (the core's L2), summing its own dU, added in
/// share order afterwards; larger ones run every block on all threads, the transforms split
/// over the tiles and the n² products over the positions. Results are
/// therefore the same on every run at a fixed thread count.
package struct WinogradConvolution {
    private let tiling: WinogradTiling
    private let outChannels: Int
    private let blocking: ImageBlocking

    /// The Winograd path of a convolution with geometry g and `outChannels` outputs, or nil where
    /// it does not apply: kernels other than 3×3 at stride 1 and padding 1, and convolutions
    /// with fewer than `ConvolutionTuning.winogradMinimumChannels` input or output channels.
    package init?(_ g: ConvolutionGeometry, outChannels: Int) {
        guard g.kernelHeight == 3, g.kernelWidth == 3, g.stride == 1, g.padding == 1,
              min(g.channels, outChannels) >= ConvolutionTuning.winogradMinimumChannels else { return nil }
        let variant = ConvolutionTuning.winogradVariant(height: g.height, width: g.width, channels: g.channels,
                                                               outChannels: outChannels)
        tiling = WinogradTiling(channels: g.channels, batch: g.batch, height: g.height, width: g.width, variant: variant)
        self.outChannels = outChannels
        let tiles = tiling.tilesPerImage
        blocking = ImageBlocking(batch: g.batch, floatsPerImage: variant.positions * (g.channels + outChannels) * tiles,
                                 columnsPerImage: tiles, weightCount: outChannels * g.channels * 9,
                                 cacheBytes: ConvolutionTuning.winogradBlockBytes)
    }

    /// The variant the convolution runs as.
    package var variant: WinogradVariant { tiling.variant }
    private var channels: Int { tiling.channels }
    private var positions: Int { variant.positions }
    /// Floats of one transformed kernel set, U or dU [n², K, C].
    private var kernelCount: Int { positions * outChannels * channels }
    /// Floats of one image's transformed input, V [n², C, tiles].
    private var inputCountPerImage: Int { positions * channels * tiling.tilesPerImage }
    /// The tiling of the output (and of dy): the same planes, K channels.
    private var outputTiling: WinogradTiling {
        WinogradTiling(channels: outChannels, batch: tiling.batch, height: tiling.height, width: tiling.width,
                       variant: variant)
    }

    /// What the forward pass keeps for the backward pass: the transformed kernels U, and the
    /// transformed input V of the whole batch (block after block) — or nothing, when V would
    /// take more than `ConvolutionTuning.winogradKeptTransformBytes` and both are recomputed.
    package struct Saved {
        fileprivate let kernels: TensorStorage
        fileprivate let input: TensorStorage
    }

    /// Whether the forward pass keeps its transforms (`Saved`, U and V together) for a backward pass.
    package var keepsTransforms: Bool {
        (kernelCount + inputCountPerImage * tiling.batch) * MemoryLayout<Float>.stride
            <= ConvolutionTuning.winogradKeptTransformBytes
    }

    /// y [K, N, H, W] = conv(x [C, N, H, W], weight [K, C, 3, 3]); with `keeping`, also the
    /// transforms the backward pass would otherwise recompute (see `keepsTransforms`).
    package func forward(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>,
                         keeping: Bool) -> Saved? {
        let saved = keeping && keepsTransforms
            ? Saved(kernels: TensorStorage(uninitializedCount: kernelCount),
                    input: TensorStorage(uninitializedCount: inputCountPerImage * tiling.batch))
            : nil
        withKernelTransform(of: weight, into: saved?.kernels) { u in
            guard let u else { return }  // never nil: the weight is given
            forEachBlock { block, scratch, m, tiles in
                let v = saved.map { keptInput(of: $0, block) } ?? scratch
                winogradInputTransform(x, tiling, images: block.images, into: v, parallel: block.parallel)
                forEachPosition(parallel: block.parallel) { position in
                    // M_ξ [K, P] = U_ξ [K, C] · V_ξ [C, P]
                    sgemm(m: outChannels, n: tiles, k: channels, a: u + position * outChannels * channels, lda: channels,
                          b: v + position * channels * tiles, ldb: tiles, c: m + position * outChannels * tiles, ldc: tiles)
                }
                winogradOutputTransform(m, outputTiling, images: block.images, into: y, accumulate: false,
                                        parallel: block.parallel)
            }
        }
        return saved
    }

    /// The gradients of `forward` for dy [K, N, H, W]: dx [C, N, H, W] (needs only the weight)
    /// and dw [K, C, 3, 3] (needs the forward pass's transforms, `saved`, or its x, `input`),
    /// each overwritten or added to.
    package func backward(_ dy: UnsafePointer<Float>, saved: Saved?, input: UnsafePointer<Float>?,
                          weight: UnsafePointer<Float>,
                          dx: UnsafeMutablePointer<Float>?, accumulateX: Bool,
                          dw: UnsafeMutablePointer<Float>?, accumulateW: Bool) {
        let wantsWeight = dw != nil && (saved != nil || input != nil)
        let kernelGradientCount = wantsWeight ? blocking.shares * kernelCount : 0
        withUnsafeTemporaryAllocation(of: Float.self, capacity: max(1, kernelGradientCount)) { scratch in
            let kernelGradients = scratch.baseAddress!
            withKernelTransform(of: dx == nil ? nil : weight, into: nil, kept: saved?.kernels) { u in
                forEachBlock { block, v, dm, tiles in
                    winogradOutputGradientTransform(dy, outputTiling, images: block.images, into: dm,
                                                    parallel: block.parallel)
                    if wantsWeight {
                        var transformed = v
                        if let saved {
                            transformed = keptInput(of: saved, block)
                        } else if let input {
                            winogradInputTransform(input, tiling, images: block.images, into: v, parallel: block.parallel)
                        }
                        let du = kernelGradients + block.share * kernelCount
                        forEachPosition(parallel: block.parallel) { position in
                            // dU_ξ [K, C] (+)= dM_ξ [K, P] · V_ξᵀ [P, C]; later blocks of a share add.
                            sgemm(transposeB: true, m: outChannels, n: channels, k: tiles,
                                  a: dm + position * outChannels * tiles, lda: tiles,
                                  b: transformed + position * channels * tiles, ldb: tiles,
                                  beta: block.isFirstOfShare ? 0 : 1,
                                  c: du + position * outChannels * channels, ldc: channels)
                        }
                    }
                    guard let dx, let u else { return }
                    forEachPosition(parallel: block.parallel) { position in
                        // dV_ξ [C, P] = U_ξᵀ [C, K] · dM_ξ [K, P], into the block's scratch.
                        sgemm(transposeA: true, m: channels, n: tiles, k: outChannels,
                              a: u + position * outChannels * channels, lda: channels,
                              b: dm + position * outChannels * tiles, ldb: tiles,
                              c: v + position * channels * tiles, ldc: tiles)
                    }
                    winogradInputGradientTransform(v, tiling, images: block.images, into: dx, accumulate: accumulateX,
                                                   parallel: block.parallel)
                }
            }
            guard wantsWeight, let dw else { return }
            // The shares' dU, added in share order into the first.
            if blocking.shares > 1 {
                sumShares(kernelGradients + kernelCount, shares: blocking.shares - 1, count: kernelCount,
                          into: kernelGradients, accumulate: true)
            }
            winogradKernelGradient(kernelGradients, outChannels: outChannels, channels: channels, variant: variant,
                                   into: dw, accumulate: accumulateW)
        }
    }

    /// Runs `body` with U [n², K, C]: `kept`, or the transform of `weight` — into `storage` when
    /// given, else into scratch memory; nil when neither is given.
    private func withKernelTransform(of weight: UnsafePointer<Float>?, into storage: TensorStorage?,
                                     kept: TensorStorage? = nil, _ body: (UnsafeMutablePointer<Float>?) -> Void) {
        if let kept { return body(kept.base) }
        guard let weight else { return body(nil) }
        if let storage {
            winogradKernelTransform(weight, outChannels: outChannels, channels: channels, variant: variant,
                                    into: storage.base)
            return body(storage.base)
        }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: kernelCount) { scratch in
            winogradKernelTransform(weight, outChannels: outChannels, channels: channels, variant: variant,
                                    into: scratch.baseAddress!)
            body(scratch.baseAddress!)
        }
    }

    /// Runs `body` for each of the n² positions ξ, whose products are independent GEMMs: in
    /// order on this thread inside a share (`parallel` false), or — for a block that every
    /// thread works on — split between the threads, each running its positions' GEMMs on one
    /// OpenBLAS thread, so that no GEMM pays for OpenBLAS waking and joining its threads.
    private func forEachPosition(parallel: Bool, _ body: (_ position: Int) -> Void) {
        guard parallel, Threading.threadCount > 1 else {
            for position in 0..<positions { body(position) }
            return
        }
        Threading.withSingleThreadedBLAS { Threading.parallelFor(positions, body) }
    }

    /// The block's part of a kept transformed input: blocks are stored one after another.
    private func keptInput(of saved: Saved, _ block: ImageBlocking.Block) -> UnsafeMutablePointer<Float> {
        saved.input.base + inputCountPerImage * block.images.lowerBound
    }

    /// Runs `body` for every block of images with its transformed-input buffer (n²·C·P floats),
    /// its transformed-output buffer (n²·K·P) and P, the block's tiles.
    private func forEachBlock(_ body: (_ block: ImageBlocking.Block, _ v: UnsafeMutablePointer<Float>,
                                       _ m: UnsafeMutablePointer<Float>, _ tiles: Int) -> Void) {
        let inputCount = inputCountPerImage * blocking.blockImages
        blocking.forEach { block, buffer in
            body(block, buffer, buffer + inputCount, block.images.count * tiling.tilesPerImage)
        }
    }
}
