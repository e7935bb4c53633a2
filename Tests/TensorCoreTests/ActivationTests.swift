import XCTest
@testable import TensorCore

final class ActivationTests: XCTestCase {
    func testForwardAndGradientFollowTheOutputSign() {
        let x = Tensor(shape: [5], scalars: [-2, -0.5, 0, 0.5, 3], requiresGradient: true)
        let y = relu(x)
        XCTAssertEqual(y.scalars, [0, 0, 0, 0.5, 3])
        (y * Tensor(shape: [5], scalars: [1, 2, 3, 4, 5])).sum().backward()
        // ReLU′(0) = 0, as PyTorch.
        XCTAssertEqual(x.gradient?.scalars, [0, 0, 0, 4, 5])
    }

    func testGradientCheck() {
        // Kinks at 0 break finite differences: keep every entry at least 0.1 ≫ step away from it.
        let x = seededTensor([4, 7], seed: 1)
        for i in 0..<x.count { x.data[i] += x.data[i] < 0 ? -0.1 : 0.1 }
        assertGradientsMatch([x]) { t in relu(t[0]) }
    }

    func testInPlaceAfterBatchNormMatchesOutOfPlace() {
        func run(inPlace: Bool) -> (output: [Float], gradient: [Float], sharesStorage: Bool) {
            let x = seededTensor([2, 3, 2, 2], seed: 8)
            let weight = Tensor(shape: [2], repeating: 1, requiresGradient: true)
            let bias = Tensor(shape: [2], scalars: [0.2, -0.3], requiresGradient: true)
            let normalised = batchNorm2d(x, weight: weight, bias: bias, runningMean: Tensor(zeros: [2]),
                                         runningVariance: Tensor(shape: [2], repeating: 1),
                                         numBatchesTracked: nil, training: true)
            let y = relu(normalised, inPlace: inPlace)
            let projection = seededTensor(y.shape, seed: 2, requiresGradient: false)
            (y * projection).sum().backward()
            return (y.scalars, x.gradient!.scalars, y.storage === normalised.storage)
        }
        let separate = run(inPlace: false), shared = run(inPlace: true)
        XCTAssertFalse(separate.sharesStorage)
        XCTAssertTrue(shared.sharesStorage)
        XCTAssertEqual(shared.output, separate.output)
        XCTAssertEqual(shared.gradient, separate.gradient)
    }
}
