import Augment

/// An 8-bit RGB colour.
public struct ChartColor: Equatable, Sendable {
    public var red: UInt8, green: UInt8, blue: UInt8

    public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) {
        (self.red, self.green, self.blue) = (red, green, blue)
    }

    public static let white = ChartColor(255, 255, 255)
    public static let black = ChartColor(0, 0, 0)
    public static let gridGray = ChartColor(225, 225, 225)
    public static let axisGray = ChartColor(90, 90, 90)
}

/// A drawing surface over an `RGBImage`: pixels, filled rectangles, thick lines and
/// `BitmapFont` text. Everything outside the image is clipped.
struct Canvas {
    private(set) var image: RGBImage

    init(width: Int, height: Int, background: ChartColor) {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            pixels[3 * i] = background.red; pixels[3 * i + 1] = background.green; pixels[3 * i + 2] = background.blue
        }
        image = RGBImage(width: width, height: height, pixels: pixels)
    }

    var width: Int { image.width }
    var height: Int { image.height }

    mutating func set(_ x: Int, _ y: Int, _ color: ChartColor) {
        guard x >= 0, y >= 0, x < image.width, y < image.height else { return }
        let i = (y * image.width + x) * 3
        image.pixels[i] = color.red; image.pixels[i + 1] = color.green; image.pixels[i + 2] = color.blue
    }

    /// Fills the rectangle of `width × height` pixels whose top-left pixel is (x, y).
    mutating func fill(x: Int, y: Int, width: Int, height: Int, _ color: ChartColor) {
        for row in max(0, y)..<max(max(0, y), min(image.height, y + height)) {
            for column in max(0, x)..<max(max(0, x), min(image.width, x + width)) { set(column, row, color) }
        }
    }

    /// A one-pixel rectangle outline.
    mutating func outline(x: Int, y: Int, width: Int, height: Int, _ color: ChartColor) {
        fill(x: x, y: y, width: width, height: 1, color)
        fill(x: x, y: y + height - 1, width: width, height: 1, color)
        fill(x: x, y: y, width: 1, height: height, color)
        fill(x: x + width - 1, y: y, width: 1, height: height, color)
    }

    /// A line from (x0, y0) to (x1, y1) (Bresenham), each point a `thickness`-pixel square.
    mutating func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ color: ChartColor, thickness: Int = 1) {
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var (x, y, error) = (x0, y0, dx + dy)
        let offset = (thickness - 1) / 2
        while true {
            fill(x: x - offset, y: y - offset, width: thickness, height: thickness, color)
            if x == x1 && y == y1 { break }
            let doubled = 2 * error
            if doubled >= dy { error += dy; x += sx }
            if doubled <= dx { error += dx; y += sy }
        }
    }

    /// `text` in `BitmapFont` with its top-left corner at (x, y), each font pixel `scale`² pixels.
    mutating func text(_ text: String, x: Int, y: Int, _ color: ChartColor, scale: Int = 1) {
        var left = x
        for character in text {
            for (row, mask) in BitmapFont.rows(of: character).enumerated() {
                for column in 0..<BitmapFont.glyphWidth where mask & (1 << (BitmapFont.glyphWidth - 1 - column)) != 0 {
                    fill(x: left + column * scale, y: y + row * scale, width: scale, height: scale, color)
                }
            }
            left += (BitmapFont.glyphWidth + BitmapFont.spacing) * scale
        }
    }
}
