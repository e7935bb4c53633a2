/// The backbones a run can name, spelled as in `config.json`, checkpoints and `--arch`.
public enum ResNetArchitecture: String, Codable, CaseIterable, Sendable {
    /// torchvision's `resnet18`.
    case resnet18
    /// torchvision's `resnet50`.
    case resnet50
    /// `resnet18` with the small-image stem (3×3 stride-1 `conv1`, no max-pool) for 28–64 px images.
    case resnet18Small = "resnet18-small"
    /// `resnet50` with the small-image stem.
    case resnet50Small = "resnet50-small"

    /// The shape, at torchvision's width 64.
    public func configuration(classCount: Int? = nil) -> ResNetConfiguration {
        switch self {
        case .resnet18: return .resnet18(classCount: classCount)
        case .resnet50: return .resnet50(classCount: classCount)
        case .resnet18Small, .resnet50Small:
            var configuration = (self == .resnet18Small ? ResNetArchitecture.resnet18 : .resnet50)
                .configuration(classCount: classCount)
            configuration.smallImageStem = true
            return configuration
        }
    }

    /// Whether torchvision's constructors (`torchvision.models.resnet18/50`) build this shape:
    /// only the standard stem at width 64 loads there.
    public func loadsIntoTorchvision(baseWidth: Int) -> Bool {
        (self == .resnet18 || self == .resnet50) && baseWidth == 64
    }
}
