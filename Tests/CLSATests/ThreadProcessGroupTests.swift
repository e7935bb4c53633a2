import Foundation
import TensorCore
import XCTest
@testable import CLSA

/// The collectives of replicas on threads, against values worked out by hand.
final class ThreadProcessGroupTests: XCTestCase {
    /// Results of each rank, written from its thread.
    private final class PerRank<Value>: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Int: Value] = [:]
        func set(_ rank: Int, _ value: Value) { lock.lock(); values[rank] = value; lock.unlock() }
        subscript(rank: Int) -> Value? { lock.lock(); defer { lock.unlock() }; return values[rank] }
    }

    /// Rank r's buffer holds r + 1 + i/8 at element i: every rank receives the same sums,
    /// 3·(i/8) + 6 for three ranks (exact in float); an odd count splits unevenly over the ranks.
    func testSumInPlaceGivesEveryRankTheSameSums() throws {
        let sums = PerRank<[Float]>()
        try ThreadProcessGroup.run(replicas: 3) { group in
            var buffer = (0..<11).map { Float(group.rank + 1) + Float($0) / 8 }
            buffer.withUnsafeMutableBufferPointer { group.sumInPlace($0) }
            sums.set(group.rank, buffer)
        }
        let expected = (0..<11).map { 6 + 3 * Float($0) / 8 }
        for rank in 0..<3 { XCTAssertEqual(sums[rank], expected, "rank \(rank)") }
    }

    /// Gather stacks the ranks' operands in rank order; minimum is element-wise; both repeat
    /// without mixing up consecutive collectives.
    func testGatherAndMinimum() throws {
        let gathered = PerRank<[Float]>(), minima = PerRank<[Int]>()
        try ThreadProcessGroup.run(replicas: 2) { group in
            var last: [Float] = []
            for round in 0..<50 {
                let local: [Float] = [Float(group.rank), Float(round)]
                var all = [Float](repeating: -1, count: 4)
                local.withUnsafeBufferPointer { own in all.withUnsafeMutableBufferPointer { group.gather(own, into: $0) } }
                last = all
                XCTAssertEqual(all, [0, Float(round), 1, Float(round)])
            }
            gathered.set(group.rank, last)
            minima.set(group.rank, group.minimum(group.rank == 0 ? [5, -2, 7] : [3, 4, 7]))
        }
        XCTAssertEqual(gathered[1], [0, 49, 1, 49])
        XCTAssertEqual(minima[0], [3, -2, 7])
        XCTAssertEqual(minima[1], [3, -2, 7])
    }

    /// Ops run on one thread inside the replicas; the thread count comes back afterwards, and
    /// the error of the lowest rank that threw is rethrown.
    func testThreadCountAndErrors() throws {
        struct ReplicaFailure: Error, Equatable { let rank: Int }
        let restored = Threading.threadCount
        let seen = PerRank<Int>()
        XCTAssertThrowsError(try ThreadProcessGroup.run(replicas: 3) { group in
            seen.set(group.rank, Threading.threadCount)
            XCTAssertTrue(group.ranksShareProcess)
            if group.rank > 0 { throw ReplicaFailure(rank: group.rank) }
        }) { error in
            XCTAssertEqual(error as? ReplicaFailure, ReplicaFailure(rank: 1))
        }
        XCTAssertEqual((0..<3).map { seen[$0] }, [1, 1, 1])
        XCTAssertEqual(Threading.threadCount, restored)
        XCTAssertFalse(SingleProcessGroup().ranksShareProcess)
    }
}
