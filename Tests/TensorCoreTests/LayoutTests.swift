import GradientChecking
import XCTest
@testable import TensorCore

final class LayoutTests: XCTestCase {
    func testChannelMajorMovesPlanes() {
        // [N=2, C=3, 1, 2] with x[n, c, 0, w] = 100n + 10c + w.
        var values: [Float] = []
        for n in 0..<2 { for c in 0..<3 { for w in 0..<2 { values.append(Float(100 * n + 10 * c + w)) } } }
        let x = Tensor(shape: [2, 3, 1, 2], scalars: values)
        let y = channelMajor(x)
        XCTAssertEqual(y.shape, [3, 2, 1, 2])
        XCTAssertEqual(y.scalars, [0, 1, 100, 101, 10, 11, 110, 111, 20, 21, 120, 121])
        XCTAssertEqual(batchMajor(y).scalars, x.scalars)
        XCTAssertEqual(batchMajor(y).shape, x.shape)
    }

    func testLayoutGradientChecks() {
        // A permutation is linear: step 1e-2, tolerance 1e-3 as for the convolution.
        let x = Tensor.seededNormal([3, 4, 2, 5], seed: 12, requiresGradient: true)
        for transform in [channelMajor, batchMajor] {
            // Used twice so the second backward adds into an existing gradient.
            let results = GradientCheck.run(inputs: [x]) { t in transform(t[0]) + transform(t[0] * 3) }
            XCTAssertLessThan(results[0].relativeError, 1e-3)
        }
    }

    func testRoundTripOnSinglePixelPlanes() {
        let x = Tensor.seededNormal([5, 7, 1, 1], seed: 13)
        XCTAssertEqual(batchMajor(channelMajor(x)).scalars, x.scalars)
        XCTAssertEqual(channelMajor(x).scalars[1], x.scalars[7])
    }
}
