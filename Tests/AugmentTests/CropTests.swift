import XCTest
@testable import Augment

/// Crops and torchvision's centre-crop placement (`geometry-center-crop-*` fixtures): exact.
final class CropTests: XCTestCase {
    func testCenterCropMatchesTorchvision() throws {
        let input = try GeometryFixtures.input()
        for (width, height) in [(33, 25), (35, 27)] {
            GeometryFixtures.assertIdentical(input.centerCropped(width: width, height: height),
                                             try GeometryFixtures.image("center-crop-\(width)x\(height)"),
                                             "centre crop \(width)×\(height)")
        }
    }

    func testCenteredOffsetsRoundHalfToEven() {
        // (64 − 33) / 2 = 15.5 → 16, (48 − 25) / 2 = 11.5 → 12, (64 − 35) / 2 = 14.5 → 14.
        XCTAssertEqual(CropBox.centered(width: 33, height: 25, inImageOfWidth: 64, height: 48),
                       CropBox(x: 16, y: 12, width: 33, height: 25))
        XCTAssertEqual(CropBox.centered(width: 35, height: 27, inImageOfWidth: 64, height: 48),
                       CropBox(x: 14, y: 10, width: 35, height: 27))
        XCTAssertEqual(CropBox.centered(width: 224, height: 224, inImageOfWidth: 256, height: 341),
                       CropBox(x: 16, y: 58, width: 224, height: 224))
    }

    func testCropReadsTheBoxAndFillsOutsideWithBlack() {
        let image = GeometryFixtures.noise(width: 6, height: 5, seed: 8)
        let inside = image.cropped(x: 1, y: 2, width: 3, height: 2)
        XCTAssertEqual(inside.width, 3)
        XCTAssertEqual(inside.height, 2)
        for y in 0..<2 { for x in 0..<3 { XCTAssertTrue(inside[x, y] == image[x + 1, y + 2]) } }

        let overhanging = image.cropped(x: -2, y: 3, width: 5, height: 4)
        for y in 0..<4 {
            for x in 0..<5 {
                let sx = x - 2, sy = y + 3
                let expected = sx >= 0 && sy < 5 ? image[sx, sy] : (0, 0, 0)
                XCTAssertTrue(overhanging[x, y] == expected, "(\(x), \(y))")
            }
        }
        XCTAssertEqual(image.cropped(x: 10, y: 0, width: 2, height: 2), RGBImage(width: 2, height: 2))
    }
}
