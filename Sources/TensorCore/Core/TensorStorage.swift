import Foundation

/// Contiguous float32 memory, 64-byte aligned, owned by one object.
///
/// Several `Tensor` views (reshapes) may share one storage; copies are always explicit.
/// Blocks are recycled through `StoragePool` when the storage is released: a training step
/// allocates the same sizes every time, so in the steady state no activation or gradient costs
/// a fresh `mmap` and its page faults, nor a trip through the system allocator.
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

/// A cache of float32 blocks keyed by exact size, in the manner of PyTorch's caching allocator.
/// Released blocks are kept (up to `capacityBytes` in all) and handed out again for the same
/// size, so a step that repeats the last one's sizes allocates nothing from the system.
public final class StoragePool: @unchecked Sendable {
    /// The pool every `TensorStorage` uses.
    public static let shared = StoragePool()

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
    private var liveBytes = 0
    private var peakLiveBytes = 0
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

    /// The most bytes of tensor storage in use at once (handed out and not yet released) since
    /// the last `resetPeakLiveBytes()`: the memory a computation needs, whatever the pool and
    /// the system allocator keep beside it.
    public var peakLiveByteCount: Int {
        lock.lock(); defer { lock.unlock() }
        return peakLiveBytes
    }

    /// Starts `peakLiveByteCount` again from the bytes in use now.
    public func resetPeakLiveBytes() {
        lock.lock(); peakLiveBytes = liveBytes; lock.unlock()
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
        liveBytes += count * MemoryLayout<Float>.stride
        peakLiveBytes = max(peakLiveBytes, liveBytes)
        if let block = idle[count]?.popLast() {
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
        let bytes = count * MemoryLayout<Float>.stride
        lock.lock()
        liveBytes -= bytes
        let keep = idleBytes + bytes <= capacity
        if keep {
            idle[count, default: []].append(block)
            idleBytes += bytes
        }
        lock.unlock()
        if !keep { free(block) }
    }
}
