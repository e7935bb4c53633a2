extension RGBImage {
    /// RandAugment's TranslateX: `img.transform(img.size, Image.AFFINE, (1, 0, pixels, 0, 1, 0))`.
    /// Output pixel x shows input pixel x + `pixels`, so a positive value moves the content
    /// left; the vacated columns are black. An integer value is an exact shift; a fractional one
    /// rounds as Pillow does (sample point x + 0.5 + pixels, floored).
    public func translatedX(by pixels: Double) -> RGBImage {
        affineTransformed(by: AffineMatrix(1, 0, pixels, 0, 1, 0))
    }

    /// RandAugment's TranslateY: `img.transform(img.size, Image.AFFINE, (1, 0, 0, 0, 1, pixels))`.
    /// A positive value moves the content up; the vacated rows are black.
    public func translatedY(by pixels: Double) -> RGBImage {
        affineTransformed(by: AffineMatrix(1, 0, 0, 0, 1, pixels))
    }
}
