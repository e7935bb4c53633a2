import Foundation

/// Scratch float32 buffers reused across operations, so the steady state of a training step
/// allocates nothing for temporaries (im2col column matrices, partial sums).
///
/// A caller borrows a buffer for the duration of a closure. Buffers are kept in a small pool:
/// a request takes the smallest pooled buffer that fits; when none fits, the largest pooled
/// buffer (too small) is dropped and a new one of the requested size replaces it, so the pool
/// grows to the largest request and holds one buffer per simultaneous borrower. Concurrent or
/// nested borrowers each get their own buffer, so borrowing is safe from any thread.
///
/// ```swift
/// Workspace.shared.withBuffer(count: rows * columns) { column in
///     im2col(..., into: column)
/// }
/// ```
public final class Workspace: @unchecked Sendable {
    /// The workspace the operations of this package borrow from.
    public static let shared = Workspace()

    private let lock = NSLock()
    private var pool: [TensorStorage] = []

    public init() {}

    /// Runs `body` with an uninitialised buffer of at least `count` floats, 64-byte aligned,
    /// valid only inside `body`.
    public func withBuffer<R>(count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        let storage = borrow(count)
        defer { giveBack(storage) }
        return try body(storage.base)
    }

    /// Bytes held by buffers not currently borrowed.
    public var pooledBytes: Int {
        lock.lock()
        defer { lock.unlock() }
        return pool.reduce(0) { $0 + $1.count * MemoryLayout<Float>.stride }
    }

    /// Frees every pooled buffer (for example after a phase with larger shapes).
    public func release() {
        lock.lock()
        pool.removeAll()
        lock.unlock()
    }

    private func borrow(_ count: Int) -> TensorStorage {
        lock.lock()
        defer { lock.unlock() }
        var best: Int?, largest: Int?
        for i in pool.indices {
            if pool[i].count >= count, best.map({ pool[i].count < pool[$0].count }) ?? true { best = i }
            if largest.map({ pool[i].count > pool[$0].count }) ?? true { largest = i }
        }
        if let best { return pool.remove(at: best) }
        if let largest { pool.remove(at: largest) }
        return TensorStorage(uninitializedCount: count)
    }

    private func giveBack(_ storage: TensorStorage) {
        lock.lock()
        pool.append(storage)
        lock.unlock()
    }
}
