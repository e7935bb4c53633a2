import XCTest
import TensorCore
@testable import Augment

/// `CenterCropTransform`: torchvision's CenterCrop offsets (round half to even) and padding.
final class CenterCropTransformTests: XCTestCase {
    /// An image whose pixel (x, y) is (x, y, 7), so a crop shows where it came from.
    private func coordinateImage(width: Int, height: Int) -> RGBImage {
        var image = RGBImage(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                image.pixels.replaceSubrange(((y * width + x) * 3)..<((y * width + x) * 3 + 3), with: [UInt8(x), UInt8(y), 7])
            }
        }
        return image
    }

    /// The (x, y) origins of the output pixels; nil where black padding.
    private func origins(_ image: RGBImage) -> [[String]] {
        (0..<image.height).map { y in
            (0..<image.width).map { x in
                let pixel = image[x, y]
                return pixel.b == 7 ? "\(pixel.r),\(pixel.g)" : "-"
            }
        }
    }

    func testOffsetsRoundHalfToEven() {
        // Width 8 → 3: (8 − 3) / 2 = 2.5 → 2. Height 6 → 3: 1.5 → 2. As torchvision's int(round(…)).
        let crop = CenterCropTransform(height: 3, width: 3).crop(coordinateImage(width: 8, height: 6))
        XCTAssertEqual(origins(crop), [["2,2", "3,2", "4,2"], ["2,3", "3,3", "4,3"], ["2,4", "3,4", "4,4"]])
        // Width 5 → 2: 1.5 → 2; height 4 → 2: 1.0 → 1.
        let small = CenterCropTransform(height: 2, width: 2).crop(coordinateImage(width: 5, height: 4))
        XCTAssertEqual(origins(small), [["2,1", "3,1"], ["2,2", "3,2"]])
    }

    func testLargerCropPadsWithBlackOddPixelRightAndBottom() {
        // Width 2 → 5: pad 1 left, 2 right. Height 4 → 3: crop from round(0.5) = 0.
        let crop = CenterCropTransform(height: 3, width: 5).crop(coordinateImage(width: 2, height: 4))
        XCTAssertEqual(origins(crop), [["-", "0,0", "1,0", "-", "-"], ["-", "0,1", "1,1", "-", "-"], ["-", "0,2", "1,2", "-", "-"]])
        let padded = CenterCropTransform(height: 4, width: 4).crop(coordinateImage(width: 1, height: 1))
        XCTAssertEqual(origins(padded), [["-", "-", "-", "-"], ["-", "0,0", "-", "-"], ["-", "-", "-", "-"], ["-", "-", "-", "-"]])
        XCTAssertEqual(padded.pixels.filter { $0 != 0 }.count, 1, "padding is black")
    }

    func testExactSizeIsIdentityAndOneView() {
        let image = coordinateImage(width: 4, height: 3)
        let transform = CenterCropTransform(height: 3, width: 4)
        XCTAssertEqual(transform.views(of: image) { SeededRandom(seed: 0, UInt64($0)) }, [image])
        XCTAssertEqual(transform.viewShapes.map { [$0.height, $0.width] }, [[3, 4]])
    }
}
