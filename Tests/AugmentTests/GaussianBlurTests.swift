import XCTest
@testable import Augment

final class GaussianBlurTests: XCTestCase {
    func testBlurMatchesPillow() throws {
        for (name, sigma) in [("0.1", Float(0.1)), ("0.7", 0.7), ("2.0", 2.0)] {
            try ColorFixtures.assertMatchesPillow("blur-\(name)") { $0.gaussianBlurred(sigma: sigma) }
        }
    }

    func testBoxWeightsOfPILsRadiusFormula() {
        // σ = 2, 3 passes: σ²/3 = 4/3, L = sqrt(17) = 4.123, l = floor(1.56) = 1,
        // a = 3·(2 − 4)/(6·(4/3 − 4)) = 0.375, so the box radius is 1.375:
        // inner = int(2²⁴ / 3.75) = 4_473_924, edge = (2²⁴ − 3·inner) / 2 = 1_677_722.
        let box = ExtendedBoxKernel(gaussianSigma: 2, passes: 3)
        XCTAssertEqual(box.radius, 1)
        XCTAssertEqual(box.inner, 4_473_924)
        XCTAssertEqual(box.edge, 1_677_722)
    }

    func testUniformImagesAndZeroSigmaAreUnchanged() {
        let uniform = RGBImage(width: 5, height: 4, pixels: [UInt8](repeating: 200, count: 60))
        XCTAssertEqual(uniform.gaussianBlurred(sigma: 3), uniform)
        let ramp = RGBImage(width: 4, height: 4, pixels: (0..<48).map { UInt8($0 * 5) })
        XCTAssertEqual(ramp.gaussianBlurred(sigma: 0), ramp)
    }

    func testRadiusBeyondTheImageReplicatesEdges() {
        // A 2×1 image blurred far beyond its size tends to a mix of its two pixels, each channel
        // staying between them.
        let image = RGBImage(width: 2, height: 1, pixels: [0, 100, 255, 255, 100, 0])
        let blurred = image.gaussianBlurred(sigma: 10)
        for (i, value) in blurred.pixels.enumerated() {
            let ends = [image.pixels[i % 3], image.pixels[3 + i % 3]]
            XCTAssertTrue((ends.min()!...ends.max()!).contains(value), "sample \(i) = \(value) outside \(ends)")
        }
        XCTAssertEqual(blurred.pixels[1], 100)
    }
}
