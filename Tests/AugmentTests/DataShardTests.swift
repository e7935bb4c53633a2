import XCTest
@testable import Augment

/// Each rank's part of the global batches, worked out by hand: 2 ranks, 3 images each per step
/// (global batch 6), epochs of 15 positions (2 full global batches and a tail of 3).
final class DataShardTests: XCTestCase {
    func testRanksReadTheirPartOfEachGlobalBatchThenTheirShareOfTheTail() {
        XCTAssertEqual(DataShard(rank: 0, count: 2).positions(total: 15, localBatch: 3), [0, 1, 2, 6, 7, 8, 12, 14])
        XCTAssertEqual(DataShard(rank: 1, count: 2).positions(total: 15, localBatch: 3), [3, 4, 5, 9, 10, 11, 13])
        XCTAssertEqual(DataShard.whole.positions(total: 5, localBatch: 2), [0, 1, 2, 3, 4])
    }

    /// Resumed runs start at a global batch: rounded up from a position inside one, and capped at
    /// the epoch's last full batch; one rank starts exactly where it stopped.
    func testResumptionStartsAtAGlobalBatch() {
        let rank1 = DataShard(rank: 1, count: 2)
        XCTAssertEqual([0, 1, 6, 7, 12, 15].map { rank1.streamIndex(resumingAt: $0, total: 15, localBatch: 3) },
                       [0, 3, 3, 6, 6, 6])
        XCTAssertEqual(DataShard.whole.streamIndex(resumingAt: 7, total: 15, localBatch: 3), 7)
    }

    /// After reading its part of global batch k (and nothing else) a rank resumes at batch
    /// k + 1; after reading a replacement from the next batch, at the batch after that; reads
    /// from the tail resume at the end of the full batches.
    func testResumePositionsRoundUpToTheNextGlobalBatch() {
        let rank0 = DataShard(rank: 0, count: 2)
        XCTAssertEqual([0, 3, 4, 6, 7, 8].map { rank0.resumePosition(afterReading: $0, total: 15, localBatch: 3) },
                       [0, 6, 12, 12, 12, 12])
        XCTAssertEqual(DataShard.whole.resumePosition(afterReading: 7, total: 15, localBatch: 3), 7)
    }
}
