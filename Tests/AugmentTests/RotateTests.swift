import XCTest
@testable import Augment

/// `rotated(degrees:)` against Pillow 13's `Image.rotate` (`geometry-rotate-*` fixtures): exact.
final class RotateTests: XCTestCase {
    func testRotationMatchesPillow() throws {
        let input = try GeometryFixtures.input()
        for degrees in [9, -9, 27, -27, 90, 180] {
            GeometryFixtures.assertIdentical(input.rotated(degrees: Double(degrees)),
                                             try GeometryFixtures.image("rotate-\(degrees)"), "rotate \(degrees)")
        }
    }

    func testRotationSweepMatchesPillow() throws {
        // ROTATE_SWEEP in the fixture script: RandAugment-range fractions, both signs, a non-square
        // 270°, and angles whose matrix rounds to the identity at 15 decimals or nearly so.
        let angles = [3.7, -12.25, 30, -30, 45, 135, 270, 359.5, -0.01, 1e-9]
        let input = try GeometryFixtures.sweepInput()
        let expected = try GeometryFixtures.sweep("rotate", sizes: angles.map { _ in (width: 29, height: 21) })
        for (degrees, expected) in zip(angles, expected) {
            GeometryFixtures.assertIdentical(input.rotated(degrees: degrees), expected, "rotate \(degrees)")
        }
    }

    func testQuarterTurnOfSquareMatchesPillow() throws {
        let square = try GeometryFixtures.image("input-square")
        GeometryFixtures.assertIdentical(square.rotated(degrees: 90), try GeometryFixtures.image("rotate-square-90"),
                                         "rotate square 90")
    }

    func testWholeTurnsAndEquivalentAnglesAgree() {
        let image = GeometryFixtures.noise(width: 13, height: 13, seed: 1)
        XCTAssertEqual(image.rotated(degrees: 0), image)
        XCTAssertEqual(image.rotated(degrees: 360), image)
        XCTAssertEqual(image.rotated(degrees: -270), image.rotated(degrees: 90))
        XCTAssertEqual(image.rotated(degrees: 90).rotated(degrees: 270), image)
        XCTAssertEqual(image.rotated(degrees: 180), image.rotated(degrees: 90).rotated(degrees: 90))
    }

    func testPillowRotationMatrix() {
        // Python: Image.rotate's matrix for 90° on 64×48 (cos rounds to 0 at 15 decimals).
        let m = AffineMatrix.pillowRotation(degrees: 90, width: 64, height: 48)
        XCTAssertEqual(m, AffineMatrix(0, -1, 56, 1, 0, -8))
        XCTAssertEqual(AffineMatrix.pythonRemainder(-9, 360), 351)
        XCTAssertEqual(AffineMatrix.pythonRemainder(-720, 360), 0)
        XCTAssertEqual(AffineMatrix.pythonRemainder(365.5, 360), 5.5)
    }
}
