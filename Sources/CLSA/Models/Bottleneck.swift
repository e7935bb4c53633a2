import TensorCore

/// ResNet-50's block (torchvision's "v1.5", stride on the 3×3): 1×1 conv → BN → ReLU →
/// 3×3 conv (stride s) → BN → ReLU → 1×1 conv (×4 channels) → BN, plus the shortcut, then ReLU.
/// Output channels = 4·`planes`. torchvision names: `conv1…3`, `bn1…3`, `downsample`.
public final class Bottleneck: ResidualBlock {
    public static let expansion = 4
    public let conv1: Conv2D, bn1: BatchNorm2D
    public let conv2: Conv2D, bn2: BatchNorm2D
    public let conv3: Conv2D, bn3: BatchNorm2D
    public let downsample: Downsample?
    public let outputChannels: Int

    public init(inputChannels: Int, planes: Int, stride: Int, random: inout SeededRandom) {
        let outputs = planes * Bottleneck.expansion
        conv1 = Conv2D(inChannels: inputChannels, outChannels: planes, kernelSize: 1,
                       stride: 1, padding: 0, random: &random)
        bn1 = BatchNorm2D(channels: planes)
        conv2 = Conv2D(inChannels: planes, outChannels: planes, kernelSize: 3,
                       stride: stride, padding: 1, random: &random)
        bn2 = BatchNorm2D(channels: planes)
        conv3 = Conv2D(inChannels: planes, outChannels: outputs, kernelSize: 1,
                       stride: 1, padding: 0, random: &random)
        bn3 = BatchNorm2D(channels: outputs)
        downsample = (stride != 1 || inputChannels != outputs)
            ? Downsample(inputChannels: inputChannels, outputChannels: outputs, stride: stride, random: &random)
            : nil
        outputChannels = outputs
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let h1 = bn1(conv1(x), applyingReLU: true)
        let h2 = bn2(conv2(h1), applyingReLU: true)
        return bn3(conv3(h2), adding: downsample?(x) ?? x, applyingReLU: true)
    }

    public func stateEntries(prefix: String) -> [StateEntry] {
        TensorCore.stateEntries(of: [("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2),
                                     ("conv3", conv3), ("bn3", bn3), ("downsample", downsample)], prefix: prefix)
    }

    public var batchNormLayers: [BatchNorm2D] {
        [bn1, bn2, bn3] + (downsample.map { [$0.normalization] } ?? [])
    }

    public func setTraining(_ training: Bool) {
        batchNormLayers.forEach { $0.setTraining(training) }
    }
}
