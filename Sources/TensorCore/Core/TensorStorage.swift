import Foundation

/// Contiguous float32 memory, 64-byte aligned, owned by one object.
///
/// Several `Tensor` views (reshapes) may share one storage; copies are always explicit.
/// Large blocks are recycled through `StoragePool` when the storage is released: a training
/// step allocates the same sizes every time, so in the steady state no activation or gradient
/// costs a fresh `mmap` and its page faults.
public final class TensorStorage {
    /// First element; aligned to 64 bytes so SIMD loads and BLAS kernels never straddle lines.
    public let base: UnsafeMutablePointer<Float>
    /// Number of float32 elements.
    public let count: Int

    /// Allocates `count` uninitialised elements.
    public init(uninitializedCount count: Int) {
        precondition(count >= 0, "TensorStorage: negative element count \(count)")
        base = StoragePool.shared.allocate(count: count)
        self.count = count
    }

    /// Allocates `count` elements set to zero.
    public convenience init(zeroedCount count: Int) {
        self.init(uninitializedCount: count)
        base.update(repeating: 0, count: count)
    }

    deinit { StoragePool.shared.release(base, count: count) }
}

/// A cache of large float32 blocks keyed by exact size, in the manner of PyTorch's caching
/// allocator. Blocks of at least `minimumPooledCount` elements are kept on release (up to
/// `capacityBytes` in all) and handed out again for the same size; smaller blocks go straight
/// to the system allocator, which already recycles them cheaply.
public final class StoragePool: @unchecked Sendable {
    /// The pool every `TensorStorage` uses.
    public static let shared = StoragePool()

    /// Blocks smaller than this (in floats, 1 MiB) are not pooled.
    public let minimumPooledCount = 1 << 18
    /// Most bytes kept idle in the pool; beyond it, released blocks are freed. Default 8 GiB,
    /// overridable with the environment variable `CLSA_STORAGE_POOL_MB`.
    public var capacityBytes: Int {
        get { lock.lock(); defer { lock.unlock() }; return capacity }
        set { lock.lock(); capacity = newValue; lock.unlock() }
    }

    private let lock = NSLock()
    private var idle: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private var idleBytes = 0
    private var systemAllocations = 0
    private var capacity: Int

    init() {
        let megabytes = ProcessInfo.processInfo.environment["CLSA_STORAGE_POOL_MB"].flatMap(Int.init) ?? 8192
        capacity = max(0, megabytes) << 20
    }

    /// Blocks handed out so far that did not come from the pool (new allocations of any size).
    public var systemAllocationCount: Int {
        lock.lock(); defer { lock.unlock() }
        return systemAllocations
    }

    /// Bytes held idle.
    public var idleByteCount: Int {
        lock.lock(); defer { lock.unlock() }
        return idleBytes
    }

    /// Frees every idle block.
    public func releaseIdleBlocks() {
        lock.lock()
        let blocks = idle.values.flatMap { $0 }
        idle.removeAll()
        idleBytes = 0
        lock.unlock()
        blocks.forEach { free($0) }
    }

    func allocate(count: Int) -> UnsafeMutablePointer<Float> {
        lock.lock()
        if count >= minimumPooledCount, let block = idle[count]?.popLast() {
            idleBytes -= count * MemoryLayout<Float>.stride
            lock.unlock()
            return block
        }
        systemAllocations += 1
        lock.unlock()
        var raw: UnsafeMutableRawPointer?
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        guard posix_memalign(&raw, 64, bytes) == 0, let raw else {
            fatalError("TensorStorage: cannot allocate \(bytes) bytes")
        }
        return raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    func release(_ block: UnsafeMutablePointer<Float>, count: Int) {
        if count >= minimumPooledCount {
            let bytes = count * MemoryLayout<Float>.stride
            lock.lock()
            if idleBytes + bytes <= capacity {
                idle[count, default: []].append(block)
                idleBytes += bytes
                lock.unlock()
                return
            }
            lock.unlock()
        }
        free(block)
    }
}
