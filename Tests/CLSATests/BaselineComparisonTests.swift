import Augment
import Foundation
import TensorCore
import XCTest
@testable import CLSA

/// The final probe: the pretrained backbone's kNN beside the untrained one it started from and
/// the raw pixels, each figure the one `KNNMonitor` gives for that source alone.
final class BaselineComparisonTests: XCTestCase {
    /// The untrained backbone is the run's own starting point: a trainer's query backbone
    /// before its first step, bit for bit.
    func testInitialBackboneIsTheTrainersStartingPoint() throws {
        let configuration = PretrainingFixtures.tinyConfiguration()
        let trainer = try CLSATrainer(configuration: configuration, stepsPerEpoch: 4)
        XCTAssertEqual(StateFingerprint(of: try CLSATrainer.initialBackbone(for: configuration)),
                       StateFingerprint(of: trainer.backbone))
        var other = configuration
        other.seed += 1
        XCTAssertNotEqual(StateFingerprint(of: try CLSATrainer.initialBackbone(for: other)),
                          StateFingerprint(of: trainer.backbone))
        other.objective = .supervised
        XCTAssertThrowsError(try CLSATrainer.initialBackbone(for: other))
    }

    /// Each score is the monitor's figure for its source: the given network, the seed's
    /// initialisation, and the pixels at the run's image size and normalisation.
    func testScoresAreTheMonitorsFiguresForEachSource() throws {
        var configuration = PretrainingFixtures.tinyConfiguration()
        configuration.mean = [0.4, 0.5, 0.6]
        configuration.standardDeviation = [0.2, 0.25, 0.3]
        let train = try EvaluationFixtures.colourDataset(perClass: 10, seed: 1)
        let validation = try EvaluationFixtures.colourDataset(perClass: 5, seed: 2)
        let comparison = BaselineComparison(train: train, validation: validation, configuration: configuration, workerCount: 1)
        var trainedConfiguration = configuration
        trainedConfiguration.seed = 99
        let pretrained = try CLSATrainer.initialBackbone(for: trainedConfiguration)
        let scores = try comparison.scores(pretrained: pretrained)

        let normalization = Normalization(mean: configuration.mean, standardDeviation: configuration.standardDeviation)
        let monitor = try KNNMonitor(train: train, validation: validation, imageSize: configuration.imageSize,
                                     normalization: normalization, workerCount: 1)
        XCTAssertEqual(scores.pretrained, try monitor.top1Accuracy(of: pretrained))
        XCTAssertEqual(scores.untrained, try monitor.top1Accuracy(of: try CLSATrainer.initialBackbone(for: configuration)))
        XCTAssertEqual(scores.rawPixels, try monitor.top1Accuracy(of: RawPixels(imageSize: configuration.imageSize,
                                                                              normalization: normalization)))
        // The colour classes are separable by their pixels alone.
        XCTAssertEqual(scores.rawPixels, 100)
    }

    /// `clsa pretrain --final-probe knn` ends with the three named lines; `off`, and the default
    /// for data other than a preset's own, print none; knn without labelled data is refused.
    func testPretrainPrintsTheThreeLines() throws {
        let folder = try PretrainingFixtures.temporaryFolder(for: self)
        try EvaluationFixtures.writeColourFolder(folder + "/train", perClass: 8, seed: 1)
        try EvaluationFixtures.writeColourFolder(folder + "/val", perClass: 4, seed: 2)
        let arguments = ["pretrain", "--data", folder + "/train", "--arch", "resnet18-small", "--base-width", "4",
                         "--image-size", "16", "--strong-sizes", "8", "--batch-size", "8", "--queue-size", "32",
                         "--dim", "16", "--hidden", "16", "--epochs", "1", "--threads", "1", "--workers", "0"]
        let probed = try ClsaExecutable.run(arguments + ["--out", folder + "/probed", "--val-data", folder + "/val",
                                                         "--final-probe", "knn"])
        XCTAssertEqual(probed.status, 0, probed.standardError)
        let lines = probed.standardOutput.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.suffix(3).map { $0.split(separator: " ").first.map(String.init) }, ["pretrained", "untrained", "raw"],
                       probed.standardOutput)
        XCTAssertTrue(lines.last!.hasPrefix("raw pixels  100.00 %"), probed.standardOutput)

        let plain = try ClsaExecutable.run(arguments + ["--out", folder + "/plain", "--val-data", folder + "/val"])
        XCTAssertEqual(plain.status, 0, plain.standardError)
        XCTAssertFalse(plain.standardOutput.contains("pretrained "), plain.standardOutput)

        let unlabelled = try ClsaExecutable.run(arguments + ["--out", folder + "/refused", "--final-probe", "knn"])
        XCTAssertEqual(unlabelled.status, 2, unlabelled.standardError)
        XCTAssertTrue(unlabelled.standardError.contains("--final-probe knn needs --val-data"), unlabelled.standardError)
    }
}
