import Augment
import TensorCore

/// Where a probe's features come from: a frozen `PretrainedBackbone`, or `RawPixels` (the floor
/// any network has to beat). Both see the same evaluation views, normalised the same way.
public protocol FeatureSource {
    /// The side of the square views, in pixels.
    var imageSize: Int { get }
    /// ToTensor + Normalize of the views.
    var normalization: Normalization { get }
    /// Length of a feature vector.
    var featureDimension: Int { get }
    /// A name for reports: the architecture, or `raw-pixels`.
    var name: String { get }
    /// images [N, 3, S, S] (normalised) → features [N, featureDimension], without a graph and
    /// without changing any state (the result may share the images' memory).
    func features(of images: Tensor) -> Tensor
    /// The state a probe must leave untouched (nil when there is none).
    var frozenModule: Module? { get }
}

extension FeatureSource {
    /// torchvision's evaluation view at `imageSize`: shorter side to `imageSize · 256/224`, centre crop.
    public var evaluationTransform: EvaluationTransform { EvaluationTransform(size: imageSize) }
}

/// The normalised pixels of the evaluation view as the features (3·S·S of them): what a linear
/// probe reaches with no network at all. With a standardised probe
/// (`LinearEvaluationConfiguration.standardizedFeatures`) it is multinomial logistic regression on
/// standardised pixels.
public struct RawPixels: FeatureSource {
    public let imageSize: Int
    public let normalization: Normalization

    public init(imageSize: Int, normalization: Normalization) {
        precondition(imageSize >= 1, "RawPixels: image size must be positive, got \(imageSize)")
        self.imageSize = imageSize
        self.normalization = normalization
    }

    public var featureDimension: Int { 3 * imageSize * imageSize }
    public var name: String { "raw-pixels" }
    public var frozenModule: Module? { nil }

    public func features(of images: Tensor) -> Tensor {
        precondition(images.rank == 4 && images.count == images.shape[0] * featureDimension,
                     "RawPixels: images must be [N, 3, \(imageSize), \(imageSize)], got \(images.shape)")
        return images.reshaped([images.shape[0], featureDimension])
    }
}
