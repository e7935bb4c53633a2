/// Pillow's BILINEAR resampling weights along one axis (Resample.c: `precompute_coeffs`, then
/// `normalize_coeffs_8bpc`), for the outputs in a sub-range so that a resize followed by a crop
/// computes only the pixels it keeps.
///
/// Output i (of `outputLength`) is centred at input coordinate (i + 0.5)·scale with
/// scale = inputLength / outputLength. The triangle filter's support is 1 input pixel when
/// enlarging and widens to `scale` pixels when shrinking (antialiasing); the weights are
/// normalised to sum 1 in Double and then stored as fixed point with `precisionBits` fraction
/// bits, each as Pillow rounds a non-negative weight: truncating weight·2²² + 0.5.
struct BilinearTaps {
    /// Pillow's PRECISION_BITS (32 − 8 − 2): 8 bits of value and 2 of headroom in an Int32.
    static let precisionBits: Int32 = 22

    /// Weight slots per output (Pillow's ksize); `weights` holds this many per output.
    let stride: Int
    /// For each kept output, its first input index (already offset by `inputStart`).
    let first: [Int]
    /// For each kept output, how many consecutive inputs it reads.
    let count: [Int]
    /// Fixed-point weights, `stride` per kept output, the first `count[i]` of them used.
    let weights: [Int32]

    /// The inputs read by the kept outputs (the taps only move forward along the axis).
    var inputRange: Range<Int> { first[0]..<(first[first.count - 1] + count[count.count - 1]) }

    /// Taps for resampling inputs `inputStart ..< inputStart + inputLength` to `outputLength`
    /// outputs, of which `outputs` are kept (indexed from `outputs.lowerBound` in the arrays).
    init(inputStart: Int, inputLength: Int, outputLength: Int, outputs: Range<Int>) {
        precondition(inputLength > 0 && outputLength > 0 && outputs.lowerBound >= 0 && outputs.upperBound <= outputLength,
                     "BilinearTaps: outputs \(outputs) of \(outputLength) from \(inputLength) inputs")
        // Pillow passes the box edges as float32; the length is exact below 2^24.
        let scale = Double(Float(inputLength)) / Double(outputLength)
        let filterScale = max(scale, 1)
        let support = filterScale
        let inverseFilterScale = 1 / filterScale
        let stride = Int(support.rounded(.up)) * 2 + 1
        var first = [Int](), count = [Int]()
        first.reserveCapacity(outputs.count)
        count.reserveCapacity(outputs.count)
        var weights = [Int32](repeating: 0, count: outputs.count * stride)
        var raw = [Double](repeating: 0, count: stride)
        let one = Double(1 << Self.precisionBits)
        for (slot, output) in outputs.enumerated() {
            let center = (Double(output) + 0.5) * scale
            let lower = max(Int(center - support + 0.5), 0)
            let upper = min(Int(center + support + 0.5), inputLength)
            var total = 0.0
            for tap in 0..<(upper - lower) {
                let distance = abs((Double(tap + lower) - center + 0.5) * inverseFilterScale)
                raw[tap] = distance < 1 ? 1 - distance : 0
                total += raw[tap]
            }
            for tap in 0..<(upper - lower) {
                let weight = total != 0 ? raw[tap] / total : raw[tap]
                weights[slot * stride + tap] = Int32(0.5 + weight * one)
            }
            first.append(lower + inputStart)
            count.append(upper - lower)
        }
        self.stride = stride
        self.first = first
        self.count = count
        self.weights = weights
    }
}
