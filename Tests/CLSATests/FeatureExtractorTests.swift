import Augment
import Foundation
import TensorCore
import XCTest
@testable import CLSA

final class FeatureExtractorTests: XCTestCase {
    /// Rows follow the dataset's order, the last short batch is kept, and each row equals the
    /// features of that image's evaluation view computed alone (eval-mode BN: no batch dependence).
    func testRowsAreTheEvaluationViewsFeaturesInOrder() throws {
        let backbone = EvaluationFixtures.tinyBackbone()
        let dataset = try EvaluationFixtures.colourDataset(perClass: 3, classes: 3, seed: 2)
        let extracted = try FeatureExtractor(backbone: backbone, batchSize: 4, workerCount: 2).extract(dataset)
        XCTAssertEqual(extracted.features.shape, [9, 32])
        XCTAssertEqual(extracted.indices, Array(0..<9))
        XCTAssertEqual(extracted.classLabels, [0, 0, 0, 1, 1, 1, 2, 2, 2])
        XCTAssertEqual(extracted.skippedCount, 0)
        let extractor = FeatureExtractor(backbone: backbone)
        for index in [0, 4, 8] {
            let view = backbone.evaluationTransform.view(of: try dataset.loadImage(at: index))
            let alone = extractor.features(of: backbone.normalization.batch([view]))
            let row = Array(extracted.features.scalars[(index * 32)..<((index + 1) * 32)])
            for (a, b) in zip(alone.scalars, row) { XCTAssertEqual(a, b, accuracy: 1e-4 * max(1, abs(a))) }
        }
    }

    /// Extraction leaves the running statistics alone, records no graph, and restores training mode.
    func testBackboneStaysFrozenAndKeepsItsMode() throws {
        let backbone = EvaluationFixtures.tinyBackbone()
        backbone.network.setTraining(true)
        let before = StateFingerprint(of: backbone.network)
        let features = FeatureExtractor(backbone: backbone).features(of: Tensor(shape: [2, 3, 16, 16], repeating: 0.3))
        XCTAssertFalse(features.requiresGradient)
        XCTAssertTrue(backbone.network.bn1.isTraining)
        XCTAssertEqual(StateFingerprint(of: backbone.network), before)
        backbone.network.setTraining(false)
        _ = FeatureExtractor(backbone: backbone).features(of: Tensor(shape: [1, 3, 16, 16], repeating: 0.3))
        XCTAssertFalse(backbone.network.bn1.isTraining)
    }
}
