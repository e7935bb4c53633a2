import XCTest
@testable import TensorCore

final class SoftmaxTests: XCTestCase {
    func testRowsAreDistributionsConsistentWithLogSoftmax() {
        let x = seededTensor([4, 9], seed: 1, scale: 3)
        let probabilities = softmax(x), logProbabilities = logSoftmax(x)
        for row in 0..<4 {
            XCTAssertEqual(probabilities.scalars[(row * 9)..<(row * 9 + 9)].reduce(0, +), 1, accuracy: 1e-6)
        }
        assertElementsEqual(probabilities, logProbabilities.scalars.map { exp($0) }, accuracy: 1e-6)
    }

    func testLargeLogitsStayFinite() {
        // exp(1000) overflows Float; the max shift makes the largest term exp(0) = 1.
        let x = Tensor(shape: [2, 3], scalars: [1000, -1000, 0, -1000, -1000, -999])
        assertElementsEqual(softmax(x), [1, 0, 0, 0.2119416, 0.2119416, 0.5761169], accuracy: 1e-6)
        // Row 0: ℓ = 1000 (+ e^−1000 + e^−2000, lost); row 1: ℓ = −999 + log(1 + 2/e) = −998.4486.
        assertElementsEqual(logSoftmax(x), [0, -2000, -1000, -1.5514448, -1.5514448, -0.5514448], accuracy: 1e-4)
    }

    func testGradientChecks() {
        let x = seededTensor([3, 6], seed: 2, scale: 2)
        assertGradientsMatch([x]) { t in softmax(t[0]) }
        assertGradientsMatch([x]) { t in logSoftmax(t[0]) }
    }
}
