/// The tile transforms of Winograd's minimal filtering algorithm F(2×2, 3×3) (Lavin & Gray,
/// "Fast Algorithms for Convolutional Neural Networks", 2016) and their adjoints, for a 3×3,
/// stride-1, padding-1 convolution over channel-major feature maps [C, N, H, W].
///
/// The output is cut into 2×2 tiles (th = ⌈H/2⌉ by tw = ⌈W/2⌉ per image); tile (ty, tx) reads
/// the 4×4 input patch d whose top-left corner is input (2ty − 1, 2tx − 1), 0 outside the image.
/// With the kernel g [3, 3],
///
///     U = G·g·Gᵀ,  V = Bᵀ·d·B,  M = U ⊙ V,  y = Aᵀ·M·A   (y the tile's 2×2 outputs)
///
///     Bᵀ = | 1  0 −1  0 |    G = | 1    0    0  |    Aᵀ = | 1  1  1  0 |
///          | 0  1  1  0 |        | ½    ½    ½  |         | 0  1 −1 −1 |
///          | 0 −1  1  0 |        | ½   −½    ½  |
///          | 0  1  0 −1 |        | 0    0    1  |
///
/// Summed over input channels, M at each of the 16 positions ξ of a tile is one matrix product
/// for all tiles at once: M_ξ [K, P] = U_ξ [K, C] · V_ξ [C, P], with P tiles as columns.
/// Transformed arrays are therefore laid out position-major: V [16, C, P], M [16, K, P],
/// U [16, K, C], element (ξ, row, p) at (ξ·rows + row)·P + p, where tile p of a block of images
/// n ∈ [n0, n0 + b) is (n − n0)·th·tw + ty·tw + tx.
///
/// The backward pass is the adjoint of each step: dM = A·dy·Aᵀ, dU_ξ = dM_ξ·V_ξᵀ (summed over
/// tiles), dg = Gᵀ·dU·G, dV_ξ = U_ξᵀ·dM_ξ, dd = B·dV·Bᵀ scattered back onto the overlapping
/// input patches.

/// The tiles of a 3×3, stride-1, padding-1 convolution's feature maps [channels, batch, H, W].
package struct WinogradTiling: Equatable {
    package let channels: Int, batch: Int, height: Int, width: Int

    package init(channels: Int, batch: Int, height: Int, width: Int) {
        (self.channels, self.batch, self.height, self.width) = (channels, batch, height, width)
    }

    package var tileRows: Int { (height + 1) / 2 }
    package var tileColumns: Int { (width + 1) / 2 }
    package var tilesPerImage: Int { tileRows * tileColumns }
    var plane: Int { height * width }
}

/// U [16, K, C] = G·g·Gᵀ for every kernel g of weight [K, C, 3, 3].
package func winogradKernelTransform(_ weight: UnsafePointer<Float>, outChannels: Int, channels: Int,
                                     into u: UnsafeMutablePointer<Float>) {
    let stride = outChannels * channels
    for pair in 0..<stride {
        let g = weight + pair * 9
        var t = (SIMD4<Float>(), SIMD4<Float>(), SIMD4<Float>())  // columns of G·g, one per kernel column
        for j in 0..<3 {
            let (g0, g1, g2) = (g[j], g[3 + j], g[6 + j])
            let column = SIMD4<Float>(g0, 0.5 * (g0 + g1 + g2), 0.5 * (g0 - g1 + g2), g2)
            switch j {
            case 0: t.0 = column
            case 1: t.1 = column
            default: t.2 = column
            }
        }
        // (G·g)·Gᵀ, column by column: t0, ½(t0 + t1 + t2), ½(t0 − t1 + t2), t2.
        let columns = (t.0, 0.5 * (t.0 + t.1 + t.2), 0.5 * (t.0 - t.1 + t.2), t.2)
        for i in 0..<4 {
            u[(i * 4 + 0) * stride + pair] = columns.0[i]
            u[(i * 4 + 1) * stride + pair] = columns.1[i]
            u[(i * 4 + 2) * stride + pair] = columns.2[i]
            u[(i * 4 + 3) * stride + pair] = columns.3[i]
        }
    }
}

/// dW [K, C, 3, 3] (+)= Gᵀ·dU·G for every position-major dU [16, K, C]: the adjoint of
/// `winogradKernelTransform`.
package func winogradKernelGradient(_ du: UnsafePointer<Float>, outChannels: Int, channels: Int,
                                    into dw: UnsafeMutablePointer<Float>, accumulate: Bool) {
    let stride = outChannels * channels
    for pair in 0..<stride {
        // Rows of Gᵀ·dU: (u0 + ½(u1 + u2), ½(u1 − u2), ½(u1 + u2) + u3) over the rows u_i of dU.
        var rows = (SIMD4<Float>(), SIMD4<Float>(), SIMD4<Float>())
        for j in 0..<4 {
            let (u0, u1, u2, u3) = (du[j * stride + pair], du[(4 + j) * stride + pair],
                                    du[(8 + j) * stride + pair], du[(12 + j) * stride + pair])
            rows.0[j] = u0 + 0.5 * (u1 + u2)
            rows.1[j] = 0.5 * (u1 - u2)
            rows.2[j] = 0.5 * (u1 + u2) + u3
        }
        let g = dw + pair * 9
        storeRightTransformG(rows.0, g, accumulate: accumulate)
        storeRightTransformG(rows.1, g + 3, accumulate: accumulate)
        storeRightTransformG(rows.2, g + 6, accumulate: accumulate)
    }
}

/// Writes (or adds) r·G = (r0 + ½(r1 + r2), ½(r1 − r2), ½(r1 + r2) + r3) to out[0…2].
@inline(__always)
private func storeRightTransformG(_ r: SIMD4<Float>, _ out: UnsafeMutablePointer<Float>, accumulate: Bool) {
    let values = (r[0] + 0.5 * (r[1] + r[2]), 0.5 * (r[1] - r[2]), 0.5 * (r[1] + r[2]) + r[3])
    if accumulate {
        out[0] += values.0; out[1] += values.1; out[2] += values.2
    } else {
        out[0] = values.0; out[1] = values.1; out[2] = values.2
    }
}

// The data transforms below work on four tiles of a tile row at once, one SIMD4 lane per tile:
// the patches of tiles tx…tx + 3 start at columns 2tx, 2tx + 2, …, so their column j is every
// other value of the row from 2tx + j, the even or odd half of an 8-float load. Planes are
// copied into scratch rows padded to whole groups of four tiles; a row's last group stores
// only the lanes of real tiles.

/// Four tiles' transformed values: element ξ = 4i + j holds position (i, j) of each tile.
private typealias TileGroup = (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>,
                               SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>,
                               SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>,
                               SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>)

extension WinogradTiling {
    /// Tile columns rounded up to a whole group of four.
    var groupedTileColumns: Int { (tileColumns + 3) / 4 * 4 }
}

/// V [16, C, P] = Bᵀ·d·B for every input patch d of x [C, N, H, W] over `images`.
/// Parallel over channels unless `parallel` is false.
package func winogradInputTransform(_ x: UnsafePointer<Float>, _ t: WinogradTiling, images: Range<Int>,
                                    into v: UnsafeMutablePointer<Float>, parallel: Bool) {
    let tiles = images.count * t.tilesPerImage, positionStride = t.channels * tiles
    // The plane at (1, 1) of a zero border, wide enough for the last group's loads.
    let bw = 2 * t.groupedTileColumns + 2
    forEachPlane(t, images: images, parallel: parallel, scratchCount: (2 * t.tileRows + 2) * bw) { c, index, n, bordered in
        let plane = x + (c * t.batch + n) * t.plane
        for row in 0..<t.height {
            copyFloats(plane + row * t.width, to: bordered + (row + 1) * bw + 1, count: t.width)
        }
        var out = v + c * tiles + index * t.tilesPerImage
        for ty in 0..<t.tileRows {
            let patchRows = UnsafeRawPointer(bordered + 2 * ty * bw)
            for tx in Swift.stride(from: 0, to: t.tileColumns, by: 4) {
                let patches = patchRows + 2 * tx * 4
                let (d0, d1, d2, d3) = (rowTimesB(patches), rowTimesB(patches + bw * 4),
                                        rowTimesB(patches + 2 * bw * 4), rowTimesB(patches + 3 * bw * 4))
                // Bᵀ times those rows: d0 − d2, d1 + d2, d2 − d1, d1 − d3.
                let group: TileGroup = (
                    d0.0 - d2.0, d0.1 - d2.1, d0.2 - d2.2, d0.3 - d2.3,
                    d1.0 + d2.0, d1.1 + d2.1, d1.2 + d2.2, d1.3 + d2.3,
                    d2.0 - d1.0, d2.1 - d1.1, d2.2 - d1.2, d2.3 - d1.3,
                    d1.0 - d3.0, d1.1 - d3.1, d1.2 - d3.2, d1.3 - d3.3)
                store(group, out + tx, positionStride, lanes: min(4, t.tileColumns - tx))
            }
            out += t.tileColumns
        }
    }
}

/// y [K, N, H, W] (+)= Aᵀ·M·A for every tile of M [16, K, P] over `images`; the parts of tiles
/// past an odd height or width are dropped. Parallel over channels unless `parallel` is false.
package func winogradOutputTransform(_ m: UnsafePointer<Float>, _ t: WinogradTiling, images: Range<Int>,
                                     into y: UnsafeMutablePointer<Float>, accumulate: Bool, parallel: Bool) {
    let tiles = images.count * t.tilesPerImage, positionStride = t.channels * tiles
    let tiledWidth = 2 * t.groupedTileColumns
    forEachPlane(t, images: images, parallel: parallel, scratchCount: 2 * t.tileRows * tiledWidth) { k, index, n, tiled in
    let rows = UnsafeMutableRawPointer(tiled)
        var source = m + k * tiles + index * t.tilesPerImage
        for ty in 0..<t.tileRows {
            for tx in Swift.stride(from: 0, to: t.tileColumns, by: 4) {
                let p = load(source + tx, positionStride, lanes: min(4, t.tileColumns - tx))
                // Aᵀ·M: rows p0 + p1 + p2 and p1 − p2 − p3; then ·A on each.
                let upper = (p.0 + p.4 + p.8, p.1 + p.5 + p.9, p.2 + p.6 + p.10, p.3 + p.7 + p.11)
                let lower = (p.4 - p.8 - p.12, p.5 - p.9 - p.13, p.6 - p.10 - p.14, p.7 - p.11 - p.15)
                let offset = (2 * ty * tiledWidth + 2 * tx) * 4
                rows.storeBytes(of: interleave(upper.0 + upper.1 + upper.2, upper.1 - upper.2 - upper.3),
                                toByteOffset: offset, as: SIMD8<Float>.self)
                rows.storeBytes(of: interleave(lower.0 + lower.1 + lower.2, lower.1 - lower.2 - lower.3),
                                toByteOffset: offset + tiledWidth * 4, as: SIMD8<Float>.self)
            }
            source += t.tileColumns
        }
        writePlane(tiled, rowStride: tiledWidth, t, into: y + (k * t.batch + n) * t.plane,
                   accumulate: accumulate)
    }
}

/// dM [16, K, P] = A·dy·Aᵀ for every 2×2 tile of dy [K, N, H, W] over `images` (0 past an odd
/// height or width): the adjoint of `winogradOutputTransform`. Parallel over channels unless
/// `parallel` is false.
package func winogradOutputGradientTransform(_ dy: UnsafePointer<Float>, _ t: WinogradTiling, images: Range<Int>,
                                             into dm: UnsafeMutablePointer<Float>, parallel: Bool) {
    let tiles = images.count * t.tilesPerImage, positionStride = t.channels * tiles
    let tiledWidth = 2 * t.groupedTileColumns
    forEachPlane(t, images: images, parallel: parallel, scratchCount: 2 * t.tileRows * tiledWidth) { k, index, n, tiled in
    let rows = UnsafeRawPointer(tiled)
        let plane = dy + (k * t.batch + n) * t.plane
        for row in 0..<t.height {
            copyFloats(plane + row * t.width, to: tiled + row * tiledWidth, count: t.width)
        }
        var out = dm + k * tiles + index * t.tilesPerImage
        for ty in 0..<t.tileRows {
            for tx in Swift.stride(from: 0, to: t.tileColumns, by: 4) {
                let offset = (2 * ty * tiledWidth + 2 * tx) * 4
                let top = rows.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                let bottom = rows.loadUnaligned(fromByteOffset: offset + tiledWidth * 4, as: SIMD8<Float>.self)
                let (a, b, c, d) = (top.evenHalf, top.oddHalf, bottom.evenHalf, bottom.oddHalf)
                // A·dy: rows (a, b), (a + c, b + d), (a − c, b − d), (−c, −d); then ·Aᵀ
                // turns a row (p, q) into (p, p + q, p − q, −q).
                let (e, f, g, h) = (a + c, b + d, a - c, b - d)
                let group: TileGroup = (a, a + b, a - b, -b, e, e + f, e - f, -f,
                                        g, g + h, g - h, -h, -c, -c - d, d - c, d)
                store(group, out + tx, positionStride, lanes: min(4, t.tileColumns - tx))
            }
            out += t.tileColumns
        }
    }
}

/// dx [C, N, H, W] (+)= the sum over tiles of B·dV·Bᵀ, each 4×4 result added onto its tile's
/// input patch (patches overlap by two rows and columns; the parts in the padding are dropped):
/// the adjoint of `winogradInputTransform`, for dV [16, C, P] over `images`. Parallel over
/// channels unless `parallel` is false.
package func winogradInputGradientTransform(_ dv: UnsafePointer<Float>, _ t: WinogradTiling, images: Range<Int>,
                                            into dx: UnsafeMutablePointer<Float>, accumulate: Bool, parallel: Bool) {
    let tiles = images.count * t.tilesPerImage, positionStride = t.channels * tiles
    let bw = 2 * t.groupedTileColumns + 2
    let borderedCount = (2 * t.tileRows + 2) * bw
    forEachPlane(t, images: images, parallel: parallel, scratchCount: borderedCount) { c, index, n, bordered in
    let patchRows = UnsafeMutableRawPointer(bordered)
        bordered.update(repeating: 0, count: borderedCount)
        var source = dv + c * tiles + index * t.tilesPerImage
        for ty in 0..<t.tileRows {
            for tx in Swift.stride(from: 0, to: t.tileColumns, by: 4) {
                let v = load(source + tx, positionStride, lanes: min(4, t.tileColumns - tx))
                // B·dV: rows v0, v1 − v2 + v3, v1 + v2 − v0, −v3; each then ·Bᵀ and
                // added onto its patch row.
                let rows = ((v.0, v.1, v.2, v.3),
                            (v.4 - v.8 + v.12, v.5 - v.9 + v.13, v.6 - v.10 + v.14, v.7 - v.11 + v.15),
                            (v.4 + v.8 - v.0, v.5 + v.9 - v.1, v.6 + v.10 - v.2, v.7 + v.11 - v.3),
                            (-v.12, -v.13, -v.14, -v.15))
                let offset = (2 * ty * bw + 2 * tx) * 4
                addRowTimesBT(rows.0, patchRows + offset)
                addRowTimesBT(rows.1, patchRows + offset + bw * 4)
                addRowTimesBT(rows.2, patchRows + offset + 2 * bw * 4)
                addRowTimesBT(rows.3, patchRows + offset + 3 * bw * 4)
            }
            source += t.tileColumns
        }
        writePlane(bordered + bw + 1, rowStride: bw, t, into: dx + (c * t.batch + n) * t.plane,
                   accumulate: accumulate)
    }
}

/// One patch row times B for four tiles whose patches start at `row`, 2 floats apart: the
/// columns c0 − c2, c1 + c2, c2 − c1, c1 − c3.
@inline(__always)
private func rowTimesB(_ row: UnsafeRawPointer) -> (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>) {
    let low = row.loadUnaligned(as: SIMD8<Float>.self)
    let high = row.loadUnaligned(fromByteOffset: 8, as: SIMD8<Float>.self)
    let (c0, c1, c2, c3) = (low.evenHalf, low.oddHalf, high.evenHalf, high.oddHalf)
    return (c0 - c2, c1 + c2, c2 - c1, c1 - c3)
}

/// Adds r·Bᵀ = (r0, r1 − r2 + r3, r1 + r2 − r0, −r3), for four tiles, onto a patch row at
/// `out`: columns 0–1 of each tile's patch first, then columns 2–3, which overlap the next
/// tile's 0–1.
@inline(__always)
private func addRowTimesBT(_ r: (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>),
                           _ out: UnsafeMutableRawPointer) {
    let first = interleave(r.0, r.1 - r.2 + r.3), second = interleave(r.1 + r.2 - r.0, -r.3)
    out.storeBytes(of: out.loadUnaligned(as: SIMD8<Float>.self) + first, as: SIMD8<Float>.self)
    out.storeBytes(of: out.loadUnaligned(fromByteOffset: 8, as: SIMD8<Float>.self) + second,
                   toByteOffset: 8, as: SIMD8<Float>.self)
}

/// Runs `body` for every (channel, image) plane of `images` — the image's index in the block,
/// and its index in the batch — parallel over channels unless `parallel` is false, timed as a
/// Winograd transform. Each thread's `scratch` of `scratchCount` floats is zeroed once, before
/// its first plane.
@inline(__always)
private func forEachPlane(_ t: WinogradTiling, images: Range<Int>, parallel: Bool, scratchCount: Int,
                          _ body: (_ channel: Int, _ index: Int, _ image: Int, _ scratch: UnsafeMutablePointer<Float>) -> Void) {
    OpProfile.measure(.winogradTransform) {
        Threading.ranges(t.channels, parallel: parallel) { channels in
            withZeroedScratch(scratchCount) { scratch in
                for channel in channels {
                    for (index, image) in images.enumerated() { body(channel, index, image, scratch) }
                }
            }
        }
    }
}

/// plane [H, W] (+)= the H×W values at `values`, whose rows are `rowStride` floats apart.
@inline(__always)
private func writePlane(_ values: UnsafePointer<Float>, rowStride: Int, _ t: WinogradTiling,
                        into plane: UnsafeMutablePointer<Float>, accumulate: Bool) {
    for row in 0..<t.height {
        let (target, source) = (plane + row * t.width, values + row * rowStride)
        if accumulate {
            for column in 0..<t.width { target[column] += source[column] }
        } else {
            copyFloats(source, to: target, count: t.width)
        }
    }
}

/// (a0, b0, a1, b1, a2, b2, a3, b3).
@inline(__always)
private func interleave(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD8<Float> {
    SIMD8(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3])
}

/// Writes the 16 positions of four tiles (the first `lanes` of them) at out + ξ·stride.
@inline(__always)
private func store(_ group: TileGroup, _ out: UnsafeMutablePointer<Float>, _ stride: Int, lanes: Int) {
    guard lanes == 4 else {
        // The last group of a row: through memory, lane by lane.
        withUnsafeBytes(of: group) { values in
            let floats = values.bindMemory(to: Float.self)
            for position in 0..<16 {
                for lane in 0..<lanes { out[position * stride + lane] = floats[position * 4 + lane] }
            }
        }
        return
    }
    // Spelled out (a loop over the tuple's elements goes through memory), with wrapping
    // arithmetic (offsets are within the block's buffer: no overflow checks).
    @inline(__always) func put(_ vector: SIMD4<Float>, _ position: Int) {
        UnsafeMutableRawPointer(out + position &* stride).storeBytes(of: vector, as: SIMD4<Float>.self)
    }
    put(group.0, 0); put(group.1, 1); put(group.2, 2); put(group.3, 3)
    put(group.4, 4); put(group.5, 5); put(group.6, 6); put(group.7, 7)
    put(group.8, 8); put(group.9, 9); put(group.10, 10); put(group.11, 11)
    put(group.12, 12); put(group.13, 13); put(group.14, 14); put(group.15, 15)
}

/// The 16 positions of four tiles at p + ξ·stride (the first `lanes` of them; 0 in the others).
@inline(__always)
private func load(_ p: UnsafePointer<Float>, _ stride: Int, lanes: Int) -> TileGroup {
    guard lanes == 4 else {
        var group: TileGroup = (.zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero,
                                .zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero)
        withUnsafeMutableBytes(of: &group) { values in
            let floats = values.bindMemory(to: Float.self)
            for position in 0..<16 {
                for lane in 0..<lanes { floats[position * 4 + lane] = p[position * stride + lane] }
            }
        }
        return group
    }
    @inline(__always) func get(_ position: Int) -> SIMD4<Float> {
        UnsafeRawPointer(p + position &* stride).loadUnaligned(as: SIMD4<Float>.self)
    }
    return (get(0), get(1), get(2), get(3), get(4), get(5), get(6), get(7),
            get(8), get(9), get(10), get(11), get(12), get(13), get(14), get(15))
}

/// Runs `body` with `count` zeroed floats of scratch memory.
@inline(__always)
private func withZeroedScratch(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) {
    withUnsafeTemporaryAllocation(of: Float.self, capacity: max(count, 1)) { buffer in
        buffer.initialize(repeating: 0)
        body(buffer.baseAddress!)
    }
}
