extension RGBImage {
    /// The size torchvision's `Resize(shorterSide)` gives this image: the shorter side becomes
    /// `shorterSide` and the longer `int(shorterSide · long / short)` (truncated, as Python's
    /// `int` of the true quotient).
    public func sizeWithShorterSide(_ shorterSide: Int) -> (width: Int, height: Int) {
        precondition(shorterSide > 0 && width > 0 && height > 0,
                     "sizeWithShorterSide: \(shorterSide) for a \(width)×\(height) image")
        let short = min(width, height), long = max(width, height)
        let longer = Int(Double(shorterSide * long) / Double(short))
        return width <= height ? (shorterSide, longer) : (longer, shorterSide)
    }

    /// torchvision's `Resize(shorterSide)` on PIL: BILINEAR with antialiasing (see `resized`).
    public func resizedShorterSide(to shorterSide: Int) -> RGBImage {
        let size = sizeWithShorterSide(shorterSide)
        return resized(width: size.width, height: size.height)
    }

    /// The evaluation geometry, torchvision's `Resize(shorterSide)` then `CenterCrop(crop)`
    /// (`crop ≤ shorterSide`), in one pass that computes only the kept pixels; equal to
    /// `resizedShorterSide(to:)` followed by `centerCropped(width: crop, height: crop)`.
    public func resizedShorterSide(to shorterSide: Int, centerCrop crop: Int) -> RGBImage {
        precondition(crop > 0 && crop <= shorterSide, "resizedShorterSide: crop \(crop) for shorter side \(shorterSide)")
        let size = sizeWithShorterSide(shorterSide)
        let window = CropBox.centered(width: crop, height: crop, inImageOfWidth: size.width, height: size.height)
        return resizedCrop(CropBox(x: 0, y: 0, width: width, height: height),
                           toWidth: size.width, toHeight: size.height, keeping: window)
    }
}
