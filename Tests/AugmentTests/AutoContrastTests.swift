import XCTest
@testable import Augment

final class AutoContrastTests: XCTestCase {
    func testAutoContrastMatchesPillow() throws {
        try ColorFixtures.assertMatchesPillow("autocontrast") { $0.autocontrasted() }
    }

    func testChannelsAreStretchedIndependently() {
        // Red spans 50…150: scale 2.55, offset −127.5, so 100 → int(127.5) = 127.
        // Green holds one value (unchanged); blue spans 0…255 already (unchanged).
        let image = RGBImage(width: 3, height: 1, pixels: [50, 7, 0, 100, 7, 128, 150, 7, 255])
        XCTAssertEqual(image.autocontrasted().pixels, [0, 7, 0, 127, 7, 128, 255, 7, 255])
    }
}
