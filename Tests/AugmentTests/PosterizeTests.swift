import XCTest
@testable import Augment

final class PosterizeTests: XCTestCase {
    func testPosterizeMatchesPillow() throws {
        for bits in [1, 4, 8] {
            try ColorFixtures.assertMatchesPillow("posterize-\(bits)") { $0.posterized(bits: bits) }
        }
    }

    func testTopBitsAreKept() {
        let image = RGBImage(width: 2, height: 1, pixels: [0b1011_0110, 255, 127, 128, 15, 16])
        XCTAssertEqual(image.posterized(bits: 3).pixels, [0b1010_0000, 0b1110_0000, 0b0110_0000, 128, 0, 0])
        XCTAssertEqual(image.posterized(bits: 1).pixels, [128, 128, 0, 128, 0, 0])
        XCTAssertEqual(image.posterized(bits: 8), image)
    }
}
