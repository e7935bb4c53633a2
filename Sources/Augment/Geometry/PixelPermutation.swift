extension RGBImage {
    /// A `width × height` image whose pixel (x, y) is this image's pixel with row-major index
    /// `start + x·columnStride + y·rowStride`: the one loop behind flips and quarter/half turns,
    /// which move pixels without resampling.
    func permutedPixels(width outputWidth: Int, height outputHeight: Int,
                        start: Int, columnStride: Int, rowStride: Int) -> RGBImage {
        var output = RGBImage(width: outputWidth, height: outputHeight)
        guard !output.pixels.isEmpty else { return output }
        pixels.withUnsafeBufferPointer { source in
            output.pixels.withUnsafeMutableBufferPointer { target in
                var t = target.baseAddress!
                for y in 0..<outputHeight {
                    var index = start + y * rowStride
                    for _ in 0..<outputWidth {
                        let s = source.baseAddress! + index * 3
                        t[0] = s[0]; t[1] = s[1]; t[2] = s[2]
                        t += 3
                        index += columnStride
                    }
                }
            }
        }
        return output
    }
}
