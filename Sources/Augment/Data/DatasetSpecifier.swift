/// What a `--data` argument names: a built-in dataset or an image folder.
///
/// `fashion-mnist` and `fashion-mnist:train` are Fashion-MNIST's 60,000 training images,
/// `fashion-mnist:test` its 10,000 test images; any other value is a folder path (write
/// `./fashion-mnist` for a folder of that name).
///
///     let dataset = try DatasetSpecifier(parsing: "fashion-mnist:test").open()
public enum DatasetSpecifier: Equatable, Sendable, CustomStringConvertible {
    case fashionMNIST(FashionMNIST.Split)
    case imageFolder(String)

    private static let fashionMNISTName = "fashion-mnist"

    /// The built-in names, as accepted by `init(parsing:)`.
    public static let builtInNames = [fashionMNISTName] + FashionMNIST.Split.allCases.map { "\(fashionMNISTName):\($0.rawValue)" }

    /// Parses a `--data` value.
    /// - Throws: `DatasetError.unknownDataset` for an empty value or an unknown Fashion-MNIST split.
    public init(parsing text: String) throws {
        if text == Self.fashionMNISTName {
            self = .fashionMNIST(.train)
        } else if text.hasPrefix(Self.fashionMNISTName + ":") {
            let split = text.dropFirst(Self.fashionMNISTName.count + 1)
            guard let split = FashionMNIST.Split(rawValue: String(split)) else {
                throw DatasetError.unknownDataset(text, known: Self.builtInNames)
            }
            self = .fashionMNIST(split)
        } else if text.isEmpty {
            throw DatasetError.unknownDataset(text, known: Self.builtInNames)
        } else {
            self = .imageFolder(text)
        }
    }

    /// The value `init(parsing:)` reads back to `self`.
    public var description: String {
        switch self {
        case .fashionMNIST(let split): return "\(Self.fashionMNISTName):\(split.rawValue)"
        case .imageFolder(let path): return path
        }
    }

    /// Opens the dataset (Fashion-MNIST is read into memory; a folder is scanned).
    /// - Throws: `DatasetError` or `IDXError`.
    public func open() throws -> any ImageDataset {
        switch self {
        case .fashionMNIST(let split): return try FashionMNIST.dataset(split)
        case .imageFolder(let path): return try ImageFolderDataset(root: path)
        }
    }
}
