import TensorCore

/// A ResNet in torchvision's exact layout, initialisation and `state_dict` names
/// (`conv1.weight`, `bn1.running_mean`, `layer1.0.downsample.0.weight`, `fc.bias`, …).
///
/// Input images are NCHW; inside, feature maps are channel-major [C, N, H, W] (one GEMM per
/// convolution spans the batch); `features` returns batch-major [N, featureDimension].
///
/// ```swift
/// var random = SeededRandom(seed: 0)
/// let net = ResNet(.resnet50(), random: &random)
/// let features = net.features(images)   // images [N, 3, 224, 224] → [N, 2048]
/// ```
public final class ResNet: Module {
    public let configuration: ResNetConfiguration
    public let conv1: Conv2D
    public let bn1: BatchNorm2D
    /// Stages `layer1` … `layer4`.
    public let stages: [[ResidualBlock]]
    /// The classifier, when `configuration.classCount` is set.
    public let fc: Linear?

    /// Builds the network with torchvision's initialisation: Kaiming-normal (fan_out, ReLU) for
    /// convolutions, γ = 1 and β = 0 for BatchNorm, PyTorch's default for `fc`.
    public init(_ configuration: ResNetConfiguration, random: inout SeededRandom) {
        self.configuration = configuration
        let width = configuration.baseWidth
        conv1 = configuration.smallImageStem
            ? Conv2D(inChannels: 3, outChannels: width, kernelSize: 3, stride: 1, padding: 1, random: &random)
            : Conv2D(inChannels: 3, outChannels: width, kernelSize: 7, stride: 2, padding: 3, random: &random)
        bn1 = BatchNorm2D(channels: width)
        var channels = width
        var stages: [[ResidualBlock]] = []
        for (index, blockCount) in configuration.layers.enumerated() {
            let planes = width << index
            var blocks: [ResidualBlock] = []
            for b in 0..<blockCount {
                let stride = (b == 0 && index > 0) ? 2 : 1
                let block: ResidualBlock = configuration.block == .basic
                    ? BasicBlock(inputChannels: channels, planes: planes, stride: stride, random: &random)
                    : Bottleneck(inputChannels: channels, planes: planes, stride: stride, random: &random)
                channels = block.outputChannels
                blocks.append(block)
            }
            stages.append(blocks)
        }
        self.stages = stages
        fc = configuration.classCount.map {
            Linear(inputFeatures: channels, outputFeatures: $0, random: &random)
        }
    }

    /// Length of the pooled feature vector.
    public var featureDimension: Int { configuration.featureDimension }

    /// images: [N, 3, H, W] → pooled features [N, featureDimension] (before `fc`).
    public func features(_ images: Tensor) -> Tensor {
        precondition(images.rank == 4 && images.shape[1] == 3,
                     "ResNet: expected images [N, 3, H, W], got \(images.shape)")
        var x = bn1(conv1(channelMajor(images)), applyingReLU: true)
        if !configuration.smallImageStem {
            x = maxPool2d(x, kernelSize: 3, stride: 2, padding: 1)
        }
        for stage in stages {
            for block in stage { x = block(x) }
        }
        return globalAveragePool(x)
    }

    /// images: [N, 3, H, W] → logits [N, classCount] with `fc`, else features [N, featureDimension].
    public func callAsFunction(_ images: Tensor) -> Tensor {
        let pooled = features(images)
        return fc.map { $0(pooled) } ?? pooled
    }

    public func stateEntries(prefix: String) -> [StateEntry] {
        var children: [(name: String, module: Module?)] = [("conv1", conv1), ("bn1", bn1)]
        for (index, stage) in stages.enumerated() {
            children += stage.enumerated().map { ("layer\(index + 1).\($0.offset)", $0.element) }
        }
        children.append(("fc", fc))
        return TensorCore.stateEntries(of: children, prefix: prefix)
    }

    /// Every BatchNorm layer, in forward order.
    public var batchNormLayers: [BatchNorm2D] {
        [bn1] + stages.flatMap { $0.flatMap(\.batchNormLayers) }
    }

    public func setTraining(_ training: Bool) {
        batchNormLayers.forEach { $0.setTraining(training) }
    }
}
