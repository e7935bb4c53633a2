import Foundation

/// Contiguous float32 memory, 64-byte aligned, owned by one object and freed with it.
///
/// Several `Tensor` views (reshapes) may share one storage; copies are always explicit.
public final class TensorStorage {
    /// First element; aligned to 64 bytes so SIMD loads and BLAS kernels never straddle lines.
    public let base: UnsafeMutablePointer<Float>
    /// Number of float32 elements.
    public let count: Int

    /// Allocates `count` uninitialised elements.
    public init(uninitializedCount count: Int) {
        precondition(count >= 0, "TensorStorage: negative element count \(count)")
        var raw: UnsafeMutableRawPointer?
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        guard posix_memalign(&raw, 64, bytes) == 0, let raw else {
            fatalError("TensorStorage: cannot allocate \(bytes) bytes")
        }
        base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        self.count = count
    }

    /// Allocates `count` elements set to zero.
    public convenience init(zeroedCount count: Int) {
        self.init(uninitializedCount: count)
        base.update(repeating: 0, count: count)
    }

    deinit { free(base) }
}
