import XCTest
@testable import Augment

/// The strong operations: names, the released code's level → magnitude table (values worked out
/// by hand from RandAugment.py's Python expressions) and delegation to the PIL-exact ops, which
/// are fixture-tested on their own.
final class StrongOperationTests: XCTestCase {
    func testNamesRoundTripAndAreUnique() {
        XCTAssertEqual(Set(StrongOperation.allCases.map(\.name)).count, 15)
        for operation in StrongOperation.allCases { XCTAssertEqual(StrongOperation(name: operation.name), operation) }
        XCTAssertEqual(StrongOperation(name: "shear-x"), .shearX)
        XCTAssertNil(StrongOperation(name: "shearx"))
    }

    func testPoolsDifferOnlyInInvertAndIdentity() {
        XCTAssertEqual(StrongOperation.paperPool.count, 14)
        XCTAssertEqual(StrongOperation.releasedPool.count, 14)
        XCTAssertEqual(Set(StrongOperation.paperPool).count, 14)
        XCTAssertTrue(StrongOperation.paperPool.contains(.invert) && !StrongOperation.paperPool.contains(.identity))
        XCTAssertTrue(StrongOperation.releasedPool.contains(.identity) && !StrongOperation.releasedPool.contains(.invert))
        XCTAssertEqual(Set(StrongOperation.paperPool).subtracting([.invert]),
                       Set(StrongOperation.releasedPool).subtracting([.identity]))
    }

    func testLevelNineMagnitudes() {
        XCTAssertEqual(StrongOperation.shearX.magnitude(level: 9), 0.27, accuracy: 1e-15)
        XCTAssertEqual(StrongOperation.shearY.magnitude(level: 9), 0.27, accuracy: 1e-15)
        XCTAssertEqual(StrongOperation.translateX.magnitude(level: 9), 0.27, accuracy: 1e-15)
        XCTAssertEqual(StrongOperation.rotate.magnitude(level: 9), 27)
        XCTAssertEqual(StrongOperation.solarize.magnitude(level: 9), 26)  // 256 − int(230.4)
        XCTAssertEqual(StrongOperation.posterize.magnitude(level: 9), 7)  // int(3.6) + 4
        for enhance in [StrongOperation.contrast, .color, .brightness, .sharpness] {
            XCTAssertEqual(enhance.magnitude(level: 9), 0.86, accuracy: 1e-15)
        }
        for none in [StrongOperation.autoContrast, .invert, .equalize, .identity] {
            XCTAssertEqual(none.magnitude(level: 9), 0)
            XCTAssertFalse(none.hasMagnitude)
        }
    }

    func testLevelTableForEveryLevel() {
        let levels = Array(1...9)
        XCTAssertEqual(levels.map { StrongOperation.rotate.magnitude(level: $0) }, [3, 6, 9, 12, 15, 18, 21, 24, 27])
        // 256 − int(v·25.6): 25.6 → 25, 51.2 → 51, 76.8 → 76, …
        XCTAssertEqual(levels.map { StrongOperation.solarize.magnitude(level: $0) },
                       [231, 205, 180, 154, 128, 103, 77, 52, 26])
        // int(v·0.4) + 4
        XCTAssertEqual(levels.map { StrongOperation.posterize.magnitude(level: $0) }, [4, 4, 5, 5, 6, 6, 6, 7, 7])
        for (v, expected) in zip(levels, [0.03, 0.06, 0.09, 0.12, 0.15, 0.18, 0.21, 0.24, 0.27]) {
            XCTAssertEqual(StrongOperation.shearX.magnitude(level: v), expected, accuracy: 1e-15)
        }
        for (v, expected) in zip(levels, [0.14, 0.23, 0.32, 0.41, 0.5, 0.59, 0.68, 0.77, 0.86]) {
            XCTAssertEqual(StrongOperation.brightness.magnitude(level: v), expected, accuracy: 1e-15)
        }
        // The Double order of operations of `float(v) * 0.3 / 10`: v·0.3 first.
        XCTAssertEqual(StrongOperation.shearX.magnitude(level: 9), 9 * 0.3 / 10)
        XCTAssertNotEqual(StrongOperation.shearX.magnitude(level: 9), 0.27)
    }

    func testTranslationPixelCounts() {
        // int(v·0.3/10·side): at 96, 0.03·96 = 2.88 per level; at 224, 6.72 per level.
        let expected = [96: [2, 5, 8, 11, 14, 17, 20, 23, 25], 224: [6, 13, 20, 26, 33, 40, 47, 53, 60]]
        for (side, pixels) in expected {
            let image = GeometryFixtures.noise(width: side, height: side, seed: 3)
            for (v, count) in zip(1...9, pixels) {
                let m = StrongOperation.translateX.magnitude(level: v)
                XCTAssertEqual(StrongOperation.translateX.apply(to: image, magnitude: m), image.translatedX(by: Double(count)),
                               "side \(side) level \(v)")
                XCTAssertEqual(StrongOperation.translateY.apply(to: image, magnitude: -m), image.translatedY(by: Double(-count)),
                               "side \(side) level −\(v)")
            }
        }
        // At side 100, v = 9: 9·0.3/10 = 0.26999999999999996, ·100 = 26.999999999999996 → 26
        // pixels, where int(9·0.03·100) = int(27.0) would give 27.
        let image = GeometryFixtures.noise(width: 100, height: 10, seed: 4)
        XCTAssertEqual(StrongOperation.translateX.apply(to: image, magnitude: StrongOperation.translateX.magnitude(level: 9)),
                       image.translatedX(by: 26))
        XCTAssertNotEqual(image.translatedX(by: 26), image.translatedX(by: 27))
    }

    func testEachOperationDelegatesToItsPILExactOp() throws {
        let image = try GeometryFixtures.input()  // 64×48
        let cases: [(StrongOperation, Double, RGBImage)] = [
            (.autoContrast, 0, image.autocontrasted()),
            (.invert, 0, image.inverted()),
            (.equalize, 0, image.equalized()),
            (.identity, 0, image),
            (.shearX, -0.27, image.shearedX(by: -0.27)),
            (.shearY, 0.12, image.shearedY(by: 0.12)),
            (.translateX, -0.12, image.translatedX(by: -7)),  // int(−7.68)
            (.translateY, 0.3, image.translatedY(by: 14)),    // int(14.4)
            (.rotate, 27, image.rotated(degrees: 27)),
            (.rotate, -9, image.rotated(degrees: -9)),
            (.solarize, 26, image.solarized(threshold: 26)),
            (.posterize, 5, image.posterized(bits: 5)),
            (.contrast, 0.86, image.adjustingContrast(0.86)),
            (.color, 0.14, image.adjustingSaturation(0.14)),
            (.brightness, 0.5, image.adjustingBrightness(0.5)),
            (.sharpness, 0.32, image.adjustingSharpness(0.32)),
        ]
        XCTAssertEqual(Set(cases.map(\.0)), Set(StrongOperation.allCases))
        for (operation, magnitude, expected) in cases {
            GeometryFixtures.assertIdentical(operation.apply(to: image, magnitude: magnitude), expected,
                                             "\(operation.name) \(magnitude)")
        }
    }

    func testRangesCoverTheTableAndTheLevels() {
        for operation in StrongOperation.allCases {
            guard let accepted = operation.acceptedMagnitudes, let table = operation.tableRange else {
                XCTAssertNil(operation.tableRange)
                continue
            }
            XCTAssertTrue(accepted.contains(table.lowerBound) && accepted.contains(table.upperBound), operation.name)
            for level in 1...9 {
                let magnitude = operation.magnitude(level: level)
                XCTAssertTrue(table.contains(magnitude) && table.contains(operation.isSigned ? -magnitude : magnitude),
                              "\(operation.name) level \(level): \(magnitude) outside \(table)")
            }
        }
    }

    func testMagnitudeProblemsNameTheParameter() {
        XCTAssertNil(StrongOperation.rotate.problem(withMagnitude: -30))
        XCTAssertNil(StrongOperation.invert.problem(withMagnitude: nil))
        XCTAssertEqual(StrongOperation.invert.problem(withMagnitude: 4), "takes no `magnitude` (got 4)")
        XCTAssertEqual(StrongOperation.rotate.problem(withMagnitude: nil), "needs a `magnitude`: degrees -360…360, counter-clockwise")
        XCTAssertEqual(StrongOperation.rotate.problem(withMagnitude: 400),
                       "`magnitude` 400 is out of range: degrees -360…360, counter-clockwise")
        XCTAssertEqual(StrongOperation.posterize.problem(withMagnitude: 4.5), "`magnitude` 4.5 must be a whole number")
    }
}
