import TensorCore
import XCTest
@testable import Augment

/// `Normalization`: torchvision's ToTensor + Normalize into [N, 3, H, W] slots.
final class ImageTensorConversionTests: XCTestCase {
    /// Values worked out by hand from (v / 255 − mean) / std with ImageNet's statistics.
    func testImageNetValuesMatchHandComputedOnes() {
        let normalization = Normalization.imageNet
        // (0 − 0.485) / 0.229
        XCTAssertEqual(normalization.normalized(0, channel: 0), -2.1179039, accuracy: 1e-6)
        // (1 − 0.485) / 0.229
        XCTAssertEqual(normalization.normalized(255, channel: 0), 2.2489083, accuracy: 1e-6)
        // (128/255 − 0.456) / 0.224 = (0.5019608 − 0.456) / 0.224
        XCTAssertEqual(normalization.normalized(128, channel: 1), 0.2051821, accuracy: 1e-6)
        // (1 − 0.406) / 0.225
        XCTAssertEqual(normalization.normalized(255, channel: 2), 2.64, accuracy: 1e-6)
        // (0 − 0.406) / 0.225
        XCTAssertEqual(normalization.normalized(0, channel: 2), -1.8044444, accuracy: 1e-6)
    }

    func testUnitRangeIsToTensor() {
        for value in 0...255 {
            XCTAssertEqual(Normalization.unitRange.normalized(UInt8(value), channel: 1), Float(value) / 255)
        }
    }

    /// Every table entry against the formula evaluated in Double, for custom statistics
    /// (Fashion-MNIST's usual 0.2860 / 0.3530, one value for all channels); float32 rounding stays within 1e-6.
    func testCustomStatisticsFollowTheFormula() {
        let normalization = Normalization(mean: [0.286], standardDeviation: [0.353])
        XCTAssertEqual(normalization.mean, [0.286, 0.286, 0.286])
        XCTAssertEqual(normalization, Normalization(mean: [0.286, 0.286, 0.286], standardDeviation: [0.353, 0.353, 0.353]))
        for channel in 0..<3 {
            for value in 0...255 {
                let expected = (Double(value) / 255 - 0.286) / 0.353
                XCTAssertEqual(Double(normalization.normalized(UInt8(value), channel: channel)), expected, accuracy: 1e-6)
            }
        }
    }

    /// A 3×2 image lands in three row-major planes, R then G then B, in its batch slot.
    func testChannelMajorLayoutAndBatchSlots() {
        let first = RGBImage(width: 3, height: 2, pixels: (0..<18).map { UInt8($0 * 13) })
        let second = RGBImage(width: 3, height: 2, pixels: (0..<18).map { UInt8(255 - $0 * 7) })
        let normalization = Normalization.imageNet
        let batch = normalization.batch([first, second])
        XCTAssertEqual(batch.shape, [2, 3, 2, 3])
        let values = batch.scalars
        for (slot, image) in [first, second].enumerated() {
            for channel in 0..<3 {
                for y in 0..<2 {
                    for x in 0..<3 {
                        let byte = image.pixels[(y * 3 + x) * 3 + channel]
                        let expected = (Double(byte) / 255 - [0.485, 0.456, 0.406][channel]) / [0.229, 0.224, 0.225][channel]
                        let actual = values[((slot * 3 + channel) * 2 + y) * 3 + x]
                        XCTAssertEqual(Double(actual), expected, accuracy: 1e-6, "slot \(slot) channel \(channel) (\(x), \(y))")
                    }
                }
            }
        }
    }

    func testWriteChannelMajorFillsExactlyItsSlot() {
        let image = RGBImage(width: 2, height: 2, pixels: [UInt8](repeating: 255, count: 12))
        var buffer = [Float](repeating: 99, count: 14)
        buffer.withUnsafeMutableBufferPointer { Normalization.unitRange.writeChannelMajor(image, to: $0.baseAddress! + 1) }
        XCTAssertEqual(buffer, [99] + [Float](repeating: 1, count: 12) + [99])
    }
}
