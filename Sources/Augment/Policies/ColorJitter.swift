import TensorCore

/// torchvision 0.29's `ColorJitter(brightness, contrast, saturation, hue)` on PIL images: the
/// four adjustments in a random order, each with a random factor.
///
/// Draws, as `ColorJitter.get_params` makes them (the values come from a `SeededRandom`, not
/// torch's generator): first a uniformly random order of the four adjustments
/// (`torch.randperm(4)`), then a float32 uniform factor for each configured adjustment, in the
/// fixed order brightness, contrast, saturation, hue. Each adjustment is the PIL-exact op:
/// brightness `adjustingBrightness` (blend with black), contrast `adjustingContrast` (blend with
/// the mean grey), saturation `adjustingSaturation` (PIL's `ImageEnhance.Color`), hue
/// `adjustingHue` (through PIL's 8-bit HSV). An adjustment whose range is nil is skipped and
/// draws nothing.
///
/// ```swift
/// let jitter = ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1)
/// var random = SeededRandom(seed: 7, epoch, sampleIndex, view)
/// let jittered = jitter.apply(to: image, random: &random)
/// ```
public struct ColorJitter: Equatable, Sendable {
    /// One of the four adjustments, in torchvision's numbering (`fn_idx` values 0…3).
    public enum Adjustment: Int, CaseIterable, Sendable {
        case brightness, contrast, saturation, hue
    }

    /// Brightness factors (1 is the identity), drawn uniformly; nil skips brightness.
    public var brightness: ClosedRange<Double>?
    /// Contrast factors (1 is the identity), drawn uniformly; nil skips contrast.
    public var contrast: ClosedRange<Double>?
    /// Saturation factors (1 is the identity), drawn uniformly; nil skips saturation.
    public var saturation: ClosedRange<Double>?
    /// Hue shifts as fractions of the hue circle (0 is a lossy identity, see `adjustingHue`),
    /// within −0.5…0.5, drawn uniformly; nil skips hue.
    public var hue: ClosedRange<Double>?

    /// The factor ranges themselves.
    public init(brightness: ClosedRange<Double>?, contrast: ClosedRange<Double>?,
                saturation: ClosedRange<Double>?, hue: ClosedRange<Double>?) {
        for (name, range) in [("brightness", brightness), ("contrast", contrast), ("saturation", saturation)] {
            if let range {
                precondition(range.lowerBound >= 0, "ColorJitter: negative \(name) factors \(range)")
            }
        }
        if let hue {
            precondition(hue.lowerBound >= -0.5 && hue.upperBound <= 0.5, "ColorJitter: hue \(hue) outside −0.5…0.5")
        }
        (self.brightness, self.contrast, self.saturation, self.hue) = (brightness, contrast, saturation, hue)
    }

    /// torchvision's scalar form: factors in `max(0, 1 − x)…1 + x` for brightness, contrast and
    /// saturation, shifts in `−hue…hue`; a strength of 0 skips that adjustment.
    /// MoCo v2 and CLSA use `ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1)`.
    public init(brightness: Double, contrast: Double, saturation: Double, hue: Double) {
        precondition([brightness, contrast, saturation, hue].allSatisfy { $0 >= 0 } && hue <= 0.5,
                     "ColorJitter: strengths \(brightness), \(contrast), \(saturation), \(hue) must be ≥ 0 (hue ≤ 0.5)")
        func factors(_ strength: Double) -> ClosedRange<Double>? {
            strength == 0 ? nil : max(0, 1 - strength)...(1 + strength)
        }
        self.init(brightness: factors(brightness), contrast: factors(contrast), saturation: factors(saturation),
                  hue: hue == 0 ? nil : -hue...hue)
    }

    /// One draw of the jitter: the order of the adjustments and their factors (nil for a skipped
    /// adjustment). Factors are float32, as torch draws them and PIL's blends use them.
    public struct Parameters: Equatable, Sendable {
        /// All four adjustments, in the order they are applied.
        public var order: [Adjustment]
        public var brightness: Float?
        public var contrast: Float?
        public var saturation: Float?
        public var hue: Float?

        public init(order: [Adjustment], brightness: Float?, contrast: Float?, saturation: Float?, hue: Float?) {
            precondition(order.count == 4 && Set(order).count == 4, "ColorJitter.Parameters: order \(order) is not a permutation")
            self.order = order
            (self.brightness, self.contrast, self.saturation, self.hue) = (brightness, contrast, saturation, hue)
        }
    }

    /// `get_params`: the permutation first, then the factors in the order brightness, contrast,
    /// saturation, hue.
    public func parameters(random: inout SeededRandom) -> Parameters {
        let order = random.permutation(count: 4).map { Adjustment(rawValue: $0)! }
        func draw(_ range: ClosedRange<Double>?) -> Float? {
            range.map { random.torchUniform(Float($0.lowerBound), Float($0.upperBound)) }
        }
        let brightness = draw(brightness), contrast = draw(contrast), saturation = draw(saturation), hue = draw(hue)
        return Parameters(order: order, brightness: brightness, contrast: contrast, saturation: saturation, hue: hue)
    }

    /// The adjustments of `parameters` applied to `image` in their order.
    public static func apply(_ parameters: Parameters, to image: RGBImage) -> RGBImage {
        var result = image
        for adjustment in parameters.order {
            switch adjustment {
            case .brightness: if let factor = parameters.brightness { result = result.adjustingBrightness(factor) }
            case .contrast: if let factor = parameters.contrast { result = result.adjustingContrast(factor) }
            case .saturation: if let factor = parameters.saturation { result = result.adjustingSaturation(factor) }
            case .hue: if let factor = parameters.hue { result = result.adjustingHue(factor) }
            }
        }
        return result
    }

    /// A random jitter of `image` (same size).
    public func apply(to image: RGBImage, random: inout SeededRandom) -> RGBImage {
        Self.apply(parameters(random: &random), to: image)
    }
}
