import TensorCore

/// What the data loader applies to each decoded image: it turns one image into a fixed number
/// of views of fixed sizes (one for evaluation; T, T′ and S for CLSA).
///
/// Every random draw must come from the generators that `random` hands out, never from global
/// state: `random(v)` is the stream of view `v`, keyed by (seed, epoch, dataset index, v), so
/// the views depend only on those coordinates — not on worker count, thread timing or where a
/// run was resumed. Calling `random(v)` again restarts the same stream.
///
/// Workers share one transform value across threads, hence `Sendable`.
///
///     struct TwoCrops: SampleTransform {
///         var viewShapes: [(height: Int, width: Int)] { [(224, 224), (224, 224)] }
///         func views(of image: RGBImage, random: (Int) -> SeededRandom) -> [RGBImage] {
///             (0..<2).map { v in var rng = random(v); return randomCrop(image, using: &rng) }
///         }
///     }
public protocol SampleTransform: Sendable {
    /// The size of each output view, in view order; the loader makes one `[N, 3, height, width]`
    /// tensor per entry.
    var viewShapes: [(height: Int, width: Int)] { get }

    /// The views of `image`: exactly `viewShapes.count` images, view v of size `viewShapes[v]`.
    func views(of image: RGBImage, random: (Int) -> SeededRandom) -> [RGBImage]
}
