/// Images laid out in rows and columns on a uniform background, for looking at augmentations
/// (`clsa augment-preview`): each column is as wide as its widest image and each row as high as
/// its highest, with `gap` pixels between cells and around the edge; an image sits in the
/// top-left corner of its cell. Rows may have different numbers of images.
///
/// ```swift
/// let grid = PreviewGrid(rows: [[original, t, tPrime, s], [original2, t2, tPrime2, s2]])
/// try FileManager.default.createFile(atPath: "grid.png", contents: Data(PNGCodec.encode(grid.image())))
/// ```
public struct PreviewGrid: Sendable {
    public var rows: [[RGBImage]]
    /// Pixels between cells and around the grid.
    public var gap: Int
    /// The colour of the gaps and of the unused part of each cell.
    public var background: (red: UInt8, green: UInt8, blue: UInt8)

    public init(rows: [[RGBImage]], gap: Int = 4, background: (red: UInt8, green: UInt8, blue: UInt8) = (255, 255, 255)) {
        precondition(gap >= 0, "PreviewGrid: negative gap \(gap)")
        (self.rows, self.gap, self.background) = (rows, gap, background)
    }

    /// Each column's width: its widest image.
    public var columnWidths: [Int] {
        let columns = rows.map(\.count).max() ?? 0
        return (0..<columns).map { column in
            rows.map { column < $0.count ? $0[column].width : 0 }.max() ?? 0
        }
    }

    /// Each row's height: its highest image.
    public var rowHeights: [Int] {
        rows.map { row in row.map(\.height).max() ?? 0 }
    }

    /// The composed grid: `Σ widths + gap·(columns + 1)` by `Σ heights + gap·(rows + 1)` pixels.
    public func image() -> RGBImage {
        let widths = columnWidths, heights = rowHeights
        let left = Self.offsets(widths, gap: gap), top = Self.offsets(heights, gap: gap)
        let width = widths.reduce(gap, { $0 + $1 + gap }), height = heights.reduce(gap, { $0 + $1 + gap })
        var grid = RGBImage(width: width, height: height)
        grid.pixels.withUnsafeMutableBufferPointer { target in
            for i in 0..<(width * height) {
                (target[3 * i], target[3 * i + 1], target[3 * i + 2]) = (background.red, background.green, background.blue)
            }
            for (r, row) in rows.enumerated() {
                for (c, cell) in row.enumerated() {
                    cell.pixels.withUnsafeBufferPointer { source in
                        for y in 0..<cell.height {
                            let t = target.baseAddress! + ((top[r] + y) * width + left[c]) * 3
                            t.update(from: source.baseAddress! + y * cell.width * 3, count: cell.width * 3)
                        }
                    }
                }
            }
        }
        return grid
    }

    /// Where each cell starts along one axis, given the cells' extents.
    private static func offsets(_ extents: [Int], gap: Int) -> [Int] {
        var position = gap
        return extents.map { extent in
            defer { position += extent + gap }
            return position
        }
    }
}
