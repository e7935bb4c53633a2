import Augment
import Foundation
import TensorCore
import XCTest
@testable import CLSA

final class LinearEvaluationTests: XCTestCase {
    private var warnings: DataLoader.WarningSink = { line in XCTFail("unexpected warning: \(line)") }

    private func configuration(epochs: Int, cached: Bool, learningRate: Double = 10) -> LinearEvaluationConfiguration {
        var configuration = LinearEvaluationConfiguration()
        configuration.epochs = epochs
        configuration.batchSize = 16
        configuration.learningRate = learningRate
        configuration.cachedFeatures = cached
        configuration.workerCount = 2
        configuration.seed = 4
        return configuration
    }

    func testDefaultsAreThePapersProtocol() {
        let defaults = LinearEvaluationConfiguration()
        XCTAssertEqual(defaults.epochs, 100)
        XCTAssertEqual(defaults.batchSize, 256)
        XCTAssertEqual(defaults.learningRate, 10)
        XCTAssertEqual(defaults.momentum, 0.9)
        XCTAssertEqual(defaults.weightDecay, 0)
        XCTAssertEqual(defaults.cropScaleMinimum, 0.08)
        XCTAssertFalse(defaults.cachedFeatures)
    }

    /// Three colour classes through a random tiny backbone: the cached-features path learns them
    /// far above chance (33 %), with the protocol's learning rate, and the backbone is unchanged.
    func testCachedFeaturesSeparateColourClasses() throws {
        let backbone = EvaluationFixtures.tinyBackbone()
        let train = try EvaluationFixtures.colourDataset(perClass: 16, seed: 1)
        let validation = try EvaluationFixtures.colourDataset(perClass: 8, seed: 2)
        let evaluation = try LinearEvaluation(backbone: backbone, train: train, validation: validation,
                                              configuration: configuration(epochs: 20, cached: true), warningSink: warnings)
        var seen: [Int] = []
        let result = try evaluation.run { seen.append($0.epoch) }
        XCTAssertEqual(seen, Array(1...20))
        XCTAssertEqual(result.trainCount, 48)
        XCTAssertEqual(result.validationCount, 24)
        XCTAssertGreaterThanOrEqual(result.final.top1, 90, "\(result.epochs.map(\.top1))")
        XCTAssertEqual(result.final.top5, 100)
        XCTAssertLessThan(result.final.trainLoss, result.epochs[0].trainLoss)
        XCTAssertEqual(result.epochs[0].learningRate, 10)
        XCTAssertEqual(result.epochs[10].learningRate, 5, accuracy: 1e-9)
    }

    /// The protocol's path (fresh RandomResizedCrop + flip views through the backbone every epoch)
    /// also learns the classes within a few epochs.
    func testAugmentedPathSeparatesColourClasses() throws {
        let backbone = EvaluationFixtures.tinyBackbone()
        let train = try EvaluationFixtures.colourDataset(perClass: 16, seed: 1)
        let validation = try EvaluationFixtures.colourDataset(perClass: 8, seed: 2)
        let evaluation = try LinearEvaluation(backbone: backbone, train: train, validation: validation,
                                              configuration: configuration(epochs: 6, cached: false), warningSink: warnings)
        let result = try evaluation.run()
        XCTAssertNil(result.trainCount)
        XCTAssertGreaterThanOrEqual(result.final.top1, 80, "\(result.epochs.map(\.top1))")
    }

    /// Same seed, same run: the augmented path's curves repeat exactly.
    func testRunsAreReproducible() throws {
        func curve() throws -> [Double] {
            let evaluation = try LinearEvaluation(
                backbone: EvaluationFixtures.tinyBackbone(), train: try EvaluationFixtures.colourDataset(perClass: 4, seed: 1),
                validation: try EvaluationFixtures.colourDataset(perClass: 2, seed: 2),
                configuration: configuration(epochs: 2, cached: false), warningSink: warnings)
            return try evaluation.run().epochs.flatMap { [$0.trainLoss, $0.top1] }
        }
        XCTAssertEqual(try curve(), try curve())
    }

    func testUnlabelledOrMismatchedSetsAreRefused() throws {
        let backbone = EvaluationFixtures.tinyBackbone()
        let three = try EvaluationFixtures.colourDataset(perClass: 2, seed: 1)
        let two = try EvaluationFixtures.colourDataset(perClass: 2, classes: 2, seed: 1)
        let unlabelled = try IDXDataset(images: IDXFile(dimensions: [1, 4, 4], values: [UInt8](repeating: 9, count: 16)),
                                        labels: nil, name: "plain")
        let settings = configuration(epochs: 1, cached: true)
        XCTAssertThrowsError(try LinearEvaluation(backbone: backbone, train: unlabelled, validation: three, configuration: settings)) {
            XCTAssertEqual($0 as? EvaluationError, .unlabelledDataset(role: "training"))
        }
        XCTAssertThrowsError(try LinearEvaluation(backbone: backbone, train: three, validation: two, configuration: settings)) {
            XCTAssertEqual($0 as? EvaluationError, .classMismatch(train: ["red", "green", "blue"], validation: ["red", "green"]))
        }
        var bad = settings
        bad.learningRate = 0
        XCTAssertThrowsError(try LinearEvaluation(backbone: backbone, train: three, validation: three, configuration: bad)) {
            XCTAssertTrue("\($0)".contains("`learningRate`"), "\($0)")
        }
    }

    func testTopKCountsBreakTiesTowardTheLowerClass() {
        let logits = Tensor(shape: [3, 4], scalars: [0.1, 0.9, 0.3, 0.2,
                                                     0.5, 0.5, 0.5, 0.5,
                                                     4, 3, 2, 1])
        XCTAssertEqual(topKCorrectCounts(logits: logits, labels: [1, 0, 3], ks: [1, 2, 4, 5]), [2, 2, 3, 3])
        XCTAssertEqual(topKCorrectCounts(logits: logits, labels: [2, 3, 1], ks: [1, 2, 3]), [0, 2, 2])
    }

    func testTrainingViewsAreCroppedFlippedAndSeeded() {
        let augmentation = LinearEvaluationAugmentation(size: 16)
        XCTAssertEqual(augmentation.crop.scale, 0.08...1)
        XCTAssertEqual(augmentation.flipProbability, 0.5)
        let image = EvaluationFixtures.colourImage(label: 0, index: 0, seed: 3)
        let a = augmentation.views(of: image) { SeededRandom(seed: 1, UInt64($0)) }
        let b = augmentation.views(of: image) { SeededRandom(seed: 1, UInt64($0)) }
        let c = augmentation.views(of: image) { SeededRandom(seed: 2, UInt64($0)) }
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        XCTAssertEqual(a[0].width, 16)
        XCTAssertEqual(a[0].height, 16)
    }
}
