import CZlib
import Foundation
import XCTest
@testable import Augment

final class IDXFileTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("IDXFileTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: directory)
    }

    /// Five 3×4 gray images whose values encode (image, row, column), and their labels 0…4.
    private let images = IDXFile(dimensions: [5, 3, 4], values: (0..<60).map { UInt8($0 * 4 + 1) })
    private let labels = IDXFile(dimensions: [5], values: [3, 0, 4, 1, 2])

    private func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// Writes `bytes` gzip-compressed with zlib's gz writer.
    private func writeGzip(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        let file = try XCTUnwrap(gzopen(path, "wb9"))
        XCTAssertEqual(bytes.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }, Int32(bytes.count))
        XCTAssertEqual(gzclose(file), Z_OK)
        return path
    }

    private func assertParseFails(_ bytes: [UInt8], _ expected: IDXError.Reason,
                                  file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try IDXFile(parsing: bytes, source: "test.idx"), file: file, line: line) { error in
            XCTAssertEqual(error as? IDXError, IDXError(file: "test.idx", reason: expected), file: file, line: line)
        }
    }

    func testHeaderLayoutIsBigEndian() {
        XCTAssertEqual(Array(images.serialized().prefix(16)),
                       [0, 0, 8, 3, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 4])
    }

    func testRawAndGzipRoundTrips() throws {
        let raw = try write(images.serialized(), "images-idx3-ubyte")
        let gzipped = try writeGzip(images.serialized(), "images-idx3-ubyte.gz")
        XCTAssertEqual(try IDXFile(contentsOf: raw), images)
        XCTAssertEqual(try IDXFile(contentsOf: gzipped), images)
        XCTAssertEqual(try IDXFile(contentsOf: try writeGzip(labels.serialized(), "labels.gz")), labels)
    }

    func testLargeGzipOutputGrowsPastTheFirstGuess() throws {
        // Concatenated members: the trailer's size hint covers only the last one.
        let big = IDXFile(dimensions: [300, 28, 28], values: (0..<(300 * 784)).map { UInt8(truncatingIfNeeded: $0 * 7) })
        let bytes = big.serialized()
        let first = try writeGzip(Array(bytes.prefix(100_000)), "first.gz")
        let second = try writeGzip(Array(bytes.dropFirst(100_000)), "second.gz")
        let joined = try [UInt8](Data(contentsOf: URL(fileURLWithPath: first)))
            + [UInt8](Data(contentsOf: URL(fileURLWithPath: second)))
        XCTAssertEqual(try IDXFile(contentsOf: try write(joined, "joined.gz")), big)
    }

    func testBadMagic() {
        assertParseFails([0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0], .badMagic(0x504B_0304))
        assertParseFails([0, 0, 8, 0], .badMagic(0x0000_0800))
        assertParseFails([0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0], .unsupportedType(0x0D))
    }

    func testTruncatedData() throws {
        let bytes = images.serialized()
        assertParseFails(Array(bytes.prefix(10)), .truncated(expected: 16, actual: 10))
        assertParseFails(Array(bytes.dropLast(7)), .truncated(expected: 76, actual: 69))
        assertParseFails(bytes + [0, 0], .trailingBytes(2))
        var gzipped = try [UInt8](Data(contentsOf: URL(fileURLWithPath: try writeGzip(bytes, "images.gz"))))
        gzipped.removeLast(12)
        let path = try write(gzipped, "cut.gz")
        XCTAssertThrowsError(try IDXFile(contentsOf: path)) { error in
            XCTAssertEqual(error as? IDXError, IDXError(file: path, reason: .corruptGzip("truncated gzip data")))
            XCTAssertTrue("\(error)".contains(path))
        }
    }

    func testUnreadableFile() {
        let path = directory.appendingPathComponent("absent.gz").path
        XCTAssertThrowsError(try IDXFile(contentsOf: path)) { error in
            XCTAssertEqual(error as? IDXError, IDXError(file: path, reason: .unreadable("No such file or directory")))
        }
    }

    func testDatasetReplicatesGrayAndKeepsLabels() throws {
        let dataset = try IDXDataset(images: images, labels: labels, name: "tiny")
        XCTAssertEqual([dataset.count, dataset.width, dataset.height, dataset.channels], [5, 4, 3, 1])
        XCTAssertEqual((0..<5).map { dataset.label(at: $0) }, [3, 0, 4, 1, 2])
        XCTAssertEqual(dataset.name(at: 2), "tiny[2]")
        let gray = Array(dataset.grayPixels(at: 2))
        XCTAssertEqual(gray, Array(images.values[24..<36]))
        let image = try dataset.loadImage(at: 2)
        XCTAssertEqual([image.width, image.height], [4, 3])
        XCTAssertEqual(image.pixels, gray.flatMap { [$0, $0, $0] })
    }

    func testDatasetFromFilesOnDisk() throws {
        let dataset = try IDXDataset(imagesPath: try writeGzip(images.serialized(), "i.gz"),
                                     labelsPath: try write(labels.serialized(), "l"), name: "disk")
        XCTAssertEqual(dataset.count, 5)
        XCTAssertEqual(dataset.label(at: 0), 3)
        let unlabelled = try IDXDataset(images: images, labels: nil, name: "unlabelled")
        XCTAssertNil(unlabelled.label(at: 0))
        XCTAssertEqual(unlabelled.classNames, [])
    }

    func testRGBImagesAreTakenAsStored() throws {
        let rgb = IDXFile(dimensions: [2, 1, 2, 3], values: Array(0..<12))
        let dataset = try IDXDataset(images: rgb, labels: nil, name: "rgb")
        XCTAssertEqual(dataset.channels, 3)
        XCTAssertEqual(try dataset.loadImage(at: 1).pixels, Array(6..<12))
    }

    func testMismatchedCountsAndShapes() {
        XCTAssertThrowsError(try IDXDataset(images: images, labels: IDXFile(dimensions: [4], values: [0, 1, 2, 3]),
                                            name: "tiny")) { error in
            XCTAssertEqual(error as? IDXError, IDXError(file: "tiny", reason: .mismatchedCounts(images: 5, labels: 4)))
        }
        XCTAssertThrowsError(try IDXDataset(images: labels, labels: nil, name: "flat")) { error in
            guard case .unexpectedShape(let dimensions, _)? = (error as? IDXError)?.reason else {
                return XCTFail("expected a shape error, got \(error)")
            }
            XCTAssertEqual(dimensions, [5])
        }
        XCTAssertThrowsError(try IDXDataset(images: images, labels: labels, classNames: ["a", "b", "c", "d"], name: "tiny")) { error in
            XCTAssertEqual(error as? IDXError,
                           IDXError(file: "tiny", reason: .labelOutOfRange(index: 2, label: 4, classCount: 4)))
        }
    }
}
