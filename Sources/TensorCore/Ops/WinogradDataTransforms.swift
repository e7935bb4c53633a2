/// The data transforms of `WinogradTransforms` for either variant (`WinogradMatrices`), four
/// tiles at a time, one SIMD4 lane per tile.
///
/// Per channel, the images of a block are taken in chunks whose planes are copied side by side
/// into the thread's scratch memory, one slot per image, each padded as the transform needs. The
/// chunk's tiles, in the order of the transformed arrays (image, tile row, tile column), are
/// then processed in groups of four consecutive tiles, whichever rows or images they belong to,
/// so that every group but a chunk's last fills all four lanes. A group's rows of patch values
/// are loaded (or stored) per lane at the lane's own tile and turned into columns across the
/// lanes by 4×4 transposes; the values between a transform's row and column passes sit in a
/// `LaneGrid` of n² SIMD4 in the same scratch memory.

/// `winogradInputTransform` for variant `V`.
@inline(__always)
func inputTransform<V: WinogradMatrices>(_: V.Type, _ x: UnsafePointer<Float>, _ t: WinogradTiling,
                                         images: Range<Int>, into v: UnsafeMutablePointer<Float>,
                                         parallel: Bool) {
    let n = V.inputTile
    let chunks = WinogradChunks.patches(t, images: images, tile: V.outputTile)
    chunks.forEach(parallel: parallel, gridCount: n * n) { c, chunk, scratch, grid in
        chunks.copyPlanes(of: x, channel: c, chunk: chunk, into: scratch, at: chunks.rowStride + 1)
        chunks.forEachGroup(of: chunk, tile: V.outputTile, in: scratch) { first, lanes, origins in
            // d·B row by row (Bᵀ on each row), then Bᵀ on each column of that.
            for i in 0..<n {
                grid.loadRows(origins, offset: i * chunks.rowStride, count: n, at: i * n)
                V.timesBT(grid, i * n, 1)
            }
            for j in 0..<n { V.timesBT(grid, j, n) }
            grid.store(count: n * n, to: v + chunks.transformedOffset(channel: c, chunk: chunk) + first,
                       stride: chunks.positionStride, lanes: lanes)
        }
    }
}

/// `winogradOutputTransform` for variant `V`.
@inline(__always)
func outputTransform<V: WinogradMatrices>(_: V.Type, _ m: UnsafePointer<Float>, _ t: WinogradTiling,
                                          images: Range<Int>, into y: UnsafeMutablePointer<Float>,
                                          accumulate: Bool, parallel: Bool) {
    let (n, size) = (V.inputTile, V.outputTile)
    let chunks = WinogradChunks.outputs(t, images: images, tile: size)
    chunks.forEach(parallel: parallel, gridCount: n * n) { k, chunk, scratch, grid in
        chunks.forEachGroup(of: chunk, tile: size, in: scratch) { first, lanes, origins in
            grid.load(count: n * n, from: m + chunks.transformedOffset(channel: k, chunk: chunk) + first,
                      stride: chunks.positionStride, lanes: lanes)
            // Aᵀ·M column by column, then ·A on each of its m rows. Tiles are written in order,
            // each row's 4 floats past its m spilling onto the next tile's, written later.
            for j in 0..<n { V.timesAT(grid, j, n) }
            for r in 0..<size {
                V.timesAT(grid, r * n, 1)
                grid.storeRows(origins, offset: r * chunks.rowStride, from: r * n, lanes: lanes)
            }
        }
        chunks.writePlanes(from: scratch, at: 0, into: y, channel: k, chunk: chunk, accumulate: accumulate)
    }
}

/// `winogradOutputGradientTransform` for variant `V`.
@inline(__always)
func outputGradientTransform<V: WinogradMatrices>(_: V.Type, _ dy: UnsafePointer<Float>, _ t: WinogradTiling,
                                                  images: Range<Int>, into dm: UnsafeMutablePointer<Float>,
                                                  parallel: Bool) {
    let (n, size) = (V.inputTile, V.outputTile)
    let chunks = WinogradChunks.outputs(t, images: images, tile: size)
    chunks.forEach(parallel: parallel, gridCount: n * n) { k, chunk, scratch, grid in
        chunks.copyPlanes(of: dy, channel: k, chunk: chunk, into: scratch, at: 0)
        chunks.forEachGroup(of: chunk, tile: size, in: scratch) { first, lanes, origins in
            // dy·Aᵀ row by row (A on each row), then A on each column of that.
            for r in 0..<size {
                grid.loadRows(origins, offset: r * chunks.rowStride, count: size, at: r * n)
                V.timesA(grid, r * n, 1)
            }
            for j in 0..<n { V.timesA(grid, j, n) }
            grid.store(count: n * n, to: dm + chunks.transformedOffset(channel: k, chunk: chunk) + first,
                       stride: chunks.positionStride, lanes: lanes)
        }
    }
}

/// `winogradInputGradientTransform` for variant `V`.
@inline(__always)
func inputGradientTransform<V: WinogradMatrices>(_: V.Type, _ dv: UnsafePointer<Float>, _ t: WinogradTiling,
                                                 images: Range<Int>, into dx: UnsafeMutablePointer<Float>,
                                                 accumulate: Bool, parallel: Bool) {
    let n = V.inputTile
    let chunks = WinogradChunks.patches(t, images: images, tile: V.outputTile)
    chunks.forEach(parallel: parallel, gridCount: n * n) { c, chunk, scratch, grid in
        scratch.update(repeating: 0, count: chunk.count * chunks.slot)
        chunks.forEachGroup(of: chunk, tile: V.outputTile, in: scratch) { first, lanes, origins in
            grid.load(count: n * n, from: dv + chunks.transformedOffset(channel: c, chunk: chunk) + first,
                      stride: chunks.positionStride, lanes: lanes)
            // B·dV column by column, then ·Bᵀ (B on each row) added onto the patch rows, tile
            // after tile (neighbouring patches overlap).
            for j in 0..<n { V.timesB(grid, j, n) }
            for i in 0..<n {
                V.timesB(grid, i * n, 1)
                grid.addRows(origins, offset: i * chunks.rowStride, from: i * n, count: n, lanes: lanes)
            }
        }
        chunks.writePlanes(from: scratch, at: chunks.rowStride + 1, into: dx, channel: c, chunk: chunk,
                           accumulate: accumulate)
    }
}

/// The chunks of images a data transform copies into scratch memory at once, and the slots
/// their planes take there.
struct WinogradChunks {
    let tiling: WinogradTiling
    let images: Range<Int>
    /// Floats between the rows of a slot, and the rows of one.
    let rowStride: Int, rows: Int
    /// Images per chunk: enough for 64 tiles (16 full groups), at least one.
    let chunkImages: Int
    /// Floats between a transformed array's positions: C·P over the block's P tiles.
    let positionStride: Int

    private init(_ t: WinogradTiling, images: Range<Int>, rowStride: Int, rows: Int) {
        (tiling, self.images, self.rowStride, self.rows) = (t, images, rowStride, rows)
        chunkImages = max(1, min(images.count, 64 / t.tilesPerImage))
        positionStride = t.channels * images.count * t.tilesPerImage
    }

    /// Slots for the input's patches: each plane at (1, 1) of a zero border, rows wide enough
    /// for 8-float loads and adds at every tile of `tile` outputs per side.
    static func patches(_ t: WinogradTiling, images: Range<Int>, tile: Int) -> WinogradChunks {
        WinogradChunks(t, images: images, rowStride: tile * t.tileColumns + 8, rows: tile * t.tileRows + 2)
    }

    /// Slots for the output's tiles (or dy's, 0 past the image), rows wide enough for 4-float
    /// loads and stores at every tile of `tile` outputs per side.
    static func outputs(_ t: WinogradTiling, images: Range<Int>, tile: Int) -> WinogradChunks {
        WinogradChunks(t, images: images, rowStride: tile * t.tileColumns + 4, rows: tile * t.tileRows)
    }

    /// Floats of one image's slot.
    var slot: Int { rowStride * rows }

    /// Runs `body` for every chunk of the block's images (indices into `images`) of every
    /// channel, parallel over channels unless `parallel` is false, timed as a Winograd
    /// transform, with the thread's scratch memory for the chunk's slots (zeroed once, before
    /// its first chunk) and a grid of `gridCount` SIMD4 past them.
    @inline(__always)
    func forEach(parallel: Bool, gridCount: Int,
                 _ body: (_ channel: Int, _ chunk: Range<Int>, _ scratch: UnsafeMutablePointer<Float>, _ grid: LaneGrid) -> Void) {
        let slotsCount = chunkImages * slot
        OpProfile.measure(.winogradTransform) {
            Threading.ranges(tiling.channels, parallel: parallel) { channels in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: slotsCount + 4 * gridCount) { buffer in
                    buffer.initialize(repeating: 0)
                    let scratch = buffer.baseAddress!
                    let grid = LaneGrid(base: UnsafeMutableRawPointer(scratch + slotsCount))
                    for channel in channels {
                        for start in Swift.stride(from: 0, to: images.count, by: chunkImages) {
                            body(channel, start..<min(start + chunkImages, images.count), scratch, grid)
                        }
                    }
                }
            }
        }
    }

    /// Where the chunk's tiles of `channel` start in a transformed array [n², C, P].
    @inline(__always)
    func transformedOffset(channel: Int, chunk: Range<Int>) -> Int {
        (channel * images.count + chunk.lowerBound) * tiling.tilesPerImage
    }

    /// Copies the chunk's planes of `channel` of feature maps [C, N, H, W] into their slots,
    /// `at` floats into each.
    @inline(__always)
    func copyPlanes(of maps: UnsafePointer<Float>, channel: Int, chunk: Range<Int>,
                    into scratch: UnsafeMutablePointer<Float>, at offset: Int) {
        let t = tiling
        for (k, index) in chunk.enumerated() {
            let plane = maps + (channel * t.batch + images.lowerBound + index) * t.plane
            let target = scratch + k * slot + offset
            for row in 0..<t.height {
                copyFloats(plane + row * t.width, to: target + row * rowStride, count: t.width)
            }
        }
    }

    /// Writes (or adds) the H×W values `at` floats into each of the chunk's slots onto their
    /// planes of `channel` of feature maps [C, N, H, W].
    @inline(__always)
    func writePlanes(from scratch: UnsafeMutablePointer<Float>, at offset: Int, into maps: UnsafeMutablePointer<Float>,
                     channel: Int, chunk: Range<Int>, accumulate: Bool) {
        let t = tiling
        for (k, index) in chunk.enumerated() {
            let plane = maps + (channel * t.batch + images.lowerBound + index) * t.plane
            let source = scratch + k * slot + offset
            for row in 0..<t.height {
                let (target, values) = (plane + row * t.width, source + row * rowStride)
                if accumulate {
                    for column in 0..<t.width { target[column] += values[column] }
                } else {
                    copyFloats(values, to: target, count: t.width)
                }
            }
        }
    }

    /// Runs `body` for every group of four consecutive tiles of the chunk: the index of its
    /// first tile in the chunk, its real tiles (4, or fewer in the chunk's last group), and each
    /// lane's tile origin in the slots, the top-left of its patch (`tile` floats apart along a
    /// row); lanes past the real tiles repeat the first's.
    @inline(__always)
    func forEachGroup(of chunk: Range<Int>, tile size: Int, in scratch: UnsafeMutablePointer<Float>,
                      _ body: (_ first: Int, _ lanes: Int, _ origins: LaneOrigins) -> Void) {
        let (perImage, columns) = (tiling.tilesPerImage, tiling.tileColumns)
        let count = chunk.count * perImage
        // The next tile's origin, stepped tile by tile: along a row, to the next tile row, to
        // the next image's slot.
        var (rowStart, column, row) = (scratch, 0, 0)
        @inline(__always) func next() -> UnsafeMutablePointer<Float> {
            let origin = rowStart + size * column
            column += 1
            if column == columns {
                column = 0
                row += 1
                rowStart += size * rowStride
                if row == tiling.tileRows {
                    row = 0
                    rowStart += slot - size * rowStride * tiling.tileRows
                }
            }
            return origin
        }
        for first in Swift.stride(from: 0, to: count, by: 4) {
            let lanes = min(4, count - first)
            let o0 = next()
            let o1 = lanes > 1 ? next() : o0, o2 = lanes > 2 ? next() : o0, o3 = lanes > 3 ? next() : o0
            body(first, lanes, LaneOrigins(o0, o1, o2, o3))
        }
    }
}

/// The tile origins of a group's four lanes.
struct LaneOrigins {
    let lane0: UnsafeMutablePointer<Float>, lane1: UnsafeMutablePointer<Float>
    let lane2: UnsafeMutablePointer<Float>, lane3: UnsafeMutablePointer<Float>

    init(_ lane0: UnsafeMutablePointer<Float>, _ lane1: UnsafeMutablePointer<Float>,
         _ lane2: UnsafeMutablePointer<Float>, _ lane3: UnsafeMutablePointer<Float>) {
        (self.lane0, self.lane1, self.lane2, self.lane3) = (lane0, lane1, lane2, lane3)
    }

    @inline(__always) subscript(_ lane: Int) -> UnsafeMutableRawPointer {
        switch lane {
        case 0: UnsafeMutableRawPointer(lane0)
        case 1: UnsafeMutableRawPointer(lane1)
        case 2: UnsafeMutableRawPointer(lane2)
        default: UnsafeMutableRawPointer(lane3)
        }
    }
}

/// SIMD4 values in scratch memory, lane l of each belonging to tile l of a group.
struct LaneGrid {
    let base: UnsafeMutableRawPointer

    @inline(__always) subscript(_ index: Int) -> SIMD4<Float> {
        get { base.loadUnaligned(fromByteOffset: index &* 16, as: SIMD4<Float>.self) }
        nonmutating set { base.storeBytes(of: newValue, toByteOffset: index &* 16, as: SIMD4<Float>.self) }
    }

    /// grid[at + c] = column c of the lanes' rows (`count` ≤ 8 floats from each origin +
    /// `offset`; 8 are read where `count` > 4, else 4).
    @inline(__always)
    func loadRows(_ origins: LaneOrigins, offset: Int, count: Int, at index: Int) {
        @inline(__always) func row(_ lane: Int) -> UnsafeRawPointer { UnsafeRawPointer(origins[lane]) + offset * 4 }
        let low = transposed(row(0).loadUnaligned(as: SIMD4<Float>.self), row(1).loadUnaligned(as: SIMD4<Float>.self),
                             row(2).loadUnaligned(as: SIMD4<Float>.self), row(3).loadUnaligned(as: SIMD4<Float>.self))
        self[index] = low.0; self[index + 1] = low.1; self[index + 2] = low.2; self[index + 3] = low.3
        guard count > 4 else { return }
        let high = transposed(row(0).loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self),
                              row(1).loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self),
                              row(2).loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self),
                              row(3).loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self))
        self[index + 4] = high.0; self[index + 5] = high.1
        if count > 6 { self[index + 6] = high.2; self[index + 7] = high.3 }
    }

    /// Stores columns 0–3 of grid[at…] into each real lane's row at its origin + `offset`, lane
    /// after lane: 4 floats each, of which the tile's own are the first m.
    @inline(__always)
    func storeRows(_ origins: LaneOrigins, offset: Int, from index: Int, lanes: Int) {
        let rows = transposed(self[index], self[index + 1], self[index + 2], self[index + 3])
        for lane in 0..<lanes {
            (origins[lane] + offset * 4).storeBytes(of: pick(rows, lane), as: SIMD4<Float>.self)
        }
    }

    /// Adds columns 0…count − 1 (count ≤ 8) of grid[at…] onto each real lane's row at its origin
    /// + `offset`, lane after lane (neighbouring tiles' rows may overlap).
    @inline(__always)
    func addRows(_ origins: LaneOrigins, offset: Int, from index: Int, count: Int, lanes: Int) {
        let low = transposed(self[index], self[index + 1], self[index + 2], self[index + 3])
        @inline(__always) func column(_ c: Int) -> SIMD4<Float> { c < count ? self[index + c] : .zero }
        let high = count > 4 ? transposed(column(4), column(5), column(6), column(7)) : (.zero, .zero, .zero, .zero)
        @inline(__always) func add(_ value: SIMD4<Float>, _ target: UnsafeMutableRawPointer) {
            target.storeBytes(of: target.loadUnaligned(as: SIMD4<Float>.self) + value, as: SIMD4<Float>.self)
        }
        for lane in 0..<lanes {
            let target = origins[lane] + offset * 4
            add(pick(low, lane), target)
            if count > 4 { add(pick(high, lane), target + 16) }
        }
    }

    /// grid[k] = the SIMD4 at p + k·stride for k < count (its first `lanes` floats; 0 in the others).
    @inline(__always)
    func load(count: Int, from p: UnsafePointer<Float>, stride: Int, lanes: Int) {
        if lanes == 4 {
            for k in 0..<count { self[k] = UnsafeRawPointer(p + k &* stride).loadUnaligned(as: SIMD4<Float>.self) }
            return
        }
        for k in 0..<count {
            var vector = SIMD4<Float>()
            for lane in 0..<lanes { vector[lane] = p[k &* stride + lane] }
            self[k] = vector
        }
    }

    /// Writes grid[k] (its first `lanes` floats) at p + k·stride for k < count.
    @inline(__always)
    func store(count: Int, to p: UnsafeMutablePointer<Float>, stride: Int, lanes: Int) {
        if lanes == 4 {
            for k in 0..<count { UnsafeMutableRawPointer(p + k &* stride).storeBytes(of: self[k], as: SIMD4<Float>.self) }
            return
        }
        for k in 0..<count {
            let vector = self[k]
            for lane in 0..<lanes { p[k &* stride + lane] = vector[lane] }
        }
    }
}

/// Element `lane` of four vectors.
@inline(__always)
private func pick(_ values: (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>), _ lane: Int) -> SIMD4<Float> {
    switch lane {
    case 0: values.0
    case 1: values.1
    case 2: values.2
    default: values.3
    }
}

/// The 4×4 transpose: lane l of result c is lane c of the l-th argument.
@inline(__always)
private func transposed(_ a: SIMD4<Float>, _ b: SIMD4<Float>, _ c: SIMD4<Float>, _ d: SIMD4<Float>)
    -> (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>) {
    (SIMD4(a[0], b[0], c[0], d[0]), SIMD4(a[1], b[1], c[1], d[1]),
     SIMD4(a[2], b[2], c[2], d[2]), SIMD4(a[3], b[3], c[3], d[3]))
}
