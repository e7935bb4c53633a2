import Augment
import TensorCore

/// A pretrained ResNet backbone with the input conventions it was trained under: the image
/// side and the per-channel normalisation. Everything that evaluates a backbone (features,
/// linear evaluation, kNN, export) takes one, so none of these settings is repeated by hand.
///
/// ```swift
/// let backbone = try PretrainedBackbone(checkpoint: "run/ckpt-200.safetensors")
/// let transform = backbone.evaluationTransform        // resize to 256/224·size, centre crop
/// ```
public struct PretrainedBackbone: FeatureSource {
    /// The network, without `fc`; evaluation runs it in eval mode.
    public let network: ResNet
    /// The side of the square views it was trained on, in pixels.
    public let imageSize: Int
    /// ToTensor + Normalize with the run's mean and standard deviation.
    public let normalization: Normalization

    public init(network: ResNet, imageSize: Int, normalization: Normalization) {
        precondition(imageSize >= 1, "PretrainedBackbone: image size must be positive, got \(imageSize)")
        self.network = network
        self.imageSize = imageSize
        self.normalization = normalization
    }

    /// The architecture's name (`resnet50`, `resnet18-small`, …: `ResNetArchitecture`), or
    /// `custom` for a shape none of them has.
    public var architecture: String {
        let shape = network.configuration
        return ResNetArchitecture.allCases.first { architecture in
            var named = architecture.configuration(classCount: shape.classCount)
            named.baseWidth = shape.baseWidth
            return named == shape
        }?.rawValue ?? "custom"
    }

    /// Length of the pooled feature vector (2048 for ResNet-50, 512 for ResNet-18).
    public var featureDimension: Int { network.featureDimension }

    public var name: String { architecture }

    public var frozenModule: Module? { network }

    /// images [N, 3, H, W] (normalised) → pooled features [N, featureDimension], computed with
    /// BatchNorm in eval mode and no graph. The network's training mode is restored afterwards,
    /// so a monitor may call this in the middle of pretraining.
    public func features(of images: Tensor) -> Tensor {
        let wasTraining = network.bn1.isTraining
        network.setTraining(false)
        defer { network.setTraining(wasTraining) }
        return withoutGradients { network.features(images) }
    }
}

extension PretrainedBackbone {
    /// The query backbone of a checkpoint (a full pretraining checkpoint or an exported
    /// backbone), with the image size and normalisation from its metadata (`BackboneFile.read`).
    ///
    /// - Throws: `CheckpointError` naming the file: damaged or truncated, another format or
    ///   kind, bad metadata, or a missing or mis-shaped tensor (named).
    public init(checkpoint path: String) throws {
        let (network, metadata) = try BackboneFile.read(from: path)
        self.init(network: network, imageSize: metadata.imageSize,
                  normalization: Normalization(mean: metadata.mean, standardDeviation: metadata.standardDeviation))
    }
}
