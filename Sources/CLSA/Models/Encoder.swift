import TensorCore

/// An encoder f + g: a ResNet backbone and a projection head, images → unit-norm embeddings.
/// State names: `backbone.*` (torchvision's) and `head.*`.
public final class Encoder: Module {
    public let backbone: ResNet
    public let head: ProjectionHead

    /// - Parameters:
    ///   - hidden: the head's hidden width (2048 for ResNet-50 in MoCo v2).
    ///   - dimension: the embedding size (128).
    public init(backbone configuration: ResNetConfiguration, hidden: Int, dimension: Int,
                random: inout SeededRandom) {
        var backboneConfiguration = configuration
        backboneConfiguration.classCount = nil
        backbone = ResNet(backboneConfiguration, random: &random)
        head = ProjectionHead(inputFeatures: backbone.featureDimension, hiddenFeatures: hidden,
                              outputFeatures: dimension, random: &random)
    }

    /// A freshly initialised encoder of the same architecture as `other`.
    public convenience init(copyingArchitectureOf other: Encoder, random: inout SeededRandom) {
        self.init(backbone: other.backbone.configuration, hidden: other.head.hidden.weight.shape[0],
                  dimension: other.head.output.weight.shape[0], random: &random)
    }

    /// images [N, 3, H, W] → embeddings [N, dimension], each row of unit length.
    public func callAsFunction(_ images: Tensor) -> Tensor {
        head(backbone.features(images))
    }

    public func stateEntries(prefix: String) -> [StateEntry] {
        TensorCore.stateEntries(of: [("backbone", backbone), ("head", head)], prefix: prefix)
    }

    public func setTraining(_ training: Bool) {
        backbone.setTraining(training)
    }
}
