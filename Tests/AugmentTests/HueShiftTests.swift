import XCTest
@testable import Augment

final class HueShiftTests: XCTestCase {
    func testHueMatchesTorchvision() throws {
        for (name, factor) in [("-0.5", Float(-0.5)), ("-0.1", -0.1), ("0.1", 0.1), ("0.5", 0.5)] {
            try ColorFixtures.assertMatchesPillow("hue-\(name)") { $0.adjustingHue(factor) }
        }
    }

    func testPrimaryColoursThroughHSVPixel() {
        // Pure red is hue 0, green int(1/3·255) = 85, blue int(2/3·255) = 170; all saturation 255.
        let hsv = [(UInt8(255), UInt8(0), UInt8(0)), (0, 255, 0), (0, 0, 255)].map { HSVPixel(red: $0.0, green: $0.1, blue: $0.2) }
        XCTAssertEqual(hsv.map(\.hue), [0, 85, 170])
        XCTAssertEqual(hsv.map(\.saturation), [255, 255, 255])
        XCTAssertEqual(hsv.map(\.value), [255, 255, 255])
    }

    func testShiftWrapsAroundTheHueCircle() {
        // −0.5·255 = −127.5 → Int32 −127 → UInt8 129: red (hue 0) lands on hue 129, sector
        // int(129·6/255) = 3, f = 0.035…, so (p, q, v) = (0, round(255·(1 − f)), 255) = (0, 246, 255).
        let red = RGBImage(width: 1, height: 1, pixels: [255, 0, 0])
        XCTAssertEqual(red.adjustingHue(-0.5).pixels, [0, 246, 255])
        let grey = RGBImage(width: 1, height: 1, pixels: [90, 90, 90])
        XCTAssertEqual(grey.adjustingHue(0.3), grey)
    }
}
