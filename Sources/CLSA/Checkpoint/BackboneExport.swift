import TensorCore

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
        let loaded = try BackboneFile.read(from: source)
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
        let backbone = try CLSATrainer.initialBackbone(for: configuration)
        var metadata = CheckpointMetadata(pretraining: configuration)
        metadata.kind = .backbone
        try write(backbone, metadata: metadata, to: path)
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
