/// An 8-bit RGB image: `height` rows of `width` pixels, each pixel three interleaved bytes
/// (R, G, B). This is the domain every augmentation works in, as PIL does: each op reads and
/// writes uint8, rounding and clipping as PIL's ImageOps/ImageEnhance do.
public struct RGBImage: Equatable, Sendable {
    /// Pixels per row.
    public let width: Int
    /// Rows.
    public let height: Int
    /// `height × width × 3` bytes, row-major, RGB interleaved.
    public var pixels: [UInt8]

    /// An image with the given bytes (`width · height · 3` of them).
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0, "RGBImage: negative size \(width)×\(height)")
        precondition(pixels.count == width * height * 3,
                     "RGBImage: \(width)×\(height) needs \(width * height * 3) bytes, got \(pixels.count)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A black image.
    public init(width: Int, height: Int) {
        self.init(width: width, height: height, pixels: [UInt8](repeating: 0, count: width * height * 3))
    }

    /// The three channel values of pixel (x, y).
    public subscript(x: Int, y: Int) -> (r: UInt8, g: UInt8, b: UInt8) {
        let i = (y * width + x) * 3
        return (pixels[i], pixels[i + 1], pixels[i + 2])
    }
}
