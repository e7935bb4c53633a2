import XCTest
@testable import Augment

/// torchvision `Resize(S)` + `CenterCrop(C)` on PIL (`geometry-*shorter-side-*` fixtures): exact.
final class ResizeShorterSideTests: XCTestCase {
    func testShorterSideResizeAndCenterCropMatchTorchvision() throws {
        let landscape = try GeometryFixtures.input()
        GeometryFixtures.assertIdentical(landscape.resizedShorterSide(to: 32, centerCrop: 28),
                                         try GeometryFixtures.image("shorter-side-32-crop-28"), "landscape 32 / 28")
        let portrait = try GeometryFixtures.image("input-portrait")
        GeometryFixtures.assertIdentical(portrait.resizedShorterSide(to: 24, centerCrop: 20),
                                         try GeometryFixtures.image("portrait-shorter-side-24-crop-20"), "portrait 24 / 20")
    }

    func testLongerSideIsTruncated() {
        XCTAssertTrue(RGBImage(width: 64, height: 48).sizeWithShorterSide(32) == (42, 32))  // 42.67
        XCTAssertTrue(RGBImage(width: 36, height: 50).sizeWithShorterSide(24) == (24, 33))  // 33.33
        XCTAssertTrue(RGBImage(width: 500, height: 375).sizeWithShorterSide(256) == (341, 256))
        XCTAssertTrue(RGBImage(width: 30, height: 30).sizeWithShorterSide(7) == (7, 7))
    }

    func testFusedCropEqualsResizeThenCenterCrop() {
        for (width, height) in [(45, 31), (31, 45), (40, 40)] {
            let image = GeometryFixtures.noise(width: width, height: height, seed: UInt64(width))
            for (side, crop) in [(20, 20), (24, 17), (50, 44)] {
                XCTAssertEqual(image.resizedShorterSide(to: side, centerCrop: crop),
                               image.resizedShorterSide(to: side).centerCropped(width: crop, height: crop),
                               "\(width)×\(height) → \(side) / \(crop)")
            }
        }
    }
}
