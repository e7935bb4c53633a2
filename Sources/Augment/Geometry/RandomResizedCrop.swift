import Foundation
import TensorCore

/// torchvision 0.29's `RandomResizedCrop(size, scale, ratio)` on PIL images with BILINEAR
/// interpolation: a box of random area and aspect ratio at a random position, resized to
/// `width × height`.
///
/// The box is drawn as `RandomResizedCrop.get_params` draws it (the random numbers come from a
/// `SeededRandom`, not from torch's generator):
/// up to 10 tries of target area = image area · U(scale) and aspect = exp(U(log ratio)), both
/// uniforms in float32 as torch's, with w = round(√(area·aspect)) and h = round(√(area/aspect))
/// (half to even); the first try with 0 < w ≤ W and 0 < h ≤ H is placed at a uniform integer
/// offset in [0, W − w] × [0, H − h]. When all ten fail, the fallback is the centred box of the
/// whole image, narrowed to the nearest ratio bound when the image's own ratio lies outside
/// `ratio` (the scale range plays no part there).
///
/// ```swift
/// let crop = RandomResizedCrop(width: 224, height: 224, scale: 0.2...1.0)
/// var random = SeededRandom(seed: 7, epoch, sampleIndex, view)
/// let view = crop.apply(to: image, using: &random)
/// ```
public struct RandomResizedCrop: Sendable {
    /// Output width in pixels.
    public let width: Int
    /// Output height in pixels.
    public let height: Int
    /// The fraction of the image area to cover, drawn uniformly.
    public let scale: ClosedRange<Double>
    /// The width / height ratio of the box, drawn log-uniformly.
    public let ratio: ClosedRange<Double>

    /// torchvision's defaults: scale 0.08…1, ratio 3/4…4/3.
    public init(width: Int, height: Int, scale: ClosedRange<Double> = 0.08...1.0,
                ratio: ClosedRange<Double> = (3.0 / 4.0)...(4.0 / 3.0)) {
        precondition(width > 0 && height > 0, "RandomResizedCrop: output size \(width)×\(height)")
        precondition(scale.lowerBound >= 0 && ratio.lowerBound > 0,
                     "RandomResizedCrop: scale \(scale) and ratio \(ratio) must be non-negative and positive")
        (self.width, self.height, self.scale, self.ratio) = (width, height, scale, ratio)
    }

    /// `get_params`: the box to crop from an `imageWidth × imageHeight` image.
    public func box(imageWidth: Int, imageHeight: Int, using random: inout SeededRandom) -> CropBox {
        precondition(imageWidth > 0 && imageHeight > 0, "RandomResizedCrop: empty \(imageWidth)×\(imageHeight) image")
        let area = Double(imageWidth * imageHeight)
        let logRatio = (log(Float(ratio.lowerBound)), log(Float(ratio.upperBound)))
        for _ in 0..<10 {
            let targetArea = area * Double(random.torchUniform(Float(scale.lowerBound), Float(scale.upperBound)))
            let aspect = Double(exp(random.torchUniform(logRatio.0, logRatio.1)))
            let w = Int((targetArea * aspect).squareRoot().rounded(.toNearestOrEven))
            let h = Int((targetArea / aspect).squareRoot().rounded(.toNearestOrEven))
            if w > 0 && w <= imageWidth && h > 0 && h <= imageHeight {
                let top = random.integer(in: 0...(imageHeight - h))
                let left = random.integer(in: 0...(imageWidth - w))
                return CropBox(x: left, y: top, width: w, height: h)
            }
        }
        var w = imageWidth, h = imageHeight
        let imageRatio = Double(imageWidth) / Double(imageHeight)
        if imageRatio < ratio.lowerBound {
            h = Int((Double(w) / ratio.lowerBound).rounded(.toNearestOrEven))
        } else if imageRatio > ratio.upperBound {
            w = Int((Double(h) * ratio.upperBound).rounded(.toNearestOrEven))
        }
        return CropBox(x: (imageWidth - w) / 2, y: (imageHeight - h) / 2, width: w, height: h)
    }

    /// A random crop of `image`, resized to `width × height` (see `RGBImage.resizedCrop`).
    public func apply(to image: RGBImage, using random: inout SeededRandom) -> RGBImage {
        let box = box(imageWidth: image.width, imageHeight: image.height, using: &random)
        return image.resizedCrop(box, toWidth: width, toHeight: height)
    }
}
