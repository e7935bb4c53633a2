import COpenBLAS
import Dispatch
import Foundation

/// The one thread setting of the process: OpenBLAS's GEMM threads and the parallel loops of
/// the element-wise, BN, pooling and im2col kernels. The two never run at the same time (a
/// kernel is either inside a GEMM call or in its own loop), so both use the full width
/// without oversubscribing the cores — provided OpenBLAS's idle workers sleep rather than spin
/// on `sched_yield` between GEMMs, which `OPENBLAS_THREAD_TIMEOUT` (see
/// `OpenBLASEnvironment`) arranges.
public enum Threading {
    nonisolated(unsafe) public private(set) static var threadCount: Int = {
        let n = max(1, ProcessInfo.processInfo.activeProcessorCount)
        openblas_set_num_threads(Int32(n))
        return n
    }()

    /// Sets the number of threads for OpenBLAS and the parallel loops (at least 1).
    public static func setThreadCount(_ count: Int) {
        precondition(count >= 1, "Threading: thread count must be at least 1, got \(count)")
        threadCount = count
        openblas_set_num_threads(Int32(count))
    }

    /// Runs `body` with the thread count `count`, then restores the previous one.
    public static func withThreadCount<Result>(_ count: Int, _ body: () throws -> Result) rethrows -> Result {
        let restored = threadCount
        setThreadCount(count)
        defer { setThreadCount(restored) }
        return try body()
    }

    /// How many chunks `parallelChunks` splits `count` elements into.
    public static func chunkCount(_ count: Int, minimumChunk: Int = 1) -> Int {
        max(1, min(threadCount, count / max(minimumChunk, 1)))
    }

    /// Splits `0..<count` into `chunkCount(count, minimumChunk:)` contiguous ranges and runs
    /// `body(chunkIndex, range)` on each, in parallel when there is more than one: on the
    /// `WorkerPool`'s threads, or on Dispatch's when the pool is busy (a call from inside a
    /// chunk, or from a second thread).
    /// The split depends only on `count`, `minimumChunk` and `threadCount`, so reductions that
    /// combine per-chunk partial results in chunk order are deterministic.
    @inline(__always)
    public static func parallelChunks(_ count: Int, minimumChunk: Int = 1,
                                      _ body: (_ chunk: Int, _ range: Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = chunkCount(count, minimumChunk: minimumChunk)
        if chunks == 1 { body(0, 0..<count); return }
        let piece = { (chunk: Int) in body(chunk, chunkRange(chunk, of: chunks, total: count)) }
        if WorkerPool.shared.run(pieces: chunks, piece) { return }
        DispatchQueue.concurrentPerform(iterations: chunks, execute: piece)
    }

    /// `parallelChunks` without the chunk index.
    @inline(__always)
    public static func parallelRanges(_ count: Int, minimumChunk: Int = 1,
                                      _ body: (Range<Int>) -> Void) {
        parallelChunks(count, minimumChunk: minimumChunk) { _, range in body(range) }
    }

    /// `parallelRanges`, or the whole of `0..<count` as one range on the calling thread when
    /// `parallel` is false: for kernels called from inside a loop that is already parallel.
    @inline(__always)
    public static func ranges(_ count: Int, parallel: Bool, _ body: (Range<Int>) -> Void) {
        if parallel {
            parallelRanges(count, body)
        } else if count > 0 {
            body(0..<count)
        }
    }

    /// Runs `body` with OpenBLAS on one thread, then gives it `threadCount` threads again: for
    /// GEMMs that several of our own threads issue at once, each on its own data.
    public static func withSingleThreadedBLAS<Result>(_ body: () throws -> Result) rethrows -> Result {
        openblas_set_num_threads(1)
        let enclosing = blasIsSingleThreaded
        blasIsSingleThreaded = true
        defer {
            blasIsSingleThreaded = enclosing
            if !enclosing { openblas_set_num_threads(Int32(threadCount)) }
        }
        return try body()
    }

    /// Set inside `withSingleThreadedBLAS`.
    nonisolated(unsafe) private static var blasIsSingleThreaded = false

    /// Whether OpenBLAS runs an m×n×k GEMM called now on more than one thread: when it has
    /// more than one and m·n·k exceeds its threshold for going parallel (65,536 × 4, OpenBLAS
    /// 0.3's `interface/gemm.c`).
    static func blasUsesThreads(m: Int, n: Int, k: Int) -> Bool {
        threadCount > 1 && !blasIsSingleThreaded && Double(m) * Double(n) * Double(k) > 262_144
    }

    /// Runs `body(i)` for every `i` in `0..<count`, spread over the threads in contiguous blocks.
    public static func parallelFor(_ count: Int, _ body: (Int) -> Void) {
        parallelRanges(count) { range in
            for i in range { body(i) }
        }
    }

    /// The `chunk`-th of `chunks` near-equal contiguous pieces of `0..<total`.
    package static func chunkRange(_ chunk: Int, of chunks: Int, total: Int) -> Range<Int> {
        let base = total / chunks, extra = total % chunks
        let start = chunk * base + min(chunk, extra)
        return start..<(start + base + (chunk < extra ? 1 : 0))
    }
}

