/// A 2-D convolution layer without bias, as torchvision's ResNets use before BatchNorm.
///
/// Input and output are channel-major: [Cin, N, H, W] → [Cout, N, Ho, Wo]. The weight is
/// [Cout, Cin, k, k] (PyTorch's layout), state entry `weight`, initialised as torchvision's
/// ResNet does: Kaiming normal, mode fan_out, ReLU gain, i.e. N(0, 2 / (Cout·k·k)).
///
/// ```swift
/// var random = SeededRandom(seed: 42, 1)
/// let conv = Conv2D(inChannels: 64, outChannels: 64, kernelSize: 3, padding: 1, random: &random)
/// let y = conv(x)   // x: [64, N, 56, 56] → y: [64, N, 56, 56]
/// ```
public final class Conv2D: Module {
    /// [Cout, Cin, k, k]
    public let weight: Tensor
    public let inChannels: Int, outChannels: Int, kernelSize: Int
    public let stride: Int, padding: Int

    /// A layer whose weight is drawn from `random`.
    public init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                random: inout SeededRandom) {
        precondition(inChannels > 0 && outChannels > 0 && kernelSize > 0,
                     "Conv2D: channels and kernel size must be positive, got \(inChannels)→\(outChannels), k \(kernelSize)")
        (self.inChannels, self.outChannels, self.kernelSize) = (inChannels, outChannels, kernelSize)
        (self.stride, self.padding) = (stride, padding)
        let standardDeviation = (2 / Double(outChannels * kernelSize * kernelSize)).squareRoot()
        let shape = [outChannels, inChannels, kernelSize, kernelSize]
        weight = Tensor(uninitializedShape: shape)
        for i in 0..<weight.count { weight.data[i] = Float(random.normal() * standardDeviation) }
        weight.requiringGradient()
    }

    /// x: [Cin, N, H, W] → [Cout, N, Ho, Wo].
    public func callAsFunction(_ x: Tensor) -> Tensor {
        conv2d(x, weight: weight, stride: stride, padding: padding)
    }

    public func stateEntries(prefix: String) -> [StateEntry] {
        [StateEntry(name: prefix + "weight", kind: .parameter, value: .float(weight))]
    }

    public func setTraining(_ training: Bool) {}
}
