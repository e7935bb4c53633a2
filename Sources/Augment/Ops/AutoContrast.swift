extension RGBImage {
    /// Each channel stretched so that its darkest value becomes 0 and its lightest 255: PIL's
    /// `ImageOps.autocontrast` with cutoff 0. A channel with a single value is left unchanged.
    public func autocontrasted() -> RGBImage {
        let histogram = ChannelHistogram(self)
        return applying(ChannelLookupTable { channel in
            Self.autocontrastTable(histogram.channel(channel))
        })
    }

    /// PIL's table: `int(v · scale + offset)` in double precision, truncated toward zero and
    /// clamped to 0…255, with `scale = 255 / (hi − lo)` and `offset = −lo · scale`.
    private static func autocontrastTable(_ counts: ArraySlice<Int>) -> [UInt8] {
        guard let lo = counts.firstIndex(where: { $0 != 0 }),
              let hi = counts.lastIndex(where: { $0 != 0 }), hi > lo else {
            return (0..<256).map { UInt8($0) }
        }
        let base = counts.startIndex
        let scale = 255.0 / Double(hi - lo)
        let offset = -Double(lo - base) * scale
        return (0..<256).map { value in
            UInt8(clamping: Int(Double(value) * scale + offset))
        }
    }
}
