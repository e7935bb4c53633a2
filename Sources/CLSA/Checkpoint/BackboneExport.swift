import TensorCore

/// Loads the (query) backbone of a pretraining checkpoint or of an export: the network is
/// rebuilt from the metadata's `architecture` and `base_width`, and every entry of its
/// `ResNet.state` is assigned from the tensor of the same name. The network has no classifier
/// and is in training mode as built (call `setTraining(false)` to extract features); the
/// metadata says how its inputs were sized and normalised.
///
///     let (network, metadata) = try loadBackbone(from: "run/backbone.safetensors")
///     network.setTraining(false)
///     let features = network.features(images)   // [N, 3, S, S] → [N, featureDimension]
///
/// - Throws: `CheckpointError` naming the file: damaged or truncated, not this format, an
///   unknown architecture, or a missing or mis-shaped tensor (named).
public func loadBackbone(from path: String) throws -> (network: ResNet, metadata: CheckpointMetadata) {
    let reader = try SafeTensorsReader(path: path)
    let metadata = try CheckpointMetadata(reading: reader.metadata, file: path)
    var random = SeededRandom(seed: 0)
    let network = ResNet(try metadata.backbone(file: path), random: &random)
    var staged = StagedState(reader: reader)
    try staged.stage(network.state)
    staged.apply()
    return (network, metadata)
}

/// Exports: a checkpoint's query backbone alone, under torchvision's `state_dict` names and
/// dtypes (`conv1.weight`, `bn1.num_batches_tracked` as I64, …, no `fc.*`), so that
/// `torchvision.models.resnet50().load_state_dict(sd, strict=False)` reports only `fc.*` missing.
public enum BackboneExport {
    /// Writes the backbone of `source` (a pretraining checkpoint or an export) to
    /// `destination`, atomically, with metadata kind `backbone` (the source's provenance kept).
    /// - Returns: the exported file's metadata.
    /// - Throws: `CheckpointError` for an unreadable source or a failed write.
    @discardableResult
    public static func export(checkpoint source: String, to destination: String) throws -> CheckpointMetadata {
        let loaded = try loadBackbone(from: source)
        var metadata = loaded.metadata
        metadata.kind = .backbone
        try write(loaded.network, metadata: metadata, to: destination)
        return metadata
    }

    /// Writes the untrained backbone a run of `configuration` starts from (its query encoder's
    /// seeded initialisation, bit for bit): the random-initialisation baseline of a study.
    /// - Returns: the exported file's metadata.
    /// - Throws: `ConfigurationError` for an invalid configuration, `CheckpointError` for a failed write.
    @discardableResult
    public static func exportUntrained(_ configuration: PretrainingConfiguration, to path: String) throws -> CheckpointMetadata {
        let trainer = try CLSATrainer(configuration: configuration, stepsPerEpoch: 1)
        var metadata = CheckpointMetadata(pretraining: configuration)
        metadata.kind = .backbone
        try write(trainer.query.backbone, metadata: metadata, to: path)
        return metadata
    }

    /// Writes `backbone`'s state (its `fc`, if any, left out) with `metadata`, atomically.
    public static func write(_ backbone: ResNet, metadata: CheckpointMetadata, to path: String) throws {
        var writer = SafeTensorsWriter()
        writer.add(state: backbone.state.filter { !$0.name.hasPrefix("fc.") })
        writer.metadata = metadata.entries
        try writer.write(to: path)
    }
}
