import XCTest
@testable import Augment

final class LumaTests: XCTestCase {
    func testGrayscaleMatchesPillow() throws {
        try ColorFixtures.assertMatchesPillow("grayscale") { $0.grayscale() }
    }

    func testLumaIsTheFixedPointFormula() {
        // (19595·200 + 38470·100 + 7471·50 + 32768) >> 16 = 8_136_818 >> 16 = 124.
        let image = RGBImage(width: 3, height: 1, pixels: [200, 100, 50, 255, 255, 255, 0, 0, 1])
        XCTAssertEqual(image.luma(), [124, 255, 0])
        XCTAssertEqual(image.grayscale().pixels, [124, 124, 124, 255, 255, 255, 0, 0, 0])
    }

    func testLumaIsTheGrayscaleChannel() throws {
        let scene = try ColorFixtures.image("color-scene")
        XCTAssertEqual(scene.luma(), stride(from: 0, to: scene.pixels.count, by: 3).map { scene.grayscale().pixels[$0] })
    }
}
