import TensorCore

/// The evaluation view (validation, kNN, feature export): torchvision's protocol of resizing
/// the shorter side to `size · 256/224` (bilinear, antialiased) and cropping the centre
/// `size × size` — `Resize(256)` + `CenterCrop(224)` at the standard size, 32 + 28 for
/// Fashion-MNIST's 28 px. Deterministic: it draws no random numbers.
public struct EvaluationTransform: SampleTransform, Equatable {
    /// The output side, in pixels.
    public let size: Int
    /// The shorter side after resizing, `Int(size · 256/224)`.
    public let resizedShorterSide: Int

    public init(size: Int) {
        precondition(size > 0, "EvaluationTransform: size must be positive, got \(size)")
        self.size = size
        self.resizedShorterSide = max(size, Int(Double(size) * 256 / 224))
    }

    public var viewShapes: [(height: Int, width: Int)] { [(size, size)] }

    public func views(of image: RGBImage, random: (Int) -> SeededRandom) -> [RGBImage] {
        [view(of: image)]
    }

    /// The evaluation view of `image`.
    public func view(of image: RGBImage) -> RGBImage {
        image.resizedShorterSide(to: resizedShorterSide, centerCrop: size)
    }
}
