import Foundation
import TensorCore
import XCTest
@testable import Augment

/// Per-op timings on a 224×224 image; runs only with `CLSA_BENCH=1` (use a release build).
final class ColorOpsBenchmarkTests: XCTestCase {
    func testColorOpsOn224x224() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["CLSA_BENCH"] == "1", "set CLSA_BENCH=1 to run")
        let image = Self.scene(width: 224, height: 224)
        let operations: [(String, (RGBImage) -> RGBImage)] = [
            ("grayscale", { $0.grayscale() }),
            ("autocontrast", { $0.autocontrasted() }),
            ("invert", { $0.inverted() }),
            ("equalize", { $0.equalized() }),
            ("solarize 128", { $0.solarized(threshold: 128) }),
            ("posterize 4", { $0.posterized(bits: 4) }),
            ("contrast 1.3", { $0.adjustingContrast(1.3) }),
            ("saturation 0.7", { $0.adjustingSaturation(0.7) }),
            ("brightness 1.2", { $0.adjustingBrightness(1.2) }),
            ("sharpness 1.4", { $0.adjustingSharpness(1.4) }),
            ("hue 0.1", { $0.adjustingHue(0.1) }),
            ("blur sigma 0.7", { $0.gaussianBlurred(sigma: 0.7) }),
            ("blur sigma 2.0", { $0.gaussianBlurred(sigma: 2.0) }),
        ]
        for (name, operation) in operations {
            var best = Double.infinity
            for _ in 0..<50 {
                let start = DispatchTime.now().uptimeNanoseconds
                let result = operation(image)
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e3)
                XCTAssertEqual([result.width, result.height], [224, 224], name)
            }
            print(name.padding(toLength: 16, withPad: " ", startingAt: 0) + String(format: "%8.1f µs (best of 50)", best))
        }
    }

    /// A smooth two-tone gradient with a disc and deterministic noise, like a natural photo crop.
    private static func scene(width: Int, height: Int) -> RGBImage {
        var generator = SeededRandom(seed: 7)
        var pixels = [UInt8]()
        pixels.reserveCapacity(width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let inDisc = (x - 150) * (x - 150) + (y - 80) * (y - 80) < 40 * 40
                let base = inDisc ? [230.0, 200.0, 80.0] : [60 + 0.5 * Double(x), 90 + 0.4 * Double(y), 200 - 0.3 * Double(x)]
                for value in base {
                    pixels.append(UInt8(clamping: Int(value) + Int(generator.next() % 9) - 4))
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }
}
