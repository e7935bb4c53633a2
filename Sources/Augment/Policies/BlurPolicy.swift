/// How the weak colour ops' Gaussian blur is sized for a view (in T, T′ and the strong views'
/// base), spelled as in `config.json` and `--blur`.
public enum BlurPolicy: String, Codable, CaseIterable, Sendable {
    /// MoCo v2's: σ uniform in 0.1…2 pixels with p 0.5 at every view size (chosen for 224 px views;
    /// at 32 px it is seven times stronger relative to the image).
    case paper
    /// The same blur relative to the view: σ in (0.1…2)·size/224 pixels, p 0.5.
    case scaled
    /// No blur, as the CIFAR recipes of SimCLR and MoCo.
    case off

    /// `policy` with its blur set for views of `size` pixels.
    public func applied(to policy: WeakAugmentation, size: Int) -> WeakAugmentation {
        var policy = policy
        switch self {
        case .paper:
            break
        case .scaled:
            let factor = Double(size) / 224
            policy.blurSigma = (0.1 * factor)...(2.0 * factor)
        case .off:
            policy.blurProbability = 0
        }
        return policy
    }
}
