extension RGBImage {
    /// Each channel's histogram flattened: PIL's `ImageOps.equalize`.
    ///
    /// Per channel, with `h` its non-zero counts in value order: `step = (Σh − h_last) // 255`;
    /// when there is at most one value, or `step` is 0, the channel is unchanged. Otherwise value
    /// `i` maps to `(step // 2 + count of pixels below i) // step`, clipped to 255.
    public func equalized() -> RGBImage {
        let histogram = ChannelHistogram(self)
        return applying(ChannelLookupTable { channel in
            Self.equalizeTable(histogram.channel(channel))
        })
    }

    private static func equalizeTable(_ counts: ArraySlice<Int>) -> [UInt8] {
        let identity = (0..<256).map { UInt8($0) }
        let present = counts.filter { $0 != 0 }
        guard present.count > 1 else { return identity }
        let step = (present.reduce(0, +) - present.last!) / 255
        guard step > 0 else { return identity }
        var below = step / 2
        return counts.map { count in
            defer { below += count }
            return UInt8(clamping: below / step)
        }
    }
}
