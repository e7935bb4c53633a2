import Dispatch
import TensorCore

/// How well a short parallel loop uses the threads: every thread gets a piece of up to 10 µs
/// of arithmetic (whole rounds of a fixed loop; `pieceMicroseconds` says how long), as the hundreds of short loops of a small-image training step (BatchNorm,
/// element-wise, a convolution's per-thread shares) do, and the loop's time is compared with
/// one piece's. A loop whose helpers arrive late runs its pieces on the calling thread, one
/// after another, and gains nothing.
///
/// ```swift
/// let t = ParallelLoopBenchmark.measure()
/// print(t.spinning.speedup, t.waking.speedup, t.dispatch.speedup)   // up to Threading.threadCount
/// ```
package enum ParallelLoopBenchmark {
    /// One way of running the loop, from the median of the loops timed.
    package struct Figure: Sendable {
        /// The pieces' work over the loop's time: the thread count at best, 1 when serial.
        package var speedup: Double
        /// Microseconds the loop took beyond one piece.
        package var overheadMicroseconds: Double
    }

    /// The three ways, timed one after another in one process.
    package struct Timing: Sendable {
        /// `Threading.parallelChunks`, the worker pool's threads spinning between loops.
        package var spinning: Figure
        /// The same with workers that sleep at once (`WorkerPool.spinSeconds` 0), so that every
        /// loop wakes them.
        package var waking: Figure
        /// `DispatchQueue.concurrentPerform`, the loops' threads before the worker pool.
        package var dispatch: Figure
        /// Microseconds of one piece on one thread.
        package var pieceMicroseconds: Double
    }

    /// Times `loops` loops of each kind at `Threading.threadCount` pieces.
    package static func measure(loops: Int = 2000) -> Timing {
        let pieces = Threading.threadCount
        let length = 1024
        var data = [Float](repeating: 1, count: pieces * length)
        return data.withUnsafeMutableBufferPointer { data in
            let base = data.baseAddress!
            var rounds = 1
            func piece(_ index: Int) {
                let values = base + index * length
                for _ in 0..<rounds {
                    for i in 0..<length { values[i] = values[i] * 0.999 + 0.001 }
                }
            }
            func median(_ body: () -> Void) -> Double {
                for _ in 0..<loops / 10 { body() }
                var times = (0..<loops).map { _ in Stopwatch.seconds(body) }
                times.sort()
                return times[times.count / 2] * 1e6
            }
            // Whole rounds for a piece of at most about 10 µs.
            rounds = max(1, Int(10 / max(median { piece(0) }, 1e-3)))
            let single = median { piece(0) }
            func figure(_ loop: () -> Void) -> Figure {
                let time = median(loop)
                return Figure(speedup: Double(pieces) * single / time, overheadMicroseconds: time - single)
            }
            let pool = { Threading.parallelChunks(pieces) { chunk, _ in piece(chunk) } }
            let spinning = figure(pool)
            let saved = WorkerPool.spinSeconds
            WorkerPool.spinSeconds = 0
            defer { WorkerPool.spinSeconds = saved }
            let waking = figure(pool)
            let dispatch = figure { DispatchQueue.concurrentPerform(iterations: pieces) { piece($0) } }
            return Timing(spinning: spinning, waking: waking, dispatch: dispatch, pieceMicroseconds: single)
        }
    }
}
