import Foundation

/// Image files in a folder, found by extension (`.jpg`, `.jpeg`, `.png`, in any letter case;
/// the files are then decoded by their signature).
///
/// - A folder with sub-folders is **labelled**, as torchvision's `ImageFolder`: each sub-folder is
///   a class, classes are indexed in sorted name order, and each class holds the image files
///   anywhere below its folder (symbolic links followed). Image files directly in the root are
///   ignored.
/// - A folder without sub-folders is **flat** and unlabelled: its image files, `label(at:)` nil.
///
/// Names are sorted by their UTF-8 bytes (Python's order), a folder's files before its
/// sub-folders' (torchvision's `sorted(os.walk(…))` order), so indices are deterministic. Names
/// starting with "." (hidden files and folders) are skipped, unlike torchvision, so that
/// `.ipynb_checkpoints` or `._photo.jpg` never become classes or samples.
///
///     let train = try ImageFolderDataset(root: "imagenette/train")   // classNames: ["n01440764", …]
public struct ImageFolderDataset: ImageDataset {
    /// The folder as given.
    public let root: String
    public let classNames: [String]
    /// Every image's path (`root/class/…/file.jpg` or `root/file.jpg`), in index order.
    public let paths: [String]
    /// The class index of each path; empty when the folder is flat.
    private let labels: [Int]

    /// The extensions (lower case) of the files taken as images.
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png"]

    /// Scans `root`.
    /// - Throws: `DatasetError` when the folder is missing or not a folder, cannot be listed,
    ///   holds no images, or a class folder holds none.
    public init(root: String) throws {
        self.root = root
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory) else {
            throw DatasetError.missingFolder(root)
        }
        guard isDirectory.boolValue else { throw DatasetError.notAFolder(root) }
        let entries = try Self.visibleEntries(of: root)
        let classFolders = entries.filter { Self.isDirectory(Self.join(root, $0)) }
        if classFolders.isEmpty {
            paths = entries.filter(Self.isImageName).map { Self.join(root, $0) }
            guard !paths.isEmpty else { throw DatasetError.noImages(folder: root) }
            classNames = []
            labels = []
        } else {
            var paths = [String](), labels = [Int]()
            for (label, name) in classFolders.enumerated() {
                var visited = Set<String>()
                let files = try Self.imageFiles(under: Self.join(root, name), visited: &visited)
                guard !files.isEmpty else { throw DatasetError.emptyClass(folder: root, className: name) }
                paths += files
                labels += repeatElement(label, count: files.count)
            }
            self.paths = paths
            self.labels = labels
            classNames = classFolders
        }
    }

    public var count: Int { paths.count }

    public func label(at index: Int) -> Int? {
        labels.isEmpty ? nil : labels[index]
    }

    public func name(at index: Int) -> String { paths[index] }

    public func loadImage(at index: Int, reader: ImageFileReader) throws -> RGBImage {
        try reader.read(paths[index])
    }

    /// The image files below `folder`: its own in sorted order, then each sub-folder's; `visited`
    /// holds the resolved folders already walked, so that a symbolic-link cycle is walked once.
    private static func imageFiles(under folder: String, visited: inout Set<String>) throws -> [String] {
        guard visited.insert(URL(fileURLWithPath: folder).resolvingSymlinksInPath().path).inserted else { return [] }
        var files = [String](), subfolders = [String]()
        for entry in try visibleEntries(of: folder) {
            let path = join(folder, entry)
            if isDirectory(path) {
                subfolders.append(path)
            } else if isImageName(entry) {
                files.append(path)
            }
        }
        for subfolder in subfolders {
            files += try imageFiles(under: subfolder, visited: &visited)
        }
        return files
    }

    /// The entries of `folder` not starting with ".", sorted by UTF-8 bytes.
    private static func visibleEntries(of folder: String) throws -> [String] {
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw DatasetError.unlistableFolder(folder, reason: (error as NSError).localizedDescription)
        }
        return entries.filter { !$0.hasPrefix(".") }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    private static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    private static func isImageName(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: ".") else { return false }
        return imageExtensions.contains(name[name.index(after: dot)...].lowercased())
    }

    private static func join(_ folder: String, _ name: String) -> String {
        folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }
}
