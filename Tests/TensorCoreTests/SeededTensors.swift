@testable import TensorCore

extension Tensor {
    /// A tensor of standard-normal values drawn from `SeededRandom(seed:)`, for test inputs.
    static func seededNormal(_ shape: [Int], seed: UInt64, requiresGradient: Bool = false) -> Tensor {
        var random = SeededRandom(seed: seed)
        return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float(random.normal()) },
                      requiresGradient: requiresGradient)
    }

    /// The largest |self − other| over all elements (shapes must hold the same count).
    func maximumAbsoluteDifference(_ other: Tensor) -> Float {
        precondition(count == other.count, "maximumAbsoluteDifference: \(shape) vs \(other.shape)")
        return zip(scalars, other.scalars).map { abs($0 - $1) }.max() ?? 0
    }
}
