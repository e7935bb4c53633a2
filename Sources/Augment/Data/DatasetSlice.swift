/// A contiguous range of another dataset's images, in its order: a held-out split, such as the
/// last 10,000 of Fashion-MNIST's training images (`fashion-mnist:train[50000:]`). The classes,
/// labels and names are the base dataset's.
///
///     let validation = DatasetSlice(try FashionMNIST.dataset(.train), range: 50_000..<60_000)
public struct DatasetSlice: ImageDataset {
    public let base: any ImageDataset
    /// The base dataset's indices of this slice's images.
    public let range: Range<Int>

    /// - Precondition: `range` lies in `0..<base.count` and is not empty.
    public init(_ base: any ImageDataset, range: Range<Int>) {
        precondition(!range.isEmpty && range.lowerBound >= 0 && range.upperBound <= base.count,
                     "DatasetSlice: \(range) outside 0..<\(base.count)")
        self.base = base
        self.range = range
    }

    public var count: Int { range.count }
    public var classNames: [String] { base.classNames }
    public func label(at index: Int) -> Int? { base.label(at: range.lowerBound + index) }
    public func name(at index: Int) -> String { base.name(at: range.lowerBound + index) }
    public func loadImage(at index: Int, reader: ImageFileReader) throws -> RGBImage {
        try base.loadImage(at: range.lowerBound + index, reader: reader)
    }
}
