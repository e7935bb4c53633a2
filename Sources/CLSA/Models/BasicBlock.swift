import TensorCore

/// ResNet-18/34's block: 3×3 conv (stride s) → BN → ReLU → 3×3 conv → BN, plus the shortcut,
/// then ReLU. Output channels = `planes`. torchvision names: `conv1`, `bn1`, `conv2`, `bn2`,
/// `downsample`.
public final class BasicBlock: ResidualBlock {
    public static let expansion = 1
    public let conv1: Conv2D, bn1: BatchNorm2D
    public let conv2: Conv2D, bn2: BatchNorm2D
    public let downsample: Downsample?
    public let outputChannels: Int

    public init(inputChannels: Int, planes: Int, stride: Int, random: inout SeededRandom) {
        conv1 = Conv2D(inChannels: inputChannels, outChannels: planes, kernelSize: 3,
                       stride: stride, padding: 1, random: &random)
        bn1 = BatchNorm2D(channels: planes)
        conv2 = Conv2D(inChannels: planes, outChannels: planes, kernelSize: 3,
                       stride: 1, padding: 1, random: &random)
        bn2 = BatchNorm2D(channels: planes)
        downsample = (stride != 1 || inputChannels != planes)
            ? Downsample(inputChannels: inputChannels, outputChannels: planes, stride: stride, random: &random)
            : nil
        outputChannels = planes
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let h = bn1(conv1(x), applyingReLU: true)
        return bn2(conv2(h), adding: downsample?(x) ?? x, applyingReLU: true)
    }

    public func stateEntries(prefix: String) -> [StateEntry] {
        TensorCore.stateEntries(of: [("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2),
                                     ("downsample", downsample)], prefix: prefix)
    }

    public var batchNormLayers: [BatchNorm2D] {
        [bn1, bn2] + (downsample.map { [$0.normalization] } ?? [])
    }

    public func setTraining(_ training: Bool) {
        batchNormLayers.forEach { $0.setTraining(training) }
    }
}
