import TensorCore
import XCTest
@testable import Augment

/// torchvision's ColorJitter: the factor ranges, the draws (permutation, then factors) and the
/// composition of the PIL-exact ops, which are fixture-tested on their own.
final class ColorJitterTests: XCTestCase {
    private let moco = ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1)

    func testScalarStrengthsGiveTorchvisionRanges() {
        XCTAssertEqual(moco.brightness, 0.6...1.4)
        XCTAssertEqual(moco.contrast, 0.6...1.4)
        XCTAssertEqual(moco.saturation, 0.6...1.4)
        XCTAssertEqual(moco.hue, -0.1...0.1)
        // max(0, 1 − x) clamps the lower bound; a strength of 0 skips the adjustment.
        let strong = ColorJitter(brightness: 1.5, contrast: 0, saturation: 0.2, hue: 0)
        XCTAssertEqual(strong.brightness, 0...2.5)
        XCTAssertNil(strong.contrast)
        XCTAssertEqual(strong.saturation!.lowerBound, 0.8, accuracy: 1e-15)
        XCTAssertNil(strong.hue)
    }

    func testFixedOrderAndFactorsEqualTheOpsAppliedInThatOrder() throws {
        let image = try GeometryFixtures.input()
        let first = ColorJitter.Parameters(order: [.hue, .contrast, .brightness, .saturation],
                                           brightness: 1.3, contrast: 0.7, saturation: 1.25, hue: -0.08)
        GeometryFixtures.assertIdentical(
            ColorJitter.apply(first, to: image),
            image.adjustingHue(-0.08).adjustingContrast(0.7).adjustingBrightness(1.3).adjustingSaturation(1.25),
            "hue, contrast, brightness, saturation")
        let second = ColorJitter.Parameters(order: [.saturation, .brightness, .hue, .contrast],
                                            brightness: 0.65, contrast: 1.38, saturation: 0.61, hue: 0.095)
        GeometryFixtures.assertIdentical(
            ColorJitter.apply(second, to: image),
            image.adjustingSaturation(0.61).adjustingBrightness(0.65).adjustingHue(0.095).adjustingContrast(1.38),
            "saturation, brightness, hue, contrast")
        // The order matters: the same factors in another order give another image.
        var reordered = second
        reordered.order = [.contrast, .hue, .brightness, .saturation]
        XCTAssertNotEqual(ColorJitter.apply(reordered, to: image), ColorJitter.apply(second, to: image))
    }

    func testSkippedAdjustmentIsNotApplied() throws {
        // Hue 0 is not the identity (PIL's HSV round trip is lossy), so a skipped hue must not run.
        let image = try GeometryFixtures.input()
        let noHue = ColorJitter.Parameters(order: [.hue, .brightness, .contrast, .saturation],
                                           brightness: 1.1, contrast: nil, saturation: 0.9, hue: nil)
        XCTAssertNotEqual(image.adjustingHue(0), image)
        GeometryFixtures.assertIdentical(ColorJitter.apply(noHue, to: image),
                                         image.adjustingBrightness(1.1).adjustingSaturation(0.9), "hue and contrast skipped")
        let jitter = ColorJitter(brightness: 0.4, contrast: 0, saturation: 0, hue: 0)
        var random = SeededRandom(seed: 4)
        let parameters = jitter.parameters(random: &random)
        XCTAssertNotNil(parameters.brightness)
        XCTAssertNil(parameters.contrast)
        XCTAssertNil(parameters.saturation)
        XCTAssertNil(parameters.hue)
    }

    func testApplyUsesTheParametersItDraws() throws {
        let image = try GeometryFixtures.input()
        for seed: UInt64 in 0..<20 {
            var applying = SeededRandom(seed: seed, 3), drawing = SeededRandom(seed: seed, 3)
            let view = moco.apply(to: image, random: &applying)
            XCTAssertEqual(view, ColorJitter.apply(moco.parameters(random: &drawing), to: image))
            XCTAssertEqual(applying.state, drawing.state, "the same draws, no more")
        }
    }

    func testDeterministicForAFixedStream() throws {
        let image = try GeometryFixtures.input()
        var a = SeededRandom(seed: 9, 1, 2), b = SeededRandom(seed: 9, 1, 2), c = SeededRandom(seed: 9, 1, 3)
        let view = moco.apply(to: image, random: &a)
        XCTAssertEqual(moco.apply(to: image, random: &b), view)
        XCTAssertNotEqual(moco.apply(to: image, random: &c), view)
    }

    func testDrawsCoverTheRangesAndEveryOrderEqually() {
        var random = SeededRandom(seed: 17)
        var orders = [[ColorJitter.Adjustment]: Int]()
        var sums = [Double](repeating: 0, count: 4)
        let draws = 24_000
        for _ in 0..<draws {
            let p = moco.parameters(random: &random)
            orders[p.order, default: 0] += 1
            let factors = [p.brightness!, p.contrast!, p.saturation!, p.hue!]
            for (k, factor) in factors.enumerated() {
                let range: ClosedRange<Float> = k == 3 ? -0.1...0.1 : 0.6...1.4
                XCTAssertTrue(range.contains(factor), "factor \(k) = \(factor)")
                sums[k] += Double(factor)
            }
        }
        // 24 orders, each expected 1000 times (standard deviation about 31).
        XCTAssertEqual(orders.count, 24)
        for (order, count) in orders { XCTAssertEqual(Double(count), 1000, accuracy: 150, "\(order)") }
        // Uniform means: 1 for the factors, 0 for hue (standard error about 0.0015 and 0.0004).
        for k in 0..<3 { XCTAssertEqual(sums[k] / Double(draws), 1, accuracy: 0.01) }
        XCTAssertEqual(sums[3] / Double(draws), 0, accuracy: 0.003)
    }
}
