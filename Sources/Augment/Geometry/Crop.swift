/// A rectangle of pixels: `width × height` starting at column `x`, row `y` (PIL's box
/// `(x, y, x + width, y + height)`; torchvision's `(top, left, height, width)` = `(y, x, height, width)`).
public struct CropBox: Equatable, Sendable {
    public var x: Int, y: Int, width: Int, height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        precondition(width >= 0 && height >= 0, "CropBox: negative size \(width)×\(height)")
        (self.x, self.y, self.width, self.height) = (x, y, width, height)
    }

    /// torchvision's `center_crop` placement of a `width × height` box in an image of
    /// `imageWidth × imageHeight`: top = int(round((H − h) / 2.0)), left likewise, with Python's
    /// half-to-even rounding (an excess of 5 rows puts 2 above, of 7 puts 4 above).
    public static func centered(width: Int, height: Int, inImageOfWidth imageWidth: Int, height imageHeight: Int) -> CropBox {
        func offset(_ excess: Int) -> Int { Int((Double(excess) / 2).rounded(.toNearestOrEven)) }
        return CropBox(x: offset(imageWidth - width), y: offset(imageHeight - height), width: width, height: height)
    }

    /// Whether the box lies entirely inside an image of `width × height`.
    public func isInside(width imageWidth: Int, height imageHeight: Int) -> Bool {
        x >= 0 && y >= 0 && x + width <= imageWidth && y + height <= imageHeight
    }
}

extension RGBImage {
    /// `img.crop((x, y, x + width, y + height))`: the part of the box outside the image is black,
    /// as Pillow fills it.
    public func cropped(_ box: CropBox) -> RGBImage {
        var output = RGBImage(width: box.width, height: box.height)
        let left = max(0, box.x), right = min(width, box.x + box.width)
        let top = max(0, box.y), bottom = min(height, box.y + box.height)
        guard left < right && top < bottom else { return output }
        let columns = left..<right, rows = top..<bottom
        let rowBytes = columns.count * 3
        pixels.withUnsafeBufferPointer { source in
            output.pixels.withUnsafeMutableBufferPointer { target in
                for row in rows {
                    let s = source.baseAddress! + (row * width + columns.lowerBound) * 3
                    let t = target.baseAddress! + ((row - box.y) * box.width + columns.lowerBound - box.x) * 3
                    t.update(from: s, count: rowBytes)
                }
            }
        }
        return output
    }

    /// `img.crop((x, y, x + width, y + height))`; see `cropped(_:)`.
    public func cropped(x: Int, y: Int, width: Int, height: Int) -> RGBImage {
        cropped(CropBox(x: x, y: y, width: width, height: height))
    }

    /// torchvision's `center_crop` of a `width × height` box no larger than the image (see
    /// `CropBox.centered` for the rounding of the offsets).
    public func centerCropped(width cropWidth: Int, height cropHeight: Int) -> RGBImage {
        precondition(cropWidth <= width && cropHeight <= height,
                     "centerCropped: \(cropWidth)×\(cropHeight) does not fit in \(width)×\(height)")
        return cropped(CropBox.centered(width: cropWidth, height: cropHeight, inImageOfWidth: width, height: height))
    }
}
