import TensorCore

/// MoCo's queue of negative keys: a ring buffer of `size` L2-normalised embeddings of
/// `dimension` floats, filled first-in first-out with each step's keys.
///
/// Non-trainable state (`keys` never requires a gradient). `size` must be a multiple of the
/// batch size so that a batch never wraps around the end (`validate(size:batchSize:)`).
public final class KeyQueue {
    /// [size, dimension]; row i is the i-th stored key.
    public let keys: Tensor
    /// Row where the next batch is written.
    public private(set) var pointer: Int

    public var size: Int { keys.shape[0] }
    public var dimension: Int { keys.shape[1] }

    /// A queue of random unit vectors (MoCo initialises with normalised Gaussian noise).
    public init(size: Int, dimension: Int, random: inout SeededRandom) {
        precondition(size > 0 && dimension > 0, "KeyQueue: size and dimension must be positive")
        keys = Tensor(uninitializedShape: [size, dimension])
        for row in 0..<size {
            let r = keys.data + row * dimension
            var norm = 0.0
            for j in 0..<dimension {
                let v = random.normal()
                r[j] = Float(v)
                norm += v * v
            }
            let scale = Float(1 / max(norm.squareRoot(), 1e-12))
            for j in 0..<dimension { r[j] *= scale }
        }
        pointer = 0
    }

    /// Restores a queue from a checkpoint.
    public init(keys: Tensor, pointer: Int) {
        precondition(keys.rank == 2, "KeyQueue: keys must be [size, dimension], got \(keys.shape)")
        precondition((0..<keys.shape[0]).contains(pointer), "KeyQueue: pointer \(pointer) outside 0..<\(keys.shape[0])")
        self.keys = keys
        self.pointer = pointer
    }

    /// Overwrites the stored keys ([size, dimension]) and the pointer, as a checkpoint recorded them.
    public func restore(keys saved: Tensor, pointer savedPointer: Int) {
        precondition(saved.shape == keys.shape, "KeyQueue: saved keys \(saved.shape) for a queue of \(keys.shape)")
        precondition((0..<size).contains(savedPointer), "KeyQueue: pointer \(savedPointer) outside 0..<\(size)")
        keys.assign(from: saved)
        pointer = savedPointer
    }

    /// Throws unless `size` is a positive multiple of `batchSize`.
    public static func validate(size: Int, batchSize: Int) throws {
        guard size > 0, batchSize > 0, size % batchSize == 0 else {
            throw ConfigurationError("`queueSize` \(size) must be a positive multiple of `batchSize` \(batchSize)")
        }
    }

    /// Overwrites the oldest `batch.shape[0]` keys with `batch` ([N, dimension]) and advances
    /// the pointer, wrapping at the end.
    public func enqueue(_ batch: Tensor) {
        precondition(batch.rank == 2 && batch.shape[1] == dimension,
                     "KeyQueue: batch \(batch.shape) does not match dimension \(dimension)")
        let n = batch.shape[0]
        precondition(size % n == 0, "KeyQueue: batch of \(n) does not divide queue size \(size)")
        (keys.data + pointer * dimension).update(from: batch.data, count: n * dimension)
        pointer = (pointer + n) % size
    }
}
