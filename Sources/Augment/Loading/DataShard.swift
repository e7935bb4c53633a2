/// The part of every global batch that one rank of a data-parallel run loads.
///
/// An epoch's order (`DataLoader.order(epoch:)`) is cut into global batches of
/// `count · localBatch` positions; rank `rank` reads its `localBatch` consecutive positions of
/// each (rank 0 the first), then its share of the positions after the last full global batch,
/// taken in turn by the ranks, which stand in for samples that fail to load. Without failures
/// the ranks' batches, stacked in rank order, are exactly the batches of one process with the
/// global batch size. `whole` (one rank) reads every position in order.
public struct DataShard: Sendable, Equatable, CustomStringConvertible {
    /// This rank, `0..<count`.
    public let rank: Int
    /// Ranks in the run.
    public let count: Int

    /// The only rank of a one-process run.
    public static let whole = DataShard(rank: 0, count: 1)

    public init(rank: Int, count: Int) {
        precondition(count >= 1 && (0..<count).contains(rank), "DataShard: rank \(rank) of \(count)")
        self.rank = rank
        self.count = count
    }

    public var description: String { "rank \(rank) of \(count)" }

    /// The epoch positions this rank reads, in order, of an epoch of `total` positions with
    /// `localBatch` samples per rank and step.
    public func positions(total: Int, localBatch: Int) -> [Int] {
        guard count > 1 else { return Array(0..<total) }
        let global = localBatch * count, fullBatches = total / global
        var positions = [Int]()
        positions.reserveCapacity(total / count + 1)
        for batch in 0..<fullBatches {
            let start = batch * global + rank * localBatch
            positions.append(contentsOf: start..<(start + localBatch))
        }
        positions.append(contentsOf: stride(from: fullBatches * global + rank, to: total, by: count))
        return positions
    }

    /// The index into `positions(total:localBatch:)` where a run resumed at epoch position
    /// `position` starts: exactly there with one rank, else at this rank's part of the first
    /// global batch that begins at or after `position`.
    public func streamIndex(resumingAt position: Int, total: Int, localBatch: Int) -> Int {
        guard count > 1 else { return position }
        let global = localBatch * count
        let batch = min((position + global - 1) / global, total / global)
        return batch * localBatch
    }

    /// The epoch position where a run stopped after this rank read its first `streamIndex`
    /// positions resumes (`streamIndex(resumingAt:)` inverted, rounded up to a global batch so
    /// that no sample this rank read is read again); a run takes the largest over its ranks.
    public func resumePosition(afterReading streamIndex: Int, total: Int, localBatch: Int) -> Int {
        guard count > 1 else { return streamIndex }
        let global = localBatch * count, fullBatches = total / global
        return min((streamIndex + localBatch - 1) / localBatch, fullBatches) * global
    }
}
