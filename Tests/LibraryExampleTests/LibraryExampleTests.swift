// The README's library example, compiled and run through the public API only (no
// @testable import): build a model, take one pretraining step, save, load, extract features.
import Augment
import CLSA
import Foundation
import TensorCore
import XCTest

final class LibraryExampleTests: XCTestCase {
    func testReadmeExample() throws {
        let folder = NSTemporaryDirectory() + "clsa-example-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/clsa.safetensors"

        // ── README example begins ──
        var configuration = PretrainingConfiguration()      // the paper's defaults, then smaller:
        configuration.architecture = .resnet18Small
        configuration.baseWidth = 8
        configuration.imageSize = 32
        configuration.strongSizes = [16]
        configuration.batchSize = 8
        configuration.queueSize = 64
        configuration.keyShuffleGroups = 2
        let trainer = try CLSATrainer(configuration: configuration, stepsPerEpoch: 100)

        // A batch of images → views T, T′, S (one seeded stream per image and view) → tensors.
        var random = SeededRandom(seed: 1)
        let images = (0..<8).map { _ in
            RGBImage(width: 40, height: 40, pixels: (0..<(40 * 40 * 3)).map { _ in UInt8(random.integer(in: 0...255)) })
        }
        let views = try configuration.views()
        var viewBatches = [[RGBImage]](repeating: [], count: views.viewShapes.count)
        for (index, image) in images.enumerated() {
            let imageViews = views.views(of: image) { view in SeededRandom(seed: 0, UInt64(index), UInt64(view)) }
            for (view, viewImage) in imageViews.enumerated() { viewBatches[view].append(viewImage) }
        }
        let normalization = Normalization(mean: configuration.mean, standardDeviation: configuration.standardDeviation)
        let metrics = try trainer.step(views: viewBatches.map { normalization.batch($0) })
        print("loss \(metrics.loss): L_C \(metrics.lossContrastive), L_D \(metrics.lossDivergence)")

        try TrainingCheckpoint.save(trainer, position: RunPosition(epoch: 0, step: 1, epochPosition: 8), to: path)
        let backbone = try PretrainedBackbone(checkpoint: path)
        let evaluationViews = images.map { backbone.evaluationTransform.view(of: $0) }
        let features = FeatureExtractor(backbone: backbone).features(of: normalization.batch(evaluationViews))
        // features: [8, 64], one row per image
        // ── README example ends ──

        XCTAssertTrue(metrics.loss.isFinite)
        XCTAssertEqual(features.shape, [8, 64])
        let resumed = try TrainingCheckpoint(path: path).makeTrainer()
        XCTAssertEqual(resumed.completedSteps, 1)
        XCTAssertEqual(resumed.backbone.conv1.weight.scalars, trainer.query.backbone.conv1.weight.scalars)
    }

    func testReadmeRunExample() throws {
        let folder = NSTemporaryDirectory() + "clsa-example-run-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/my-images", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var random = SeededRandom(seed: 2)
        for index in 0..<128 {
            let image = RGBImage(width: 28, height: 28, pixels: (0..<(28 * 28 * 3)).map { _ in UInt8(random.integer(in: 0...255)) })
            try Data(try PNGCodec.encode(image)).write(to: URL(fileURLWithPath: folder + "/my-images/\(index).png"))
        }
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(folder))
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }

        // ── README run example begins ──
        var overrides = PretrainingOverrides()               // nil fields keep the preset's values
        overrides.data = "my-images"                         // an image folder, or fashion-mnist
        overrides.epochs = 2
        overrides.runDirectory = "runs/mine"
        let plan = try PretrainingPlan(preset: "fashion-mnist-quick", overrides: overrides)
        let summary = try plan.makeRun { event in print(event) }.run()
        print(summary.completedSteps, summary.lastCheckpoint ?? "no checkpoint")
        // ── README run example ends ──

        XCTAssertEqual(summary.completedSteps, 4, "128 images at the preset's batch of 64, 2 epochs")
        XCTAssertEqual(summary.lastCheckpoint, "runs/mine/checkpoints/step-00000004.safetensors")
    }
}
