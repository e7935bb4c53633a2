import Augment
import Foundation
import TensorCore
import XCTest
@testable import CLSA

/// The supervised arm: `objective` supervised through `PretrainingRun`, its checkpoints, and
/// `SupervisedClassifierEvaluation`.
final class SupervisedTrainingTests: XCTestCase {
    private var folder: String!

    override func setUpWithError() throws {
        folder = try PretrainingFixtures.temporaryFolder(for: self)
    }

    private func supervisedConfiguration(epochs: Int) -> PretrainingConfiguration {
        var configuration = PretrainingFixtures.tinyConfiguration(epochs: epochs)
        configuration.objective = .supervised
        return configuration
    }

    private func settings(_ name: String, saveEvery: Int? = nil) -> RunSettings {
        RunSettings(runDirectory: folder + "/" + name, data: "colours", workers: 1, threads: 2,
                    saveEvery: saveEvery, keep: 2, knnEvery: nil)
    }

    /// The loader makes view T alone, and no strong views.
    func testMakesOneWeakView() throws {
        let configuration = supervisedConfiguration(epochs: 1)
        let views = try configuration.views()
        XCTAssertEqual(views.viewShapes.map(\.height), [16])
        XCTAssertFalse(configuration.usesStrongViews)
        XCTAssertThrowsError(try CLSATrainer(configuration: configuration, stepsPerEpoch: 1))
    }

    /// Both arms of a study start from one initialisation: the supervised backbone is the CLSA
    /// query backbone of the same configuration, bit for bit.
    func testStartsFromTheContrastiveArmsInitialisation() throws {
        let supervised = try SupervisedTrainer(configuration: supervisedConfiguration(epochs: 1), stepsPerEpoch: 1, classCount: 3)
        let contrastive = try CLSATrainer(configuration: PretrainingFixtures.tinyConfiguration(epochs: 1), stepsPerEpoch: 1)
        let backboneNames = Set(contrastive.backbone.state.map(\.name))
        let supervisedBackbone = supervised.network.state.filter { backboneNames.contains($0.name) }
        XCTAssertEqual(supervisedBackbone.count, backboneNames.count)
        for (mine, theirs) in zip(supervisedBackbone, contrastive.backbone.state) {
            guard case .float(let a) = mine.value, case .float(let b) = theirs.value else { continue }
            XCTAssertEqual(a.scalars, b.scalars, mine.name)
        }
        XCTAssertEqual(supervised.network.fc?.weight.shape, [3, contrastive.backbone.featureDimension])
    }

    /// A few epochs on colour-coded classes give a classifier that sorts held-out images of
    /// the same classes; the checkpoint's classifier is what `evaluate` scores.
    func testLearnsTheClassesAndEvaluatesItsOwnClassifier() throws {
        let train = try EvaluationFixtures.colourDataset(perClass: 16, seed: 1)
        let heldOut = try EvaluationFixtures.colourDataset(perClass: 10, seed: 2)
        var configuration = supervisedConfiguration(epochs: 6)
        // At 0.1 the loss jumps about from step 8 on, and whether the last step lands on 67 or
        // 100 % held out turns on the last bits of the convolutions' sums.
        configuration.learningRate = 0.02
        let summary = try PretrainingRun(configuration: configuration, settings: settings("learn"), dataset: train).run()
        XCTAssertEqual(summary.completedSteps, 36)
        let checkpoint = try XCTUnwrap(summary.lastCheckpoint)

        let before = try SupervisedClassifierEvaluation.evaluate(checkpoint: checkpoint, on: heldOut, workerCount: 0)
        XCTAssertEqual(before.count, 30)
        XCTAssertGreaterThanOrEqual(before.top1, 90, "held-out top-1 after 36 steps")
        XCTAssertEqual(before.top5, 100)
        let restored = try XCTUnwrap(try TrainingCheckpoint(path: checkpoint).makeTrainer() as? SupervisedTrainer)
        XCTAssertEqual(restored.classCount, 3)
        XCTAssertEqual(restored.completedSteps, 36)
    }

    /// Cancelled mid-epoch and resumed, the run records bit for bit the losses of an
    /// uninterrupted one.
    func testCancelledRunResumesExactly() throws {
        let train = try EvaluationFixtures.colourDataset(perClass: 16, seed: 1)
        let configuration = supervisedConfiguration(epochs: 2)
        _ = try PretrainingRun(configuration: configuration, settings: settings("whole"), dataset: train).run()
        var run: PretrainingRun!
        run = try PretrainingRun(configuration: configuration, settings: settings("split"), dataset: train, events: { event in
            if case .step(let progress) = event, progress.metrics.step == 4 { run.cancellation.cancel() }
        })
        XCTAssertTrue(try run.run().interrupted)
        let resumed = try PretrainingRun(configuration: configuration, settings: settings("split"), dataset: train,
                                         resume: .auto).run()
        XCTAssertEqual(resumed.completedSteps, 12)
        let whole = try PretrainingFixtures.stepLosses(inMetrics: folder + "/whole/metrics.jsonl")
        XCTAssertEqual(whole.count, 12)
        XCTAssertEqual(try PretrainingFixtures.stepLosses(inMetrics: folder + "/split/metrics.jsonl"), whole)
    }

    /// Unlabelled data is refused before the first step, naming the objective and the data.
    func testRefusesUnlabelledData() throws {
        let unlabelled = InMemoryDataset(images: PretrainingFixtures.images(count: 16))
        let run = try PretrainingRun(configuration: supervisedConfiguration(epochs: 1), settings: settings("unlabelled"),
                                 dataset: unlabelled)
        XCTAssertThrowsError(try run.run()) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("`objective` supervised needs labelled data"), message)
            XCTAssertTrue(message.contains("'colours'"), message)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/unlabelled/checkpoints"))
    }

    /// `evaluate` refuses a contrastive checkpoint (no classifier) and a set with other classes.
    func testEvaluationRefusesWhatItCannotScore() throws {
        let train = try EvaluationFixtures.colourDataset(perClass: 8, seed: 1)
        let contrastive = try PretrainingRun(configuration: PretrainingFixtures.tinyConfiguration(epochs: 1),
                                             settings: settings("clsa"), dataset: train).run()
        XCTAssertThrowsError(try SupervisedClassifierEvaluation.evaluate(
            checkpoint: try XCTUnwrap(contrastive.lastCheckpoint), on: train, workerCount: 0)) { error in
            XCTAssertTrue("\(error)".contains("objective clsa, not of a supervised run"), "\(error)")
        }
        let supervised = try PretrainingRun(configuration: supervisedConfiguration(epochs: 1), settings: settings("supervised"),
                                            dataset: train).run()
        let twoClasses = try EvaluationFixtures.colourDataset(perClass: 4, classes: 2, seed: 3)
        XCTAssertThrowsError(try SupervisedClassifierEvaluation.evaluate(
            checkpoint: try XCTUnwrap(supervised.lastCheckpoint), on: twoClasses, workerCount: 0)) { error in
            XCTAssertEqual(error as? EvaluationError, .classCountMismatch(classifier: 3, dataset: 2))
        }
    }
}
