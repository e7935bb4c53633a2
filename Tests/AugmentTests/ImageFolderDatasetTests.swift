import Foundation
import XCTest
@testable import Augment

/// Image folders built in a temporary directory from PNGCodec-encoded images.
final class ImageFolderDatasetTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("ImageFolderDatasetTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: root)
    }

    /// A 3×2 image whose every byte is `value`, so that a loaded image tells which file it came from.
    private func image(_ value: UInt8) -> RGBImage {
        RGBImage(width: 3, height: 2, pixels: [UInt8](repeating: value, count: 18))
    }

    /// Writes `contents` (a PNG of `image(value)` when given a value) at `relativePath` under the root.
    private func place(_ relativePath: String, value: UInt8? = nil, text: String = "") throws {
        let url = root.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let bytes = try value.map { try PNGCodec.encode(image($0)) } ?? Array(text.utf8)
        try Data(bytes).write(to: url)
    }

    private func relativePaths(_ dataset: ImageFolderDataset) -> [String] {
        dataset.paths.map { String($0.dropFirst(root.path.count + 1)) }
    }

    func testLabelledFolderSortsClassesAndFiles() throws {
        try place("zebra/b.png", value: 1)
        try place("zebra/a.PNG", value: 2)
        try place("apple/nested/c.jpeg", value: 3)
        try place("apple/d.Jpg", value: 4)
        try place("apple/notes.txt", text: "not an image")
        try place("apple/.hidden.png", value: 5)
        try place(".ipynb_checkpoints/e.png", value: 6)
        try place("mango/f.png", value: 7)
        try place("top-level.png", value: 8)
        let dataset = try ImageFolderDataset(root: root.path)
        XCTAssertEqual(dataset.classNames, ["apple", "mango", "zebra"])
        XCTAssertEqual(relativePaths(dataset), ["apple/d.Jpg", "apple/nested/c.jpeg", "mango/f.png", "zebra/a.PNG", "zebra/b.png"])
        XCTAssertEqual(dataset.count, 5)
        XCTAssertEqual((0..<5).map { dataset.label(at: $0) }, [0, 0, 1, 2, 2])
        let reader = ImageFileReader()
        XCTAssertEqual(try (0..<5).map { try dataset.loadImage(at: $0, reader: reader) }.map { $0.pixels[0] }, [4, 3, 7, 2, 1])
        XCTAssertEqual(try dataset.loadImage(at: 2), image(7))
        XCTAssertEqual(dataset.name(at: 0), root.path + "/apple/d.Jpg")
    }

    func testFlatFolderIsUnlabelled() throws {
        try place("b.jpg", value: 1)
        try place("a.JPEG", value: 2)
        try place("c.png", value: 3)
        try place("readme.md", text: "# images")
        try place("noextension", value: 4)
        let dataset = try ImageFolderDataset(root: root.path + "/")
        XCTAssertEqual(dataset.classNames, [])
        XCTAssertEqual(dataset.paths.map { ($0 as NSString).lastPathComponent }, ["a.JPEG", "b.jpg", "c.png"])
        XCTAssertNil(dataset.label(at: 0))
        XCTAssertEqual(try dataset.loadImage(at: 1), image(1), "a PNG named .jpg decodes by its signature")
    }

    func testDecodingErrorsNameTheFile() throws {
        try place("broken.jpg", text: "definitely not a JPEG")
        let dataset = try ImageFolderDataset(root: root.path)
        XCTAssertThrowsError(try dataset.loadImage(at: 0)) { error in
            XCTAssertEqual(error as? ImageDecodingError, ImageDecodingError(file: dataset.paths[0], reason: .unknownFormat))
        }
    }

    func testEmptyAndMissingFolders() throws {
        XCTAssertThrowsError(try ImageFolderDataset(root: root.path)) { error in
            XCTAssertEqual(error as? DatasetError, .noImages(folder: root.path))
        }
        try place("notes.txt", text: "no images here")
        XCTAssertThrowsError(try ImageFolderDataset(root: root.path)) { error in
            XCTAssertEqual(error as? DatasetError, .noImages(folder: root.path))
        }
        try place("cats/a.png", value: 1)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("dogs"), withIntermediateDirectories: true)
        XCTAssertThrowsError(try ImageFolderDataset(root: root.path)) { error in
            XCTAssertEqual(error as? DatasetError, .emptyClass(folder: root.path, className: "dogs"))
        }
        let missing = root.appendingPathComponent("absent").path
        XCTAssertThrowsError(try ImageFolderDataset(root: missing)) { error in
            XCTAssertEqual(error as? DatasetError, .missingFolder(missing))
            XCTAssertTrue("\(error)".contains(missing))
        }
        let file = root.appendingPathComponent("notes.txt").path
        XCTAssertThrowsError(try ImageFolderDataset(root: file)) { error in
            XCTAssertEqual(error as? DatasetError, .notAFolder(file))
        }
    }
}
