import Foundation
import TensorCore
import XCTest
@testable import Augment

/// The `get_params` algorithm of torchvision's RandomResizedCrop (random numbers from
/// `SeededRandom`, so these test the algorithm's guarantees, not torch's stream).
final class RandomResizedCropTests: XCTestCase {
    func testAcceptedBoxesLieInsideAndWithinScaleAndRatio() {
        let crop = RandomResizedCrop(width: 32, height: 32, scale: 0.08...1.0)
        for (imageWidth, imageHeight) in [(64, 48), (500, 375), (40, 90)] {
            let area = Double(imageWidth * imageHeight)
            for sample in 0..<500 {
                var random = SeededRandom(seed: 11, UInt64(imageWidth), UInt64(sample))
                let box = crop.box(imageWidth: imageWidth, imageHeight: imageHeight, using: &random)
                XCTAssertTrue(box.width > 0 && box.height > 0 && box.isInside(width: imageWidth, height: imageHeight),
                              "\(box) in \(imageWidth)×\(imageHeight)")
                // w and h are rounded from √(A·r) and √(A/r): the drawn area A and ratio r lie in
                // the intervals the rounding leaves, which must meet the configured ranges.
                let (w, h) = (Double(box.width), Double(box.height))
                XCTAssertLessThanOrEqual((w - 0.5) * (h - 0.5), 1.0 * area * (1 + 1e-6), "\(box)")
                XCTAssertGreaterThanOrEqual((w + 0.5) * (h + 0.5), 0.08 * area * (1 - 1e-6), "\(box)")
                XCTAssertLessThanOrEqual((w - 0.5) / (h + 0.5), 4.0 / 3.0 + 1e-6, "\(box)")
                XCTAssertGreaterThanOrEqual((w + 0.5) / (h - 0.5), 3.0 / 4.0 - 1e-6, "\(box)")
            }
        }
    }

    func testImpossibleScaleFallsBackToCentreCropClampedToRatio() {
        let crop = RandomResizedCrop(width: 8, height: 8, scale: 2.0...3.0)
        var random = SeededRandom(seed: 1)
        // Too wide (2.5 > 4/3): full height, width round(40 · 4/3) = 53, centred.
        XCTAssertEqual(crop.box(imageWidth: 100, imageHeight: 40, using: &random), CropBox(x: 23, y: 0, width: 53, height: 40))
        // Too tall (1/3 < 3/4): full width, height round(30 / 0.75) = 40, centred.
        XCTAssertEqual(crop.box(imageWidth: 30, imageHeight: 90, using: &random), CropBox(x: 0, y: 25, width: 30, height: 40))
        // Within the ratio range: the whole image, whatever the scale says.
        XCTAssertEqual(crop.box(imageWidth: 64, imageHeight: 48, using: &random), CropBox(x: 0, y: 0, width: 64, height: 48))
    }

    func testAreaFractionIsUniformOverScale() {
        // Square image, scale·ratio < 1: no try is ever rejected, so the area fraction is the
        // drawn U(0.2, 0.6) up to the rounding of w and h (< 0.2 % of the area here).
        let crop = RandomResizedCrop(width: 16, height: 16, scale: 0.2...0.6)
        var random = SeededRandom(seed: 5)
        var bins = [Int](repeating: 0, count: 4)
        var logRatioSum = 0.0
        let draws = 4000
        for _ in 0..<draws {
            let box = crop.box(imageWidth: 1000, imageHeight: 1000, using: &random)
            let fraction = Double(box.width * box.height) / 1e6
            bins[min(3, max(0, Int((fraction - 0.2) / 0.1)))] += 1
            logRatioSum += log(Double(box.width) / Double(box.height))
        }
        // Each bin expects 1000 with a standard deviation of about 27.
        for count in bins { XCTAssertEqual(Double(count), 1000, accuracy: 150, "bins \(bins)") }
        XCTAssertEqual(logRatioSum / Double(draws), 0, accuracy: 0.01, "log-ratio is symmetric about 0")
    }

    func testOffsetsCoverTheWholeRange() {
        let crop = RandomResizedCrop(width: 8, height: 8, scale: 0.2...0.3)
        var random = SeededRandom(seed: 9)
        var touchesLeft = false, touchesRight = false, touchesTop = false, touchesBottom = false
        for _ in 0..<500 {
            let box = crop.box(imageWidth: 20, imageHeight: 20, using: &random)
            touchesLeft = touchesLeft || box.x == 0
            touchesTop = touchesTop || box.y == 0
            touchesRight = touchesRight || box.x + box.width == 20
            touchesBottom = touchesBottom || box.y + box.height == 20
        }
        XCTAssertTrue(touchesLeft && touchesRight && touchesTop && touchesBottom)
    }

    func testApplyCropsTheDrawnBoxAndIsDeterministic() {
        let image = GeometryFixtures.noise(width: 50, height: 40, seed: 21)
        let crop = RandomResizedCrop(width: 24, height: 20)
        var first = SeededRandom(seed: 3, 1, 2), second = SeededRandom(seed: 3, 1, 2), boxes = SeededRandom(seed: 3, 1, 2)
        let view = crop.apply(to: image, using: &first)
        XCTAssertEqual(view.width, 24)
        XCTAssertEqual(view.height, 20)
        XCTAssertEqual(crop.apply(to: image, using: &second), view)
        let box = crop.box(imageWidth: 50, imageHeight: 40, using: &boxes)
        XCTAssertEqual(image.resizedCrop(box, toWidth: 24, toHeight: 20), view)
    }
}
