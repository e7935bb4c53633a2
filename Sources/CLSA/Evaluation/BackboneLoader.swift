import Augment

extension PretrainedBackbone {
    /// The query backbone of a checkpoint (a full pretraining checkpoint or an exported
    /// backbone), with the image size and normalisation from its metadata (`loadBackbone`).
    ///
    /// - Throws: `CheckpointError` naming the file: damaged or truncated, another format or
    ///   kind, bad metadata, or a missing or mis-shaped tensor (named).
    public init(checkpoint path: String) throws {
        let (network, metadata) = try loadBackbone(from: path)
        self.init(network: network, imageSize: metadata.imageSize,
                  normalization: Normalization(mean: metadata.mean, standardDeviation: metadata.standardDeviation))
    }
}
