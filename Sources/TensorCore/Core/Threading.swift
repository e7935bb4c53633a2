import COpenBLAS
import Dispatch
import Foundation

/// The one thread setting of the process: the width of the parallel loops of the element-wise,
/// BN, pooling and im2col kernels, and of GEMMs, which `sgemm` splits into blocks run by
/// single-threaded OpenBLAS calls on the same threads. OpenBLAS's own thread pool stays idle
/// (one thread), so no thread spins while another works and the cores are never oversubscribed.
public enum Threading {
    nonisolated(unsafe) public private(set) static var threadCount: Int = {
        openblas_set_num_threads(1)
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// Sets the number of threads of the parallel loops and GEMMs (at least 1).
    public static func setThreadCount(_ count: Int) {
        precondition(count >= 1, "Threading: thread count must be at least 1, got \(count)")
        openblas_set_num_threads(1)
        threadCount = count
    }

    /// How many chunks `parallelChunks` splits `count` elements into.
    public static func chunkCount(_ count: Int, minimumChunk: Int = 1) -> Int {
        max(1, min(threadCount, count / max(minimumChunk, 1)))
    }

    /// Splits `0..<count` into `chunkCount(count, minimumChunk:)` contiguous ranges and runs
    /// `body(chunkIndex, range)` on each, in parallel when there is more than one.
    /// The split depends only on `count`, `minimumChunk` and `threadCount`, so reductions that
    /// combine per-chunk partial results in chunk order are deterministic.
    @inline(__always)
    public static func parallelChunks(_ count: Int, minimumChunk: Int = 1,
                                      _ body: (_ chunk: Int, _ range: Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = chunkCount(count, minimumChunk: minimumChunk)
        if chunks == 1 { body(0, 0..<count); return }
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            body(chunk, chunkRange(chunk, of: chunks, total: count))
        }
    }

    /// `parallelChunks` without the chunk index.
    @inline(__always)
    public static func parallelRanges(_ count: Int, minimumChunk: Int = 1,
                                      _ body: (Range<Int>) -> Void) {
        parallelChunks(count, minimumChunk: minimumChunk) { _, range in body(range) }
    }

    /// Runs `body(i)` for every `i` in `0..<count`, spread over the threads in contiguous blocks.
    public static func parallelFor(_ count: Int, _ body: (Int) -> Void) {
        parallelRanges(count) { range in
            for i in range { body(i) }
        }
    }

    /// The `chunk`-th of `chunks` near-equal contiguous pieces of `0..<total`.
    static func chunkRange(_ chunk: Int, of chunks: Int, total: Int) -> Range<Int> {
        let base = total / chunks, extra = total % chunks
        let start = chunk * base + min(chunk, extra)
        return start..<(start + base + (chunk < extra ? 1 : 0))
    }
}

