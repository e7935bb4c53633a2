import XCTest
@testable import Augment

final class SolarizeTests: XCTestCase {
    func testSolarizeMatchesPillow() throws {
        for threshold in [0, 128, 200, 256] {
            try ColorFixtures.assertMatchesPillow("solarize-\(threshold)") { $0.solarized(threshold: threshold) }
        }
    }

    func testValuesAtOrAboveTheThresholdAreInverted() {
        let image = RGBImage(width: 2, height: 1, pixels: [127, 128, 129, 0, 255, 200])
        XCTAssertEqual(image.solarized(threshold: 128).pixels, [127, 127, 126, 0, 0, 55])
        XCTAssertEqual(image.solarized(threshold: 256), image)
        XCTAssertEqual(image.solarized(threshold: 0), image.inverted())
    }
}
