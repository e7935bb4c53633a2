import TensorCore
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

    func testFractionalTranslationSweepMatchesPillow() throws {
        // TRANSLATE_SWEEP in the fixture script, as (1, 0, v, 0, 1, v / 2): half-pixel offsets and
        // offsets a hair below zero, where Pillow's COORD sends −0.x to −1 (outside).
        let offsets = [0.5, -0.5, 2.25, -13.499, 4.75, -1e-12]
        let input = try GeometryFixtures.sweepInput()
        let expected = try GeometryFixtures.sweep("translate", sizes: offsets.map { _ in (width: 29, height: 21) })
        for (v, expected) in zip(offsets, expected) {
            GeometryFixtures.assertIdentical(input.affineTransformed(by: AffineMatrix(1, 0, v, 0, 1, v / 2)), expected,
                                             "translate by (\(v), \(v / 2))")
        }
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

    func testMatchesPerPixelReferenceOnRandomMatrices() {
        let image = GeometryFixtures.noise(width: 29, height: 21, seed: 14)
        var random = SeededRandom(seed: 2024)
        for trial in 0..<300 {
            let scale = trial % 3 == 0 ? 40.0 : 1.5
            let m = AffineMatrix(random.uniform(-scale, scale), random.uniform(-scale, scale), random.uniform(-40, 60),
                                 random.uniform(-scale, scale), random.uniform(-scale, scale), random.uniform(-40, 60))
            let (width, height) = (random.integer(in: 1...40), random.integer(in: 1...30))
            XCTAssertEqual(image.affineTransformed(by: m, width: width, height: height),
                           Self.referenceAffine(image, m, width, height), "matrix \(m), output \(width)×\(height)")
        }
        // Large outputs or offsets leave the fixed-point range for the Double walk.
        for m in [AffineMatrix(1, 0.3, -33000, 0.2, 1, 0), AffineMatrix(-0.9, 0.01, 30, 0.01, 1, 5)] {
            XCTAssertEqual(image.affineTransformed(by: m, width: 33100, height: 3),
                           Self.referenceAffine(image, m, 33100, 3), "matrix \(m)")
        }
    }

    /// Pillow's three NEAREST affine engines written as plain per-pixel loops, the oracle for the
    /// run-based implementation.
    private static func referenceAffine(_ image: RGBImage, _ m: AffineMatrix, _ width: Int, _ height: Int) -> RGBImage {
        var output = RGBImage(width: width, height: height)
        func copy(_ x: Int, _ y: Int, from column: Int, _ row: Int) {
            guard column >= 0 && column < image.width && row >= 0 && row < image.height else { return }
            for c in 0..<3 { output.pixels[(y * width + x) * 3 + c] = image.pixels[(row * image.width + column) * 3 + c] }
        }
        func coord(_ v: Double) -> Int { v < 0 ? -1 : Int(v) }
        func fix(_ v: Double) -> Int { Int((v * 65536 + 0.5).rounded(.down)) }
        let corners = [(0, 0), (width, height), (0, height), (width, 0)].map { (Double($0.0), Double($0.1)) }
        if m.b == 0 && m.d == 0 {
            var yo = m.f + m.e * 0.5
            for y in 0..<height {
                var xo = m.c + m.a * 0.5
                for x in 0..<width { copy(x, y, from: coord(xo), coord(yo)); xo += m.a }
                yo += m.e
            }
        } else if corners.allSatisfy({ abs($0.0 * m.a + $0.1 * m.b + m.c) < 32768 && abs($0.0 * m.d + $0.1 * m.e + m.f) < 32768 }) {
            var (xRow, yRow) = (fix(m.c + m.a * 0.5 + m.b * 0.5), fix(m.f + m.d * 0.5 + m.e * 0.5))
            for y in 0..<height {
                var (xx, yy) = (xRow, yRow)
                for x in 0..<width { copy(x, y, from: xx >> 16, yy >> 16); xx += fix(m.a); yy += fix(m.d) }
                xRow += fix(m.b); yRow += fix(m.e)
            }
        } else {
            var (xRow, yRow) = (m.c + m.b * 0.5 + m.a * 0.5, m.f + m.e * 0.5 + m.d * 0.5)
            for y in 0..<height {
                var (xx, yy) = (xRow, yRow)
                for x in 0..<width { copy(x, y, from: coord(xx), coord(yy)); xx += m.a; yy += m.d }
                xRow += m.b; yRow += m.e
            }
        }
        return output
    }
}
