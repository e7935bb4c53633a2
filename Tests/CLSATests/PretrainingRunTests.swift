import Augment
import Foundation
import TensorCore
import XCTest
@testable import CLSA

final class PretrainingRunTests: XCTestCase {
    private var folder: String!
    /// 64 images: 8 steps of 8 per epoch.
    private let dataset = InMemoryDataset(images: PretrainingFixtures.images(count: 64))

    override func setUpWithError() throws {
        folder = try PretrainingFixtures.temporaryFolder(for: self)
    }

    private func settings(_ name: String, workers: Int = 1, saveEvery: Int? = 3, knnEvery: Int? = nil) -> RunSettings {
        RunSettings(runDirectory: folder + "/" + name, data: "memory", workers: workers, threads: 2,
                    saveEvery: saveEvery, keep: 2, knnEvery: knnEvery)
    }

    private func metrics(_ name: String) -> String { folder + "/" + name + "/metrics.jsonl" }

    /// Cancelled mid-epoch (as Ctrl-C does) and resumed with `auto` and another worker count,
    /// the run records bit for bit the losses of an uninterrupted run.
    func testCancelledRunResumesExactly() throws {
        let configuration = PretrainingFixtures.tinyConfiguration()
        let whole = try PretrainingRun(configuration: configuration, settings: settings("whole"), dataset: dataset).run()
        XCTAssertEqual(whole.completedSteps, 16)
        XCTAssertFalse(whole.interrupted)

        var run: PretrainingRun!
        run = try PretrainingRun(configuration: configuration, settings: settings("split", workers: 3), dataset: dataset,
                             events: { event in
            if case .step(let progress) = event, progress.metrics.step == 5 { run.cancellation.cancel() }
        })
        let first = try run.run()
        XCTAssertTrue(first.interrupted)
        XCTAssertEqual(first.completedSteps, 5)
        let saved = try TrainingCheckpoint(path: try XCTUnwrap(first.lastCheckpoint))
        XCTAssertEqual(saved.position, RunPosition(epoch: 0, step: 5, epochPosition: 40))

        let second = try PretrainingRun(configuration: configuration, settings: settings("split", workers: 2),
                                        dataset: dataset, resume: .auto).run()
        XCTAssertEqual(second.completedSteps, 16)
        let expected = try PretrainingFixtures.stepLosses(inMetrics: metrics("whole"))
        XCTAssertEqual(expected.count, 16)
        XCTAssertEqual(try PretrainingFixtures.stepLosses(inMetrics: metrics("split")), expected)
    }

    /// `auto` skips, with a warning naming it, a checkpoint that reads and validates but does not
    /// restore (its queue has the wrong shape), and resumes the one before it bit for bit.
    func testAutoResumeSkipsACheckpointThatDoesNotRestore() throws {
        let configuration = PretrainingFixtures.tinyConfiguration()
        _ = try PretrainingRun(configuration: configuration, settings: settings("whole"), dataset: dataset).run()
        var run: PretrainingRun!
        run = try PretrainingRun(configuration: configuration, settings: settings("split"), dataset: dataset,
                                 events: { event in
            if case .step(let progress) = event, progress.metrics.step == 7 { run.cancellation.cancel() }
        })
        _ = try run.run()
        let checkpoints = CheckpointDirectory(runDirectory: folder + "/split")
        XCTAssertEqual(checkpoints.files().map(\.step), [6, 7])
        let newest = try XCTUnwrap(checkpoints.files().last).path
        let reader = try SafeTensorsReader(path: newest)
        var writer = SafeTensorsWriter()
        for name in reader.names {
            if reader.entries[name]!.dtype == .i64 {
                writer.add(name, int64: try reader.int64s(name), shape: reader.entries[name]!.shape)
            } else {
                let tensor = try reader.tensor(name)
                writer.add(name, name == "queue.keys" ? tensor.reshaped([tensor.shape[1], tensor.shape[0]]) : tensor)
            }
        }
        writer.metadata = reader.metadata
        try writer.write(to: newest)
        XCTAssertNoThrow(try TrainingCheckpoint(path: newest), "the file itself is valid")

        var warnings: [String] = []
        let resumed = try PretrainingRun(configuration: configuration, settings: settings("split"), dataset: dataset,
                                         resume: .auto, events: { event in
            if case .warning(let line) = event { warnings.append(line) }
        }).run()
        XCTAssertEqual(resumed.completedSteps, 16)
        XCTAssertTrue(warnings.contains { $0.hasPrefix("warning: skipping") && $0.contains(newest) && $0.contains("queue.keys") },
                      "\(warnings)")
        XCTAssertEqual(try PretrainingFixtures.stepLosses(inMetrics: metrics("split")),
                       try PretrainingFixtures.stepLosses(inMetrics: metrics("whole")))
    }

    /// metrics.jsonl has a record per step with the documented fields, then one per epoch;
    /// config.json has the configuration and provenance; checkpoints rotate.
    func testRunRecords() throws {
        var seen: [String] = []
        let summary = try PretrainingRun(configuration: PretrainingFixtures.tinyConfiguration(), settings: settings("records"),
                                         dataset: dataset, events: { event in
            switch event {
            case .started: seen.append("started")
            case .estimate(let total, _): seen.append("estimate"); XCTAssertGreaterThan(total, 0)
            default: break
            }
        }).run()
        XCTAssertEqual(seen, ["started", "estimate"])
        let read = try JSONLines.read(MetricsRecord.self, contentsOf: metrics("records"))
        XCTAssertEqual(read.skippedLines, 0)
        let records = read.records.map(\.record)
        XCTAssertEqual(records.count, 18)
        let lines = read.records.map(\.line)
        for key in ["step", "epoch", "loss", "loss_c", "loss_d", "lr", "images_per_s", "type"] {
            XCTAssertTrue(lines[0].contains("\"\(key)\":"), "\(key) in \(lines[0])")
        }
        guard case .step(let first) = records[0], case .epoch(let epoch) = records[8] else {
            return XCTFail("records 0 and 8: \(records[0]), \(records[8])")
        }
        XCTAssertEqual(records.filter { if case .step = $0 { return true } else { return false } }.count, 16)
        XCTAssertEqual(first.learningRate, 0.05)
        XCTAssertEqual(first.step, 1)
        XCTAssertEqual(epoch.epoch, 0)
        XCTAssertEqual(epoch.step, 8)

        let config = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: folder + "/records/config.json"))) as! [String: Any]
        XCTAssertEqual((config["provenance"] as? [String: Any])?.keys.sorted(), ["blas_core", "cpu_model", "version"])
        XCTAssertEqual(config["seed"] as? Int, 7)
        XCTAssertEqual((config["configuration"] as? [String: Any])?["architecture"] as? String, "resnet18-small")
        XCTAssertEqual(config["steps_per_epoch"] as? Int, 8)

        XCTAssertEqual(CheckpointDirectory(runDirectory: folder + "/records").files().map(\.step), [15, 16])
        XCTAssertEqual(summary.lastCheckpoint, CheckpointDirectory(runDirectory: folder + "/records").file(forStep: 16))
    }

    /// Key groups left to the default rule are recorded as the number it chose, in config.json
    /// and the checkpoints; resuming with other groups is refused, naming them.
    func testKeyGroupsAreRecordedResolved() throws {
        var configuration = PretrainingFixtures.tinyConfiguration(epochs: 1)
        configuration.keyShuffleGroups = nil
        configuration.batchSize = 12
        configuration.queueSize = 36
        let run = try PretrainingRun(configuration: configuration, settings: settings("groups", saveEvery: nil), dataset: dataset)
        XCTAssertEqual(run.configuration.keyShuffleGroups, 6)
        let summary = try run.run()
        let config = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: folder + "/groups/config.json"))) as! [String: Any]
        XCTAssertEqual((config["configuration"] as? [String: Any])?["key_shuffle_groups"] as? Int, 6)
        let checkpoint = try TrainingCheckpoint(path: try XCTUnwrap(summary.lastCheckpoint))
        XCTAssertEqual(checkpoint.configuration.keyShuffleGroups, 6)
        XCTAssertEqual(try XCTUnwrap(try checkpoint.makeTrainer() as? CLSATrainer).key.shuffleGroups, 6)

        configuration.keyShuffleGroups = 3
        XCTAssertThrowsError(try PretrainingRun(configuration: configuration, settings: settings("groups"), dataset: dataset,
                                                resume: .auto).run()) { error in
            XCTAssertTrue(error is ResumeMismatchError, "\(error)")
            XCTAssertTrue("\(error)".contains("key groups: checkpoint has 6, this run has 3"), "\(error)")
        }
    }

    /// A parameter poisoned with NaN (by the monitor, after the epoch's checkpoint is written)
    /// stops the run at the next step, naming it, and no checkpoint is written or changed.
    func testNonFiniteLossStopsWithoutTouchingTheLastCheckpoint() throws {
        let runSettings = settings("nan", saveEvery: nil, knnEvery: 1)
        let checkpoints = CheckpointDirectory(runDirectory: runSettings.runDirectory)
        var savedBytes: Data?
        let run = try PretrainingRun(configuration: PretrainingFixtures.tinyConfiguration(), settings: runSettings,
                                 dataset: dataset, knnMonitor: { backbone in
            savedBytes = try Data(contentsOf: URL(fileURLWithPath: checkpoints.file(forStep: 8)))
            backbone.conv1.weight.data[0] = .nan
            return 0.5
        })
        XCTAssertThrowsError(try run.run()) { error in
            guard let error = error as? NonFiniteLossError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.step, 9)
            XCTAssertTrue(error.description.contains("step 9"), error.description)
        }
        XCTAssertEqual(checkpoints.files().map(\.step), [8])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: checkpoints.file(forStep: 8))), savedBytes)
        let records = try JSONLines.read(MetricsRecord.self, contentsOf: metrics("nan")).records.map(\.record)
        XCTAssertEqual(records.count, 9, "8 steps and the epoch record, which carries the monitor's accuracy")
        guard case .epoch(let epoch) = records[8] else { return XCTFail("\(records[8])") }
        XCTAssertEqual(epoch.knnAccuracy, 0.5)
    }

    /// Stopped in the kNN monitor after epoch 0's checkpoint (as a kill there would stop it),
    /// the resumed run first makes epoch 0's record, monitoring the state of that checkpoint, so
    /// metrics.jsonl has the records of an uninterrupted run.
    func testRunStoppedInTheMonitorRecordsThatEpochOnResume() throws {
        struct Killed: Error {}
        let configuration = PretrainingFixtures.tinyConfiguration()
        let whole = try PretrainingRun(configuration: configuration, settings: settings("whole", knnEvery: 1),
                                       dataset: dataset, knnMonitor: { Double($0.conv1.weight.data[0]) }).run()
        XCTAssertEqual(whole.completedSteps, 16)
        XCTAssertThrowsError(try PretrainingRun(configuration: configuration, settings: settings("killed", knnEvery: 1),
                                                dataset: dataset, knnMonitor: { _ in throw Killed() }).run())
        let afterKill = try JSONLines.read(MetricsRecord.self, contentsOf: metrics("killed")).records.map(\.record)
        XCTAssertEqual(afterKill.count, 8, "epoch 0's steps, no epoch record")

        _ = try PretrainingRun(configuration: configuration, settings: settings("killed", knnEvery: 1), dataset: dataset,
                               resume: .auto, knnMonitor: { Double($0.conv1.weight.data[0]) }).run()
        func epochs(_ name: String) throws -> [EpochSummary] {
            try JSONLines.read(MetricsRecord.self, contentsOf: metrics(name)).records.compactMap {
                if case .epoch(let summary) = $0.record { return summary } else { return nil }
            }
        }
        let expected = try epochs("whole"), resumed = try epochs("killed")
        XCTAssertEqual(resumed.map(\.epoch), [0, 1])
        XCTAssertEqual(resumed.map(\.step), expected.map(\.step))
        XCTAssertEqual(resumed.map(\.knnAccuracy), expected.map(\.knnAccuracy))
        XCTAssertEqual(resumed.map(\.meanLoss), expected.map(\.meanLoss))
        XCTAssertGreaterThan(resumed[0].seconds, 0)
        XCTAssertGreaterThan(resumed[0].imagesPerSecond, 0)
        XCTAssertEqual(try PretrainingFixtures.stepLosses(inMetrics: metrics("killed")),
                       try PretrainingFixtures.stepLosses(inMetrics: metrics("whole")))
    }

    /// On replicas the kNN monitor is a collective that every rank runs. Stopped in it after
    /// epoch 0's checkpoint, the resumed replicas make epoch 0's record together, so metrics.jsonl
    /// has the records, kNN figures included, of an uninterrupted run.
    func testReplicasShareTheMonitorAndRecordAnEpochStoppedInIt() throws {
        struct Killed: Error {}
        let monitor = try KNNMonitor(train: try EvaluationFixtures.colourDataset(perClass: 7, seed: 1),
                                     validation: try EvaluationFixtures.colourDataset(perClass: 3, seed: 2),
                                     imageSize: 16, normalization: .imageNet, classifier: WeightedKNN(k: 5),
                                     batchSize: 4, workerCount: 0)
        let configuration = try PretrainingFixtures.tinyConfiguration().resolving(ranks: 2)
        func run(_ name: String, resume: PretrainingRun.Resume? = nil, stopInMonitor: Bool = false) throws {
            let runSettings = settings(name, knnEvery: 1), dataset = dataset
            try ThreadProcessGroup.run(replicas: 2) { group in
                _ = try PretrainingRun(configuration: configuration, settings: runSettings, dataset: dataset, resume: resume,
                                       knnMonitor: { network in
                    if stopInMonitor { throw Killed() }
                    return try monitor.top1Accuracy(of: network, sharedBy: group)
                }, processGroup: group).run()
            }
        }
        func epochs(_ name: String) throws -> [EpochSummary] {
            try JSONLines.read(MetricsRecord.self, contentsOf: metrics(name)).records.compactMap {
                if case .epoch(let summary) = $0.record { return summary } else { return nil }
            }
        }
        try run("whole")
        let expected = try epochs("whole")
        XCTAssertEqual(expected.map(\.epoch), [0, 1])
        XCTAssertTrue(expected.allSatisfy { ($0.knnAccuracy ?? -1) >= 0 && ($0.knnAccuracy ?? 101) <= 100 }, "\(expected)")

        XCTAssertThrowsError(try run("stopped", stopInMonitor: true))
        XCTAssertEqual(try epochs("stopped"), [])
        try run("stopped", resume: .auto)
        let resumed = try epochs("stopped")
        XCTAssertEqual(resumed.map(\.epoch), [0, 1])
        XCTAssertEqual(resumed.map(\.knnAccuracy), expected.map(\.knnAccuracy))
        XCTAssertEqual(try PretrainingFixtures.stepLosses(inMetrics: metrics("stopped")),
                       try PretrainingFixtures.stepLosses(inMetrics: metrics("whole")))
    }

    func testRefusesARunFolderThatHoldsARunUnlessResuming() throws {
        var configuration = PretrainingFixtures.tinyConfiguration(epochs: 1)
        _ = try PretrainingRun(configuration: configuration, settings: settings("taken"), dataset: dataset).run()
        XCTAssertThrowsError(try PretrainingRun(configuration: configuration, settings: settings("taken"), dataset: dataset).run()) {
            XCTAssertTrue("\($0)".contains("set `resume` to auto"), "\($0)")
        }
        configuration.batchSize = 16
        XCTAssertThrowsError(try PretrainingRun(configuration: configuration, settings: settings("taken"), dataset: dataset,
                                                resume: .auto).run()) { error in
            XCTAssertTrue(error is ResumeMismatchError, "\(error)")
            XCTAssertTrue("\(error)".contains("batch size: checkpoint has 8, this run has 16"), "\(error)")
        }
    }

    /// Undecodable files are skipped with a warning each time an epoch meets them, and the
    /// summary totals them over the run's epochs.
    func testSummaryTotalsTheSkippedFiles() throws {
        let images = folder + "/images"
        try PretrainingFixtures.imageFolder(at: images, count: 64, undecodable: 2)
        var epochSkips: [Int] = [], warnings: [String] = []
        let summary = try PretrainingRun(configuration: PretrainingFixtures.tinyConfiguration(),
                                         settings: settings("skipping", saveEvery: nil),
                                         dataset: try ImageFolderDataset(root: images), events: { event in
            switch event {
            case .epochFinished(let epoch): epochSkips.append(epoch.skippedSamples)
            case .warning(let line): warnings.append(line)
            default: break
            }
        }).run()
        XCTAssertEqual(summary.completedSteps, 16)
        XCTAssertEqual(epochSkips, [2, 2])
        XCTAssertEqual(summary.skippedSamples, 4)
        XCTAssertEqual(warnings.filter { $0.contains("broken-") }.count, 4, "\(warnings)")
    }

    /// The last short batch is dropped: 70 images give 8 steps of 8, like 64.
    func testShortLastBatchIsDropped() throws {
        let summary = try PretrainingRun(configuration: PretrainingFixtures.tinyConfiguration(epochs: 1),
                                         settings: settings("short", saveEvery: nil),
                                         dataset: InMemoryDataset(images: PretrainingFixtures.images(count: 70))).run()
        XCTAssertEqual(summary.completedSteps, 8)
        XCTAssertEqual(summary.totalSteps, 8)
    }

    func testPresetsValidate() throws {
        for preset in PretrainingPreset.all {
            XCTAssertNoThrow(try preset.configuration.validate(), preset.name)
        }
        let quick = try XCTUnwrap(PretrainingPreset.named("fashion-mnist-quick"))
        XCTAssertEqual(quick.data, "fashion-mnist")
        XCTAssertEqual(quick.configuration.mean, [0.2860, 0.2860, 0.2860])
        XCTAssertEqual(PretrainingPreset.named("paper-multi")?.configuration.strongSizes, [224, 192, 160, 128, 96])
        XCTAssertEqual(PretrainingPreset.named("moco-v2")?.configuration.usesStrongViews, false)
    }
}
