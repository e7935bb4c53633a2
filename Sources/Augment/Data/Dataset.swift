/// A finite, indexable collection of images with optional class labels: what the loader draws
/// samples from. Implementations are immutable values, safe to share between loader workers.
///
///     let dataset = try ImageFolderDataset(root: "data/train")
///     let reader = ImageFileReader()                         // one per worker thread
///     for i in 0..<dataset.count {
///         let image = try dataset.loadImage(at: i, reader: reader)
///         let label = dataset.label(at: i)                    // nil when unlabelled
///     }
public protocol ImageDataset: Sendable {
    /// The number of images.
    var count: Int { get }
    /// The class names, indexed by label; empty for an unlabelled dataset.
    var classNames: [String] { get }
    /// The class index of image `index` (in `0..<classNames.count`), or nil when unlabelled.
    func label(at index: Int) -> Int?
    /// A human-readable name of image `index` for messages: a file path, or `dataset[index]`.
    func name(at index: Int) -> String
    /// Image `index` as RGB, decoding files with the worker's `reader` (datasets held in memory
    /// ignore it).
    /// - Throws: `ImageDecodingError` naming the file when it cannot be read or decoded.
    func loadImage(at index: Int, reader: ImageFileReader) throws -> RGBImage
    /// Image `index` as RGB; file-backed datasets use a fresh `ImageFileReader` per call.
    func loadImage(at index: Int) throws -> RGBImage
}

extension ImageDataset {
    public func loadImage(at index: Int) throws -> RGBImage {
        try loadImage(at: index, reader: ImageFileReader())
    }
}

/// Why a dataset could not be opened; `description` is one line naming the path or name.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    /// The folder does not exist.
    case missingFolder(String)
    /// The path exists but is not a folder.
    case notAFolder(String)
    /// The folder could not be listed: the system's message.
    case unlistableFolder(String, reason: String)
    /// The folder (flat) holds no `.jpg`, `.jpeg` or `.png` files.
    case noImages(folder: String)
    /// A class sub-folder holds no image files.
    case emptyClass(folder: String, className: String)
    /// A built-in dataset's file is missing; `package` is the Debian package that provides it.
    case missingDataset(name: String, file: String, package: String)
    /// A `--data` value that names no dataset.
    case unknownDataset(String, known: [String])
    /// A slice (`name[start:end]`) that is malformed, empty or outside the dataset.
    case badSlice(String)

    public var description: String {
        switch self {
        case .missingFolder(let path): return "dataset folder '\(path)' does not exist"
        case .notAFolder(let path): return "dataset path '\(path)' is not a folder"
        case .unlistableFolder(let path, let reason): return "cannot list dataset folder '\(path)': \(reason)"
        case .noImages(let folder): return "dataset folder '\(folder)' contains no .jpg, .jpeg or .png files"
        case .emptyClass(let folder, let className):
            return "class folder '\(className)' in '\(folder)' contains no .jpg, .jpeg or .png files"
        case .missingDataset(let name, let file, let package):
            return "\(name) is not installed: '\(file)' is missing (install the Debian package '\(package)': "
                + "apt-get install \(package))"
        case .badSlice(let text):
            return "bad slice '\(text)': expected name[start:end] with 0 ≤ start < end ≤ the dataset's size"
        case .unknownDataset(let text, let known):
            return "unknown dataset '\(text)': expected \(known.map { "'\($0)'" }.joined(separator: ", ")) or a folder path"
        }
    }
}
