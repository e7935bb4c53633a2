/// What a `--data` argument names: a built-in dataset or an image folder.
///
/// `fashion-mnist` and `fashion-mnist:train` are Fashion-MNIST's 60,000 training images,
/// `fashion-mnist:test` its 10,000 test images; any other value is a folder path (write
/// `./fashion-mnist` for a folder of that name). A built-in name may end in a slice of its images,
/// in order, as in Python: `fashion-mnist:train[:50000]` (the first 50,000),
/// `fashion-mnist:train[50000:]` (the last 10,000: a validation split held out of training).
///
///     let dataset = try DatasetSpecifier(parsing: "fashion-mnist:test").open()
public indirect enum DatasetSpecifier: Equatable, Sendable, CustomStringConvertible {
    case fashionMNIST(FashionMNIST.Split)
    case imageFolder(String)
    /// Images `start..<end` of a built-in dataset (nil: from its first, to its end).
    case slice(DatasetSpecifier, start: Int?, end: Int?)

    private static let fashionMNISTName = "fashion-mnist"

    /// The built-in names, as accepted by `init(parsing:)`.
    public static let builtInNames = [fashionMNISTName] + FashionMNIST.Split.allCases.map { "\(fashionMNISTName):\($0.rawValue)" }

    /// Parses a `--data` value.
    /// - Throws: `DatasetError.unknownDataset` for an empty value or an unknown Fashion-MNIST split.
    public init(parsing text: String) throws {
        if text.hasSuffix("]"), let open = text.lastIndex(of: "["),
           case let base = try DatasetSpecifier(parsing: String(text[..<open])), base != .imageFolder(String(text[..<open])) {
            let bounds = text[text.index(after: open)..<text.index(before: text.endIndex)]
                .split(separator: ":", omittingEmptySubsequences: false)
            let numbers = bounds.map { $0.isEmpty ? nil : Int($0) }
            guard bounds.count == 2, zip(bounds, numbers).allSatisfy({ $0.isEmpty || ($1 ?? -1) >= 0 }) else {
                throw DatasetError.badSlice(text)
            }
            self = .slice(base, start: numbers[0], end: numbers[1])
        } else if text == Self.fashionMNISTName {
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
        case .slice(let base, let start, let end): return "\(base)[\(start.map(String.init) ?? ""):\(end.map(String.init) ?? "")]"
        }
    }

    /// Opens the dataset (Fashion-MNIST is read into memory; a folder is scanned).
    /// - Throws: `DatasetError` (`.badSlice` for a slice outside the dataset or empty) or `IDXError`.
    public func open() throws -> any ImageDataset {
        switch self {
        case .fashionMNIST(let split): return try FashionMNIST.dataset(split)
        case .imageFolder(let path): return try ImageFolderDataset(root: path)
        case .slice(let base, let start, let end):
            let dataset = try base.open()
            let range = (start ?? 0)..<(end ?? dataset.count)
            guard !range.isEmpty, range.upperBound <= dataset.count else {
                throw DatasetError.badSlice("\(self) (the dataset has \(dataset.count) images)")
            }
            return DatasetSlice(dataset, range: range)
        }
    }
}
