extension RGBImage {
    /// RandAugment's ShearX: `img.transform(img.size, Image.AFFINE, (1, factor, 0, 0, 1, 0))`.
    /// Row y samples the input shifted right by `factor·(y + 0.5)` pixels, so for a positive
    /// factor the content leans left going down; the top-left corner stays put. Black fill.
    public func shearedX(by factor: Double) -> RGBImage {
        affineTransformed(by: AffineMatrix(1, factor, 0, 0, 1, 0))
    }

    /// RandAugment's ShearY: `img.transform(img.size, Image.AFFINE, (1, 0, 0, factor, 1, 0))`.
    /// Column x samples the input shifted down by `factor·(x + 0.5)` pixels. Black fill.
    public func shearedY(by factor: Double) -> RGBImage {
        affineTransformed(by: AffineMatrix(1, 0, 0, factor, 1, 0))
    }
}
