/// The tile transforms of Winograd's minimal filtering algorithms F(m×m, 3×3) (Lavin & Gray,
/// "Fast Algorithms for Convolutional Neural Networks", 2016) and their adjoints, for a 3×3,
/// stride-1, padding-1 convolution over channel-major feature maps [C, N, H, W].
///
/// The output is cut into m×m tiles (th = ⌈H/m⌉ by tw = ⌈W/m⌉ per image); tile (ty, tx) reads
/// the n×n input patch d, n = m + 2, whose top-left corner is input (m·ty − 1, m·tx − 1), 0
/// outside the image. With the kernel g [3, 3] and the variant's matrices Bᵀ [n, n], G [n, 3]
/// and Aᵀ [m, n],
///
///     U = G·g·Gᵀ,  V = Bᵀ·d·B,  M = U ⊙ V,  y = Aᵀ·M·A   (y the tile's m×m outputs)
///
/// Summed over input channels, M at each of the n² positions ξ of a tile is one matrix product
/// for all tiles at once: M_ξ [K, P] = U_ξ [K, C] · V_ξ [C, P], with P tiles as columns.
/// Transformed arrays are therefore laid out position-major: V [n², C, P], M [n², K, P],
/// U [n², K, C], element (ξ, row, p) at (ξ·rows + row)·P + p, where ξ = n·i + j is position
/// (i, j) and tile p of a block of images n ∈ [n0, n0 + b) is (n − n0)·th·tw + ty·tw + tx.
///
/// The backward pass is the adjoint of each step: dM = A·dy·Aᵀ, dU_ξ = dM_ξ·V_ξᵀ (summed over
/// tiles), dg = Gᵀ·dU·G, dV_ξ = U_ξᵀ·dM_ξ, dd = B·dV·Bᵀ scattered back onto the overlapping
/// input patches.
///
/// The data transforms are written once for both variants (`WinogradDataTransforms`) over each
/// variant's 1-D matrices (`WinogradMatrices`); the kernel transforms are one GEMM each, with
/// G ⊗ G.

/// A minimal filtering algorithm F(m×m, 3×3).
package enum WinogradVariant: CaseIterable, Sendable {
    /// F(2×2, 3×3): 4×4 input tiles, 16 products per 4 outputs (9·4/16 = 2.25× fewer
    /// multiply-adds than the direct convolution), with matrices of 0, ±1 and ½.
    case f2x2
    /// F(4×4, 3×3): 6×6 input tiles, 36 products per 16 outputs (4× fewer), with matrices of
    /// entries up to 8, whose float rounding errors are about ten times F(2×2)'s.
    case f4x4

    /// m: a tile's outputs per side.
    package var outputTile: Int { self == .f2x2 ? 2 : 4 }
    /// n = m + 2: a tile's input patch per side.
    package var inputTile: Int { outputTile + 2 }
    /// n²: the positions of a transformed tile, one GEMM each.
    package var positions: Int { inputTile * inputTile }

    /// G ⊗ G [n², 9]: U_ξ = Σ_ab (G ⊗ G)[ξ, 3a + b]·g[a][b], for ξ = n·i + j, the entry
    /// G[i][a]·G[j][b] (products taken in Double, then rounded).
    var kernelKronecker: [Float] { self == .f2x2 ? Self.f2Kronecker : Self.f4Kronecker }

    private static let f2Kronecker = kronecker([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]])
    private static let f4Kronecker = kronecker([[1.0 / 4, 0, 0], [-1.0 / 6, -1.0 / 6, -1.0 / 6],
                                                [-1.0 / 6, 1.0 / 6, -1.0 / 6], [1.0 / 24, 1.0 / 12, 1.0 / 6],
                                                [1.0 / 24, -1.0 / 12, 1.0 / 6], [0, 0, 1]])

    private static func kronecker(_ g: [[Double]]) -> [Float] {
        var result: [Float] = []
        for i in g.indices {
            for j in g.indices {
                for a in 0..<3 {
                    for b in 0..<3 { result.append(Float(g[i][a] * g[j][b])) }
                }
            }
        }
        return result
    }
}

/// The tiles of a 3×3, stride-1, padding-1 convolution's feature maps [channels, batch, H, W]
/// under a Winograd variant.
package struct WinogradTiling: Equatable {
    package let channels: Int, batch: Int, height: Int, width: Int
    package let variant: WinogradVariant

    package init(channels: Int, batch: Int, height: Int, width: Int, variant: WinogradVariant) {
        (self.channels, self.batch, self.height, self.width) = (channels, batch, height, width)
        self.variant = variant
    }

    package var tileRows: Int { (height + variant.outputTile - 1) / variant.outputTile }
    package var tileColumns: Int { (width + variant.outputTile - 1) / variant.outputTile }
    package var tilesPerImage: Int { tileRows * tileColumns }
    var plane: Int { height * width }
}

/// U [n², K, C] = G·g·Gᵀ for every kernel g of weight [K, C, 3, 3]: one GEMM,
/// U [n², K·C] = (G ⊗ G) [n², 9] · weightᵀ [9, K·C].
package func winogradKernelTransform(_ weight: UnsafePointer<Float>, outChannels: Int, channels: Int,
                                     variant: WinogradVariant, into u: UnsafeMutablePointer<Float>) {
    let pairs = outChannels * channels
    OpProfile.measure(.winogradTransform) {
        variant.kernelKronecker.withUnsafeBufferPointer { kronecker in
            sgemm(transposeB: true, m: variant.positions, n: pairs, k: 9, a: kronecker.baseAddress!, lda: 9,
                  b: weight, ldb: 9, c: u, ldc: pairs)
        }
    }
}

/// dW [K, C, 3, 3] (+)= Gᵀ·dU·G for every position-major dU [n², K, C], the adjoint of
/// `winogradKernelTransform`: dW [K·C, 9] (+)= dUᵀ [K·C, n²] · (G ⊗ G) [n², 9].
package func winogradKernelGradient(_ du: UnsafePointer<Float>, outChannels: Int, channels: Int,
                                    variant: WinogradVariant, into dw: UnsafeMutablePointer<Float>,
                                    accumulate: Bool) {
    let pairs = outChannels * channels
    OpProfile.measure(.winogradTransform) {
        variant.kernelKronecker.withUnsafeBufferPointer { kronecker in
            sgemm(transposeA: true, m: pairs, n: 9, k: variant.positions, a: du, lda: pairs,
                  b: kronecker.baseAddress!, ldb: 9, beta: accumulate ? 1 : 0, c: dw, ldc: 9)
        }
    }
}

/// V [n², C, P] = Bᵀ·d·B for every input patch d of x [C, N, H, W] over `images`.
/// Parallel over channels unless `parallel` is false.
package func winogradInputTransform(_ x: UnsafePointer<Float>, _ t: WinogradTiling, images: Range<Int>,
                                    into v: UnsafeMutablePointer<Float>, parallel: Bool) {
    switch t.variant {
    case .f2x2: inputTransform(WinogradF2Matrices.self, x, t, images: images, into: v, parallel: parallel)
    case .f4x4: inputTransform(WinogradF4Matrices.self, x, t, images: images, into: v, parallel: parallel)
    }
}

/// y [K, N, H, W] (+)= Aᵀ·M·A for every tile of M [n², K, P] over `images`; the parts of tiles
/// past the image's height or width are dropped. Parallel over channels unless `parallel` is false.
package func winogradOutputTransform(_ m: UnsafePointer<Float>, _ t: WinogradTiling, images: Range<Int>,
                                     into y: UnsafeMutablePointer<Float>, accumulate: Bool, parallel: Bool) {
    switch t.variant {
    case .f2x2: outputTransform(WinogradF2Matrices.self, m, t, images: images, into: y, accumulate: accumulate, parallel: parallel)
    case .f4x4: outputTransform(WinogradF4Matrices.self, m, t, images: images, into: y, accumulate: accumulate, parallel: parallel)
    }
}

/// dM [n², K, P] = A·dy·Aᵀ for every m×m tile of dy [K, N, H, W] over `images` (0 past the
/// image's height or width): the adjoint of `winogradOutputTransform`. Parallel over channels
/// unless `parallel` is false.
package func winogradOutputGradientTransform(_ dy: UnsafePointer<Float>, _ t: WinogradTiling, images: Range<Int>,
                                             into dm: UnsafeMutablePointer<Float>, parallel: Bool) {
    switch t.variant {
    case .f2x2: outputGradientTransform(WinogradF2Matrices.self, dy, t, images: images, into: dm, parallel: parallel)
    case .f4x4: outputGradientTransform(WinogradF4Matrices.self, dy, t, images: images, into: dm, parallel: parallel)
    }
}

/// dx [C, N, H, W] (+)= the sum over tiles of B·dV·Bᵀ, each n×n result added onto its tile's
/// input patch (patches overlap by two rows and columns; the parts in the padding are dropped):
/// the adjoint of `winogradInputTransform`, for dV [n², C, P] over `images`. Parallel over
/// channels unless `parallel` is false.
package func winogradInputGradientTransform(_ dv: UnsafePointer<Float>, _ t: WinogradTiling, images: Range<Int>,
                                            into dx: UnsafeMutablePointer<Float>, accumulate: Bool, parallel: Bool) {
    switch t.variant {
    case .f2x2: inputGradientTransform(WinogradF2Matrices.self, dv, t, images: images, into: dx, accumulate: accumulate, parallel: parallel)
    case .f4x4: inputGradientTransform(WinogradF4Matrices.self, dv, t, images: images, into: dx, accumulate: accumulate, parallel: parallel)
    }
}
