extension RGBImage {
    /// `img.transpose(Image.FLIP_LEFT_RIGHT)` (torchvision's horizontal flip on PIL): pixel
    /// (x, y) becomes pixel (width − 1 − x, y).
    public func flippedHorizontally() -> RGBImage {
        permutedPixels(width: width, height: height, start: width - 1, columnStride: -1, rowStride: width)
    }
}
