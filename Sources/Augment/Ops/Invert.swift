extension RGBImage {
    /// Every sample `v` replaced by `255 − v` (PIL's `ImageOps.invert`).
    public func inverted() -> RGBImage {
        var result = self
        result.pixels.withUnsafeMutableBufferPointer { pixels in
            for i in pixels.indices { pixels[i] = 255 &- pixels[i] }
        }
        return result
    }
}
