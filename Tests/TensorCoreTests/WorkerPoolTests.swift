import Foundation
import XCTest
@testable import TensorCore

/// `Threading.parallelChunks` on the worker pool: every chunk runs once, on a thread of its
/// own; loops from inside a chunk or from a second thread fall back to Dispatch and still
/// run every chunk; sleeping workers wake.
final class WorkerPoolTests: XCTestCase {
    /// The thread ids that ran each chunk of a loop over `chunks` elements at `threads` threads.
    private func threadsOfChunks(_ chunks: Int, threads: Int) -> [pthread_t?] {
        Threading.withThreadCount(threads) {
            var ran = [pthread_t?](repeating: nil, count: chunks)
            ran.withUnsafeMutableBufferPointer { ran in
                Threading.parallelChunks(chunks) { chunk, range in
                    XCTAssertEqual(range, chunk..<(chunk + 1))
                    XCTAssertNil(ran[chunk], "chunk \(chunk) ran twice")
                    ran[chunk] = pthread_self()
                }
            }
            return ran
        }
    }

    func testEveryChunkRunsOnceOnItsOwnThread() {
        let caller = pthread_self()
        for threads in [2, 3, 4, 2] {
            let ran = threadsOfChunks(threads, threads: threads)
            XCTAssertTrue(ran.allSatisfy { $0 != nil }, "a chunk did not run at \(threads) threads")
            XCTAssertEqual(pthread_equal(ran[0]!, caller), 1, "chunk 0 runs on the calling thread")
            for i in 0..<threads {
                for j in (i + 1)..<threads {
                    XCTAssertEqual(pthread_equal(ran[i]!, ran[j]!), 0, "chunks \(i) and \(j) shared a thread")
                }
            }
        }
    }

    /// 2,000 loops with workers that sleep after each: every loop finishes with both chunks run.
    /// The loops run on a thread of their own, so that a worker never woken fails the test
    /// after a minute instead of hanging the suite.
    func testSleepingWorkersWakeForEveryLoop() {
        let saved = WorkerPool.spinSeconds
        WorkerPool.spinSeconds = 0
        defer { WorkerPool.spinSeconds = saved }
        Threading.withThreadCount(2) {
            let finished = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var (total, wrongLoops) = (0, 0)
            let loops = Thread {
                for loop in 0..<2_000 {
                    var parts = [0, 0]
                    parts.withUnsafeMutableBufferPointer { parts in
                        Threading.parallelChunks(2) { chunk, _ in parts[chunk] = loop + chunk }
                    }
                    if parts != [loop, loop + 1] { wrongLoops += 1 }
                    total += parts[1]
                    if loop % 500 == 0 { usleep(2_000) }  // workers certainly asleep
                }
                finished.signal()
            }
            loops.start()
            guard finished.wait(timeout: .now() + 60) == .success else {
                return XCTFail("a loop did not finish within a minute: a sleeping worker was not woken")
            }
            XCTAssertEqual(wrongLoops, 0)
            XCTAssertEqual(total, (1...2_000).reduce(0, +))
        }
    }

    func testNestedLoopsRunEveryChunk() {
        Threading.withThreadCount(2) {
            var counts = [Int](repeating: 0, count: 4)
            counts.withUnsafeMutableBufferPointer { counts in
                Threading.parallelChunks(2) { outer, _ in
                    Threading.parallelChunks(2) { inner, _ in counts[outer * 2 + inner] += 1 }
                }
            }
            XCTAssertEqual(counts, [1, 1, 1, 1])
        }
    }

    func testLoopsFromTwoThreadsAtOnceBothComplete() {
        Threading.withThreadCount(2) {
            nonisolated(unsafe) let sums = UnsafeMutableBufferPointer<Int>.allocate(capacity: 2)
            sums.initialize(repeating: 0)
            defer { sums.deallocate() }
            let group = DispatchGroup()
            for caller in 0..<2 {
                DispatchQueue.global().async(group: group) {
                    for _ in 0..<500 {
                        var parts = [0, 0]
                        parts.withUnsafeMutableBufferPointer { parts in
                            Threading.parallelChunks(2) { chunk, _ in parts[chunk] = chunk + 1 }
                        }
                        sums[caller] += parts[0] + parts[1]
                    }
                }
            }
            XCTAssertEqual(group.wait(timeout: .now() + 60), .success, "a loop never finished")
            XCTAssertEqual(Array(sums), [1_500, 1_500])
        }
    }

    /// Workers are parked before a GEMM that OpenBLAS threads itself: one above its threshold,
    /// at more than one thread, outside `withSingleThreadedBLAS` (which nests).
    func testWhichGEMMsOpenBLASThreads() {
        Threading.withThreadCount(2) {
            XCTAssertTrue(Threading.blasUsesThreads(m: 64, n: 64, k: 65))
            XCTAssertFalse(Threading.blasUsesThreads(m: 64, n: 64, k: 64))
            Threading.withSingleThreadedBLAS {
                Threading.withSingleThreadedBLAS {}
                XCTAssertFalse(Threading.blasUsesThreads(m: 512, n: 512, k: 512))
            }
            XCTAssertTrue(Threading.blasUsesThreads(m: 512, n: 512, k: 512))
        }
        Threading.withThreadCount(1) { XCTAssertFalse(Threading.blasUsesThreads(m: 512, n: 512, k: 512)) }
    }

    /// A reduction in chunk order gives the same bits on the pool, on Dispatch (a loop from
    /// inside a chunk) and on one thread.
    func testChunkedReductionIsTheSameOnEveryPath() {
        var random = SeededRandom(seed: 7)
        let values = (0..<10_000).map { _ in Float(random.uniform(-1, 1)) }
        func chunkedSum() -> Float {
            var partial = [Float](repeating: 0, count: Threading.chunkCount(values.count))
            partial.withUnsafeMutableBufferPointer { partial in
                Threading.parallelChunks(values.count) { chunk, range in
                    partial[chunk] = values[range].reduce(0, +)
                }
            }
            return partial.reduce(0, +)
        }
        Threading.withThreadCount(4) {
            let pool = chunkedSum()
            var fromDispatch: Float = 0
            Threading.parallelChunks(2) { chunk, _ in if chunk == 0 { fromDispatch = chunkedSum() } }
            XCTAssertEqual(pool.bitPattern, fromDispatch.bitPattern)
            let parts = (0..<4).map { Threading.chunkRange($0, of: 4, total: values.count) }
            XCTAssertEqual(pool.bitPattern, parts.map { values[$0].reduce(0, +) }.reduce(0, +).bitPattern)
        }
    }
}
