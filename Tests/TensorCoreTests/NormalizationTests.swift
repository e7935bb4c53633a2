import XCTest
@testable import TensorCore

final class NormalizationTests: XCTestCase {
    func testRowsHaveUnitNorm() {
        let y = l2Normalized(seededTensor([5, 16], seed: 1, scale: 3))
        for row in 0..<5 {
            let norm = (0..<16).reduce(0.0) { $0 + Double(y.data[row * 16 + $1] * y.data[row * 16 + $1]) }.squareRoot()
            XCTAssertEqual(norm, 1, accuracy: 1e-6)
        }
        // [3, 4] has norm 5.
        assertElementsEqual(l2Normalized(Tensor(shape: [1, 2], scalars: [3, 4])), [0.6, 0.8], accuracy: 1e-7)
    }

    func testZeroRowStaysZeroWithFiniteGradient() {
        let x = Tensor(zeros: [1, 3], requiresGradient: true)
        let y = l2Normalized(x, epsilon: 1e-3)
        XCTAssertEqual(y.scalars, [0, 0, 0])
        y.sum().backward()
        // Below ε the map is x/ε: gradient 1/ε = 1000 per entry.
        assertElementsEqual(x.gradient!, [1000, 1000, 1000], accuracy: 1e-3)
    }

    func testGradientCheck() {
        // Rows of norm ~3: the map's curvature ~1/‖x‖² is small at step 1e-2.
        let x = seededTensor([3, 8], seed: 2)
        assertGradientsMatch([x]) { t in l2Normalized(t[0]) }
    }
}
