import TensorCore

/// The key encoder f_φ + g_φ: a copy of the query encoder updated by exponential moving
/// average, φ ← α·φ + (1 − α)·θ, after each optimiser step. It runs without gradients and keeps
/// its own BatchNorm running statistics.
///
/// Shuffle-BN: MoCo shuffles the key batch across GPUs so that BatchNorm statistics cannot leak
/// which key matches which query. Here the batch is permuted, normalised in `shuffleGroups`
/// independent sub-batches (BatchNorm `groups`) on each rank, and un-permuted, which breaks the
/// same shortcut on a single process and across the ranks of a data-parallel run.
public final class MomentumEncoder {
    public let encoder: Encoder
    /// α.
    public let momentum: Float
    /// Sub-batches this rank's slice of the key batch is normalised in.
    public let shuffleGroups: Int

    /// A key encoder initialised as an exact copy of `query`.
    public init(copying query: Encoder, momentum: Float, shuffleGroups: Int) {
        precondition((0...1).contains(momentum), "MomentumEncoder: momentum \(momentum) outside [0, 1]")
        precondition(shuffleGroups >= 1, "MomentumEncoder: shuffleGroups must be at least 1")
        var unused = SeededRandom(seed: 0)
        encoder = Encoder(copyingArchitectureOf: query, random: &unused)
        encoder.assignState(from: query)
        for p in encoder.parameters { p.requiringGradient(false) }
        encoder.backbone.batchNormLayers.forEach { $0.groups = shuffleGroups }
        self.momentum = momentum
        self.shuffleGroups = shuffleGroups
    }

    /// φ ← α·φ + (1 − α)·θ over the parameters (buffers are the key encoder's own).
    public func update(from query: Encoder) {
        let alpha = momentum, beta = 1 - momentum
        OpProfile.measure(.momentumUpdate) {
            for (key, source) in zip(encoder.parameters, query.parameters) {
                let k = key.data, q = source.data
                Threading.parallelRanges(key.count, minimumChunk: 1 << 15) { r in
                    for i in r { k[i] = alpha * k[i] + beta * q[i] }
                }
            }
        }
    }

    /// Keys for `images` [n, 3, H, W], computed in training mode (batch statistics, running
    /// statistics updated) with shuffle-BN, without gradients: `local` [n, dimension] for these
    /// images and `all` [size · n, dimension] for every rank's images in rank order (`local`
    /// itself on one process).
    ///
    /// On several ranks the key batch is gathered from all of them, permuted, each rank encodes
    /// its slice of the permuted batch (its BatchNorm sees images of every rank), and the keys
    /// are gathered and un-permuted: the released code's shuffle-BN across GPUs.
    /// - Parameter random: draws the permutation of the whole key batch; every rank must hold
    ///   the same state.
    public func keys(for images: Tensor, random: inout SeededRandom,
                     processGroup: any ProcessGroup = SingleProcessGroup()) -> (local: Tensor, all: Tensor) {
        let n = images.shape[0], total = n * processGroup.size
        precondition(n % shuffleGroups == 0,
                     "MomentumEncoder: batch of \(n) is not divisible into \(shuffleGroups) shuffle-BN groups")
        var permutation = Array(0..<total)
        permutation.shuffle(using: &random)
        return withoutGradients {
            let mine = processGroup.rank * n ..< (processGroup.rank + 1) * n
            let shuffled = gatherRows(processGroup.gatherRows(of: images), Array(permutation[mine]))
            let shuffledKeys = processGroup.gatherRows(of: encoder(shuffled))
            var inverse = [Int](repeating: 0, count: total)
            for (position, source) in permutation.enumerated() { inverse[source] = position }
            let all = gatherRows(shuffledKeys, inverse)
            return (processGroup.isDistributed ? gatherRows(all, Array(mine)) : all, all)
        }
    }
}

/// Rows of `x` (first dimension) in the order `indices`: out[i] = x[indices[i]]. No gradient.
func gatherRows(_ x: Tensor, _ indices: [Int]) -> Tensor {
    let rowSize = x.count / x.shape[0]
    let out = Tensor(uninitializedShape: [indices.count] + x.shape.dropFirst())
    for (i, source) in indices.enumerated() {
        (out.data + i * rowSize).update(from: x.data + source * rowSize, count: rowSize)
    }
    return out
}
