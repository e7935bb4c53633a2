import TensorCore

/// Per-channel normalisation of 8-bit RGB into float32, torchvision's `ToTensor()` followed by
/// `Normalize(mean, std)`: channel c's value v becomes `(v / 255 − mean[c]) / std[c]`.
///
/// The 256 possible results of each channel are computed once, in float32 as torch does on the
/// CPU (a true division by 255, then subtraction and division by float32 mean and std), so
/// converting an image is three table look-ups per pixel.
///
///     let normalization = Normalization.imageNet
///     let batch = normalization.batch([image0, image1])   // [2, 3, H, W]
public struct Normalization: Equatable, Sendable {
    /// The per-channel means (R, G, B), in units of the [0, 1] intensity range.
    public let mean: [Float]
    /// The per-channel standard deviations (R, G, B), positive.
    public let standardDeviation: [Float]
    /// Channel c's result for byte value v at `c · 256 + v`.
    private let table: [Float]

    /// ImageNet's statistics, torchvision's usual `Normalize` for pretrained models:
    /// mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225).
    public static let imageNet = Normalization(mean: [0.485, 0.456, 0.406], standardDeviation: [0.229, 0.224, 0.225])

    /// Fashion-MNIST's statistics over its 60,000 training images (gray, so every channel
    /// alike): mean 0.2860, std 0.3530.
    public static let fashionMNIST = Normalization(mean: [0.2860, 0.2860, 0.2860], standardDeviation: [0.3530, 0.3530, 0.3530])

    /// No normalisation beyond scaling to [0, 1]: `ToTensor()` alone.
    public static let unitRange = Normalization(mean: [0, 0, 0], standardDeviation: [1, 1, 1])

    /// Normalisation with the given statistics: three values each (R, G, B), or one value that
    /// applies to all three channels (as torchvision broadcasts a one-element mean, for gray
    /// datasets replicated to RGB).
    ///
    /// The values are taken as `Double` and rounded once to float32, as Python floats become a
    /// float32 tensor, so that the results match torchvision's bit for bit.
    public init(mean: [Double], standardDeviation: [Double]) {
        func perChannel(_ values: [Double], _ what: String) -> [Float] {
            precondition(values.count == 1 || values.count == 3, "Normalization: needs 1 or 3 \(what), got \(values.count)")
            return values.count == 1 ? Array(repeating: Float(values[0]), count: 3) : values.map(Float.init)
        }
        precondition(standardDeviation.allSatisfy { $0 > 0 },
                     "Normalization: standard deviations must be positive, got \(standardDeviation)")
        self.mean = perChannel(mean, "means")
        self.standardDeviation = perChannel(standardDeviation, "standard deviations")
        var table = [Float](repeating: 0, count: 3 * 256)
        for channel in 0..<3 {
            for value in 0..<256 {
                table[channel * 256 + value] = (Float(value) / 255 - self.mean[channel]) / self.standardDeviation[channel]
            }
        }
        self.table = table
    }

    /// The normalised value of byte `value` in `channel` (0 = R, 1 = G, 2 = B).
    public func normalized(_ value: UInt8, channel: Int) -> Float {
        table[channel * 256 + Int(value)]
    }

    /// Writes `image` as normalised channel-major float32 to `destination`: three planes of
    /// `height × width` values (R, G, B), row-major — one `[3, H, W]` slot of an `[N, 3, H, W]`
    /// batch. `destination` must hold `3 · height · width` floats.
    public func writeChannelMajor(_ image: RGBImage, to destination: UnsafeMutablePointer<Float>) {
        let planeSize = image.width * image.height
        guard planeSize > 0 else { return }
        image.pixels.withUnsafeBufferPointer { pixels in
            table.withUnsafeBufferPointer { table in
                let source = pixels.baseAddress!
                let red = table.baseAddress!, green = red + 256, blue = red + 512
                let redPlane = destination, greenPlane = destination + planeSize, bluePlane = destination + 2 * planeSize
                for i in 0..<planeSize {
                    redPlane[i] = red[Int(source[3 * i])]
                    greenPlane[i] = green[Int(source[3 * i + 1])]
                    bluePlane[i] = blue[Int(source[3 * i + 2])]
                }
            }
        }
    }

    /// The images as one normalised batch `[N, 3, H, W]`; all must have the same size.
    public func batch(_ images: [RGBImage]) -> Tensor {
        precondition(!images.isEmpty, "Normalization.batch: no images")
        let (height, width) = (images[0].height, images[0].width)
        let tensor = Tensor(uninitializedShape: [images.count, 3, height, width])
        for (slot, image) in images.enumerated() {
            precondition(image.width == width && image.height == height,
                         "Normalization.batch: image \(slot) is \(image.width)×\(image.height), image 0 is \(width)×\(height)")
            writeChannelMajor(image, to: tensor.data + slot * 3 * height * width)
        }
        return tensor
    }
}
