import Foundation
import TensorCore

/// A full pretraining checkpoint (format `clsa-swift-checkpoint-1`, kind `pretraining`): the
/// trainer's `modelState` — for CLSA the query encoder (backbone under torchvision's names, head
/// under `head.*`) and the key encoder (`key.backbone.*`, `key.head.*`); for the supervised
/// objective the backbone and `fc.*` — the queue if it keeps one (`queue.keys`,
/// `queue.pointer`), SGD's momentum buffers (`optimizer.momentum_buffer.<parameter>`), the
/// configuration and the run position.
///
/// Restoring it gives a trainer whose next step is bit for bit the step the saving run would
/// have taken (at the same thread count).
///
///     try TrainingCheckpoint.save(trainer, position: position, to: "run/checkpoints/step-00000100.safetensors")
///     let checkpoint = try TrainingCheckpoint(path: "run/checkpoints/step-00000100.safetensors")
///     let trainer = try checkpoint.makeTrainer()
public struct TrainingCheckpoint {
    public let path: String
    public let metadata: CheckpointMetadata
    public let configuration: PretrainingConfiguration
    public let position: RunPosition
    /// Optimiser steps per epoch of the run (fixes its learning-rate schedule).
    public let stepsPerEpoch: Int
    private let reader: SafeTensorsReader

    private static let queueKeys = "queue.keys", queuePointer = "queue.pointer"
    private static let momentumPrefix = "optimizer.momentum_buffer."

    /// Reads and validates `path`: an intact file, this format, kind `pretraining`, and a
    /// readable configuration and position. Tensors are checked against a trainer on `restore`.
    /// - Throws: `CheckpointError` naming the file and the problem.
    public init(path: String) throws {
        try self.init(reader: SafeTensorsReader(path: path))
    }

    /// Validates the checkpoint that `reader` has read, as `init(path:)` does.
    init(reader: SafeTensorsReader) throws {
        let path = reader.path
        let metadata = try CheckpointMetadata(reading: reader.metadata, file: path)
        guard metadata.kind == .pretraining else {
            throw CheckpointError(file: path, "is a \(metadata.kind.rawValue) export, not a pretraining checkpoint")
        }
        func integer(_ key: String) throws -> Int {
            guard let text = reader.metadata[key], let value = Int(text), value >= 0 else {
                throw CheckpointError(file: path, "metadata '\(key)' is missing or not a non-negative integer")
            }
            return value
        }
        guard let text = reader.metadata["config"],
              let configuration = try? JSONDecoder().decode(PretrainingConfiguration.self, from: Data(text.utf8)) else {
            throw CheckpointError(file: path, "metadata 'config' is missing or not a pretraining configuration")
        }
        do {
            try configuration.validate()
        } catch let error as ConfigurationError {
            throw CheckpointError(file: path, "metadata 'config' is not a valid configuration: \(error)")
        }
        let described = CheckpointMetadata(pretraining: configuration, provenance: metadata.provenance)
        guard described == metadata else {
            throw CheckpointError(file: path, "metadata disagrees with its 'config': "
                                  + Self.differences(described.entries, metadata.entries).joined(separator: "; "))
        }
        self.path = path
        self.reader = reader
        self.metadata = metadata
        self.configuration = configuration
        position = RunPosition(epoch: try integer("epoch"), step: try integer("step"),
                               epochPosition: try integer("epoch_position"))
        stepsPerEpoch = try integer("steps_per_epoch")
        guard stepsPerEpoch >= 1 else { throw CheckpointError(file: path, "metadata 'steps_per_epoch' is 0") }
        let (runSteps, overflow) = configuration.epochs.multipliedReportingOverflow(by: stepsPerEpoch)
        guard position.epoch <= configuration.epochs, !overflow, position.step <= runSteps else {
            throw CheckpointError(file: path, "metadata 'epoch' \(position.epoch) or 'step' \(position.step) lies beyond the "
                                  + "run's \(configuration.epochs) epochs of \(stepsPerEpoch) steps")
        }
    }

    /// The keys whose values differ between `configured` and `recorded`: "base_width: 1 in 'config', 4 in the metadata".
    private static func differences(_ configured: [String: String], _ recorded: [String: String]) -> [String] {
        configured.keys.sorted().compactMap { key in
            configured[key] == recorded[key] ? nil : "\(key): \(configured[key]!) in 'config', \(recorded[key] ?? "none") in the metadata"
        }
    }

    /// Writes `trainer`'s complete state and `position` to `path`, atomically: after a crash
    /// the file holds the previous checkpoint or this one, whole.
    /// - Throws: `CheckpointError` naming the file (e.g. "no space left on device"); an
    ///   existing file at `path` is then untouched.
    public static func save(_ trainer: any PretrainingTrainer, position: RunPosition, to path: String,
                            provenance: RunProvenance = .current) throws {
        precondition(position.step == trainer.completedSteps,
                     "TrainingCheckpoint: position step \(position.step) ≠ the trainer's \(trainer.completedSteps)")
        var writer = SafeTensorsWriter()
        writer.add(state: trainer.modelState)
        if let queue = trainer.negativeKeys {
            writer.add(queueKeys, queue.keys)
            writer.add(queuePointer, int64: [Int64(queue.pointer)], shape: [])
        }
        for ((name, _), buffer) in zip(trainer.optimizer.parameters, trainer.optimizer.momentumBuffers) {
            if let buffer { writer.add(momentumPrefix + name, buffer) }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var entries = CheckpointMetadata(pretraining: trainer.configuration, provenance: provenance).entries
        entries["config"] = String(decoding: try encoder.encode(trainer.configuration), as: UTF8.self)
        entries["epoch"] = String(position.epoch)
        entries["step"] = String(position.step)
        entries["epoch_position"] = String(position.epochPosition)
        entries["steps_per_epoch"] = String(trainer.stepsPerEpoch)
        writer.metadata = entries
        try writer.write(to: path)
    }

    /// How this checkpoint's run differs from a run of `configuration` with `stepsPerEpoch`
    /// steps per epoch, one line per field (empty when it can resume it).
    public func mismatches(with configuration: PretrainingConfiguration, stepsPerEpoch: Int) -> [String] {
        var differences = configuration.resumeMismatches(with: self.configuration)
        if stepsPerEpoch != self.stepsPerEpoch {
            differences.append("steps per epoch: checkpoint has \(self.stepsPerEpoch), the data gives \(stepsPerEpoch) "
                               + "(different `data` or `subset`?)")
        }
        return differences
    }

    /// Sets `trainer`'s model state (parameters, BatchNorm buffers, key encoder), queue and
    /// pointer, momentum buffers and completed steps to the checkpoint's. Every tensor is checked before any is
    /// assigned, so on failure the trainer is unchanged.
    /// - Throws: `ResumeMismatchError` when the configurations differ (naming the fields);
    ///   `CheckpointError` naming a missing or mis-shaped tensor.
    public func restore(into trainer: any PretrainingTrainer) throws {
        let differences = mismatches(with: trainer.configuration, stepsPerEpoch: trainer.stepsPerEpoch)
        guard differences.isEmpty else { throw ResumeMismatchError(file: path, differences: differences) }
        var staged = StagedState(reader: reader)
        try staged.stage(trainer.modelState)
        let savedQueue = try trainer.negativeKeys.map { try queueState(for: $0, batchSize: trainer.configuration.batchSize) }
        let buffers: [Tensor?] = try trainer.optimizer.parameters.map { name, parameter in
            let key = Self.momentumPrefix + name
            guard reader.entries[key] != nil else { return nil }
            try staged.requireShape(key, parameter.shape)
            return try reader.tensor(key)
        }
        guard position.step <= trainer.totalSteps, position.epoch <= trainer.configuration.epochs else {
            throw CheckpointError(file: path, "position (epoch \(position.epoch), step \(position.step)) lies beyond the run's "
                                  + "\(trainer.configuration.epochs) epochs of \(trainer.stepsPerEpoch) steps")
        }
        staged.apply()
        if let queue = trainer.negativeKeys, let savedQueue { queue.restore(keys: savedQueue.keys, pointer: savedQueue.pointer) }
        trainer.optimizer.setMomentumBuffers(buffers)
        trainer.completedSteps = position.step
    }

    /// The saved keys and pointer of a queue like `queue`, checked: the keys' shape, and a
    /// pointer on a batch boundary.
    private func queueState(for queue: KeyQueue, batchSize: Int) throws -> (keys: Tensor, pointer: Int) {
        let keys = try reader.tensor(Self.queueKeys)
        guard keys.shape == queue.keys.shape else {
            throw CheckpointError(file: path, "tensor '\(Self.queueKeys)' has shape \(keys.shape), expected \(queue.keys.shape)")
        }
        try StagedState(reader: reader).requireShape(Self.queuePointer, [])
        let pointer = Int(try reader.int64s(Self.queuePointer)[0])
        guard (0..<queue.size).contains(pointer), pointer % batchSize == 0 else {
            throw CheckpointError(file: path, "queue pointer \(pointer) is not a batch boundary in 0..<\(queue.size)")
        }
        return (keys, pointer)
    }

    /// A trainer built from this checkpoint's configuration and restored to its state (a
    /// `SupervisedTrainer` takes its class count from the saved `fc.weight`).
    public func makeTrainer() throws -> any PretrainingTrainer {
        let classCount = reader.entries["fc.weight"]?.shape.first ?? 0
        let trainer = try makePretrainingTrainer(configuration: configuration, stepsPerEpoch: stepsPerEpoch,
                                                 classCount: classCount)
        try restore(into: trainer)
        return trainer
    }
}
