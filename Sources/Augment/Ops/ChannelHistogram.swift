/// How many pixels hold each value, per channel: PIL's `Image.histogram()` of an RGB image.
struct ChannelHistogram {
    /// 768 counts: 256 for red, then green, then blue.
    private var counts: [Int]

    init(_ image: RGBImage) {
        counts = [Int](repeating: 0, count: 768)
        counts.withUnsafeMutableBufferPointer { counts in
            image.pixels.withUnsafeBufferPointer { pixels in
                for i in 0..<(image.width * image.height) {
                    counts[Int(pixels[3 * i])] += 1
                    counts[256 + Int(pixels[3 * i + 1])] += 1
                    counts[512 + Int(pixels[3 * i + 2])] += 1
                }
            }
        }
    }

    /// The 256 counts of one channel (0 red, 1 green, 2 blue).
    func channel(_ channel: Int) -> ArraySlice<Int> {
        counts[(256 * channel)..<(256 * channel + 256)]
    }
}
