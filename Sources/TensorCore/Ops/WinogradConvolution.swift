/// A 3×3, stride-1, padding-1 convolution run as Winograd F(2×2, 3×3) (`WinogradTransforms`):
/// per block of images, the input patches are transformed (V [16, C, P]), multiplied by the
/// transformed kernels in 16 GEMMs (M_ξ [K, P] = U_ξ [K, C] · V_ξ [C, P]) and transformed back.
/// That is 16·K·C multiply-adds per 2×2 tile against im2col's 36·K·C, and transformed arrays of
/// 4 floats per pixel against im2col's 9.
///
/// The backward pass transforms dy once (dM [16, K, P]) and uses it for both gradients:
/// dU_ξ [K, C] = dM_ξ · V_ξᵀ with V recomputed from the saved input (as im2col's path recomputes
/// its columns), and dV_ξ [C, P] = U_ξᵀ · dM_ξ scattered back onto dx.
///
/// Blocks and threads follow `ImageBlocking`: small weight matrices split the batch into one
/// share per thread, each with its own buffers and single-threaded GEMMs, summing its own dU,
/// added in share order afterwards; larger ones run every block on all threads. Results are
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
        tiling = WinogradTiling(channels: g.channels, batch: g.batch, height: g.height, width: g.width)
        self.outChannels = outChannels
        let tiles = tiling.tilesPerImage
        blocking = ImageBlocking(batch: g.batch, floatsPerImage: 16 * (g.channels + outChannels) * tiles,
                                 columnsPerImage: tiles, weightCount: outChannels * g.channels * 9)
    }

    private var channels: Int { tiling.channels }
    /// Floats of one transformed kernel set, U or dU [16, K, C].
    private var kernelCount: Int { 16 * outChannels * channels }
    /// The tiling of the output (and of dy): the same planes, K channels.
    private var outputTiling: WinogradTiling {
        WinogradTiling(channels: outChannels, batch: tiling.batch, height: tiling.height, width: tiling.width)
    }

    /// y [K, N, H, W] = conv(x [C, N, H, W], weight [K, C, 3, 3]).
    package func forward(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: kernelCount) { scratch in
            let u = scratch.baseAddress!
            winogradKernelTransform(weight, outChannels: outChannels, channels: channels, into: u)
            forEachBlock { block, v, m, tiles in
                winogradInputTransform(x, tiling, images: block.images, into: v, parallel: block.parallel)
                for position in 0..<16 {
                    // M_ξ [K, P] = U_ξ [K, C] · V_ξ [C, P]
                    sgemm(m: outChannels, n: tiles, k: channels, a: u + position * outChannels * channels, lda: channels,
                          b: v + position * channels * tiles, ldb: tiles, c: m + position * outChannels * tiles, ldc: tiles)
                }
                winogradOutputTransform(m, outputTiling, images: block.images, into: y, accumulate: false,
                                        parallel: block.parallel)
            }
        }
    }

    /// The gradients of `forward` for dy [K, N, H, W]: dx [C, N, H, W] (needs only the weight)
    /// and dw [K, C, 3, 3] (needs `input`, the forward pass's x), each overwritten or added to.
    package func backward(_ dy: UnsafePointer<Float>, input: UnsafePointer<Float>?, weight: UnsafePointer<Float>,
                          dx: UnsafeMutablePointer<Float>?, accumulateX: Bool,
                          dw: UnsafeMutablePointer<Float>?, accumulateW: Bool) {
        let wantsWeight = dw != nil && input != nil
        let kernelGradientCount = wantsWeight ? blocking.shares * kernelCount : 0
        withUnsafeTemporaryAllocation(of: Float.self, capacity: kernelCount + max(1, kernelGradientCount)) { scratch in
            let u = scratch.baseAddress!, kernelGradients = u + kernelCount
            if dx != nil { winogradKernelTransform(weight, outChannels: outChannels, channels: channels, into: u) }
            forEachBlock { block, v, dm, tiles in
                winogradOutputGradientTransform(dy, outputTiling, images: block.images, into: dm, parallel: block.parallel)
                if wantsWeight, let input {
                    winogradInputTransform(input, tiling, images: block.images, into: v, parallel: block.parallel)
                    let du = kernelGradients + block.share * kernelCount
                    for position in 0..<16 {
                        // dU_ξ [K, C] (+)= dM_ξ [K, P] · V_ξᵀ [P, C]; later blocks of a share add.
                        sgemm(transposeB: true, m: outChannels, n: channels, k: tiles,
                              a: dm + position * outChannels * tiles, lda: tiles,
                              b: v + position * channels * tiles, ldb: tiles,
                              beta: block.isFirstOfShare ? 0 : 1,
                              c: du + position * outChannels * channels, ldc: channels)
                    }
                }
                guard let dx else { return }
                for position in 0..<16 {
                    // dV_ξ [C, P] = U_ξᵀ [C, K] · dM_ξ [K, P], over V (no longer needed).
                    sgemm(transposeA: true, m: channels, n: tiles, k: outChannels,
                          a: u + position * outChannels * channels, lda: channels,
                          b: dm + position * outChannels * tiles, ldb: tiles,
                          c: v + position * channels * tiles, ldc: tiles)
                }
                winogradInputGradientTransform(v, tiling, images: block.images, into: dx, accumulate: accumulateX,
                                               parallel: block.parallel)
            }
            guard wantsWeight, let dw else { return }
            // The shares' dU, added in share order into the first.
            for share in 1..<max(1, blocking.shares) {
                let partial = kernelGradients + share * kernelCount
                for i in 0..<kernelCount { kernelGradients[i] += partial[i] }
            }
            winogradKernelGradient(kernelGradients, outChannels: outChannels, channels: channels,
                                   into: dw, accumulate: accumulateW)
        }
    }

    /// Runs `body` for every block of images with its transformed-input buffer (16·C·P floats),
    /// its transformed-output buffer (16·K·P) and P, the block's tiles.
    private func forEachBlock(_ body: (_ block: ImageBlocking.Block, _ v: UnsafeMutablePointer<Float>,
                                       _ m: UnsafeMutablePointer<Float>, _ tiles: Int) -> Void) {
        let inputCount = 16 * channels * blocking.blockImages * tiling.tilesPerImage
        blocking.forEach { block, buffer in
            body(block, buffer, buffer + inputCount, block.images.count * tiling.tilesPerImage)
        }
    }
}
