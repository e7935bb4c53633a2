import Augment
import TensorCore

/// The first `count` images of a seeded permutation of another dataset, for quick runs on a
/// part of a large one (`--subset N`). The classes, labels and names are the base dataset's.
///
///     let quick = DatasetSubset(try FashionMNIST.dataset(.train), count: 10_000, seed: 0)
public struct DatasetSubset: ImageDataset {
    public let base: any ImageDataset
    /// The base dataset's index of each of this subset's images.
    public let indices: [Int]

    /// Stream key that separates the subset's permutation from the loader's epoch orders.
    private static let stream: UInt64 = 0x5355_4253_4554

    /// - Parameter count: how many images to keep, at most `base.count`.
    public init(_ base: any ImageDataset, count: Int, seed: UInt64) {
        precondition((1...base.count).contains(count), "DatasetSubset: count \(count) outside 1...\(base.count)")
        var order = Array(0..<base.count)
        var random = SeededRandom(seed: seed, Self.stream)
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(i, random.integer(in: 0...i))
        }
        self.base = base
        indices = Array(order.prefix(count))
    }

    public var count: Int { indices.count }
    public var classNames: [String] { base.classNames }
    public func label(at index: Int) -> Int? { base.label(at: indices[index]) }
    public func name(at index: Int) -> String { base.name(at: indices[index]) }
    public func loadImage(at index: Int, reader: ImageFileReader) throws -> RGBImage {
        try base.loadImage(at: indices[index], reader: reader)
    }
}
