/// A pixel in PIL's 8-bit HSV mode, with Convert.c's `rgb2hsv` and `hsv2rgb` conversions,
/// whose mix of float32 and double arithmetic is reproduced step by step (the truncations make
/// the last bit matter).
struct HSVPixel {
    var hue: UInt8
    var saturation: UInt8
    var value: UInt8

    init(hue: UInt8, saturation: UInt8, value: UInt8) {
        self.hue = hue
        self.saturation = saturation
        self.value = value
    }

    /// PIL's `rgb2hsv`: hue and saturation as fractions scaled by 255 and truncated; value the
    /// largest channel. Greys get hue and saturation 0.
    @inline(__always)
    init(red: UInt8, green: UInt8, blue: UInt8) {
        let maximum = max(red, max(green, blue)), minimum = min(red, min(green, blue))
        value = maximum
        guard maximum != minimum else {
            hue = 0
            saturation = 0
            return
        }
        let range = Float(maximum - minimum)
        let saturationFraction = range / Float(maximum)
        let redDistance = Float(maximum - red) / range
        let greenDistance = Float(maximum - green) / range
        let blueDistance = Float(maximum - blue) / range
        let sector: Float
        if red == maximum {
            sector = blueDistance - greenDistance
        } else if green == maximum {
            sector = Float(2.0 + Double(redDistance) - Double(blueDistance))
        } else {
            sector = Float(4.0 + Double(greenDistance) - Double(redDistance))
        }
        // PIL takes fmod(sector / 6 + 1, 1); the argument lies in [5/6, 11/6], where that is
        // one exact subtraction.
        let turns = Double(sector) / 6.0 + 1.0
        let hueFraction = Float(turns >= 1 ? turns - 1 : turns)
        hue = UInt8(clamping: Int(Double(hueFraction) * 255.0))
        saturation = UInt8(clamping: Int(Double(saturationFraction) * 255.0))
    }

    /// PIL's `hsv2rgb`: writes the RGB bytes of this colour to `pixel[0...2]`.
    @inline(__always)
    func store(_ pixel: UnsafeMutablePointer<UInt8>) {
        guard saturation != 0 else {
            pixel[0] = value
            pixel[1] = value
            pixel[2] = value
            return
        }
        let scaledHue = Double(hue) * 6.0 / 255.0
        let sector = Int(scaledHue.rounded(.down))
        let fraction = Float(scaledHue - Double(sector))
        let saturationFraction = Float(Double(saturation) / 255.0)
        let v = Double(value)
        let p = UInt8(clamping: Int((v * (1.0 - Double(saturationFraction))).rounded()))
        let q = UInt8(clamping: Int((v * (1.0 - Double(saturationFraction * fraction))).rounded()))
        let t = UInt8(clamping: Int((v * (1.0 - Double(saturationFraction) * (1.0 - Double(fraction)))).rounded()))
        switch sector % 6 {
        case 0: (pixel[0], pixel[1], pixel[2]) = (value, t, p)
        case 1: (pixel[0], pixel[1], pixel[2]) = (q, value, p)
        case 2: (pixel[0], pixel[1], pixel[2]) = (p, value, t)
        case 3: (pixel[0], pixel[1], pixel[2]) = (p, q, value)
        case 4: (pixel[0], pixel[1], pixel[2]) = (t, p, value)
        default: (pixel[0], pixel[1], pixel[2]) = (value, p, q)
        }
    }
}
