import TensorCore

/// A ResNet residual block: `relu(body(x) + shortcut(x))`, on channel-major [C, N, H, W] maps.
public protocol ResidualBlock: Module {
    /// Channels of the block's output.
    var outputChannels: Int { get }
    /// x: [Cin, N, H, W] → [Cout, N, H/stride, W/stride].
    func callAsFunction(_ x: Tensor) -> Tensor
    /// The block's BatchNorm layers, shortcut included.
    var batchNormLayers: [BatchNorm2D] { get }
}

/// torchvision's `downsample`: a 1×1 convolution with the block's stride and a BatchNorm,
/// used when the shortcut must change the channel count or resolution.
/// State names: `0.weight` (conv), `1.*` (BatchNorm), as torchvision's `nn.Sequential`.
public final class Downsample: Module {
    public let convolution: Conv2D
    public let normalization: BatchNorm2D

    public init(inputChannels: Int, outputChannels: Int, stride: Int, random: inout SeededRandom) {
        convolution = Conv2D(inChannels: inputChannels, outChannels: outputChannels,
                             kernelSize: 1, stride: stride, padding: 0, random: &random)
        normalization = BatchNorm2D(channels: outputChannels)
    }

    /// x: [Cin, N, H, W] → [Cout, N, H/stride, W/stride].
    public func callAsFunction(_ x: Tensor) -> Tensor {
        normalization(convolution(x))
    }

    public func stateEntries(prefix: String) -> [StateEntry] {
        TensorCore.stateEntries(of: [("0", convolution), ("1", normalization)], prefix: prefix)
    }

    public func setTraining(_ training: Bool) {
        normalization.setTraining(training)
    }
}
