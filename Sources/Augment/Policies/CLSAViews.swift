import TensorCore

/// CLSA's views of one image, in loader order: the key view T, the weak query view T′ (both
/// `WeakAugmentation`), then one strong view S per strong size (`StrongAugmentation`; none for
/// MoCo v2). Each view draws from its own stream, so adding or removing strong views never
/// changes T or T′.
public struct CLSAViews: SampleTransform, Equatable {
    public var weak: WeakAugmentation
    public var strong: [StrongAugmentation]

    public init(weak: WeakAugmentation, strong: [StrongAugmentation]) {
        self.weak = weak
        self.strong = strong
    }

    /// Index of the key view T in `views(of:random:)`.
    public static let keyView = 0
    /// Index of the weak query view T′.
    public static let weakQueryView = 1
    /// Index of the first strong view.
    public static let firstStrongView = 2

    public var viewShapes: [(height: Int, width: Int)] {
        [(weak.size, weak.size), (weak.size, weak.size)] + strong.map { ($0.size, $0.size) }
    }

    public func views(of image: RGBImage, random: (Int) -> SeededRandom) -> [RGBImage] {
        var views: [RGBImage] = []
        views.reserveCapacity(2 + strong.count)
        for v in 0..<2 {
            var stream = random(v)
            views.append(weak.apply(to: image, random: &stream))
        }
        for (s, policy) in strong.enumerated() {
            var stream = random(Self.firstStrongView + s)
            views.append(policy.apply(to: image, random: &stream))
        }
        return views
    }
}
