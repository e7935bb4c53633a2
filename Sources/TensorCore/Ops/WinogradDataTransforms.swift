/// The data transforms of `WinogradTransforms` for either variant (`WinogradMatrices`), four
/// tiles at a time, one SIMD4 lane per tile.
///
/// Per channel, the images of a block are taken in chunks whose planes are copied side by side
/// into the thread's scratch memory, one slot per image, each padded as the transform needs. The
/// chunk's tiles, in the order of the transformed arrays (image, tile row, tile column), are
/// then processed in groups of four consecutive tiles, whichever rows or images they belong to,
/// so that every group but a chunk's last fills all four lanes. A group's rows of patch values
/// are loaded (or stored) per lane at the lane's own tile and turned into columns across the
/// lanes by 4×4 transposes (`LaneRow`). Each 2-D transform is one 1-D pass that reads (or
/// writes) the transformed array directly and one that reads (or writes) those rows; between
/// the two, the values sit in a `LaneGrid` of n² SIMD4 in the same scratch memory.

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
            // d·B row by row (Bᵀ on each row), then Bᵀ on each column of that, into V.
            transformRows(n, of: origins, through: V.timesBT, into: grid, n: n, stride: chunks.rowStride)
            transformColumns(of: grid, n: n, through: V.timesBT,
                             into: v + chunks.transformedOffset(channel: c, chunk: chunk) + first,
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
            // Aᵀ·M column by column from M, then ·A on each of its m rows. Tiles are written in
            // order, each row's 4 floats past its m spilling onto the next tile's, written later.
            transformColumns(from: m + chunks.transformedOffset(channel: k, chunk: chunk) + first,
                             stride: chunks.positionStride, lanes: lanes, through: V.timesAT, into: grid, n: n)
            transformRows(size, of: grid, n: n, through: V.timesAT) { r, row in
                row.store(to: origins, offset: r * chunks.rowStride, lanes: lanes)
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
            // dy·Aᵀ row by row (A on each row), then A on each column of that, into dM.
            transformRows(size, of: origins, through: V.timesA, into: grid, n: n, stride: chunks.rowStride)
            transformColumns(of: grid, n: n, through: V.timesA,
                             into: dm + chunks.transformedOffset(channel: k, chunk: chunk) + first,
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
            // B·dV column by column from dV, then ·Bᵀ (B on each row) added onto the patch
            // rows, tile after tile (neighbouring patches overlap).
            transformColumns(from: dv + chunks.transformedOffset(channel: c, chunk: chunk) + first,
                             stride: chunks.positionStride, lanes: lanes, through: V.timesB, into: grid, n: n)
            transformRows(n, of: grid, n: n, through: V.timesB) { i, row in
                row.add(to: origins, offset: i * chunks.rowStride, count: n, lanes: lanes)
            }
        }
        chunks.writePlanes(from: scratch, at: chunks.rowStride + 1, into: dx, channel: c, chunk: chunk,
                           accumulate: accumulate)
    }
}

/// A 1-D product of `WinogradMatrices`: inputs read through the first closure, outputs
/// written through the second.
typealias WinogradProduct = ((Int) -> SIMD4<Float>, (Int, SIMD4<Float>) -> Void) -> Void

// Passes of the 2-D transforms over a group of four tiles. Into a transformed array: the
// patch rows into the grid (`transformRows(_:of: origins…)`), then the grid's columns into the
// array (`transformColumns(of:…)`). Out of one: the array's columns into the grid
// (`transformColumns(from:…)`), then the grid's rows out to the patches
// (`transformRows(_:of: grid…)`).

/// The first pass of a transform into a transformed array: `count` rows of a group's patches
/// (`count` values each, `stride` floats apart from the lanes' origins) through `product`,
/// row r into grid[r·n…].
@inline(__always)
private func transformRows(_ count: Int, of origins: LaneOrigins, through product: WinogradProduct,
                           into grid: LaneGrid, n: Int, stride: Int) {
    for r in 0..<count {
        let row = LaneRow(loading: origins, offset: r * stride, count: count)
        product({ row[$0] }, { grid[r * n + $0] = $1 })
    }
}

/// The second pass: every column j of the n×n grid through `product`, output k stored (its
/// first `lanes` floats) at target + (k·n + j)·stride, position k·n + j of the transformed array.
@inline(__always)
private func transformColumns(of grid: LaneGrid, n: Int, through product: WinogradProduct,
                              into target: UnsafeMutablePointer<Float>, stride: Int, lanes: Int) {
    for j in 0..<n {
        product({ grid[$0 * n + j] }) { k, value in store(value, to: target + (k * n + j) * stride, lanes: lanes) }
    }
}

/// The first pass of a transform out of a transformed array: every column j of the tiles'
/// n×n positions, position k·n + j loaded (its first `lanes` floats; 0 in the others) from
/// source + (k·n + j)·stride, through `product` into grid[·n + j].
@inline(__always)
private func transformColumns(from source: UnsafePointer<Float>, stride: Int, lanes: Int,
                              through product: WinogradProduct, into grid: LaneGrid, n: Int) {
    for j in 0..<n {
        product({ load(source + ($0 * n + j) * stride, lanes: lanes) }) { grid[$0 * n + j] = $1 }
    }
}

/// The second pass: rows r < `count` of the grid (n values each) through `product`, each
/// result handed to `body` as a `LaneRow` to store or add onto the patches.
@inline(__always)
private func transformRows(_ count: Int, of grid: LaneGrid, n: Int, through product: WinogradProduct,
                           _ body: (_ r: Int, _ row: LaneRow) -> Void) {
    for r in 0..<count {
        var row = LaneRow()
        product({ grid[r * n + $0] }, { row[$0] = $1 })
        body(r, row)
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
}

/// Up to 8 columns of a group's rows, as SIMD4 across the lanes: element l of column c is
/// float c of lane l's row.
struct LaneRow {
    private var low: (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>) = (.zero, .zero, .zero, .zero)
    private var high: (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>) = (.zero, .zero, .zero, .zero)

    /// Zero columns.
    @inline(__always) init() {}

    /// The first `count` ≤ 8 floats of each lane's row at its origin + `offset` (8 are read
    /// where `count` > 4, else 4).
    @inline(__always)
    init(loading origins: LaneOrigins, offset: Int, count: Int) {
        @inline(__always) func row(_ lane: Int) -> UnsafeRawPointer { UnsafeRawPointer(origins[lane]) + offset * 4 }
        low = transposed(row(0).loadUnaligned(as: SIMD4<Float>.self), row(1).loadUnaligned(as: SIMD4<Float>.self),
                         row(2).loadUnaligned(as: SIMD4<Float>.self), row(3).loadUnaligned(as: SIMD4<Float>.self))
        guard count > 4 else { return }
        high = transposed(row(0).loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self),
                          row(1).loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self),
                          row(2).loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self),
                          row(3).loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self))
    }

    /// Column `column` (< 8).
    @inline(__always) subscript(_ column: Int) -> SIMD4<Float> {
        get {
            switch column {
            case 0: low.0
            case 1: low.1
            case 2: low.2
            case 3: low.3
            case 4: high.0
            case 5: high.1
            case 6: high.2
            default: high.3
            }
        }
        set {
            switch column {
            case 0: low.0 = newValue
            case 1: low.1 = newValue
            case 2: low.2 = newValue
            case 3: low.3 = newValue
            case 4: high.0 = newValue
            case 5: high.1 = newValue
            case 6: high.2 = newValue
            default: high.3 = newValue
            }
        }
    }

    /// Stores columns 0–3 into each real lane's row at its origin + `offset`, lane after lane:
    /// 4 floats each, of which the tile's own are the first m.
    @inline(__always)
    func store(to origins: LaneOrigins, offset: Int, lanes: Int) {
        let rows = transposed(low.0, low.1, low.2, low.3)
        for lane in 0..<lanes {
            (origins[lane] + offset * 4).storeBytes(of: pick(rows, lane), as: SIMD4<Float>.self)
        }
    }

    /// Adds columns 0…count − 1 (count ≤ 8; the others are 0) onto each real lane's row at its
    /// origin + `offset`, lane after lane (neighbouring tiles' rows may overlap).
    @inline(__always)
    func add(to origins: LaneOrigins, offset: Int, count: Int, lanes: Int) {
        let rowsLow = transposed(low.0, low.1, low.2, low.3)
        let rowsHigh = transposed(high.0, high.1, high.2, high.3)
        @inline(__always) func add(_ value: SIMD4<Float>, _ target: UnsafeMutableRawPointer) {
            target.storeBytes(of: target.loadUnaligned(as: SIMD4<Float>.self) + value, as: SIMD4<Float>.self)
        }
        for lane in 0..<lanes {
            let target = origins[lane] + offset * 4
            add(pick(rowsLow, lane), target)
            if count > 4 { add(pick(rowsHigh, lane), target + 16) }
        }
    }
}

/// The SIMD4 at p: its first `lanes` floats, 0 in the others.
@inline(__always)
private func load(_ p: UnsafePointer<Float>, lanes: Int) -> SIMD4<Float> {
    if lanes == 4 { return UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self) }
    var vector = SIMD4<Float>()
    for lane in 0..<lanes { vector[lane] = p[lane] }
    return vector
}

/// Writes the first `lanes` floats of `value` at p.
@inline(__always)
private func store(_ value: SIMD4<Float>, to p: UnsafeMutablePointer<Float>, lanes: Int) {
    if lanes == 4 { return UnsafeMutableRawPointer(p).storeBytes(of: value, as: SIMD4<Float>.self) }
    for lane in 0..<lanes { p[lane] = value[lane] }
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
