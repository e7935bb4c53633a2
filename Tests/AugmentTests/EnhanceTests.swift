import XCTest
@testable import Augment

final class EnhanceTests: XCTestCase {
    /// The factors of the fixtures (0.05…0.95 interpolate; 1.4, ColorJitter's upper bound, extrapolates).
    private let factors: [(name: String, value: Float)] = [("0.05", 0.05), ("0.5", 0.5), ("0.95", 0.95), ("1.4", 1.4)]

    func testContrastMatchesPillow() throws {
        for factor in factors {
            try ColorFixtures.assertMatchesPillow("contrast-\(factor.name)") { $0.adjustingContrast(factor.value) }
        }
    }

    func testSaturationMatchesPillowColor() throws {
        for factor in factors {
            try ColorFixtures.assertMatchesPillow("color-\(factor.name)") { $0.adjustingSaturation(factor.value) }
        }
    }

    func testBrightnessMatchesPillow() throws {
        for factor in factors {
            try ColorFixtures.assertMatchesPillow("brightness-\(factor.name)") { $0.adjustingBrightness(factor.value) }
        }
    }

    func testSharpnessMatchesPillow() throws {
        for factor in factors {
            try ColorFixtures.assertMatchesPillow("sharpness-\(factor.name)") { $0.adjustingSharpness(factor.value) }
        }
    }

    func testBlendTruncatesAndClips() {
        // 100 + 0.5·(51 − 100) = 75.5 → 75; 0 + 1.4·200 = 280 → 255; 200 + 1.4·(0 − 200) = −80 → 0.
        XCTAssertEqual(blendSample(100, 51, 0.5), 75)
        XCTAssertEqual(blendSample(0, 200, 1.4), 255)
        XCTAssertEqual(blendSample(200, 0, 1.4), 0)
        XCTAssertEqual(blendSample(17, 230, 1), 230)
        XCTAssertEqual(blendSample(17, 230, 0), 17)
    }

    func testFactorOneIsTheIdentity() throws {
        let scene = try ColorFixtures.image("color-scene")
        XCTAssertEqual(scene.adjustingContrast(1), scene)
        XCTAssertEqual(scene.adjustingSaturation(1), scene)
        XCTAssertEqual(scene.adjustingBrightness(1), scene)
        XCTAssertEqual(scene.adjustingSharpness(1), scene)
    }

    func testContrastZeroIsTheRoundedMeanLuma() {
        // Lumas 0 and 255 (mean 127.5, rounded half up to 128), and 30 (from (30, 30, 30)):
        // mean (0 + 255 + 30) / 3 = 95.
        let image = RGBImage(width: 3, height: 1, pixels: [0, 0, 0, 255, 255, 255, 30, 30, 30])
        XCTAssertEqual(Set(image.adjustingContrast(0).pixels), [95])
        let halves = RGBImage(width: 2, height: 1, pixels: [0, 0, 0, 255, 255, 255])
        XCTAssertEqual(Set(halves.adjustingContrast(0).pixels), [128])
    }

    func testSharpnessLeavesBordersAndTinyImagesAlone() {
        let pixels = (0..<(4 * 3 * 3)).map { UInt8(($0 * 37) % 256) }
        let image = RGBImage(width: 4, height: 3, pixels: pixels)
        let sharpened = image.adjustingSharpness(1.4)
        for y in 0..<3 {
            for x in 0..<4 where x == 0 || x == 3 || y == 0 || y == 2 {
                XCTAssertTrue(sharpened[x, y] == image[x, y], "border pixel (\(x), \(y)) changed")
            }
        }
        XCTAssertNotEqual(sharpened, image)
        let narrow = RGBImage(width: 2, height: 5, pixels: (0..<30).map { UInt8($0 * 8) })
        XCTAssertEqual(narrow.adjustingSharpness(0), narrow)
    }
}
