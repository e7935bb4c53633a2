import TensorCore
import XCTest
@testable import Augment

/// The strong policy S: the crop's scale rule, the order of stages and draws, the pool and
/// magnitude options, and the statistics of the RandAugment rounds.
final class StrongAugmentationTests: XCTestCase {
    func testCropScaleAt96Of224() {
        let strong = StrongAugmentation(size: 96, weakSize: 224)
        XCTAssertEqual(strong.size, 96)
        XCTAssertEqual(strong.base.scale.lowerBound, 0.2 * 96 / 224, accuracy: 1e-15)
        XCTAssertEqual(strong.base.scale.upperBound, 96.0 / 224, accuracy: 1e-15)
        XCTAssertEqual(strong.base.scale.lowerBound, 0.0857142857, accuracy: 1e-10)
        XCTAssertEqual(strong.base.scale.upperBound, 0.4285714286, accuracy: 1e-10)
        // The weak colour ops and flip, with MoCo v2's settings.
        var expectedBase = WeakAugmentation(size: 96)
        expectedBase.scale = strong.base.scale
        XCTAssertEqual(strong.base, expectedBase)
        XCTAssertEqual(strong.rounds, 5)
        XCTAssertEqual(strong.probability, 0.5)
        XCTAssertEqual(strong.pool, .paper)
        XCTAssertEqual(strong.magnitudes, .levels)
        // Crops of a 224×224 image cover 0.0857…0.4286 of it (up to the rounding of w and h).
        var random = SeededRandom(seed: 8)
        var smallest = 1.0, largest = 0.0
        for _ in 0..<2000 {
            let box = strong.base.crop.box(imageWidth: 224, imageHeight: 224, using: &random)
            let fraction = Double(box.width * box.height) / (224 * 224)
            smallest = min(smallest, fraction)
            largest = max(largest, fraction)
        }
        XCTAssertEqual(smallest, 0.0857, accuracy: 0.005)
        XCTAssertEqual(largest, 0.4286, accuracy: 0.005)
    }

    func testMultiAndScaledSizes() {
        let multi = [224, 192, 160, 128, 96]
        XCTAssertEqual(multi.map { StrongAugmentation.proportionalSize($0, weakSize: 224, newWeakSize: 224) }, multi)
        XCTAssertEqual(StrongAugmentation.proportionalSize(96, weakSize: 224, newWeakSize: 224), 96)
        XCTAssertEqual(StrongAugmentation.proportionalSize(96, weakSize: 224, newWeakSize: 8), 4, "never below minimumSize")
        // 96·32/224 = 13.71 → 14; 192·32/224 = 27.43 → 27; …
        XCTAssertEqual(multi.map { StrongAugmentation.proportionalSize($0, weakSize: 224, newWeakSize: 32) }, [32, 27, 23, 18, 14])
        XCTAssertEqual(StrongAugmentation.proportionalSize(96, weakSize: 224, newWeakSize: 32), 14)
        let fullSize = StrongAugmentation(size: 224, weakSize: 224)
        XCTAssertEqual(fullSize.base.scale, 0.2...1.0)
    }

    func testOutputSizeAndDeterminism() throws {
        let image = GeometryFixtures.noise(width: 100, height: 75, seed: 2)
        for size in [96, 48, 24] {
            let strong = StrongAugmentation(size: size, weakSize: 96)
            var a = SeededRandom(seed: 1, 0, 4, 2), b = SeededRandom(seed: 1, 0, 4, 2), other = SeededRandom(seed: 1, 0, 4, 3)
            let view = strong.apply(to: image, random: &a)
            XCTAssertEqual(view.width, size)
            XCTAssertEqual(view.height, size)
            XCTAssertEqual(strong.apply(to: image, random: &b), view)
            XCTAssertNotEqual(strong.apply(to: image, random: &other), view)
        }
    }

    func testBaseThenRoundsFromOneStream() throws {
        let image = try GeometryFixtures.input()
        let strong = StrongAugmentation(size: 24, weakSize: 48)
        for seed: UInt64 in 0..<10 {
            var random = SeededRandom(seed: seed), replay = SeededRandom(seed: seed)
            let view = strong.base.apply(to: image, random: &replay)
            let rounds = strong.drawRounds(random: &replay)
            GeometryFixtures.assertIdentical(strong.apply(to: image, random: &random),
                                             StrongAugmentation.apply(rounds, to: view), "seed \(seed)")
            XCTAssertEqual(random.state, replay.state)
        }
        let noRounds = StrongAugmentation(base: strong.base, rounds: 0)
        var random = SeededRandom(seed: 2), replay = SeededRandom(seed: 2)
        XCTAssertEqual(noRounds.apply(to: image, random: &random), strong.base.apply(to: image, random: &replay))
    }

    func testRoundsApplyOnlyTheirAppliedOperationsInOrder() throws {
        let image = try GeometryFixtures.input()
        let rounds = [
            StrongAugmentation.Round(operation: .rotate, magnitude: -12, applied: true),
            StrongAugmentation.Round(operation: .invert, magnitude: 0, applied: false),
            StrongAugmentation.Round(operation: .posterize, magnitude: 5, applied: true),
            StrongAugmentation.Round(operation: .translateX, magnitude: 0.15, applied: true),
        ]
        GeometryFixtures.assertIdentical(StrongAugmentation.apply(rounds, to: image),
                                         image.rotated(degrees: -12).posterized(bits: 5).translatedX(by: 9), "rounds")
    }

    func testOperationsAreUniformAndAppliedHalfTheTime() {
        for pool in StrongAugmentation.Pool.allCases {
            let strong = StrongAugmentation(size: 8, weakSize: 8, pool: pool)
            var random = SeededRandom(seed: 31, UInt64(pool == .paper ? 0 : 1))
            var picks = [StrongOperation: Int](), applied = 0, levels = [Int](repeating: 0, count: 10)
            var signed = 0, negative = 0
            let draws = 2800  // 14 000 rounds: 1000 expected per op (standard deviation about 31)
            for _ in 0..<draws {
                for round in strong.drawRounds(random: &random) {
                    picks[round.operation, default: 0] += 1
                    if round.applied { applied += 1 }
                    if round.operation == .rotate { levels[Int(abs(round.magnitude)) / 3] += 1 }
                    if round.applied && round.operation.isSigned {
                        signed += 1
                        if round.magnitude < 0 { negative += 1 }
                    }
                    if !round.applied || !round.operation.isSigned { XCTAssertGreaterThanOrEqual(round.magnitude, 0) }
                }
            }
            XCTAssertEqual(Set(picks.keys), Set(pool.operations), "\(pool)")
            for (operation, count) in picks { XCTAssertEqual(Double(count), 1000, accuracy: 150, "\(pool) \(operation)") }
            XCTAssertEqual(Double(applied) / 14_000, 0.5, accuracy: 0.02, "\(pool)")
            XCTAssertEqual(Double(negative) / Double(signed), 0.5, accuracy: 0.04, "\(pool)")
            // Rotation levels 1…9 (3°…27°), about 111 each; never level 0 or 10.
            XCTAssertEqual(levels[0], 0)
            for level in 1...9 { XCTAssertEqual(Double(levels[level]), 1000.0 / 9, accuracy: 50, "\(pool) level \(level)") }
        }
    }

    func testPoolOptionSwapsInvertForIdentity() throws {
        let image = try GeometryFixtures.input()
        for pool in StrongAugmentation.Pool.allCases {
            let strong = StrongAugmentation(size: 24, weakSize: 48, pool: pool)
            var random = SeededRandom(seed: 12)
            let seen = Set((0..<200).flatMap { _ in strong.drawRounds(random: &random).map(\.operation) })
            XCTAssertEqual(seen, Set(pool.operations), "\(pool)")
        }
        XCTAssertTrue(StrongAugmentation.Pool.paper.operations.contains(.invert))
        XCTAssertTrue(StrongAugmentation.Pool.released.operations.contains(.identity))
        // The identity round leaves the view as it is; an invert round inverts it.
        let identity = [StrongAugmentation.Round(operation: .identity, magnitude: 0, applied: true)]
        let invert = [StrongAugmentation.Round(operation: .invert, magnitude: 0, applied: true)]
        XCTAssertEqual(StrongAugmentation.apply(identity, to: image), image)
        XCTAssertEqual(StrongAugmentation.apply(invert, to: image), image.inverted())
    }

    func testContinuousMagnitudesSpanTableOne() {
        let strong = StrongAugmentation(size: 8, weakSize: 8, magnitudes: .continuous)
        var random = SeededRandom(seed: 44)
        var seen = [StrongOperation: (minimum: Double, maximum: Double)]()
        for _ in 0..<3000 {
            for round in strong.drawRounds(random: &random) {
                let operation = round.operation
                if let table = operation.tableRange {
                    XCTAssertTrue(table.contains(round.magnitude), "\(operation.name) \(round.magnitude)")
                    if operation.takesWholeMagnitude { XCTAssertEqual(round.magnitude.rounded(), round.magnitude) }
                } else {
                    XCTAssertEqual(round.magnitude, 0)
                }
                let old = seen[operation] ?? (.infinity, -.infinity)
                seen[operation] = (min(old.minimum, round.magnitude), max(old.maximum, round.magnitude))
            }
        }
        // About 1000 draws per op: the extremes come within a few percent of the range's ends.
        for operation in StrongOperation.paperPool {
            guard let table = operation.tableRange, let extremes = seen[operation] else { continue }
            let width = table.upperBound - table.lowerBound
            XCTAssertEqual(extremes.minimum, table.lowerBound, accuracy: 0.02 * width, operation.name)
            XCTAssertEqual(extremes.maximum, table.upperBound, accuracy: 0.02 * width, operation.name)
        }
    }
}
