/// Limits that guard decoding against hostile or broken files.
public enum ImageLimits {
    /// Images with more pixels than this are refused before their pixels are allocated
    /// (≈ 179 megapixels, PIL's decompression-bomb error threshold is 2 × 89.5 MP).
    public static let defaultMaximumPixels = 178_956_970
}
