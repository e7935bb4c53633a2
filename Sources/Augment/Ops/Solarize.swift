extension RGBImage {
    /// Every sample at or above `threshold` inverted (`255 − v`), the rest kept: PIL's
    /// `ImageOps.solarize`. `threshold` is in 0…256; 256 leaves the image unchanged, 0 inverts it.
    public func solarized(threshold: Int) -> RGBImage {
        precondition((0...256).contains(threshold), "solarized: threshold \(threshold) outside 0…256")
        return applying(ChannelLookupTable(shared: (0..<256).map { UInt8($0 < threshold ? $0 : 255 - $0) }))
    }
}
