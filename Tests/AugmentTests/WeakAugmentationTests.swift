import TensorCore
import XCTest
@testable import Augment

/// The weak policy T/T′: MoCo v2's defaults, output sizes, the order of its ops and draws, and
/// how often each random op runs.
final class WeakAugmentationTests: XCTestCase {
    func testDefaultsAreMoCoV2() {
        let weak = WeakAugmentation(size: 224)
        XCTAssertEqual(weak.size, 224)
        XCTAssertEqual(weak.scale, 0.2...1.0)
        XCTAssertEqual(weak.ratio, (3.0 / 4.0)...(4.0 / 3.0))
        XCTAssertEqual(weak.colorJitter, ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1))
        XCTAssertEqual(weak.colorJitterProbability, 0.8)
        XCTAssertEqual(weak.grayscaleProbability, 0.2)
        XCTAssertEqual(weak.blurSigma, 0.1...2.0)
        XCTAssertEqual(weak.blurProbability, 0.5)
        XCTAssertEqual(weak.flipProbability, 0.5)
        XCTAssertEqual(weak.crop.width, 224)
        XCTAssertEqual(weak.crop.scale, 0.2...1.0)
    }

    func testOutputIsSizeBySizeForAnyInput() {
        let weak = WeakAugmentation(size: 32)
        for (width, height) in [(64, 48), (40, 90), (20, 20), (500, 375)] {
            let image = GeometryFixtures.noise(width: width, height: height, seed: UInt64(width))
            for sample: UInt64 in 0..<5 {
                var random = SeededRandom(seed: 1, sample)
                let view = weak.apply(to: image, random: &random)
                XCTAssertEqual(view.width, 32, "\(width)×\(height)")
                XCTAssertEqual(view.height, 32, "\(width)×\(height)")
            }
        }
    }

    func testDeterministicForAFixedStream() throws {
        let image = try GeometryFixtures.input()
        let weak = WeakAugmentation(size: 24)
        var a = SeededRandom(seed: 5, 0, 7, 0), b = SeededRandom(seed: 5, 0, 7, 0), other = SeededRandom(seed: 5, 0, 7, 1)
        let view = weak.apply(to: image, random: &a)
        XCTAssertEqual(weak.apply(to: image, random: &b), view)
        XCTAssertNotEqual(weak.apply(to: image, random: &other), view)
    }

    func testOpsAndDrawsFollowTorchvisionsOrder() throws {
        // Every op on: crop, then (coin, jitter), (coin, grayscale), (coin, σ, blur), (coin, flip).
        let image = try GeometryFixtures.input()
        var weak = WeakAugmentation(size: 24, colorJitterProbability: 1, grayscaleProbability: 1,
                                    blurProbability: 1, flipProbability: 1)
        for seed: UInt64 in 0..<5 {
            var random = SeededRandom(seed: seed), replay = SeededRandom(seed: seed)
            var expected = weak.crop.apply(to: image, using: &replay)
            _ = replay.bernoulli(1)
            expected = ColorJitter.apply(weak.colorJitter.parameters(random: &replay), to: expected)
            _ = replay.bernoulli(1)
            expected = expected.grayscale()
            _ = replay.bernoulli(1)
            expected = expected.gaussianBlurred(sigma: Float(replay.uniform(0.1, 2.0)))
            _ = replay.bernoulli(1)
            expected = expected.flippedHorizontally()
            GeometryFixtures.assertIdentical(weak.apply(to: image, random: &random), expected, "seed \(seed)")
            XCTAssertEqual(random.state, replay.state, "the same draws, no more")
        }
        // Every op off: the crop alone (each coin still drawn).
        weak.colorJitterProbability = 0
        weak.grayscaleProbability = 0
        weak.blurProbability = 0
        weak.flipProbability = 0
        var random = SeededRandom(seed: 3), replay = SeededRandom(seed: 3)
        XCTAssertEqual(weak.apply(to: image, random: &random), weak.crop.apply(to: image, using: &replay))
    }

    func testEachRandomOpRunsWithItsProbability() throws {
        // One op enabled at a time at its default probability, on a noise image on which every
        // op visibly changes something (even a blur with σ = 0.1, whose neighbour weight is
        // about 1/1200, moves some of the noise's steep edges by a level). The crop covers the
        // whole image (scale 1, ratio 1), so it is the identity.
        let image = GeometryFixtures.noise(width: 16, height: 16, seed: 6)
        XCTAssertNotEqual(image.gaussianBlurred(sigma: 0.1), image)
        let off = WeakAugmentation(size: 16, scale: 1...1, ratio: 1...1, colorJitterProbability: 0,
                                   grayscaleProbability: 0, blurProbability: 0, flipProbability: 0)
        var jitter = off, grayscale = off, blur = off, flip = off
        jitter.colorJitterProbability = 0.8
        grayscale.grayscaleProbability = 0.2
        blur.blurProbability = 0.5
        flip.flipProbability = 0.5
        let draws = 2000
        for (augmentation, probability, name) in [(jitter, 0.8, "jitter"), (grayscale, 0.2, "grayscale"),
                                                  (blur, 0.5, "blur"), (flip, 0.5, "flip")] {
            var ran = 0
            for sample in 0..<draws {
                var random = SeededRandom(seed: 23, UInt64(sample))
                if augmentation.apply(to: image, random: &random) != image { ran += 1 }
            }
            // Standard deviation at most √(2000 · 0.25) ≈ 22 draws.
            XCTAssertEqual(Double(ran) / Double(draws), probability, accuracy: 0.05, name)
        }
    }
}
