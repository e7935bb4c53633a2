import TensorCore
import XCTest
@testable import CLSA

/// The standardised probe's BatchNorm without affine, against values worked out by hand, and the
/// probe that uses it.
final class FeatureStandardizationTests: XCTestCase {
    /// Batch [[1, 10], [3, 30]]: means (2, 20), biased variances (1, 100), unbiased (2, 200).
    func testTrainingUsesTheBatchAndUpdatesRunningEstimatesAsPyTorch() {
        let layer = FeatureStandardization(featureDimension: 2)
        let output = layer(Tensor(shape: [2, 2], scalars: [1, 10, 3, 30]))
        let expected: [Float] = [-1 / (1 + 1e-6 as Float).squareRoot(), -10 / (100 + 1e-6 as Float).squareRoot(),
                                 1 / (1 + 1e-6 as Float).squareRoot(), 10 / (100 + 1e-6 as Float).squareRoot()]
        for (value, wanted) in zip(output.scalars, expected) { XCTAssertEqual(value, wanted, accuracy: 1e-6) }
        XCTAssertEqual(layer.runningMean.scalars, [0.2, 2], "0.9·0 + 0.1·mean")
        XCTAssertEqual(layer.runningVariance.scalars[0], 0.9 + 0.1 * 2, accuracy: 1e-6)
        XCTAssertEqual(layer.runningVariance.scalars[1], 0.9 + 0.1 * 200, accuracy: 1e-5)
    }

    func testEvaluationUsesTheRunningEstimates() {
        let layer = FeatureStandardization(featureDimension: 1)
        layer.runningMean.data[0] = 4
        layer.runningVariance.data[0] = 9
        layer.setTraining(false)
        XCTAssertEqual(layer(Tensor(shape: [2, 1], scalars: [7, 1])).scalars[0], 3 / (9 + 1e-6 as Float).squareRoot())
        XCTAssertEqual(layer.runningMean.scalars, [4], "evaluation leaves the estimates alone")
    }

    /// Three colour classes through a random tiny backbone, probed with standardised features.
    func testStandardizedProbeSeparatesColourClasses() throws {
        let configuration = EvaluationFixtures.standardizedProbe()
        let evaluation = try LinearEvaluation(backbone: EvaluationFixtures.tinyBackbone(),
                                              train: try EvaluationFixtures.colourDataset(perClass: 16, seed: 1),
                                              validation: try EvaluationFixtures.colourDataset(perClass: 8, seed: 2),
                                              configuration: configuration)
        let result = try evaluation.run()
        XCTAssertGreaterThanOrEqual(result.final.top1, 90, "\(result.epochs.map(\.top1))")
        XCTAssertEqual(evaluation.classifier.stateEntries(prefix: "").map(\.name),
                       ["weight", "bias", "standardization.running_mean", "standardization.running_var"])
    }
}
