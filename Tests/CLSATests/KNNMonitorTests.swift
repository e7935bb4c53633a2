import Foundation
import Augment
import TensorCore
import XCTest
@testable import CLSA

final class KNNMonitorTests: XCTestCase {
    /// The monitor scores the validation set's evaluation-view features against the training
    /// set's with its classifier, and leaves the network in training mode with its state untouched.
    /// (Colour classes through a random backbone differ mostly in feature length, which cosine
    /// similarity ignores, so the score itself is compared with a direct computation, not a bar.)
    func testMonitorIsTheClassifierOnEvaluationFeaturesAndLeavesTheNetworkAlone() throws {
        let backbone = EvaluationFixtures.tinyBackbone()
        backbone.network.setTraining(true)
        let before = StateFingerprint(of: backbone.network)
        let train = try EvaluationFixtures.colourDataset(perClass: 10, seed: 1)
        let validation = try EvaluationFixtures.colourDataset(perClass: 5, seed: 2)
        let knn = WeightedKNN(k: 5)
        let monitor = try KNNMonitor(train: train, validation: validation, imageSize: backbone.imageSize,
                                     normalization: backbone.normalization, classifier: knn, batchSize: 8, workerCount: 2)
        let top1 = try monitor.top1Accuracy(of: backbone.network)
        XCTAssertTrue(backbone.network.bn1.isTraining)
        XCTAssertEqual(StateFingerprint(of: backbone.network), before)

        let extractor = FeatureExtractor(backbone: backbone, batchSize: 3)
        let trainFeatures = try extractor.extract(train), validationFeatures = try extractor.extract(validation)
        let expected = knn.top1Accuracy(queries: validationFeatures.features, queryLabels: validationFeatures.classLabels!,
                                        train: trainFeatures.features, trainLabels: trainFeatures.classLabels!, classCount: 3)
        XCTAssertEqual(top1, expected)
        XCTAssertTrue((0...100).contains(top1))
    }

    /// Shared by replicas, each with its own copy of the network, the monitor gives every rank
    /// the figure one process computes, also where the sets do not divide by the ranks (30
    /// training and 15 validation images over 2 and 4).
    func testSharedMonitorGivesEveryRankTheOneProcessFigure() throws {
        let train = try EvaluationFixtures.colourDataset(perClass: 10, seed: 1)
        let validation = try EvaluationFixtures.colourDataset(perClass: 5, seed: 2)
        let reference = EvaluationFixtures.tinyBackbone()
        let monitor = try KNNMonitor(train: train, validation: validation, imageSize: reference.imageSize,
                                     normalization: reference.normalization, classifier: WeightedKNN(k: 5),
                                     batchSize: 4, workerCount: 0)
        let expected = try monitor.top1Accuracy(of: reference.network)
        for replicas in [2, 4] {
            let figures = RankFigures(count: replicas)
            try ThreadProcessGroup.run(replicas: replicas) { group in
                let network = EvaluationFixtures.tinyBackbone().network
                figures.set(group.rank, try monitor.top1Accuracy(of: network, sharedBy: group))
            }
            XCTAssertEqual(figures.values, Array(repeating: expected as Double?, count: replicas), "\(replicas) replicas")
        }
    }

    /// One figure per rank, set from the replicas' threads.
    private final class RankFigures: @unchecked Sendable {
        private let lock = NSLock()
        private var figures: [Double?]
        init(count: Int) { figures = Array(repeating: nil, count: count) }
        func set(_ rank: Int, _ value: Double) { lock.withLock { figures[rank] = value } }
        var values: [Double?] { lock.withLock { figures } }
    }

    func testDefaultsAreKTwoHundredAtTemperatureOneTenth() throws {
        let set = try EvaluationFixtures.colourDataset(perClass: 1, seed: 1)
        let monitor = try KNNMonitor(train: set, validation: set, imageSize: 16, normalization: .imageNet)
        XCTAssertEqual(monitor.classifier, WeightedKNN(k: 200, temperature: 0.1))
    }

    func testUnlabelledSetIsRefused() throws {
        let labelled = try EvaluationFixtures.colourDataset(perClass: 1, seed: 1)
        let unlabelled = try IDXDataset(images: IDXFile(dimensions: [1, 4, 4], values: [UInt8](repeating: 9, count: 16)),
                                        labels: nil, name: "plain")
        XCTAssertThrowsError(try KNNMonitor(train: labelled, validation: unlabelled, imageSize: 16, normalization: .imageNet)) {
            XCTAssertEqual($0 as? EvaluationError, .unlabelledDataset(role: "kNN validation"))
        }
    }
}
