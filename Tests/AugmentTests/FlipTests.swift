import XCTest
@testable import Augment

final class FlipTests: XCTestCase {
    func testHorizontalFlipMatchesPillow() throws {
        GeometryFixtures.assertIdentical(try GeometryFixtures.input().flippedHorizontally(),
                                         try GeometryFixtures.image("flip"), "flip")
    }

    func testFlipMirrorsColumnsAndIsAnInvolution() {
        let image = GeometryFixtures.noise(width: 7, height: 4, seed: 12)
        let flipped = image.flippedHorizontally()
        for y in 0..<4 { for x in 0..<7 { XCTAssertTrue(flipped[x, y] == image[6 - x, y]) } }
        XCTAssertEqual(flipped.flippedHorizontally(), image)
    }
}
