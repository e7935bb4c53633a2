import Foundation

extension RGBImage {
    /// `img.rotate(degrees)` exactly as Pillow computes it: counter-clockwise for positive
    /// degrees, about the centre (width/2, height/2), same size, nearest neighbour, black corners.
    ///
    /// Like Pillow, the angle is first reduced with Python's `%` to [0, 360) (so −9° is computed
    /// as 351°, whose cosine rounds differently); 0° is a copy, 180° a half turn, and 90°/270°
    /// on a square image a quarter turn; every other case goes through
    /// `affineTransformed(by: AffineMatrix.pillowRotation(...))`.
    public func rotated(degrees: Double) -> RGBImage {
        precondition(degrees.isFinite, "rotated: non-finite angle \(degrees)")
        let angle = AffineMatrix.pythonRemainder(degrees, 360)
        switch angle {
        case 0:
            return self
        case 180:
            return permutedPixels(width: width, height: height, start: width * height - 1,
                                  columnStride: -1, rowStride: -width)
        case 90 where width == height:
            return permutedPixels(width: width, height: height, start: width - 1,
                                  columnStride: width, rowStride: -1)
        case 270 where width == height:
            return permutedPixels(width: width, height: height, start: (height - 1) * width,
                                  columnStride: -width, rowStride: 1)
        default:
            return affineTransformed(by: .pillowRotation(degrees: angle, width: width, height: height))
        }
    }
}

extension AffineMatrix {
    /// The inverse map `Image.rotate` builds for a counter-clockwise turn by `degrees` about
    /// (width/2, height/2): cos and sin of −degrees (in radians) rounded to 15 decimals, as
    /// Python's `round(v, 15)` does, then the centre folded into the translation.
    public static func pillowRotation(degrees: Double, width: Int, height: Int) -> AffineMatrix {
        let radians = -(degrees * (Double.pi / 180))
        let cosine = roundedTo15Decimals(cos(radians)), sine = roundedTo15Decimals(sin(radians))
        var m = AffineMatrix(cosine, sine, 0, roundedTo15Decimals(-sin(radians)), cosine, 0)
        let centerX = Double(width) / 2, centerY = Double(height) / 2
        m.c = m.a * -centerX + m.b * -centerY + m.c + centerX
        m.f = m.d * -centerX + m.e * -centerY + m.f + centerY
        return m
    }

    /// Python's float `%`: the remainder takes the divisor's sign (−9 % 360 = 351).
    static func pythonRemainder(_ value: Double, _ divisor: Double) -> Double {
        let remainder = fmod(value, divisor)
        if remainder == 0 { return copysign(0, divisor) }
        return (remainder < 0) != (divisor < 0) ? remainder + divisor : remainder
    }

    /// Python's `round(v, 15)`: the correctly rounded 15-decimal representation read back.
    /// glibc's `%.15f` rounds the exact binary value half-to-even, as CPython's dtoa does.
    private static func roundedTo15Decimals(_ value: Double) -> Double {
        var text = [CChar](repeating: 0, count: 64)
        _ = withVaList([value]) { vsnprintf(&text, text.count, "%.15f", $0) }
        return strtod(text, nil)
    }
}
