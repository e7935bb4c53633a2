/// The shape of a ResNet: block type, blocks per stage, width and stem.
public struct ResNetConfiguration: Codable, Equatable, Sendable {
    public enum Block: String, Codable, Sendable {
        /// Two 3×3 convolutions (ResNet-18/34).
        case basic
        /// 1×1, 3×3, 1×1 convolutions with 4× expansion (ResNet-50/101/152).
        case bottleneck
    }

    public var block: Block
    /// Residual blocks in each of the four stages.
    public var layers: [Int]
    /// Channels of the stem and of the first stage's blocks (`planes`); stage i has
    /// `baseWidth · 2^i` planes. torchvision: 64.
    public var baseWidth: Int
    /// For 28–64 px images: a 3×3 stride-1 `conv1` and no max-pool, instead of the 7×7 stride-2
    /// conv and 3×3/2 max-pool (which would shrink a 32 px image to 8 px before the first block).
    public var smallImageStem: Bool
    /// Classes of the final `fc` layer; nil builds a backbone without one.
    public var classCount: Int?

    public init(block: Block, layers: [Int], baseWidth: Int = 64, smallImageStem: Bool = false,
                classCount: Int? = nil) {
        precondition(layers.count == 4 && layers.allSatisfy { $0 >= 1 },
                     "ResNetConfiguration: need 4 stages of at least one block, got \(layers)")
        precondition(baseWidth >= 1, "ResNetConfiguration: baseWidth must be positive, got \(baseWidth)")
        self.block = block
        self.layers = layers
        self.baseWidth = baseWidth
        self.smallImageStem = smallImageStem
        self.classCount = classCount
    }

    /// torchvision's `resnet18` (11,689,512 parameters with 1000 classes).
    public static func resnet18(classCount: Int? = nil) -> ResNetConfiguration {
        ResNetConfiguration(block: .basic, layers: [2, 2, 2, 2], classCount: classCount)
    }

    /// torchvision's `resnet50` (25,557,032 parameters with 1000 classes).
    public static func resnet50(classCount: Int? = nil) -> ResNetConfiguration {
        ResNetConfiguration(block: .bottleneck, layers: [3, 4, 6, 3], classCount: classCount)
    }

    /// The side, in pixels, of the last stage's feature maps for a `side`×`side` input: the
    /// stem halves it twice (7×7 stride-2 conv, 3×3 stride-2 max-pool; the small-image stem
    /// keeps it), then stages 2–4 halve it, each rounding up.
    public func finalFeatureMapSide(forInput side: Int) -> Int {
        let halvings = smallImageStem ? 3 : 5
        return (0..<halvings).reduce(side) { s, _ in (s + 1) / 2 }
    }

    /// Channels of the pooled feature vector: 512·w/64 (basic) or 2048·w/64 (bottleneck).
    public var featureDimension: Int {
        baseWidth * 8 * (block == .bottleneck ? 4 : 1)
    }
}
