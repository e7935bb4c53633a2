import TensorCore

/// The backbone of a checkpoint file, as a network (`PretrainedBackbone(checkpoint:)` adds the
/// evaluation settings on top).
public enum BackboneFile {
    /// Reads the (query) backbone of a pretraining checkpoint or of an export: the network is
    /// rebuilt from the metadata's `architecture` and `base_width`, and every entry of its
    /// `ResNet.state` is assigned from the tensor of the same name. The network has no classifier
    /// and is in training mode as built (call `setTraining(false)` to extract features); the
    /// metadata says how its inputs were sized and normalised.
    ///
    ///     let (network, metadata) = try BackboneFile.read(from: "run/backbone.safetensors")
    ///     network.setTraining(false)
    ///     let features = network.features(images)   // [N, 3, S, S] → [N, featureDimension]
    ///
    /// - Throws: `CheckpointError` naming the file: damaged or truncated, not this format, an
    ///   unknown architecture, metadata out of range, a pretraining checkpoint with a
    ///   `config` whose run metadata does not validate (`TrainingCheckpoint(path:)`), or a missing or mis-shaped
    ///   tensor (named).
    public static func read(from path: String) throws -> (network: ResNet, metadata: CheckpointMetadata) {
        let reader = try SafeTensorsReader(path: path)
        let metadata = try CheckpointMetadata(reading: reader.metadata, file: path)
        // A pretraining checkpoint with a run configuration is whole or refused, even where its
        // backbone alone would load (one from another tool, without 'config', gives its backbone).
        if metadata.kind == .pretraining, reader.metadata["config"] != nil { _ = try TrainingCheckpoint(reader: reader) }
        var random = SeededRandom(seed: 0)
        let network = ResNet(try metadata.backbone(file: path), random: &random)
        var staged = StagedState(reader: reader)
        try staged.stage(network.state)
        staged.apply()
        return (network, metadata)
    }
}
