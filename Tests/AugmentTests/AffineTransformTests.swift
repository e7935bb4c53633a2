import XCTest
@testable import Augment

/// Shear and translate against Pillow 13 (`geometry-shear-*`, `geometry-translate-*` fixtures):
/// exact, since the fixed-point walk and the axis-aligned engine are reproduced step for step.
final class AffineTransformTests: XCTestCase {
    func testShearMatchesPillow() throws {
        let input = try GeometryFixtures.input()
        for factor in ["0.1", "-0.1", "0.27", "-0.27"] {
            let v = try XCTUnwrap(Double(factor))
            GeometryFixtures.assertIdentical(input.shearedX(by: v), try GeometryFixtures.image("shear-x-\(factor)"),
                                             "shear x \(factor)")
            GeometryFixtures.assertIdentical(input.shearedY(by: v), try GeometryFixtures.image("shear-y-\(factor)"),
                                             "shear y \(factor)")
        }
    }

    func testTranslateMatchesPillow() throws {
        let input = try GeometryFixtures.input()
        for pixels in ["3", "-3", "9", "-9"] {
            let v = try XCTUnwrap(Double(pixels))
            GeometryFixtures.assertIdentical(input.translatedX(by: v), try GeometryFixtures.image("translate-x-\(pixels)"),
                                             "translate x \(pixels)")
            GeometryFixtures.assertIdentical(input.translatedY(by: v), try GeometryFixtures.image("translate-y-\(pixels)"),
                                             "translate y \(pixels)")
        }
        // RandAugment's fractional offsets (0.12 · width): sample points in (−1, 0) are outside.
        GeometryFixtures.assertIdentical(input.translatedX(by: -0.12 * 64), try GeometryFixtures.image("translate-x--7.68"),
                                         "translate x -7.68")
    }

    func testIntegerTranslationIsAnExactShift() {
        let image = GeometryFixtures.noise(width: 23, height: 17, seed: 3)
        for (dx, dy) in [(5, 0), (-4, 0), (0, 6), (0, -16), (30, 0)] {
            let shifted = dx != 0 ? image.translatedX(by: Double(dx)) : image.translatedY(by: Double(dy))
            for y in 0..<image.height {
                for x in 0..<image.width {
                    let sx = x + dx, sy = y + dy
                    let inside = sx >= 0 && sx < image.width && sy >= 0 && sy < image.height
                    let expected = inside ? image[sx, sy] : (0, 0, 0)
                    XCTAssertTrue(shifted[x, y] == expected, "shift (\(dx), \(dy)) at (\(x), \(y))")
                }
            }
        }
    }

    func testIdentityMatrixCopiesAndOutputSizeIsHonoured() {
        let image = GeometryFixtures.noise(width: 9, height: 7, seed: 5)
        XCTAssertEqual(image.affineTransformed(by: AffineMatrix(1, 0, 0, 0, 1, 0)), image)
        let larger = image.affineTransformed(by: AffineMatrix(1, 0, 0, 0, 1, 0), width: 12, height: 8)
        XCTAssertEqual(larger.cropped(x: 0, y: 0, width: 9, height: 7), image)
        XCTAssertEqual(larger.cropped(x: 9, y: 0, width: 3, height: 8).pixels.max(), 0)
    }

    func testOutputBeyondFixedPointRangeStillSamples() {
        // A 32800-pixel-wide output puts a corner past 32768, where Pillow leaves 16.16 fixed
        // point for a Double walk; the first 11 outputs of row 0 still read input row 0.
        let image = GeometryFixtures.noise(width: 11, height: 2, seed: 9)
        let wide = image.affineTransformed(by: AffineMatrix(1, 0.001, 0, 0, 1, 0), width: 32800, height: 1)
        XCTAssertEqual(wide.cropped(x: 0, y: 0, width: 11, height: 1), image.cropped(x: 0, y: 0, width: 11, height: 1))
        XCTAssertEqual(wide.cropped(x: 11, y: 0, width: 32789, height: 1).pixels.max(), 0)
    }
}
