/// One of the strong augmentation's image operations (the paper's Table 1, plus the released
/// code's Identity), each a PIL-exact op with a magnitude in raw units:
///
/// | op | magnitude | applied as |
/// | --- | --- | --- |
/// | shearX, shearY | shear factor, signed | `shearedX(by:)`, `shearedY(by:)` |
/// | translateX, translateY | fraction of the width (height), signed | `translatedX(by: int(m·side))` |
/// | rotate | degrees, counter-clockwise, signed | `rotated(degrees:)` |
/// | solarize | threshold 0…256 (an integer) | `solarized(threshold:)` |
/// | posterize | bits kept 1…8 (an integer) | `posterized(bits:)` |
/// | contrast, color, brightness, sharpness | enhance factor (1 = identity) | `adjustingContrast` … |
/// | autoContrast, invert, equalize, identity | none | `autocontrasted()`, `inverted()`, `equalized()`, the image |
///
/// `magnitude(level:)` is the released code's (RandAugment, FixMatch pool) map from a level
/// v of 10 to that magnitude, in its Double order of operations.
///
/// ```swift
/// let sheared = StrongOperation.shearX.apply(to: image, magnitude: -0.27)
/// let solarize = StrongOperation(name: "solarize")!                            // the CLI's names
/// let solarized = solarize.apply(to: image, magnitude: solarize.magnitude(level: 9))  // threshold 26
/// let inverted = StrongOperation.invert.apply(to: image, magnitude: 0)
/// ```
public enum StrongOperation: String, CaseIterable, Sendable {
    case autoContrast = "autocontrast"
    case brightness
    case color
    case contrast
    case equalize
    case identity
    case invert
    case posterize
    case rotate
    case sharpness
    case shearX = "shear-x"
    case shearY = "shear-y"
    case solarize
    case translateX = "translate-x"
    case translateY = "translate-y"

    /// The paper's 14 operations (Table 1), in the released pool's order with Invert in
    /// Identity's place.
    public static let paperPool: [StrongOperation] = [
        .autoContrast, .brightness, .color, .contrast, .equalize, .invert, .posterize,
        .rotate, .sharpness, .shearX, .shearY, .solarize, .translateX, .translateY,
    ]

    /// The released code's 14 (`fixmatch_augment_pool`): Identity instead of Invert.
    public static let releasedPool: [StrongOperation] = [
        .autoContrast, .brightness, .color, .contrast, .equalize, .identity, .posterize,
        .rotate, .sharpness, .shearX, .shearY, .solarize, .translateX, .translateY,
    ]

    /// The name on the command line (`shear-x`, `autocontrast`, …).
    public var name: String { rawValue }

    /// The operation called `name`, or nil.
    public init?(name: String) {
        self.init(rawValue: name)
    }

    /// Whether the op takes a magnitude (AutoContrast, Invert, Equalize and Identity do not).
    public var hasMagnitude: Bool { acceptedMagnitudes != nil }

    /// Whether the magnitude's sign is drawn at random (shears, translations, rotation).
    public var isSigned: Bool {
        switch self {
        case .shearX, .shearY, .translateX, .translateY, .rotate: return true
        default: return false
        }
    }

    /// Whether the magnitude must be a whole number (solarize's threshold, posterize's bits).
    public var takesWholeMagnitude: Bool { self == .solarize || self == .posterize }

    /// The magnitudes `apply(to:magnitude:)` accepts, or nil for an op without one. Wider than
    /// the policy reaches: shears up to ±1 (45°), translations up to the whole side, rotations
    /// up to a full turn, enhance factors 0…4.
    public var acceptedMagnitudes: ClosedRange<Double>? {
        switch self {
        case .autoContrast, .invert, .equalize, .identity: return nil
        case .shearX, .shearY, .translateX, .translateY: return -1...1
        case .rotate: return -360...360
        case .solarize: return 0...256
        case .posterize: return 1...8
        case .contrast, .color, .brightness, .sharpness: return 0...4
        }
    }

    /// Why `apply(to:magnitude:)` would refuse `magnitude` (nil: no magnitude given), or nil when
    /// it takes it, naming the parameter in backquotes: "needs a `magnitude`: degrees -360…360, …".
    public func problem(withMagnitude magnitude: Double?) -> String? {
        let number = StrongOperation.number
        switch (acceptedMagnitudes, magnitude) {
        case (nil, nil): return nil
        case (nil, let magnitude?): return "takes no `magnitude` (got \(number(magnitude)))"
        case (_?, nil): return "needs a `magnitude`: \(magnitudeUnits)"
        case (let accepted?, let magnitude?):
            if !accepted.contains(magnitude) { return "`magnitude` \(number(magnitude)) is out of range: \(magnitudeUnits)" }
            if takesWholeMagnitude && magnitude.rounded() != magnitude { return "`magnitude` \(number(magnitude)) must be a whole number" }
            return nil
        }
    }

    /// What the magnitude means and which values `apply(to:magnitude:)` accepts, for people:
    /// "degrees -360…360, counter-clockwise"; "no magnitude" for an op without one.
    public var magnitudeUnits: String {
        guard let accepted = acceptedMagnitudes else { return "no magnitude" }
        let number = StrongOperation.number
        let range = "\(number(accepted.lowerBound))…\(number(accepted.upperBound))"
        switch self {
        case .shearX, .shearY: return "shear factor \(range)"
        case .translateX: return "fraction of the width \(range) (positive moves the content left)"
        case .translateY: return "fraction of the height \(range) (positive moves the content up)"
        case .rotate: return "degrees \(range), counter-clockwise"
        case .solarize: return "threshold \(range), a whole number"
        case .posterize: return "bits kept \(range), a whole number"
        default: return "enhance factor \(range) (1 leaves the image unchanged)"
        }
    }

    /// A magnitude as people write it: `27`, not `27.0`.
    private static func number(_ value: Double) -> String {
        value.rounded() == value ? String(Int(value)) : String(value)
    }

    /// The paper's Table 1 range, over which the continuous-magnitude mode draws uniformly
    /// (nil for an op without magnitude): shear ±0.3, translate ±0.3 of the side, rotate ±30°,
    /// solarize threshold 0…256, posterize 4…8 bits, enhance factors 0.05…0.95.
    public var tableRange: ClosedRange<Double>? {
        switch self {
        case .autoContrast, .invert, .equalize, .identity: return nil
        case .shearX, .shearY, .translateX, .translateY: return -0.3...0.3
        case .rotate: return -30...30
        case .solarize: return 0...256
        case .posterize: return 4...8
        case .contrast, .color, .brightness, .sharpness: return 0.05...0.95
        }
    }

    /// The released code's magnitude for level `level` of 10 (unsigned; the policy draws the
    /// sign of signed ops), computed in Double as Python does there:
    /// shears and translations `v·0.3/10`; rotation `int(v·30/10)`°; solarize threshold
    /// `256 − int(v·256/10)`; posterize `int(v·4/10) + 4` bits; enhance factors `v·0.9/10 + 0.05`;
    /// 0 for ops without magnitude. At v = 9: 0.27, 27°, 26, 7 bits, 0.86.
    public func magnitude(level: Int) -> Double {
        precondition((0...Self.maximumLevel).contains(level), "StrongOperation: level \(level) outside 0…\(Self.maximumLevel)")
        let v = Double(level), maximum = Double(Self.maximumLevel)
        switch self {
        case .autoContrast, .invert, .equalize, .identity: return 0
        case .shearX, .shearY, .translateX, .translateY: return v * 0.3 / maximum
        case .rotate: return (Double(level * 30) / maximum).rounded(.towardZero)
        case .solarize: return 256 - (Double(level * 256) / maximum).rounded(.towardZero)
        case .posterize: return (Double(level * 4) / maximum).rounded(.towardZero) + 4
        case .contrast, .color, .brightness, .sharpness: return v * 0.9 / maximum + 0.05
        }
    }

    /// The released code's `PARAMETER_MAX`: levels are out of 10.
    public static let maximumLevel = 10

    /// The op applied to `image` at `magnitude` (raw units, see the type's table; ignored by
    /// ops without magnitude, which callers pass as 0). Same size as `image`.
    /// - Precondition: `magnitude` lies in `acceptedMagnitudes` and is whole where
    ///   `takesWholeMagnitude`.
    public func apply(to image: RGBImage, magnitude: Double) -> RGBImage {
        if let accepted = acceptedMagnitudes {
            precondition(accepted.contains(magnitude) && (!takesWholeMagnitude || magnitude.rounded() == magnitude),
                         "StrongOperation.\(self): magnitude \(magnitude) outside \(accepted)")
        }
        switch self {
        case .autoContrast: return image.autocontrasted()
        case .invert: return image.inverted()
        case .equalize: return image.equalized()
        case .identity: return image
        case .shearX: return image.shearedX(by: magnitude)
        case .shearY: return image.shearedY(by: magnitude)
        // Python's int(): the pixel count truncated toward zero, so ±m give mirror shifts.
        case .translateX: return image.translatedX(by: (magnitude * Double(image.width)).rounded(.towardZero))
        case .translateY: return image.translatedY(by: (magnitude * Double(image.height)).rounded(.towardZero))
        case .rotate: return image.rotated(degrees: magnitude)
        case .solarize: return image.solarized(threshold: Int(magnitude))
        case .posterize: return image.posterized(bits: Int(magnitude))
        case .contrast: return image.adjustingContrast(Float(magnitude))
        case .color: return image.adjustingSaturation(Float(magnitude))
        case .brightness: return image.adjustingBrightness(Float(magnitude))
        case .sharpness: return image.adjustingSharpness(Float(magnitude))
        }
    }
}
