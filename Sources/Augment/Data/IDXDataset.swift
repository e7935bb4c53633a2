/// Images and optional labels from IDX files (MNIST, Fashion-MNIST), held in memory.
///
/// Image files have dimensions `[count, height, width]` (gray) or `[count, height, width, 3]`
/// (RGB, interleaved); label files `[count]`. Because `RGBImage` is always RGB, `loadImage`
/// replicates a gray image to R = G = B, exactly PIL's `convert("RGB")` of the mode-L image
/// torchvision's `FashionMNIST` returns; `grayPixels(at:)` gives the single channel for callers
/// that keep gray.
///
///     let train = try IDXDataset(imagesPath: "train-images-idx3-ubyte.gz",
///                                labelsPath: "train-labels-idx1-ubyte.gz", name: "mnist:train")
///     let image = try train.loadImage(at: 0)   // 28×28 RGB, R = G = B
public struct IDXDataset: ImageDataset {
    /// The dataset's name in messages (`fashion-mnist:train`).
    public let name: String
    public let classNames: [String]
    /// Pixels per row and rows of every image.
    public let width: Int
    public let height: Int
    /// 1 for gray images, 3 for RGB.
    public let channels: Int
    public let count: Int
    private let images: IDXFile
    private let labels: IDXFile?

    /// A dataset over parsed files; errors name `name`.
    /// - Parameter classNames: when not empty, every label must be below its count.
    /// - Throws: `IDXError` for unexpected dimensions, differing counts or out-of-range labels.
    public init(images: IDXFile, labels: IDXFile?, classNames: [String] = [], name: String) throws {
        try self.init(images: images, imagesSource: name, labels: labels, labelsSource: name,
                      classNames: classNames, name: name)
    }

    /// Reads the files (gzip-compressed or not); errors name the file they are about.
    /// - Parameter name: the name in messages; the images path when nil.
    /// - Throws: `IDXError`.
    public init(imagesPath: String, labelsPath: String?, classNames: [String] = [], name: String? = nil) throws {
        try self.init(images: IDXFile(contentsOf: imagesPath), imagesSource: imagesPath,
                      labels: labelsPath.map(IDXFile.init(contentsOf:)), labelsSource: labelsPath ?? imagesPath,
                      classNames: classNames, name: name ?? imagesPath)
    }

    private init(images: IDXFile, imagesSource: String, labels: IDXFile?, labelsSource: String,
                 classNames: [String], name: String) throws {
        let dims = images.dimensions
        guard dims.count == 3 || (dims.count == 4 && dims[3] == 3) else {
            throw IDXError(file: imagesSource, reason: .unexpectedShape(
                dimensions: dims, expected: "count×height×width or count×height×width×3 images"))
        }
        if let labels {
            guard labels.dimensions.count == 1 else {
                throw IDXError(file: labelsSource, reason: .unexpectedShape(
                    dimensions: labels.dimensions, expected: "one label per image"))
            }
            guard labels.dimensions[0] == dims[0] else {
                throw IDXError(file: labelsSource, reason: .mismatchedCounts(images: dims[0], labels: labels.dimensions[0]))
            }
            if !classNames.isEmpty, let bad = labels.values.firstIndex(where: { Int($0) >= classNames.count }) {
                throw IDXError(file: labelsSource, reason: .labelOutOfRange(
                    index: bad, label: Int(labels.values[bad]), classCount: classNames.count))
            }
        }
        self.name = name
        self.classNames = classNames
        self.images = images
        self.labels = labels
        count = dims[0]
        height = dims[1]
        width = dims[2]
        channels = dims.count == 4 ? 3 : 1
    }

    public func label(at index: Int) -> Int? {
        labels.map { Int($0.values[index]) }
    }

    public func name(at index: Int) -> String { "\(name)[\(index)]" }

    /// The `height × width` bytes of gray image `index`.
    public func grayPixels(at index: Int) -> ArraySlice<UInt8> {
        precondition(channels == 1, "IDXDataset.grayPixels: '\(name)' holds RGB images")
        let size = width * height
        return images.values[(index * size)..<((index + 1) * size)]
    }

    /// Image `index` as RGB (gray replicated to three channels). Never throws.
    public func loadImage(at index: Int) throws -> RGBImage {
        let size = width * height * channels
        let source = images.values[(index * size)..<((index + 1) * size)]
        guard channels == 1 else { return RGBImage(width: width, height: height, pixels: Array(source)) }
        let pixels = [UInt8](unsafeUninitializedCapacity: size * 3) { out, initialized in
            for (i, value) in source.enumerated() {
                out[3 * i] = value
                out[3 * i + 1] = value
                out[3 * i + 2] = value
            }
            initialized = size * 3
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    public func loadImage(at index: Int, reader: ImageFileReader) throws -> RGBImage {
        try loadImage(at: index)
    }
}
