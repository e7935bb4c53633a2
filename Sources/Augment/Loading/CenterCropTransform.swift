import TensorCore

/// A single deterministic view: the centre `height × width` region of the image, as
/// torchvision's `CenterCrop`. An image smaller than the crop is padded with black first,
/// the odd pixel going to the right or bottom; a crop offset of half a pixel rounds to even
/// (Python's `round`).
///
/// Without resizing this suits data already near the crop size, such as Fashion-MNIST's 28×28
/// images at 28×28 (where it is the identity), and tests.
///
///     let loader = DataLoader(dataset: test, transform: CenterCropTransform(height: 28, width: 28), batchSize: 256)
public struct CenterCropTransform: SampleTransform {
    /// The output size.
    public let height: Int
    public let width: Int

    public init(height: Int, width: Int) {
        precondition(height > 0 && width > 0, "CenterCropTransform: size must be positive, got \(width)×\(height)")
        self.height = height
        self.width = width
    }

    public var viewShapes: [(height: Int, width: Int)] { [(height, width)] }

    public func views(of image: RGBImage, random: (Int) -> SeededRandom) -> [RGBImage] {
        [crop(image)]
    }

    /// The centre crop of `image`.
    public func crop(_ image: RGBImage) -> RGBImage {
        if image.width == width && image.height == height { return image }
        let left = Self.offset(source: image.width, crop: width)
        let top = Self.offset(source: image.height, crop: height)
        var output = RGBImage(width: width, height: height)
        // The columns of the output that lie inside the image; the rest stay black.
        let firstColumn = max(0, -left), endColumn = min(width, image.width - left)
        guard firstColumn < endColumn else { return output }
        image.pixels.withUnsafeBufferPointer { source in
            output.pixels.withUnsafeMutableBufferPointer { target in
                for y in 0..<height {
                    let sourceRow = y + top
                    guard sourceRow >= 0 && sourceRow < image.height else { continue }
                    let from = source.baseAddress! + (sourceRow * image.width + firstColumn + left) * 3
                    let to = target.baseAddress! + (y * width + firstColumn) * 3
                    to.update(from: from, count: (endColumn - firstColumn) * 3)
                }
            }
        }
        return output
    }

    /// Where the crop starts along one axis of `source` pixels: negative (minus the leading
    /// padding) when the crop is larger.
    private static func offset(source: Int, crop: Int) -> Int {
        crop > source ? -((crop - source) / 2) : Int((Double(source - crop) / 2).rounded(.toNearestOrEven))
    }
}
