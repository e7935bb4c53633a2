import XCTest
@testable import Augment

/// The preview grid's layout: column widths, row heights, gaps and where each image lands.
final class PreviewGridTests: XCTestCase {
    func testLayoutAndPlacement() {
        let a = GeometryFixtures.noise(width: 5, height: 4, seed: 1), b = GeometryFixtures.noise(width: 3, height: 6, seed: 2)
        let c = GeometryFixtures.noise(width: 7, height: 2, seed: 3)
        let grid = PreviewGrid(rows: [[a, b], [c]], gap: 2, background: (10, 20, 30))
        XCTAssertEqual(grid.columnWidths, [7, 3])
        XCTAssertEqual(grid.rowHeights, [6, 2])
        let image = grid.image()
        XCTAssertEqual(image.width, 2 + 7 + 2 + 3 + 2)
        XCTAssertEqual(image.height, 2 + 6 + 2 + 2 + 2)
        // Each image in the top-left corner of its cell.
        XCTAssertEqual(image.cropped(x: 2, y: 2, width: 5, height: 4), a)
        XCTAssertEqual(image.cropped(x: 11, y: 2, width: 3, height: 6), b)
        XCTAssertEqual(image.cropped(x: 2, y: 10, width: 7, height: 2), c)
        // Background in the gaps, in the unused part of a cell and in the missing cell.
        for (x, y) in [(0, 0), (8, 3), (2, 7), (12, 11), (15, 13)] {
            XCTAssertTrue(image[x, y] == (10, 20, 30), "(\(x), \(y)) is \(image[x, y])")
        }
    }

    func testEmptyGridIsJustTheBorder() {
        let image = PreviewGrid(rows: [], gap: 3).image()
        XCTAssertEqual(image.width, 3)
        XCTAssertEqual(image.height, 3)
        XCTAssertTrue(image.pixels.allSatisfy { $0 == 255 })
    }
}
