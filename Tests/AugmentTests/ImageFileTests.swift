import Foundation
import XCTest
@testable import Augment

/// Reading files: decoding by signature, and one precise error naming the file for each kind of bad input.
final class ImageFileTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ImageFileTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: directory)
    }

    /// Writes `bytes` to a file called `name` in the temporary directory and returns its path.
    private func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    private func assertReadFails(_ path: String, reader: ImageFileReader = ImageFileReader(),
                                 file: StaticString = #filePath, line: UInt = #line,
                                 _ check: (ImageDecodingError.Reason) -> Bool) {
        XCTAssertThrowsError(try reader.read(path), file: file, line: line) { error in
            guard let error = error as? ImageDecodingError else {
                return XCTFail("not an ImageDecodingError: \(error)", file: file, line: line)
            }
            XCTAssertEqual(error.file, path, file: file, line: line)
            XCTAssertTrue(error.description.contains("'\(path)'"), error.description, file: file, line: line)
            XCTAssertTrue(check(error.reason), "unexpected reason: \(error)", file: file, line: line)
        }
    }

    func testFormatIsChosenBySignatureNotExtension() throws {
        let jpeg = try write(try CodecFixtures.bytes("jpeg_gray.jpg"), "really-a-jpeg.png")
        let png = try write(try CodecFixtures.bytes("png_rgb8.png"), "really-a-png.JPG")
        let reader = ImageFileReader()
        assertIdentical(try reader.read(jpeg), try CodecFixtures.expected(for: "jpeg_gray.jpg"), "JPEG named .png")
        assertIdentical(try reader.read(png), try CodecFixtures.expected(for: "png_rgb8.png"), "PNG named .JPG")
        XCTAssertEqual(ImageFormat(signatureOf: [0xFF, 0xD8, 0xFF, 0xE0]), .jpeg)
        XCTAssertEqual(ImageFormat(signatureOf: PNGCodec.signature), .png)
        XCTAssertNil(ImageFormat(signatureOf: [0xFF, 0xD8]))
    }

    func testZeroByteFile() throws {
        assertReadFails(try write([], "empty.jpg")) { $0 == .empty }
    }

    func testTruncatedJPEG() throws {
        let bytes = try CodecFixtures.bytes("jpeg_progressive.jpg")
        assertReadFails(try write(Array(bytes.prefix(bytes.count / 2)), "truncated.jpg")) {
            if case .corrupt(let message) = $0 { return message.hasPrefix("JPEG") }
            return false
        }
    }

    func testTruncatedPNG() throws {
        let bytes = try CodecFixtures.bytes("png_rgb8.png")
        assertReadFails(try write(Array(bytes.prefix(bytes.count - 100)), "truncated.png")) {
            if case .corrupt(let message) = $0 { return message.hasPrefix("PNG") }
            return false
        }
    }

    /// A run of 0xFF in the entropy-coded data reads as stray markers (libjpeg's "premature end of
    /// data segment" warning); in a PNG the IDAT checksum no longer matches.
    func testCorruptBytesInTheMiddle() throws {
        var jpeg = try CodecFixtures.bytes("jpeg_baseline_420.jpg")
        jpeg.replaceSubrange(jpeg.count / 2 ..< jpeg.count / 2 + 16, with: repeatElement(0xFF, count: 16))
        assertReadFails(try write(jpeg, "corrupt.jpg")) {
            if case .corrupt = $0 { return true }
            return false
        }
        var png = try CodecFixtures.bytes("png_rgb8.png")
        png.replaceSubrange(png.count / 2 ..< png.count / 2 + 16, with: repeatElement(0x00, count: 16))
        assertReadFails(try write(png, "corrupt.png")) {
            if case .corrupt = $0 { return true }
            return false
        }
    }

    func testTextFileNamedJPEG() throws {
        assertReadFails(try write(Array("not an image\n".utf8), "notes.jpg")) { $0 == .unknownFormat }
    }

    func testUnreadablePaths() throws {
        assertReadFails(directory.appendingPathComponent("missing.jpg").path) {
            $0 == .unreadable("No such file or directory")
        }
        assertReadFails(directory.path) { $0 == .unreadable("is a directory") }
    }

    func testOverThePixelLimit() throws {
        let path = try write(try CodecFixtures.bytes("jpeg_baseline_444.jpg"), "big.jpg")
        assertReadFails(path, reader: ImageFileReader(maximumPixels: 1000)) {
            $0 == .tooManyPixels(width: 45, height: 35, limit: 1000)
        }
        let png = try write(try CodecFixtures.bytes("png_gray8.png"), "big.png")
        assertReadFails(png, reader: ImageFileReader(maximumPixels: 1000)) {
            $0 == .tooManyPixels(width: 37, height: 29, limit: 1000)
        }
    }
}
