import Foundation

/// A dense float32 tensor with reverse-mode automatic differentiation.
///
/// Elements are contiguous in row-major order of `shape`. Image batches are NCHW at the public
/// API; inside a backbone, feature maps are channel-major `[C, N, H, W]` so that one GEMM spans
/// the whole batch (see ARCHITECTURE.md, "Activation layout").
///
/// A tensor that `requiresGradient` and was produced by an operation while `GradientMode` is on
/// remembers that operation; `backward()` on a scalar result walks the graph and accumulates
/// `gradient` on every leaf that requires one.
///
/// ```swift
/// let w = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4], requiresGradient: true)
/// let loss = (w * w).sum()
/// loss.backward()          // w.gradient == 2·w
/// ```
public final class Tensor {
    /// Dimensions, outermost first.
    public let shape: [Int]
    /// Memory; shared with views made by `reshaped(_:)`.
    public let storage: TensorStorage
    /// Whether gradients flow to this tensor.
    public internal(set) var requiresGradient: Bool
    /// This tensor's place in the autograd graph (its gradient, the operation that made it).
    let slot: GradientSlot

    /// Accumulated gradient (same shape), or nil before any backward pass reached it.
    public var gradient: Tensor? {
        get { slot.gradient }
        set { slot.gradient = newValue }
    }
    /// The operation that produced this tensor, when recorded.
    var gradientNode: GradientNode? { slot.node }
    /// Writes this tensor's values into a buffer of `count` floats from what the operation that
    /// produced it keeps anyway, for backward rules that would otherwise keep the tensor
    /// (`SavedTensor`); nil when the values must be kept.
    var recomputation: ((UnsafeMutablePointer<Float>) -> Void)?

    /// Wraps existing storage; `shape` must describe exactly `storage.count` elements.
    public init(shape: [Int], storage: TensorStorage, requiresGradient: Bool = false) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in \(shape)")
        precondition(shape.reduce(1, *) == storage.count,
                     "Tensor: shape \(shape) holds \(shape.reduce(1, *)) elements, storage \(storage.count)")
        self.shape = shape
        self.storage = storage
        self.requiresGradient = requiresGradient
        slot = GradientSlot(shape: shape)
    }

    /// A tensor of uninitialised elements — for outputs an operation overwrites entirely.
    public convenience init(uninitializedShape shape: [Int]) {
        self.init(shape: shape, storage: TensorStorage(uninitializedCount: shape.reduce(1, *)))
    }

    /// A tensor of zeros.
    public convenience init(zeros shape: [Int], requiresGradient: Bool = false) {
        self.init(shape: shape, storage: TensorStorage(zeroedCount: shape.reduce(1, *)),
                  requiresGradient: requiresGradient)
    }

    /// A tensor with every element `value`.
    public convenience init(shape: [Int], repeating value: Float, requiresGradient: Bool = false) {
        self.init(uninitializedShape: shape)
        storage.base.update(repeating: value, count: count)
        self.requiresGradient = requiresGradient
    }

    /// A tensor holding `scalars` in row-major order.
    public convenience init(shape: [Int], scalars: [Float], requiresGradient: Bool = false) {
        precondition(shape.reduce(1, *) == scalars.count,
                     "Tensor: shape \(shape) needs \(shape.reduce(1, *)) scalars, got \(scalars.count)")
        self.init(uninitializedShape: shape)
        scalars.withUnsafeBufferPointer { storage.base.update(from: $0.baseAddress!, count: scalars.count) }
        self.requiresGradient = requiresGradient
    }

    /// Number of elements.
    @inlinable public var count: Int { storage.count }
    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// First element, for kernels.
    @inlinable public var data: UnsafeMutablePointer<Float> { storage.base }
    /// The elements in row-major order (a copy).
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }
    /// The single element of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "Tensor.item: tensor of shape \(shape) has \(count) elements")
        return data[0]
    }

    /// Marks a leaf tensor as trainable (or not). Returns self for chaining.
    @discardableResult
    public func requiringGradient(_ flag: Bool = true) -> Tensor {
        precondition(gradientNode == nil, "Tensor: only leaf tensors can change requiresGradient")
        requiresGradient = flag
        return self
    }

    /// A copy of the elements with no history.
    public func copy() -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        result.data.update(from: data, count: count)
        return result
    }

    /// The same memory with no history and no gradient: gradients do not flow through it.
    public func detached() -> Tensor {
        Tensor(shape: shape, storage: storage)
    }

    /// Overwrites the elements with `source`'s (same element count); records nothing.
    public func assign(from source: Tensor) {
        precondition(source.count == count, "Tensor.assign: \(source.shape) into \(shape)")
        data.update(from: source.data, count: count)
    }

    /// Sets every element to zero; records nothing.
    public func zero() { data.update(repeating: 0, count: count) }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = scalars.prefix(8).map { String(format: "%.4g", $0) }.joined(separator: ", ")
        return "Tensor(\(shape): [\(preview)\(count > 8 ? ", …" : "")])"
    }
}
