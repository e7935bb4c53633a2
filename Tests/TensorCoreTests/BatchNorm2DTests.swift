import XCTest
@testable import TensorCore

final class BatchNorm2DTests: XCTestCase {
    func testStateIsNamedAndInitialisedAsPyTorch() {
        let bn = BatchNorm2D(channels: 3)
        XCTAssertEqual(bn.stateEntries(prefix: "bn1.").map(\.name),
                       ["bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked"])
        XCTAssertEqual(bn.namedParameters.map(\.name), ["weight", "bias"])
        XCTAssertEqual(bn.weight.scalars, [1, 1, 1])
        XCTAssertEqual(bn.bias.scalars, [0, 0, 0])
        XCTAssertEqual(bn.runningMean.scalars, [0, 0, 0])
        XCTAssertEqual(bn.runningVariance.scalars, [1, 1, 1])
        XCTAssertEqual(bn.numBatchesTracked.value, 0)
        XCTAssertFalse(bn.runningMean.requiresGradient)
    }

    func testTrainingFlagSelectsStatistics() {
        let bn = BatchNorm2D(channels: 2)
        let x = seededTensor([2, 4, 3, 3], seed: 9, scale: 3, shift: 2, requiresGradient: false)
        let trained = bn(x)
        XCTAssertEqual(bn.numBatchesTracked.value, 1)
        // Batch statistics: every channel of the output has mean ≈ 0.
        XCTAssertEqual(trained.scalars[0..<36].reduce(0, +) / 36, 0, accuracy: 1e-5)

        bn.setTraining(false)
        let runningMean = bn.runningMean.scalars
        let evaluated = bn(x)
        XCTAssertEqual(bn.numBatchesTracked.value, 1)
        XCTAssertEqual(bn.runningMean.scalars, runningMean)
        // Evaluation normalises with the running statistics (γ = 1, β = 0).
        XCTAssertEqual(evaluated.data[0], (x.data[0] - runningMean[0]) / (bn.runningVariance.data[0] + 1e-5).squareRoot(),
                       accuracy: 1e-5)
    }

    func testGroupsSplitTheBatch() {
        let bn = BatchNorm2D(channels: 1)
        bn.groups = 2
        // Sub-batch 0 holds 1, 3 and sub-batch 1 holds 101, 103: each is normalised with its
        // own mean (2, 102) and variance (1), so both become −1, 1.
        let x = Tensor(shape: [1, 2, 1, 2], scalars: [1, 3, 101, 103])
        let y = bn(x)
        assertElementsEqual(y, [-1, 1, -1, 1], accuracy: 1e-4)
    }
}
