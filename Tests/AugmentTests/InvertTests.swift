import XCTest
@testable import Augment

final class InvertTests: XCTestCase {
    func testInvertMatchesPillow() throws {
        try ColorFixtures.assertMatchesPillow("invert") { $0.inverted() }
    }

    func testInvertOfKnownPixels() {
        let image = RGBImage(width: 2, height: 1, pixels: [0, 128, 255, 10, 20, 30])
        XCTAssertEqual(image.inverted().pixels, [255, 127, 0, 245, 235, 225])
        XCTAssertEqual(image.inverted().inverted(), image)
    }
}
