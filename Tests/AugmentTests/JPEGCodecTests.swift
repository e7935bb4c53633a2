import XCTest
@testable import Augment

final class JPEGCodecTests: XCTestCase {
    /// Full-size decodes match PIL's `Image.open(f).convert("RGB")` byte for byte.
    func testFullSizeDecodesMatchPIL() throws {
        for name in ["jpeg_baseline_420.jpg", "jpeg_baseline_422.jpg", "jpeg_baseline_444.jpg",
                     "jpeg_progressive.jpg", "jpeg_restart.jpg", "jpeg_gray.jpg", "jpeg_cmyk.jpg"] {
            let image = try JPEGCodec.decode(try CodecFixtures.bytes(name))
            assertIdentical(image, try CodecFixtures.expected(for: name), name)
        }
    }

    /// A 1/2 DCT-scaled decode matches PIL's `draft("RGB", …)` at scale 1/2.
    func testHalfScaleDecodeMatchesPILDraft() throws {
        let name = "jpeg_baseline_420.jpg"
        let image = try JPEGCodec.decode(try CodecFixtures.bytes(name), minimumSize: (width: 23, height: 18))
        assertIdentical(image, try CodecFixtures.expected(for: name, variant: "half"), "\(name) at 1/2")
    }

    func testScalingPicksTheSmallestFactorStillCoveringTheRequest() {
        func factor(_ width: Int, _ height: Int, _ minimum: (Int, Int)) -> JPEGScalingFactor {
            JPEGCodec.scalingFactor(width: width, height: height, minimumSize: (width: minimum.0, height: minimum.1))
        }
        XCTAssertEqual(factor(500, 375, (224, 224)), JPEGScalingFactor(numerator: 5, denominator: 8))  // 313×235
        XCTAssertEqual(factor(500, 375, (250, 188)), JPEGScalingFactor(numerator: 1, denominator: 2))  // 250×188
        XCTAssertEqual(factor(500, 375, (251, 188)), JPEGScalingFactor(numerator: 5, denominator: 8))
        XCTAssertEqual(factor(800, 800, (1, 1)), JPEGScalingFactor(numerator: 1, denominator: 8))
        XCTAssertEqual(factor(100, 80, (100, 80)), .one)
        XCTAssertEqual(factor(100, 80, (400, 10)), .one, "never upscales")
    }

    func testScaledDecodeHasTheScaledSize() throws {
        let bytes = try CodecFixtures.bytes("jpeg_progressive.jpg")  // 45×35
        let image = try JPEGCodec.decode(bytes, minimumSize: (width: 10, height: 10))
        // 1/4 gives 12×9, too low; 3/8 gives ⌈16.875⌉×⌈13.125⌉.
        XCTAssertEqual([image.width, image.height], [17, 14])
    }

    func testCMYKConversionFollowsPILsFormula() {
        // Stored (inverted) samples: c, m, y = 255 − ink. Ink 0 and k 0 is white; full k is black.
        XCTAssertEqual(JPEGCodec.invertedCMYKToRGB([255, 255, 255, 255]), [255, 255, 255])
        XCTAssertEqual(JPEGCodec.invertedCMYKToRGB([255, 255, 255, 0]), [0, 0, 0])
        // ink 100 under nk 200: 200 − MULDIV255(100, 200) = 200 − 78 = 122.
        XCTAssertEqual(JPEGCodec.invertedCMYKToRGB([155, 0, 255, 200]), [122, 0, 200])
    }

    func testTruncatedDataIsAnErrorAndTheDecoderStaysUsable() throws {
        let bytes = try CodecFixtures.bytes("jpeg_baseline_420.jpg")
        XCTAssertThrowsError(try JPEGCodec.decode(Array(bytes.prefix(bytes.count * 2 / 3)))) { error in
            guard case .corrupt(let message) = (error as? ImageDecodingError)?.reason else {
                return XCTFail("expected a corrupt-data error, got \(error)")
            }
            XCTAssertTrue(message.contains("JPEG"), message)
        }
        assertIdentical(try JPEGCodec.decode(bytes), try CodecFixtures.expected(for: "jpeg_baseline_420.jpg"),
                        "decode after a failure")
    }

    /// TurboJPEG 2.1 leaves a handle whose header read failed mid-way; the same handle then read
    /// a good file's header as 0×0, which sized an empty buffer that the decode overran (the
    /// crash of a pretraining run over a folder with one broken JPEG). One reader must decode
    /// every fixture after such a failure exactly as a new reader does.
    func testAFailedHeaderReadLeavesNothingBehind() throws {
        let good = try CodecFixtures.bytes("jpeg_baseline_420.jpg")
        let missingScan = Array(good[..<(try offset(ofMarker: 0xDA, in: good) - 50)]) + [UInt8](repeating: 0, count: 4000)
        var bogusTable = good
        let table = try offset(ofMarker: 0xC4, in: good)
        for i in (table + 5)..<(table + 21) { bogusTable[i] = 0xEE }
        let reader = ImageFileReader()
        for broken in [missingScan, bogusTable] {
            for name in ["jpeg_baseline_420.jpg", "jpeg_progressive.jpg", "jpeg_cmyk.jpg", "jpeg_gray.jpg"] {
                XCTAssertThrowsError(try reader.decode(broken))
                assertIdentical(try reader.decode(try CodecFixtures.bytes(name)), try CodecFixtures.expected(for: name),
                                "\(name) after a failed header")
            }
        }
    }

    /// libjpeg keeps a decoded file's quantisation tables on its handle for the next image; a
    /// file without tables of its own must not decode with a previous file's.
    func testAFileWithoutTablesDoesNotBorrowThePreviousFiles() throws {
        let good = try CodecFixtures.bytes("jpeg_baseline_444.jpg")
        var tableless = good
        while let table = firstOffset(ofMarker: 0xDB, in: tableless) {
            let length = Int(tableless[table + 2]) << 8 | Int(tableless[table + 3])
            tableless.removeSubrange(table..<(table + 2 + length))
        }
        let reader = ImageFileReader()
        XCTAssertNoThrow(try reader.decode(good))
        XCTAssertThrowsError(try reader.decode(tableless)) { error in
            XCTAssertTrue("\(error)".contains("Quantization table"), "\(error)")
        }
    }

    /// A header claiming a side of 0 is refused before any buffer is sized from it.
    func testAZeroSideInTheHeaderIsCorrupt() throws {
        var bytes = try CodecFixtures.bytes("jpeg_gray.jpg")
        let frame = try offset(ofMarker: 0xC0, in: bytes)
        bytes[frame + 5] = 0; bytes[frame + 6] = 0  // height 0: "defined by the DNL marker", which nothing here reads
        XCTAssertThrowsError(try JPEGCodec.decode(bytes)) { error in
            guard case .corrupt = (error as? ImageDecodingError)?.reason else { return XCTFail("\(error)") }
        }
    }

    func testPixelLimitIsCheckedFromTheHeader() throws {
        let bytes = try CodecFixtures.bytes("jpeg_gray.jpg")
        XCTAssertThrowsError(try JPEGCodec.decode(bytes, maximumPixels: 45 * 35 - 1)) { error in
            XCTAssertEqual((error as? ImageDecodingError)?.reason,
                           .tooManyPixels(width: 45, height: 35, limit: 45 * 35 - 1))
        }
        XCTAssertNoThrow(try JPEGCodec.decode(bytes, maximumPixels: 45 * 35))
    }

    /// The offset of the first `FF marker` pair in `bytes`, failing the test when there is none.
    private func offset(ofMarker marker: UInt8, in bytes: [UInt8]) throws -> Int {
        try XCTUnwrap(firstOffset(ofMarker: marker, in: bytes), "no marker \(marker)")
    }

    private func firstOffset(ofMarker marker: UInt8, in bytes: [UInt8]) -> Int? {
        bytes.indices.dropLast().first { bytes[$0] == 0xFF && bytes[$0 + 1] == marker }
    }
}
