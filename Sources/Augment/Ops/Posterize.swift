extension RGBImage {
    /// Every sample reduced to its top `bits` bits (the others cleared): PIL's
    /// `ImageOps.posterize`. `bits` is in 1…8; 8 leaves the image unchanged.
    public func posterized(bits: Int) -> RGBImage {
        precondition((1...8).contains(bits), "posterized: bits \(bits) outside 1…8")
        let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
        return applying(ChannelLookupTable(shared: (0..<256).map { UInt8($0) & mask }))
    }
}
