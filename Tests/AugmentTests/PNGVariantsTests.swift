import XCTest
@testable import Augment

/// Every PNG colour type and bit depth against PIL's `Image.open(f).convert("RGB")`, which checks
/// the conversion rules documented in `PNGCodec`.
final class PNGVariantsTests: XCTestCase {
    private func assertMatchesPIL(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let image = try PNGCodec.decode(try CodecFixtures.bytes(name))
        assertIdentical(image, try CodecFixtures.expected(for: name), name, file: file, line: line)
    }

    func testEightBitColourTypes() throws {
        for name in ["png_rgb8.png", "png_rgba8.png", "png_gray8.png", "png_graya8.png"] {
            try assertMatchesPIL(name)
        }
    }

    func testPaletteWithAndWithoutTransparency() throws {
        for name in ["png_palette8.png", "png_palette8_trns.png", "png_palette4.png"] {
            try assertMatchesPIL(name)
        }
    }

    func testLowBitDepthGrayIsScaledToFullRange() throws {
        for name in ["png_gray1.png", "png_gray2.png", "png_gray4.png"] {
            try assertMatchesPIL(name)
        }
    }

    /// 16-bit RGB(A) and gray+alpha keep the high byte; 16-bit gray (PIL's I;16) clips at 255.
    func testSixteenBitSamples() throws {
        for name in ["png_rgb16.png", "png_rgba16.png", "png_graya16.png", "png_gray16.png"] {
            try assertMatchesPIL(name)
        }
    }

    func testAdam7Interlacing() throws {
        for name in ["png_rgb8_interlaced.png", "png_palette8_interlaced.png"] {
            try assertMatchesPIL(name)
        }
    }
}
