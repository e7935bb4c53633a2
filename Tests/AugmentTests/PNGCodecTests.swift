import XCTest
@testable import Augment

final class PNGCodecTests: XCTestCase {
    func testEncodeThenDecodeIsLossless() throws {
        var pixels = [UInt8]()
        for y in 0..<7 { for x in 0..<5 { pixels += [UInt8(x * 40), UInt8(y * 30), UInt8((x * y) % 256)] } }
        let image = RGBImage(width: 5, height: 7, pixels: pixels)
        let bytes = try PNGCodec.encode(image)
        XCTAssertEqual(Array(bytes.prefix(8)), PNGCodec.signature)
        XCTAssertEqual(try PNGCodec.decode(bytes), image)
    }

    func testTruncatedDataIsAnError() throws {
        let image = RGBImage(width: 16, height: 16, pixels: (0..<768).map { UInt8($0 % 251) })
        let bytes = try PNGCodec.encode(image)
        XCTAssertThrowsError(try PNGCodec.decode(Array(bytes.prefix(bytes.count / 2)))) { error in
            guard case .corrupt = (error as? ImageDecodingError)?.reason else {
                return XCTFail("expected a corrupt-data error, got \(error)")
            }
        }
    }

    func testPixelLimitRefusesLargeImagesBeforeDecoding() throws {
        let bytes = try PNGCodec.encode(RGBImage(width: 40, height: 30))
        XCTAssertThrowsError(try PNGCodec.decode(bytes, maximumPixels: 1000)) { error in
            XCTAssertEqual((error as? ImageDecodingError)?.reason,
                           .tooManyPixels(width: 40, height: 30, limit: 1000))
        }
    }
}
