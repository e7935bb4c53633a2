import Augment
import TensorCore

/// The training view of the linear-evaluation protocol (MoCo's `main_lincls.py`, torchvision's
/// ImageNet recipe): `RandomResizedCrop(size)` with scale 0.08…1 and ratio 3/4…4/3, then a
/// horizontal flip with probability 0.5. Normalisation happens in the loader.
public struct LinearEvaluationAugmentation: SampleTransform, Sendable {
    public let crop: RandomResizedCrop
    public let flipProbability: Double

    public init(size: Int, scale: ClosedRange<Double> = 0.08...1.0, flipProbability: Double = 0.5) {
        precondition((0...1).contains(flipProbability), "LinearEvaluationAugmentation: flip probability \(flipProbability)")
        crop = RandomResizedCrop(width: size, height: size, scale: scale)
        self.flipProbability = flipProbability
    }

    public var viewShapes: [(height: Int, width: Int)] { [(crop.height, crop.width)] }

    public func views(of image: RGBImage, random: (Int) -> SeededRandom) -> [RGBImage] {
        var stream = random(0)
        let view = crop.apply(to: image, using: &stream)
        return [stream.bernoulli(flipProbability) ? view.flippedHorizontally() : view]
    }
}
