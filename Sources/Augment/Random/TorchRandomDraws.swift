import TensorCore

/// The shapes of torch's random draws that the torchvision transforms use, made from a
/// `SeededRandom` stream (the values are not torch's; the distributions and precisions are).
extension SeededRandom {
    /// torch's float32 `uniform_(lower, upper)`: `lower + (upper − lower)·u` in float32, with `u`
    /// a 24-bit uniform in [0, 1).
    mutating func torchUniform(_ lower: Float, _ upper: Float) -> Float {
        let u = Float(next() >> 40) * 0x1p-24
        return (upper - lower) * u + lower
    }

    /// `torch.randperm(count)`: a uniformly random permutation of `0..<count` (Fisher–Yates).
    mutating func permutation(count: Int) -> [Int] {
        var order = Array(0..<count)
        for i in stride(from: count - 1, to: 0, by: -1) {
            order.swapAt(i, integer(in: 0...i))
        }
        return order
    }
}
