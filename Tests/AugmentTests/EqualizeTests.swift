import XCTest
@testable import Augment

final class EqualizeTests: XCTestCase {
    func testEqualizeMatchesPillow() throws {
        try ColorFixtures.assertMatchesPillow("equalize") { $0.equalized() }
    }

    func testTwoPixelsGiveAZeroStepAndNoChange() {
        // Each channel has two values, one pixel each: step = (2 − 1) // 255 = 0, so unchanged.
        let image = RGBImage(width: 2, height: 1, pixels: [10, 20, 30, 200, 100, 40])
        XCTAssertEqual(image.equalized(), image)
    }

    func testStepAndRoundingOfTheTable() {
        // Red: 300 pixels of 10 and 212 of 90. step = (512 − 212) // 255 = 1, so value 10 maps to
        // (0 + 0) // 1 = 0 and 90 to (0 + 300) // 1 = 300, clipped to 255. Green holds one value.
        // Blue: 510 of 0 and 2 of 255: step = 510 // 255 = 2, 0 → 1 // 2 = 0, 255 → (1 + 510) // 2 = 255.
        let pixels = (0..<512).flatMap { i -> [UInt8] in
            [i < 300 ? 10 : 90, 77, i < 510 ? 0 : 255]
        }
        let equalized = RGBImage(width: 32, height: 16, pixels: pixels).equalized()
        XCTAssertEqual(equalized[0, 0].r, 0)
        XCTAssertEqual(equalized[31, 15].r, 255)
        XCTAssertEqual(Set(stride(from: 1, to: equalized.pixels.count, by: 3).map { equalized.pixels[$0] }), [77])
        XCTAssertEqual(equalized[0, 0].b, 0)
        XCTAssertEqual(equalized[31, 15].b, 255)
    }
}
