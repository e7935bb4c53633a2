import Foundation
import TensorCore
import XCTest
@testable import Augment

/// Per-op timings of the geometric ops on a 224×224 image (and the evaluation geometry on a
/// typical 500×375 photo). Runs only with `CLSA_BENCH=1`, in a release build:
/// `CLSA_BENCH=1 swift test -c release -Xswiftc -enable-testing --skip-build --filter GeometryBenchmarkTests`
final class GeometryBenchmarkTests: XCTestCase {
    func testGeometryTimings() throws {
        guard ProcessInfo.processInfo.environment["CLSA_BENCH"] == "1" else {
            throw XCTSkip("set CLSA_BENCH=1 to run the geometry benchmark")
        }
        let image = GeometryFixtures.noise(width: 224, height: 224, seed: 1)
        let photo = GeometryFixtures.noise(width: 500, height: 375, seed: 2)
        let crop = RandomResizedCrop(width: 224, height: 224, scale: 0.2...1.0)
        var random = SeededRandom(seed: 1)
        let cases: [(String, () -> RGBImage)] = [
            ("shearX 0.27", { image.shearedX(by: 0.27) }),
            ("shearY -0.1", { image.shearedY(by: -0.1) }),
            ("translateX 9", { image.translatedX(by: 9) }),
            ("translateY -20.16", { image.translatedY(by: -20.16) }),
            ("rotate 27", { image.rotated(degrees: 27) }),
            ("rotate 90 (square)", { image.rotated(degrees: 90) }),
            ("flip", { image.flippedHorizontally() }),
            ("crop 200x180", { image.cropped(x: 10, y: 20, width: 200, height: 180) }),
            ("centre crop 192", { image.centerCropped(width: 192, height: 192) }),
            ("resize 224 -> 96", { image.resized(width: 96, height: 96) }),
            ("resize 224 -> 448", { image.resized(width: 448, height: 448) }),
            ("resizedCrop 150x120 -> 224", { image.resizedCrop(x: 30, y: 50, width: 150, height: 120, toWidth: 224, toHeight: 224) }),
            ("RandomResizedCrop 224 (scale 0.2-1)", { crop.apply(to: image, using: &random) }),
            ("shorter side 256 + crop 224 (500x375)", { photo.resizedShorterSide(to: 256, centerCrop: 224) }),
        ]
        var report = ["geometry timings, median of 200 runs (µs):"]
        for (name, op) in cases {
            XCTAssertFalse(op().pixels.isEmpty, name)
            var times = [Double]()
            for _ in 0..<200 {
                let start = DispatchTime.now().uptimeNanoseconds
                let output = op()
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
                XCTAssertGreaterThan(output.width, 0)
            }
            times.sort()
            report.append("  " + name.padding(toLength: 40, withPad: " ", startingAt: 0)
                          + String(format: "%8.1f", times[times.count / 2]))
        }
        print(report.joined(separator: "\n"))
    }
}
