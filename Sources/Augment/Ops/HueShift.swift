extension RGBImage {
    /// torchvision's `adjust_hue(image, factor)` on a PIL image: each pixel goes through PIL's
    /// 8-bit HSV (`convert("HSV")`), its hue byte is shifted (modulo 256) by the low byte of
    /// `Int32(factor · 255)`, truncated toward zero, and it comes back through PIL's `convert("RGB")`.
    ///
    /// `factor` is in −0.5…0.5 (a fraction of the hue circle); it is a Float as torch draws it,
    /// and `factor · 255` is formed in double precision as torchvision does with the drawn value.
    /// Even factor 0 is not the identity: the HSV round trip is lossy, as in PIL.
    public func adjustingHue(_ factor: Float) -> RGBImage {
        precondition((-0.5...0.5).contains(factor), "adjustingHue: factor \(factor) outside −0.5…0.5")
        let shift = UInt8(truncatingIfNeeded: Int32(Double(factor) * 255))
        var result = self
        result.pixels.withUnsafeMutableBufferPointer { pixels in
            for i in 0..<(width * height) {
                let pixel = pixels.baseAddress! + 3 * i
                let hsv = HSVPixel(red: pixel[0], green: pixel[1], blue: pixel[2])
                HSVPixel(hue: hsv.hue &+ shift, saturation: hsv.saturation, value: hsv.value).store(pixel)
            }
        }
        return result
    }
}
