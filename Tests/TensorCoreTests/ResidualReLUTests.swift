import GradientChecking
import XCTest
@testable import TensorCore

final class ResidualReLUTests: XCTestCase {
    func testValuesAndGradientsByHand() {
        let a = Tensor(shape: [4], scalars: [1, -2, 0.5, -0.25], requiresGradient: true)
        let b = Tensor(shape: [4], scalars: [1, 1, -1, 0.5], requiresGradient: true)
        let out = addingReLU(a, b)
        XCTAssertEqual(out.scalars, [2, 0, 0, 0.25])
        out.backward(seed: Tensor(shape: [4], scalars: [1, 2, 3, 4]))
        XCTAssertEqual(a.gradient?.scalars, [1, 0, 0, 4])
        XCTAssertEqual(b.gradient?.scalars, [1, 0, 0, 4])
    }

    func testGradientCheck() {
        // Inputs spaced away from a + b = 0, so no finite-difference step crosses the kink.
        var random = SeededRandom(seed: 5)
        let values = (0..<24).map { _ in Float(random.uniform(0.2, 1)) * (random.bernoulli(0.5) ? 1 : -1) }
        let a = Tensor(shape: [2, 12], scalars: values, requiresGradient: true)
        let b = Tensor(shape: [2, 12], scalars: values.map { $0 * 0.5 }, requiresGradient: true)
        for result in GradientCheck.run(inputs: [a, b], step: 1e-2, { t in addingReLU(t[0], t[1]) }) {
            XCTAssertLessThan(result.relativeError, 1e-3)
        }
    }
}
