import CTurboJPEG

/// JPEG decoding to RGB, pixel-identical to PIL's `Image.open(f).convert("RGB")` at full size.
///
/// Exactness: PIL decodes with libjpeg's defaults, the accurate integer ("islow") inverse DCT and
/// "fancy" (triangle-filter) chroma upsampling. TurboJPEG's decompressor does the same when
/// neither `TJFLAG_FASTDCT` nor `TJFLAG_FASTUPSAMPLE` is given; `TJFLAG_ACCURATEDCT` is passed to
/// say so explicitly. The fixture tests check byte equality with Pillow 13 (which bundles
/// libjpeg-turbo 3.2) for baseline 4:2:0, 4:2:2 and 4:4:4, progressive, restart-marker,
/// grayscale and CMYK files, and for a 1/2 DCT-scaled decode against PIL's `draft`.
///
/// Colour: YCbCr and RGB files are converted to RGB by libjpeg; grayscale is replicated to R, G
/// and B. CMYK (and YCCK) files follow PIL: every CMYK JPEG is assumed to hold Adobe's inverted
/// samples (PIL's raw mode `CMYK;I`, as Photoshop and PIL itself write them), and PIL's
/// `cmyk2rgb` then gives, with c, m, y, k the un-inverted values and nk = 255 − k,
/// r = nk − c·nk/255 (rounded as PIL's `MULDIV255`), likewise g from m and b from y.
///
/// Warnings are errors: TurboJPEG stops at the first one (`TJFLAG_STOPONWARNING`), so truncated or
/// damaged data throws `.corrupt` where PIL would raise for truncation too but silently accept
/// some recoverable damage.
///
/// No state survives from one file to the next: every decode uses a fresh TurboJPEG handle and
/// destroys it. A reused handle carries state over. After a failed header read, TurboJPEG 2.1
/// leaves the handle part-way through its state machine, and the next header read on it reported
/// a good file as 0×0, which once sized the output buffer. After a successful decode, libjpeg
/// keeps the file's quantisation and Huffman tables for the next image (for abbreviated
/// datastreams), so a file that lacks its own tables decoded with the previous file's tables.
/// A handle costs microseconds against the milliseconds of a decode.
///
///     let image = try JPEGCodec.decode(bytes)                                   // full size, exact
///     let small = try JPEGCodec.decode(bytes, minimumSize: (width: 224, height: 224))
public enum JPEGCodec {
    /// Start of image followed by the first marker's 0xFF.
    public static let signature: [UInt8] = [0xFF, 0xD8, 0xFF]

    /// JPEG's largest side (libjpeg's `JPEG_MAX_DIMENSION`).
    static let maximumSide = 65500

    /// Decodes JPEG bytes to RGB.
    ///
    /// - Parameters:
    ///   - minimumSize: when given, the image is decoded with the smallest DCT scaling factor
    ///     (among TurboJPEG's factors ≤ 1: 7/8, 3/4, 5/8, 1/2, 3/8, 1/4, 1/8) whose output is still at
    ///     least this wide and this high, each side being ⌈side · factor⌉; when the image is smaller
    ///     than requested it is decoded at full size. DCT-scaled pixels are not PIL's full-size
    ///     decode followed by a resize. `nil` decodes at full size (exact).
    ///   - maximumPixels: the full-size pixel count above which the file is refused, checked from
    ///     the header before any pixel memory is allocated.
    /// - Throws: `ImageDecodingError` (`.corrupt` with TurboJPEG's message, `.tooManyPixels`);
    ///   `file` is nil.
    public static func decode(_ bytes: [UInt8], minimumSize: (width: Int, height: Int)? = nil,
                              maximumPixels: Int = ImageLimits.defaultMaximumPixels) throws -> RGBImage {
        guard let handle = tjInitDecompress() else {
            // Only an allocation failure makes tjInitDecompress fail.
            preconditionFailure("JPEGCodec: tjInitDecompress failed: \(String(cString: tjGetErrorStr2(nil)))")
        }
        defer { tjDestroy(handle) }
        func failure() -> ImageDecodingError {
            ImageDecodingError(reason: .corrupt("JPEG: \(String(cString: tjGetErrorStr2(handle)))"))
        }
        return try bytes.withUnsafeBufferPointer { jpeg in
            var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
            guard tjDecompressHeader3(handle, jpeg.baseAddress, UInt(jpeg.count),
                                      &width, &height, &subsampling, &colorspace) == 0 else {
                throw failure()
            }
            let fullWidth = Int(width), fullHeight = Int(height)
            let sides = 1...maximumSide
            guard sides.contains(fullWidth), sides.contains(fullHeight), (0..<Int(TJ_NUMCS)).contains(Int(colorspace)) else {
                throw ImageDecodingError(reason: .corrupt(
                    "JPEG: the header gives an impossible image (\(fullWidth)×\(fullHeight) pixels, colour space \(colorspace))"))
            }
            guard fullWidth * fullHeight <= maximumPixels else {
                throw ImageDecodingError(reason: .tooManyPixels(width: fullWidth, height: fullHeight,
                                                                limit: maximumPixels))
            }
            let factor = minimumSize.map {
                scalingFactor(width: fullWidth, height: fullHeight, minimumSize: $0)
            } ?? JPEGScalingFactor.one
            let outputWidth = factor.scale(fullWidth), outputHeight = factor.scale(fullHeight)
            let isCMYK = colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
            let channels = isCMYK ? 4 : 3
            // Not zero-filled: a successful decode writes every byte, and pages a failed one never
            // reaches are never touched (a damaged header can claim far more pixels than the data holds).
            var status: Int32 = -1
            var decoded = [UInt8](unsafeUninitializedCapacity: outputWidth * outputHeight * channels) { out, initialized in
                status = tjDecompress2(handle, jpeg.baseAddress, UInt(jpeg.count), out.baseAddress,
                                       Int32(outputWidth), Int32(outputWidth * channels), Int32(outputHeight),
                                       Int32(isCMYK ? TJPF_CMYK.rawValue : TJPF_RGB.rawValue),
                                       TJFLAG_ACCURATEDCT | TJFLAG_STOPONWARNING)
                initialized = status == 0 ? out.count : 0
            }
            guard status == 0 else { throw failure() }
            if isCMYK { decoded = invertedCMYKToRGB(decoded) }
            return RGBImage(width: outputWidth, height: outputHeight, pixels: decoded)
        }
    }

    /// TurboJPEG's scaling factors no larger than 1, largest first.
    private static let downscalingFactors: [JPEGScalingFactor] = {
        var count: Int32 = 0
        guard let list = tjGetScalingFactors(&count) else { return [.one] }
        return UnsafeBufferPointer(start: list, count: Int(count))
            .map { JPEGScalingFactor(numerator: Int($0.num), denominator: Int($0.denom)) }
            .filter { $0.numerator <= $0.denominator }
            .sorted { $0.numerator * $1.denominator > $1.numerator * $0.denominator }
    }()

    /// The smallest factor ≤ 1 whose output (⌈side · factor⌉) is at least `minimumSize` on both
    /// sides; 1 when even full size is smaller than requested.
    static func scalingFactor(width: Int, height: Int, minimumSize: (width: Int, height: Int)) -> JPEGScalingFactor {
        downscalingFactors.last {
            $0.scale(width) >= minimumSize.width && $0.scale(height) >= minimumSize.height
        } ?? .one
    }

    /// PIL's CMYK;I unpacking followed by its cmyk2rgb: see the type's documentation.
    /// - Parameter stored: `pixels × 4` bytes as stored in the file (inverted CMYK).
    static func invertedCMYKToRGB(_ stored: [UInt8]) -> [UInt8] {
        let count = stored.count / 4
        return [UInt8](unsafeUninitializedCapacity: count * 3) { out, initialized in
            stored.withUnsafeBufferPointer { cmyk in
                for i in 0..<count {
                    // Stored values are 255 − ink, so nk = 255 − k is the stored K sample.
                    let nk = Int(cmyk[i * 4 + 3])
                    for channel in 0..<3 {
                        let ink = 255 - Int(cmyk[i * 4 + channel])
                        let product = ink * nk + 128
                        let scaled = ((product >> 8) + product) >> 8
                        out[i * 3 + channel] = UInt8(clamping: nk - scaled)
                    }
                }
            }
            initialized = count * 3
        }
    }
}

/// A DCT scaling factor `numerator / denominator`; a side of n pixels becomes ⌈n · factor⌉.
struct JPEGScalingFactor: Equatable {
    let numerator: Int
    let denominator: Int

    static let one = JPEGScalingFactor(numerator: 1, denominator: 1)

    /// TurboJPEG's `TJSCALED`.
    func scale(_ side: Int) -> Int { (side * numerator + denominator - 1) / denominator }
}
