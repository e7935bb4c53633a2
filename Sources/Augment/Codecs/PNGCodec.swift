import CImageCodecs
import CPNG

/// PNG decoding to RGB exactly as PIL's `Image.open(f).convert("RGB")`, and PNG encoding.
///
/// Conversion rules (PIL's): alpha is dropped, not composited; gAMA and background chunks are
/// ignored; palette images take their palette colours (transparency ignored); gray of 1, 2 or 4
/// bits is scaled to 0…255; 16-bit RGB(A) and gray+alpha keep the high byte of each sample, while
/// 16-bit gray without alpha (PIL's mode `I;16`) is clipped to 255; gray is replicated to R, G, B.
///
/// Damage: a CRC mismatch in any chunk, ancillary ones included, is an error, as in PIL (libpng
/// alone would drop a damaged ancillary chunk and decode the rest); other libpng warnings, such
/// as an unusual ICC profile, are ignored, as PIL ignores them. Each decode has its own libpng
/// state, so nothing carries over from one file to the next.
public enum PNGCodec {
    /// The 8-byte PNG signature.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Decodes PNG bytes to RGB.
    /// - Throws: `ImageDecodingError` (`.corrupt` with libpng's message, `.tooManyPixels`).
    public static func decode(_ bytes: [UInt8], maximumPixels: Int = ImageLimits.defaultMaximumPixels) throws -> RGBImage {
        var raw = cimage_png()
        var message = [CChar](repeating: 0, count: 256)
        let status = bytes.withUnsafeBufferPointer { buffer in
            cimage_png_decode(buffer.baseAddress, buffer.count, UInt64(maximumPixels), &raw, &message, message.count)
        }
        switch Int(status) {
        case Int(CIMAGE_OK): break
        case Int(CIMAGE_TOO_MANY_PIXELS):
            throw ImageDecodingError(reason: .tooManyPixels(width: Int(raw.width), height: Int(raw.height),
                                                            limit: maximumPixels))
        default:
            throw ImageDecodingError(reason: .corrupt("PNG: \(String(cString: message))"))
        }
        defer { cimage_png_free(&raw) }
        return convertToRGB(raw)
    }

    private static func convertToRGB(_ raw: cimage_png) -> RGBImage {
        let width = Int(raw.width), height = Int(raw.height), channels = Int(raw.channels)
        let bytesPerSample = Int(raw.bit_depth) / 8
        let source = raw.pixels!
        // PIL's I;16 (16-bit gray, no alpha) converts by clipping; every other 16-bit mode keeps the high byte.
        let clipsSixteenBit = bytesPerSample == 2 && channels == 1
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        pixels.withUnsafeMutableBufferPointer { out in
            for i in 0..<(width * height) {
                let p = source + i * channels * bytesPerSample
                func sample(_ c: Int) -> UInt8 {
                    let q = p + c * bytesPerSample
                    if bytesPerSample == 1 { return q[0] }
                    return clipsSixteenBit ? (q[0] != 0 ? 255 : q[1]) : q[0]
                }
                if channels >= 3 {
                    out[i * 3] = sample(0); out[i * 3 + 1] = sample(1); out[i * 3 + 2] = sample(2)
                } else {
                    let v = sample(0)
                    out[i * 3] = v; out[i * 3 + 1] = v; out[i * 3 + 2] = v
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Encodes an RGB image as an 8-bit RGB PNG (libpng's simplified writer; no setjmp needed).
    /// - Throws: `ImageEncodingError` with libpng's message.
    public static func encode(_ image: RGBImage) throws -> [UInt8] {
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        png.width = UInt32(image.width)
        png.height = UInt32(image.height)
        png.format = UInt32(PNG_FORMAT_RGB)
        var size = 0
        let rowStride = Int32(image.width * 3)
        let sized = image.pixels.withUnsafeBytes { pixels in
            png_image_write_to_memory(&png, nil, &size, 0, pixels.baseAddress, rowStride, nil)
        }
        guard sized != 0 else { throw ImageEncodingError(message: libpngMessage(&png)) }
        var output = [UInt8](repeating: 0, count: size)
        let written = output.withUnsafeMutableBytes { out in
            image.pixels.withUnsafeBytes { pixels in
                png_image_write_to_memory(&png, out.baseAddress, &size, 0, pixels.baseAddress, rowStride, nil)
            }
        }
        guard written != 0 else { throw ImageEncodingError(message: libpngMessage(&png)) }
        return Array(output.prefix(size))
    }

    private static func libpngMessage(_ png: inout png_image) -> String {
        withUnsafeBytes(of: &png.message) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
    }
}

/// Encoding failed; `message` is the codec's.
public struct ImageEncodingError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { "cannot encode image: \(message)" }
}
