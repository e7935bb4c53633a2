extension RGBImage {
    /// `img.resize((width, height), Image.BILINEAR)` exactly as Pillow 13 computes it: separable
    /// fixed-point passes with the antialiasing support that widens when shrinking (see
    /// `BilinearTaps`), each rounding and clipping to uint8, in Pillow's order (vertical first
    /// only when the height shrinks by more than twice as many pixels as the width). An axis
    /// whose size does not change is not resampled, and the same size is a copy.
    public func resized(width outputWidth: Int, height outputHeight: Int) -> RGBImage {
        resizedCrop(CropBox(x: 0, y: 0, width: width, height: height), toWidth: outputWidth, toHeight: outputHeight)
    }

    /// torchvision's `resized_crop` on PIL: `img.crop(box).resize((toWidth, toHeight), BILINEAR)`
    /// in one pass, without materialising the crop (the filter never reads outside the box).
    /// A box already at the target size is just cropped. The box must lie inside the image.
    public func resizedCrop(_ box: CropBox, toWidth: Int, toHeight: Int) -> RGBImage {
        resizedCrop(box, toWidth: toWidth, toHeight: toHeight,
                    keeping: CropBox(x: 0, y: 0, width: toWidth, height: toHeight))
    }

    /// `resizedCrop(CropBox(x: x, y: y, width: width, height: height), toWidth:, toHeight:)`.
    public func resizedCrop(x: Int, y: Int, width cropWidth: Int, height cropHeight: Int,
                            toWidth: Int, toHeight: Int) -> RGBImage {
        resizedCrop(CropBox(x: x, y: y, width: cropWidth, height: cropHeight), toWidth: toWidth, toHeight: toHeight)
    }

    /// The `window` of `resizedCrop(box, toWidth:, toHeight:)`, computing only those pixels:
    /// each output pixel depends on its own taps alone, so this equals resizing then cropping.
    func resizedCrop(_ box: CropBox, toWidth: Int, toHeight: Int, keeping window: CropBox) -> RGBImage {
        precondition(box.width > 0 && box.height > 0 && box.isInside(width: width, height: height),
                     "resizedCrop: box \(box) is empty or not inside the \(width)×\(height) image")
        precondition(window.width > 0 && window.height > 0 && window.isInside(width: toWidth, height: toHeight),
                     "resizedCrop: window \(window) of a \(toWidth)×\(toHeight) output")
        let columns = window.x..<(window.x + window.width), rows = window.y..<(window.y + window.height)
        let horizontal = toWidth == box.width ? nil
            : BilinearTaps(inputStart: box.x, inputLength: box.width, outputLength: toWidth, outputs: columns)
        let vertical = toHeight == box.height ? nil
            : BilinearTaps(inputStart: box.y, inputLength: box.height, outputLength: toHeight, outputs: rows)
        let rowBytes = width * 3
        switch (horizontal, vertical) {
        case (nil, nil):
            return cropped(x: box.x + window.x, y: box.y + window.y, width: window.width, height: window.height)
        case let (horizontal?, nil):
            return filling(window) { source, target in
                Self.resampleRows(source, rowBytes: rowBytes, firstColumn: 0,
                                  rows: (box.y + window.y)..<(box.y + window.y + window.height),
                                  taps: horizontal, into: target)
            }
        case let (nil, vertical?):
            return filling(window) { source, target in
                Self.resampleColumns(source + (box.x + window.x) * 3, rowBytes: rowBytes, firstRow: 0,
                                     taps: vertical, into: target, width: window.width)
            }
        case let (horizontal?, vertical?) where Self.resamplesVerticallyFirst(from: box, toWidth: toWidth, toHeight: toHeight):
            // Only the source columns that some kept output column reads go through the first pass.
            let columns = horizontal.inputRange
            var intermediate = [UInt8](repeating: 0, count: window.height * columns.count * 3)
            return filling(window) { source, target in
                intermediate.withUnsafeMutableBufferPointer { between in
                    Self.resampleColumns(source + columns.lowerBound * 3, rowBytes: rowBytes, firstRow: 0,
                                         taps: vertical, into: between.baseAddress!, width: columns.count)
                    Self.resampleRows(UnsafePointer(between.baseAddress!), rowBytes: columns.count * 3,
                                      firstColumn: columns.lowerBound, rows: 0..<window.height,
                                      taps: horizontal, into: target)
                }
            }
        case let (horizontal?, vertical?):
            // Only the source rows that some kept output row reads go through the first pass.
            let rows = vertical.inputRange
            var intermediate = [UInt8](repeating: 0, count: rows.count * window.width * 3)
            return filling(window) { source, target in
                intermediate.withUnsafeMutableBufferPointer { between in
                    Self.resampleRows(source, rowBytes: rowBytes, firstColumn: 0, rows: rows,
                                      taps: horizontal, into: between.baseAddress!)
                    Self.resampleColumns(UnsafePointer(between.baseAddress!), rowBytes: window.width * 3,
                                         firstRow: rows.lowerBound, taps: vertical, into: target,
                                         width: window.width)
                }
            }
        }
    }

    /// Pillow 13's choice of pass order (each pass rounds to uint8, so the order shows in the
    /// result): vertical first when the height shrinks by more than twice what the width does,
    /// horizontal first otherwise. Sizes are those of the box (the image Pillow resizes).
    private static func resamplesVerticallyFirst(from box: CropBox, toWidth: Int, toHeight: Int) -> Bool {
        box.height >= toHeight && box.height - toHeight > (box.width - toWidth) * 2
    }

    /// A new image the size of `box`, written by `body` from this image's pixels.
    private func filling(_ box: CropBox,
                         _ body: (UnsafePointer<UInt8>, UnsafeMutablePointer<UInt8>) -> Void) -> RGBImage {
        var output = RGBImage(width: box.width, height: box.height)
        pixels.withUnsafeBufferPointer { source in
            output.pixels.withUnsafeMutableBufferPointer { target in body(source.baseAddress!, target.baseAddress!) }
        }
        return output
    }

    /// Pillow's horizontal 8-bit pass: rows `rows` of `source` (each `rowBytes` apart, starting
    /// at input column `firstColumn`) to consecutive rows of `taps.first.count` pixels at `target`.
    private static func resampleRows(_ source: UnsafePointer<UInt8>, rowBytes: Int, firstColumn: Int, rows: Range<Int>,
                                     taps: BilinearTaps, into target: UnsafeMutablePointer<UInt8>) {
        let half: Int32 = 1 << (BilinearTaps.precisionBits - 1)
        let stride = taps.stride
        taps.weights.withUnsafeBufferPointer { weights in
            taps.first.withUnsafeBufferPointer { first in
                taps.count.withUnsafeBufferPointer { count in
                    var t = target
                    for row in rows {
                        let sourceRow = source + (row * rowBytes - firstColumn * 3)
                        for output in 0..<first.count {
                            var s = sourceRow + first[output] * 3
                            let k = weights.baseAddress! + output * stride
                            var red = half, green = half, blue = half
                            for tap in 0..<count[output] {
                                red &+= Int32(s[0]) &* k[tap]
                                green &+= Int32(s[1]) &* k[tap]
                                blue &+= Int32(s[2]) &* k[tap]
                                s += 3
                            }
                            t[0] = clippedToByte(red); t[1] = clippedToByte(green); t[2] = clippedToByte(blue)
                            t += 3
                        }
                    }
                }
            }
        }
    }

    /// Pillow's vertical 8-bit pass: output row i blends input rows `taps.first[i] …` of `source`
    /// (each `rowBytes` apart, starting at input row `firstRow`; `width` pixels used from each)
    /// into row i of `target`.
    private static func resampleColumns(_ source: UnsafePointer<UInt8>, rowBytes: Int, firstRow: Int,
                                        taps: BilinearTaps, into target: UnsafeMutablePointer<UInt8>, width: Int) {
        let half: Int32 = 1 << (BilinearTaps.precisionBits - 1)
        let samples = width * 3
        var sums = [Int32](repeating: 0, count: samples)
        sums.withUnsafeMutableBufferPointer { sums in
            taps.weights.withUnsafeBufferPointer { weights in
                for output in 0..<taps.first.count {
                    for i in 0..<samples { sums[i] = half }
                    for tap in 0..<taps.count[output] {
                        let row = source + (taps.first[output] - firstRow + tap) * rowBytes
                        let k = weights[output * taps.stride + tap]
                        for i in 0..<samples { sums[i] &+= Int32(row[i]) &* k }
                    }
                    let t = target + output * samples
                    for i in 0..<samples { t[i] = clippedToByte(sums[i]) }
                }
            }
        }
    }

    /// Pillow's `clip8`: drop the fraction bits (rounding was pre-added) and clamp to 0…255.
    @inline(__always)
    private static func clippedToByte(_ sum: Int32) -> UInt8 {
        UInt8(clamping: sum >> BilinearTaps.precisionBits)
    }
}
