import Augment
import Foundation
import Reporting
import XCTest
@testable import CLSA

/// `clsa linear-eval` and `clsa embed` end to end, through the built executable (the test bundle's
/// neighbour in the build folder): results, files and the exit codes of usage (2) and runtime (1) errors.
final class EvaluationCommandTests: XCTestCase {
    private var folder: String!
    private var checkpoint: String!

    override func setUpWithError() throws {
        folder = try EvaluationFixtures.temporaryFolder("evaluation-cli")
        checkpoint = folder + "/backbone.safetensors"
        try EvaluationFixtures.writeCheckpoint(EvaluationFixtures.tinyBackbone(), to: checkpoint)
        try EvaluationFixtures.writeColourFolder(folder + "/train", perClass: 8, seed: 1)
        try EvaluationFixtures.writeColourFolder(folder + "/val", perClass: 4, seed: 2)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    private func clsa(_ arguments: [String]) throws -> ClsaExecutable.Outcome {
        try ClsaExecutable.run(arguments)
    }

    func testLinearEvalPrintsAccuraciesAndWritesRecordsAndChart() throws {
        let out = folder + "/report"
        let result = try clsa(["linear-eval", "--checkpoint", checkpoint, "--train-data", folder + "/train",
                               "--val-data", folder + "/val", "--epochs", "15", "--batch-size", "8",
                               "--cached-features", "--workers", "2", "--threads", "2", "--out", out])
        XCTAssertEqual(result.status, 0, result.standardError)
        let lines = result.standardOutput.split(separator: "\n")
        XCTAssertTrue(lines.contains { $0.hasPrefix("top-1: ") }, result.standardOutput)
        XCTAssertTrue(lines.contains { $0.hasPrefix("top-5: 100.00") }, result.standardOutput)
        XCTAssertTrue(lines.last?.hasPrefix("summary: top-1 ") ?? false, result.standardOutput)
        XCTAssertTrue(result.standardOutput.contains("resnet18-small 32-d features at 16 px"), result.standardOutput)
        let top1 = lines.first { $0.hasPrefix("top-1: ") }.flatMap { Double($0.dropFirst(7)) }
        XCTAssertGreaterThanOrEqual(top1 ?? 0, 80, result.standardOutput)

        let records = try String(contentsOfFile: out + "/linear-eval.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(records.count, 16)
        let first = try JSONSerialization.jsonObject(with: Data(records[0].utf8)) as! [String: Any]
        XCTAssertEqual(first["type"] as? String, "epoch")
        XCTAssertEqual(first["epoch"] as? Int, 1)
        XCTAssertNotNil(first["train_loss"] as? Double)
        let summary = try JSONSerialization.jsonObject(with: Data(records[15].utf8)) as! [String: Any]
        XCTAssertEqual(summary["type"] as? String, "summary")
        XCTAssertEqual(summary["backbone_unchanged"] as? Bool, true)
        let chart = try PNGCodec.decode([UInt8](try Data(contentsOf: URL(fileURLWithPath: out + "/linear-eval.png"))))
        XCTAssertEqual(chart.width, TrainingCharts.panelSize.width)
        XCTAssertEqual(chart.height, 2 * TrainingCharts.panelSize.height)
    }

    /// `--lr` with several rates trains one classifier per rate on features extracted once: each
    /// rate scores what a run at that rate alone scores, the best final top-1 is reported, and
    /// the summary record lists the sweep.
    func testLearningRateSweepReportsTheBestRate() throws {
        let common: [String] = ["linear-eval", "--checkpoint", checkpoint!, "--train-data", folder + "/train", "--val-data", folder + "/val",
                      "--epochs", "6", "--batch-size", "8", "--cached-features", "--standardized-features", "--threads", "2"]
        let out = folder + "/sweep"
        let sweep = try clsa(common + ["--lr", "0.0001,0.3", "--out", out])
        XCTAssertEqual(sweep.status, 0, sweep.standardError)
        func value(_ prefix: String, in text: String) -> String? {
            text.split(separator: "\n").first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
        }
        let low = try clsa(common + ["--lr", "0.0001"]), high = try clsa(common + ["--lr", "0.3"])
        let lowTop1 = try XCTUnwrap(value("top-1: ", in: low.standardOutput).flatMap(Double.init))
        let highTop1 = try XCTUnwrap(value("top-1: ", in: high.standardOutput).flatMap(Double.init))
        XCTAssertTrue(value("lr 0.0001: top-1 ", in: sweep.standardOutput)?.hasPrefix(String(format: "%.2f%%", lowTop1)) ?? false,
                      sweep.standardOutput + low.standardOutput)
        XCTAssertTrue(value("lr 0.3: top-1 ", in: sweep.standardOutput)?.hasPrefix(String(format: "%.2f%%", highTop1)) ?? false,
                      sweep.standardOutput + high.standardOutput)
        XCTAssertNotEqual(lowTop1, highTop1, "the two rates should train different classifiers")
        XCTAssertEqual(value("top-1: ", in: sweep.standardOutput).flatMap(Double.init), max(lowTop1, highTop1))
        XCTAssertFalse(sweep.standardOutput.contains("epoch 1/6"), sweep.standardOutput)

        let lines = try String(contentsOfFile: out + "/linear-eval.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 7)
        guard case .summary(let summary) = try JSONDecoder().decode(LinearEvaluationRecord.self, from: Data(lines[6].utf8)) else {
            return XCTFail("no summary: \(lines[6])")
        }
        XCTAssertEqual(summary.sweep?.map(\.learningRate), [0.0001, 0.3])
        XCTAssertEqual(summary.learningRate, lowTop1 > highTop1 ? 0.0001 : 0.3)
        XCTAssertEqual(summary.top1, max(lowTop1, highTop1), accuracy: 0.005)
    }

    /// `clsa pretrain --objective supervised` on a class folder, then `clsa evaluate` of its
    /// checkpoint: its own classifier's scores; a contrastive checkpoint is a runtime error (1).
    func testSupervisedRunAndEvaluate() throws {
        let run = folder + "/supervised"
        let trained = try clsa(["pretrain", "--objective", "supervised", "--data", folder + "/train", "--arch", "resnet18-small",
                                "--base-width", "4", "--image-size", "16", "--batch-size", "8", "--epochs", "4",
                                "--lr", "0.1", "--queue-size", "32", "--threads", "2", "--out", run])
        XCTAssertEqual(trained.status, 0, trained.standardError)
        XCTAssertTrue(trained.standardOutput.contains("supervised (cross-entropy with labels)"), trained.standardOutput)
        XCTAssertFalse(trained.standardOutput.contains("L_C"), trained.standardOutput)
        let checkpoint = run + "/checkpoints/step-00000012.safetensors"
        let scored = try clsa(["evaluate", "--checkpoint", checkpoint, "--data", folder + "/val", "--workers", "0"])
        XCTAssertEqual(scored.status, 0, scored.standardError)
        let lines = scored.standardOutput.split(separator: "\n")
        XCTAssertTrue(lines.contains { $0.hasPrefix("top-1: ") }, scored.standardOutput)
        XCTAssertTrue(lines.contains { $0 == "top-5: 100.00" }, scored.standardOutput)
        XCTAssertTrue(scored.standardOutput.contains("12 images"), scored.standardOutput)

        let refused = try clsa(["evaluate", "--checkpoint", self.checkpoint, "--data", folder + "/val"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.standardError.contains("not a pretraining checkpoint"), refused.standardError)
    }

    /// `clsa knn-chart` of a run with the kNN monitor on: one chart panel, and a table row
    /// with the run's steps, epochs, training time and last kNN; a folder that is no run is a
    /// usage error naming it.
    func testKNNChartOfMonitoredRuns() throws {
        let run = folder + "/monitored"
        let trained = try clsa(["pretrain", "--data", folder + "/train", "--arch", "resnet18-small", "--base-width", "4",
                                "--image-size", "16", "--strong-sizes", "8", "--batch-size", "8", "--queue-size", "16",
                                "--epochs", "2", "--knn-every", "1", "--val-data", folder + "/val", "--threads", "2", "--out", run])
        XCTAssertEqual(trained.status, 0, trained.standardError)
        let chart = folder + "/knn.png"
        let drawn = try clsa(["knn-chart", "--run", "tiny=" + run, "--reference", "pixels=50", "--out", chart])
        XCTAssertEqual(drawn.status, 0, drawn.standardError)
        let row = try XCTUnwrap(drawn.standardOutput.split(separator: "\n").first { $0.hasPrefix("tiny\t") })
        let fields = row.split(separator: "\t")
        XCTAssertEqual(fields[1], "6")
        XCTAssertEqual(fields[2], "2")
        XCTAssertGreaterThan(Double(fields[3]) ?? 0, 0)
        XCTAssertNotNil(Double(fields[4]), String(row))
        let image = try PNGCodec.decode([UInt8](try Data(contentsOf: URL(fileURLWithPath: chart))))
        XCTAssertEqual(image.width, TrainingCharts.panelSize.width)
        XCTAssertEqual(image.height, TrainingCharts.panelSize.height)

        let refused = try clsa(["knn-chart", "--run", "none=" + folder + "/train", "--out", chart])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.standardError.contains("--run none="), refused.standardError)
    }

    /// `clsa knn` prints what `KNNMonitor` computes in process, for a checkpoint and for raw
    /// pixels under `--pixel-statistics fashion-mnist`; that flag needs `--raw-pixels`.
    func testKNNMatchesTheLibrary() throws {
        let train = try DatasetSpecifier(parsing: folder + "/train").open()
        let validation = try DatasetSpecifier(parsing: folder + "/val").open()
        let sources: [([String], any FeatureSource)] = [
            (["--checkpoint", checkpoint], try PretrainedBackbone(checkpoint: checkpoint)),
            (["--raw-pixels", "12", "--pixel-statistics", "fashion-mnist"], RawPixels(imageSize: 12, normalization: .fashionMNIST)),
        ]
        for (flags, source) in sources {
            let monitor = try KNNMonitor(train: train, validation: validation, imageSize: source.imageSize,
                                         normalization: source.normalization, classifier: WeightedKNN(k: 5, temperature: 0.07),
                                         workerCount: 0)
            let expected = String(format: "top-1: %.2f", try monitor.top1Accuracy(of: source))
            let result = try clsa(["knn"] + flags + ["--train-data", folder + "/train", "--val-data", folder + "/val",
                                                     "--k", "5", "--temperature", "0.07", "--workers", "1"])
            XCTAssertEqual(result.status, 0, result.standardError)
            XCTAssertEqual(result.standardOutput.split(separator: "\n").last.map(String.init), expected, result.standardOutput)
            XCTAssertTrue(result.standardOutput.contains("24 neighbours, 12 classified"), result.standardOutput)
        }
        let misplaced = try clsa(["knn", "--checkpoint", checkpoint, "--pixel-statistics", "fashion-mnist",
                                  "--train-data", folder + "/train", "--val-data", folder + "/val"])
        XCTAssertEqual(misplaced.status, 2)
        XCTAssertTrue(misplaced.standardError.contains("--pixel-statistics applies to --raw-pixels only"), misplaced.standardError)
    }

    /// `clsa embed`, loading on the calling thread (`--workers 0`).
    func testEmbedWritesFeaturesLabelsAndPaths() throws {
        let out = folder + "/val.safetensors"
        let result = try clsa(["embed", "--checkpoint", checkpoint, "--data", folder + "/val", "--out", out,
                               "--workers", "0", "--batch-size", "5"])
        XCTAssertEqual(result.status, 0, result.standardError)
        XCTAssertTrue(result.standardOutput.contains("12 × 32 features, labels of 3 classes"), result.standardOutput)
        let reader = try SafeTensorsReader(path: out)
        XCTAssertEqual(try reader.tensor("features").shape, [12, 32])
        XCTAssertEqual(try reader.int64s("labels"), [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])
        let paths = try JSONSerialization.jsonObject(with: Data(reader.metadata["paths"]!.utf8)) as! [String]
        XCTAssertEqual(paths, paths.sorted())
        XCTAssertEqual(paths.count, 12)
    }

    /// Usage errors exit 2, runtime errors 1; each names what is wrong.
    func testErrorsAndExitCodes() throws {
        let missing = try clsa(["linear-eval", "--checkpoint", folder + "/none.safetensors",
                                "--train-data", folder + "/train", "--val-data", folder + "/val"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.standardError.contains("--checkpoint '\(folder!)/none.safetensors' is not a file"), missing.standardError)

        let noFolder = try clsa(["embed", "--checkpoint", checkpoint, "--data", folder + "/nowhere", "--out", folder + "/x.safetensors"])
        XCTAssertEqual(noFolder.status, 2)
        XCTAssertTrue(noFolder.standardError.contains("--data '\(folder!)/nowhere' is not a folder"), noFolder.standardError)

        let negativeWorkers = try clsa(["embed", "--checkpoint", checkpoint, "--data", folder + "/val",
                                        "--out", folder + "/w.safetensors", "--workers=-1"])
        XCTAssertEqual(negativeWorkers.status, 2)
        XCTAssertTrue(negativeWorkers.standardError.contains("--workers must be at least 0"), negativeWorkers.standardError)

        let badEpochs = try clsa(["linear-eval", "--checkpoint", checkpoint, "--train-data", folder + "/train",
                                  "--val-data", folder + "/val", "--epochs", "0"])
        XCTAssertEqual(badEpochs.status, 2)
        XCTAssertTrue(badEpochs.standardError.contains("--epochs must be at least 1"), badEpochs.standardError)

        let damaged = folder + "/damaged.safetensors"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: checkpoint))
        try bytes.prefix(bytes.count - 16).write(to: URL(fileURLWithPath: damaged))
        let truncated = try clsa(["embed", "--checkpoint", damaged, "--data", folder + "/val", "--out", folder + "/y.safetensors"])
        XCTAssertEqual(truncated.status, 1)
        XCTAssertTrue(truncated.standardError.contains("checkpoint '\(damaged)'") && truncated.standardError.contains("truncated"), truncated.standardError)
        XCTAssertEqual(truncated.standardError.split(separator: "\n").count, 1, truncated.standardError)

        try EvaluationFixtures.writeColourFolder(folder + "/flat", perClass: 2, labelled: false, seed: 3)
        let unlabelled = try clsa(["linear-eval", "--checkpoint", checkpoint, "--train-data", folder + "/flat",
                                   "--val-data", folder + "/val", "--epochs", "1"])
        XCTAssertEqual(unlabelled.status, 1)
        XCTAssertTrue(unlabelled.standardError.contains("the training set has no classes"), unlabelled.standardError)
    }
}
