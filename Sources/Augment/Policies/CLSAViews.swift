import TensorCore

/// CLSA's views of one image, in loader order: the key view T, one weak query view T′ per
/// `weakQuerySizes` entry (all `WeakAugmentation`), then one strong view S per strong size
/// (`StrongAugmentation`; none for MoCo v2). Each view draws from its own stream, so adding or
/// removing strong views never changes T or T′.
public struct CLSAViews: SampleTransform, Equatable {
    /// The weak policy at the key view's size (T, and T′ at that size).
    public var weak: WeakAugmentation
    /// Sides of the weak query views; `[weak.size]` is CLSA's single T′. Several sizes are the
    /// released code's multi-crop variant (one weak query per size).
    public var weakQuerySizes: [Int]
    public var strong: [StrongAugmentation]

    public init(weak: WeakAugmentation, weakQuerySizes: [Int]? = nil, strong: [StrongAugmentation]) {
        self.weak = weak
        self.weakQuerySizes = weakQuerySizes ?? [weak.size]
        self.strong = strong
    }

    /// Index of the key view T in `views(of:random:)`.
    public static let keyView = 0
    /// Indices of the weak query views T′.
    public var weakQueryViews: Range<Int> { 1..<(1 + weakQuerySizes.count) }
    /// Indices of the strong views.
    public var strongViews: Range<Int> { weakQueryViews.upperBound..<(weakQueryViews.upperBound + strong.count) }

    public var viewShapes: [(height: Int, width: Int)] {
        [(weak.size, weak.size)] + weakQuerySizes.map { ($0, $0) } + strong.map { ($0.size, $0.size) }
    }

    public func views(of image: RGBImage, random: (Int) -> SeededRandom) -> [RGBImage] {
        var views: [RGBImage] = []
        views.reserveCapacity(viewShapes.count)
        var key = random(Self.keyView)
        views.append(weak.apply(to: image, random: &key))
        for (index, size) in zip(weakQueryViews, weakQuerySizes) {
            var stream = random(index)
            var policy = weak
            policy.size = size
            views.append(policy.apply(to: image, random: &stream))
        }
        for (index, policy) in zip(strongViews, strong) {
            var stream = random(index)
            views.append(policy.apply(to: image, random: &stream))
        }
        return views
    }
}
