import XCTest
@testable import TensorCore

final class ConcatenationTests: XCTestCase {
    func testAlongColumnsAndRows() {
        let a = Tensor(shape: [2, 1], scalars: [1, 2]), b = Tensor(shape: [2, 2], scalars: [3, 4, 5, 6])
        let columns = concatenate([a, b], alongColumns: true)
        XCTAssertEqual(columns.shape, [2, 3])
        XCTAssertEqual(columns.scalars, [1, 3, 4, 2, 5, 6])

        let c = Tensor(shape: [1, 2], scalars: [7, 8])
        let rows = concatenate([b, c])
        XCTAssertEqual(rows.shape, [3, 2])
        XCTAssertEqual(rows.scalars, [3, 4, 5, 6, 7, 8])
    }

    func testGradientsSplitBackAndAccumulateForRepeatedInputs() {
        let a = Tensor(shape: [2, 1], scalars: [1, 2], requiresGradient: true)
        let b = Tensor(shape: [2, 2], scalars: [3, 4, 5, 6], requiresGradient: true)
        let weights = Tensor(shape: [2, 4], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
        // Output [a | b | a]: a's gradient collects columns 0 and 3 of the weights.
        (concatenate([a, b, a], alongColumns: true) * weights).sum().backward()
        XCTAssertEqual(a.gradient?.scalars, [1 + 4, 5 + 8])
        XCTAssertEqual(b.gradient?.scalars, [2, 3, 6, 7])
    }

    func testGradientChecks() {
        let a = seededTensor([3, 2], seed: 1), b = seededTensor([3, 4], seed: 2), c = seededTensor([1, 2], seed: 3)
        assertGradientsMatch([a, b]) { t in concatenate(t, alongColumns: true) }
        assertGradientsMatch([a, c]) { t in concatenate(t) }
    }
}
