import TensorCore

/// The weak augmentation T / T′ of MoCo v2 and CLSA, as torchvision composes it on PIL images:
///
/// 1. `RandomResizedCrop(size, scale, ratio)` with BILINEAR resizing (see `RandomResizedCrop`);
/// 2. with probability `colorJitterProbability`, `colorJitter` (`RandomApply([ColorJitter], p)`);
/// 3. with probability `grayscaleProbability`, the ITU-R 601-2 luma replicated to R, G and B;
/// 4. with probability `blurProbability`, PIL's `GaussianBlur(radius: σ)` with σ uniform in
///    `blurSigma` (pixels, the standard deviation);
/// 5. with probability `flipProbability`, a horizontal flip.
///
/// The result is a `size × size` 8-bit image; ToTensor and Normalize (MoCo v2 uses ImageNet's
/// mean and standard deviation) happen when the loader writes the view into its batch tensor.
/// Every draw comes from the caller's `SeededRandom`, in the order torchvision makes them: each
/// coin before its op's own parameters, which are drawn only when the op runs.
///
/// ```swift
/// let weak = WeakAugmentation(size: 224)                 // MoCo v2 defaults
/// var random = SeededRandom(seed: 7, epoch, sampleIndex, view)
/// let view = weak.apply(to: image, random: &random)      // 224×224
/// ```
public struct WeakAugmentation: Equatable, Sendable {
    /// Output side in pixels (the view is square).
    public var size: Int
    /// The fraction of the image area the crop covers, drawn uniformly.
    public var scale: ClosedRange<Double>
    /// The crop's width / height ratio, drawn log-uniformly.
    public var ratio: ClosedRange<Double>
    /// The colour jitter applied with `colorJitterProbability`.
    public var colorJitter: ColorJitter
    public var colorJitterProbability: Double
    /// The probability of replacing the view by its grayscale.
    public var grayscaleProbability: Double
    /// Gaussian blur standard deviations in pixels, drawn uniformly when the blur runs.
    public var blurSigma: ClosedRange<Double>
    public var blurProbability: Double
    /// The probability of a horizontal flip.
    public var flipProbability: Double

    /// MoCo v2's weak augmentation at `size` (224 for ImageNet): crop scale 0.2…1, ratio 3/4…4/3,
    /// `ColorJitter(0.4, 0.4, 0.4, 0.1)` with p 0.8, grayscale p 0.2, blur σ ∈ 0.1…2 with p 0.5,
    /// flip p 0.5. Each parameter can be changed afterwards or given here.
    public init(size: Int,
                scale: ClosedRange<Double> = 0.2...1.0,
                ratio: ClosedRange<Double> = (3.0 / 4.0)...(4.0 / 3.0),
                colorJitter: ColorJitter = ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1),
                colorJitterProbability: Double = 0.8,
                grayscaleProbability: Double = 0.2,
                blurSigma: ClosedRange<Double> = 0.1...2.0,
                blurProbability: Double = 0.5,
                flipProbability: Double = 0.5) {
        precondition(size > 0, "WeakAugmentation: size \(size)")
        precondition(blurSigma.lowerBound >= 0, "WeakAugmentation: negative blur sigma \(blurSigma)")
        for p in [colorJitterProbability, grayscaleProbability, blurProbability, flipProbability] {
            precondition((0...1).contains(p), "WeakAugmentation: probability \(p) outside 0…1")
        }
        self.size = size
        self.scale = scale
        self.ratio = ratio
        self.colorJitter = colorJitter
        self.colorJitterProbability = colorJitterProbability
        self.grayscaleProbability = grayscaleProbability
        self.blurSigma = blurSigma
        self.blurProbability = blurProbability
        self.flipProbability = flipProbability
    }

    /// The crop stage (step 1).
    public var crop: RandomResizedCrop {
        RandomResizedCrop(width: size, height: size, scale: scale, ratio: ratio)
    }

    /// A random weak view of `image`: `size × size`.
    public func apply(to image: RGBImage, random: inout SeededRandom) -> RGBImage {
        applyAfterCrop(to: crop.apply(to: image, using: &random), random: &random)
    }

    /// Steps 2–5 (jitter, grayscale, blur, flip) on an already cropped view; the strong
    /// augmentation runs them too.
    func applyAfterCrop(to view: RGBImage, random: inout SeededRandom) -> RGBImage {
        var view = view
        if random.bernoulli(colorJitterProbability) {
            view = colorJitter.apply(to: view, random: &random)
        }
        if random.bernoulli(grayscaleProbability) {
            view = view.grayscale()
        }
        if random.bernoulli(blurProbability) {
            view = view.gaussianBlurred(sigma: Float(random.uniform(blurSigma.lowerBound, blurSigma.upperBound)))
        }
        if random.bernoulli(flipProbability) {
            view = view.flippedHorizontally()
        }
        return view
    }
}
