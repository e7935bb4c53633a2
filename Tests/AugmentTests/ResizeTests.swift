import XCTest
@testable import Augment

/// BILINEAR resizing against Pillow 13 (`geometry-resize-*`, `geometry-resized-crop-*`). The
/// brief allows max |diff| ≤ 1; these assert equality, since Pillow's integer arithmetic and its
/// Double weight computation are reproduced operation for operation.
final class ResizeTests: XCTestCase {
    func testResizeMatchesPillow() throws {
        let input = try GeometryFixtures.input()
        // Down, strong shrink, up, up in x with down in y, down mostly in y (Pillow's vertical-first
        // order), vertical pass only, horizontal only.
        for (width, height) in [(24, 20), (7, 5), (96, 72), (80, 30), (60, 10), (64, 30), (30, 48)] {
            GeometryFixtures.assertIdentical(input.resized(width: width, height: height),
                                             try GeometryFixtures.image("resize-\(width)x\(height)"),
                                             "resize to \(width)×\(height)")
        }
    }

    func testResizeSweepMatchesPillow() throws {
        // RESIZE_SWEEP in the fixture script: every regime, including both sides of Pillow's
        // pass-order rule ((27, 12) and (25, 12) vertical first, (26, 15) horizontal first).
        let sizes = [(5, 3), (11, 19), (28, 20), (29, 7), (3, 21), (40, 9), (58, 42), (17, 30), (31, 2),
                     (1, 1), (60, 5), (14, 10), (27, 12), (26, 15), (25, 12)]
        let input = try GeometryFixtures.sweepInput()
        let expected = try GeometryFixtures.sweep("resize", sizes: sizes.map { (width: $0.0, height: $0.1) })
        for ((width, height), expected) in zip(sizes, expected) {
            GeometryFixtures.assertIdentical(input.resized(width: width, height: height), expected,
                                             "resize 29×21 to \(width)×\(height)")
        }
    }

    func testResizedCropMatchesPillowCropThenResize() throws {
        let input = try GeometryFixtures.input()
        for (x, y, w, h, tw, th) in [(5, 7, 37, 29, 24, 24), (10, 3, 40, 40, 56, 56), (4, 2, 30, 44, 28, 12),
                                             (3, 2, 24, 24, 24, 24)] {
            GeometryFixtures.assertIdentical(
                input.resizedCrop(x: x, y: y, width: w, height: h, toWidth: tw, toHeight: th),
                try GeometryFixtures.image("resized-crop-\(x)-\(y)-\(w)-\(h)-to-\(tw)x\(th)"),
                "resized crop (\(x), \(y), \(w)×\(h)) to \(tw)×\(th)")
        }
    }

    func testSameSizeIsACopyAndTargetSizedCropIsACrop() {
        let image = GeometryFixtures.noise(width: 20, height: 15, seed: 2)
        XCTAssertEqual(image.resized(width: 20, height: 15), image)
        XCTAssertEqual(image.resizedCrop(x: 4, y: 3, width: 8, height: 9, toWidth: 8, toHeight: 9),
                       image.cropped(x: 4, y: 3, width: 8, height: 9))
    }

    func testResizedCropReadsOnlyInsideTheBox() {
        // Same crop, different surroundings: the result must not change (Pillow resizes the
        // materialised crop, so its filter never sees the neighbours).
        let image = GeometryFixtures.noise(width: 30, height: 26, seed: 4)
        var altered = image
        for y in 0..<26 { for x in 0..<30 where !(5..<17).contains(x) || !(6..<20).contains(y) {
            altered.pixels[(y * 30 + x) * 3] ^= 0xFF
        } }
        for (tw, th) in [(5, 4), (12, 14), (25, 33)] {
            let box = CropBox(x: 5, y: 6, width: 12, height: 14)
            XCTAssertEqual(altered.resizedCrop(box, toWidth: tw, toHeight: th), image.resizedCrop(box, toWidth: tw, toHeight: th))
            XCTAssertEqual(image.resizedCrop(box, toWidth: tw, toHeight: th), image.cropped(box).resized(width: tw, height: th))
        }
    }

    func testWindowEqualsResizeThenCrop() {
        let image = GeometryFixtures.noise(width: 37, height: 29, seed: 6)
        let box = CropBox(x: 0, y: 0, width: 37, height: 29)
        for (tw, th, window) in [(20, 15, CropBox(x: 3, y: 2, width: 11, height: 12)),
                                 (50, 41, CropBox(x: 10, y: 0, width: 40, height: 41)),
                                 (37, 20, CropBox(x: 5, y: 5, width: 30, height: 10)),
                                 (35, 10, CropBox(x: 4, y: 1, width: 29, height: 8)),
                                 (60, 9, CropBox(x: 20, y: 2, width: 33, height: 7)),
                                 (12, 29, CropBox(x: 0, y: 7, width: 12, height: 3))] {
            XCTAssertEqual(image.resizedCrop(box, toWidth: tw, toHeight: th, keeping: window),
                           image.resized(width: tw, height: th).cropped(window), "\(tw)×\(th) window \(window)")
        }
    }

    func testUniformImageStaysUniform() {
        let grey = RGBImage(width: 17, height: 11, pixels: [UInt8](repeating: 200, count: 17 * 11 * 3))
        for (width, height) in [(3, 2), (40, 31), (17, 5)] {
            XCTAssertEqual(Set(grey.resized(width: width, height: height).pixels), [200])
        }
    }
}
