import Foundation
import TensorCore
import XCTest
@testable import CLSA

final class TrainingCheckpointTests: XCTestCase {
    private var folder: String!

    override func setUpWithError() throws {
        folder = try PretrainingFixtures.temporaryFolder(for: self)
    }

    /// A trainer after two steps, and its checkpoint.
    private func trainedCheckpoint(_ configuration: PretrainingConfiguration = PretrainingFixtures.tinyConfiguration())
        throws -> (CLSATrainer, String) {
        let trainer = try CLSATrainer(configuration: configuration, stepsPerEpoch: 4)
        for seed in 1...2 { _ = try trainer.step(views: PretrainingFixtures.views(for: configuration, seed: UInt64(seed))) }
        let path = folder + "/checkpoint.safetensors"
        try TrainingCheckpoint.save(trainer, position: RunPosition(epoch: 0, step: 2, epochPosition: 16), to: path)
        return (trainer, path)
    }

    /// Parameters and float buffers of both encoders, the queue and the momentum buffers.
    private func allState(_ trainer: CLSATrainer) -> [Float] {
        let floats = (trainer.query.state + trainer.key.encoder.state).compactMap { entry -> Tensor? in
            if case .float(let tensor) = entry.value { return tensor } else { return nil }
        }
        return (floats + [trainer.queue.keys] + trainer.optimizer.momentumBuffers.compactMap { $0 }).flatMap(\.scalars)
    }

    /// The restored trainer's next step is bit for bit the original's, and so is the state after it.
    func testRestoredTrainerStepsExactlyAsTheOriginal() throws {
        let (original, path) = try trainedCheckpoint()
        let checkpoint = try TrainingCheckpoint(path: path)
        XCTAssertEqual(checkpoint.position, RunPosition(epoch: 0, step: 2, epochPosition: 16))
        XCTAssertEqual(checkpoint.configuration, original.configuration)
        let restored = try XCTUnwrap(try checkpoint.makeTrainer() as? CLSATrainer)
        XCTAssertEqual(restored.completedSteps, 2)
        XCTAssertEqual(restored.queue.pointer, original.queue.pointer)
        XCTAssertTrue(allState(restored) == allState(original), "restored state differs")
        XCTAssertEqual(counters(restored), counters(original))

        let views = PretrainingFixtures.views(for: original.configuration, seed: 3)
        let expected = try original.step(views: views)
        let actual = try restored.step(views: views)
        XCTAssertEqual(actual.loss.bitPattern, expected.loss.bitPattern)
        XCTAssertEqual(actual.lossDivergence.bitPattern, expected.lossDivergence.bitPattern)
        XCTAssertEqual(actual.learningRate, expected.learningRate)
        XCTAssertTrue(allState(restored) == allState(original), "restored state differs")
        XCTAssertEqual(counters(restored), counters(original))
    }

    /// Every BatchNorm `num_batches_tracked`, both encoders.
    private func counters(_ trainer: CLSATrainer) -> [Int64] {
        (trainer.query.state + trainer.key.encoder.state).compactMap { entry in
            if case .int64(let buffer) = entry.value { return buffer.value } else { return nil }
        }
    }

    /// The tensor names follow the format: torchvision backbone keys, head, key encoder, queue, optimiser.
    func testTensorNamesFollowTheFormat() throws {
        let (trainer, path) = try trainedCheckpoint()
        let reader = try SafeTensorsReader(path: path)
        let backbone = trainer.query.backbone.state.map(\.name)
        let expected = Set(backbone + ["head.0.weight", "head.0.bias", "head.2.weight", "head.2.bias"]
            + backbone.map { "key.backbone." + $0 } + ["key.head.0.weight", "key.head.0.bias", "key.head.2.weight", "key.head.2.bias"]
            + ["queue.keys", "queue.pointer"]
            + trainer.query.namedParameters.map { "optimizer.momentum_buffer." + $0.name })
        XCTAssertEqual(Set(reader.names), expected)
        XCTAssertTrue(reader.names.contains("optimizer.momentum_buffer.backbone.conv1.weight"))
        XCTAssertEqual(reader.entries["queue.pointer"]?.dtype, .i64)
        XCTAssertEqual(reader.entries["queue.pointer"]?.shape, [])
        XCTAssertEqual(reader.entries["bn1.num_batches_tracked"]?.dtype, .i64)
        for key in ["format", "kind", "architecture", "base_width", "image_size", "channels", "mean", "std", "version",
                    "cpu_model", "blas_core", "config", "epoch", "step", "epoch_position"] {
            XCTAssertNotNil(reader.metadata[key], key)
        }
        XCTAssertEqual(reader.metadata["format"], "clsa-swift-checkpoint-1")
        XCTAssertEqual(reader.metadata["kind"], "pretraining")
        XCTAssertEqual(reader.metadata["architecture"], "resnet18-small")
        XCTAssertEqual(reader.metadata["mean"], "[0.485, 0.456, 0.406]")
    }

    func testTruncatedCheckpointIsRefused() throws {
        let (_, path) = try trainedCheckpoint()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try TrainingCheckpoint(path: path)) { error in
            XCTAssertTrue("\(error)".contains("truncated"), "\(error)")
            XCTAssertTrue("\(error)".contains(path), "\(error)")
        }
    }

    func testAlteredCheckpointIsRefused() throws {
        let (_, path) = try trainedCheckpoint()
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count - 100] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try TrainingCheckpoint(path: path)) { error in
            XCTAssertTrue("\(error)".contains("checksum"), "\(error)")
        }
    }

    /// A checkpoint without one tensor is refused naming it, and the trainer is left as it was.
    func testMissingTensorIsNamedAndNothingIsLoaded() throws {
        let (_, path) = try trainedCheckpoint()
        let reader = try SafeTensorsReader(path: path)
        var writer = SafeTensorsWriter()
        for name in reader.names where name != "key.backbone.layer4.1.bn2.running_var" {
            if reader.entries[name]!.dtype == .i64 {
                writer.add(name, int64: try reader.int64s(name), shape: reader.entries[name]!.shape)
            } else {
                writer.add(name, try reader.tensor(name))
            }
        }
        writer.metadata = reader.metadata
        let damaged = folder + "/damaged.safetensors"
        try writer.write(to: damaged)

        let fresh = try CLSATrainer(configuration: PretrainingFixtures.tinyConfiguration(), stepsPerEpoch: 4)
        let before = allState(fresh)
        XCTAssertThrowsError(try TrainingCheckpoint(path: damaged).restore(into: fresh)) { error in
            XCTAssertTrue("\(error)".contains("key.backbone.layer4.1.bn2.running_var"), "\(error)")
        }
        XCTAssertTrue(allState(fresh) == before, "the failed restore changed the trainer")
        XCTAssertEqual(fresh.completedSteps, 0)
    }

    /// Resuming with a different architecture or batch size is refused, naming each field.
    func testMismatchedConfigurationIsRefusedNamingTheFields() throws {
        let (_, path) = try trainedCheckpoint()
        var other = PretrainingFixtures.tinyConfiguration()
        other.architecture = .resnet18
        other.batchSize = 16
        let trainer = try CLSATrainer(configuration: other, stepsPerEpoch: 4)
        XCTAssertThrowsError(try TrainingCheckpoint(path: path).restore(into: trainer)) { error in
            guard let mismatch = error as? ResumeMismatchError else { return XCTFail("\(error)") }
            XCTAssertEqual(mismatch.differences.count, 2, "\(mismatch.differences)")
            XCTAssertTrue(mismatch.description.contains("architecture: checkpoint has resnet18-small, this run has resnet18"),
                          mismatch.description)
            XCTAssertTrue(mismatch.description.contains("batch size: checkpoint has 8, this run has 16"), mismatch.description)
        }
        let differentData = try CLSATrainer(configuration: PretrainingFixtures.tinyConfiguration(), stepsPerEpoch: 5)
        XCTAssertThrowsError(try TrainingCheckpoint(path: path).restore(into: differentData)) { error in
            XCTAssertTrue("\(error)".contains("steps per epoch"), "\(error)")
        }
    }

    func testAnExportIsNotAPretrainingCheckpoint() throws {
        let (_, path) = try trainedCheckpoint()
        let export = folder + "/backbone.safetensors"
        try BackboneExport.export(checkpoint: path, to: export)
        XCTAssertThrowsError(try TrainingCheckpoint(path: export)) { error in
            XCTAssertTrue("\(error)".contains("not a pretraining checkpoint"), "\(error)")
        }
    }

    /// The export holds exactly torchvision's resnet18 `state_dict` keys minus `fc.*`, listed
    /// here by hand from torchvision's module structure, and loads back to the same values.
    func testExportHasExactlyTorchvisionKeys() throws {
        var configuration = PretrainingFixtures.tinyConfiguration()
        configuration.architecture = .resnet18
        let (trainer, path) = try trainedCheckpoint(configuration)
        let export = folder + "/backbone.safetensors"
        let metadata = try BackboneExport.export(checkpoint: path, to: export)
        XCTAssertEqual(metadata.kind, .backbone)

        func batchNorm(_ prefix: String) -> [String] {
            ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"].map { "\(prefix).\($0)" }
        }
        var expected = ["conv1.weight"] + batchNorm("bn1")
        for layer in 1...4 {
            for block in 0...1 {
                let prefix = "layer\(layer).\(block)"
                expected += ["\(prefix).conv1.weight"] + batchNorm("\(prefix).bn1") + ["\(prefix).conv2.weight"] + batchNorm("\(prefix).bn2")
                if layer > 1 && block == 0 {
                    expected += ["\(prefix).downsample.0.weight"] + batchNorm("\(prefix).downsample.1")
                }
            }
        }
        let reader = try SafeTensorsReader(path: export)
        XCTAssertEqual(reader.names, expected.sorted())
        XCTAssertEqual(reader.metadata["kind"], "backbone")
        XCTAssertNil(reader.metadata["config"])
        XCTAssertEqual(reader.entries["layer2.0.downsample.1.num_batches_tracked"]?.dtype, .i64)
        XCTAssertEqual(reader.entries["layer2.0.downsample.1.num_batches_tracked"]?.shape, [])

        for source in [path, export] {
            let (network, loadedMetadata) = try BackboneFile.read(from: source)
            XCTAssertEqual(loadedMetadata.architecture, "resnet18")
            XCTAssertEqual(loadedMetadata.baseWidth, 4)
            XCTAssertEqual(network.parameters.flatMap(\.scalars), trainer.query.backbone.parameters.flatMap(\.scalars))
        }
    }
}
