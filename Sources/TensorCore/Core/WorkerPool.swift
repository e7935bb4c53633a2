import CProcessorHint
import Dispatch
import Foundation
import Synchronization

/// The threads behind `Threading`'s parallel loops: workers that stay awake, spinning, for
/// `spinSeconds` after each loop before they sleep, so that the hundreds of short loops of a
/// training step (BatchNorm, element-wise, a convolution's per-thread shares) do not each pay
/// for waking a sleeping thread: with Dispatch, a loop of two 7 µs pieces took 17 µs (median;
/// 29 at p90) against 14.5 for both pieces on one thread, since a helper that arrives late
/// leaves the calling thread to run every piece; on the pool it takes 9 (BENCHMARKS.md).
///
/// A loop of `chunks` pieces runs piece 0 on the calling thread and piece i on worker i − 1,
/// so which thread runs a piece never changes the result. One loop runs at a time: a call made
/// while the pool is busy (from inside a piece, or from another thread) is not taken
/// (`run` returns false) and its caller falls back to Dispatch. Workers are started as loops first
/// need them and live as long as the process, asleep when no loop runs.
package final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool()

    /// Seconds a worker spins for the next piece before it sleeps: 100 µs, chosen (not tuned) to
    /// outlast the gaps between a step's loops (graph bookkeeping, small single-threaded work).
    /// A multi-threaded GEMM does not wait for it to run out: `parkWorkers()` hands OpenBLAS's
    /// threads the cores at once.
    nonisolated(unsafe) package static var spinSeconds = 100e-6

    /// Raised by `parkWorkers()`: a spinning worker that sees it change sleeps at once.
    fileprivate static let parkRequests = Atomic<Int>(0)

    private let callerLock: UnsafeMutablePointer<pthread_mutex_t>
    /// Touched only by the caller holding `callerLock`.
    private var workers: [Worker] = []
    private var generation = 0

    private init() {
        callerLock = .allocate(capacity: 1)
        pthread_mutex_init(callerLock, nil)
    }

    /// Sends the spinning workers to sleep now rather than after `spinSeconds`: called before
    /// a GEMM that OpenBLAS runs on its own threads, which need the cores the workers spin on.
    static func parkWorkers() {
        parkRequests.wrappingAdd(1, ordering: .relaxed)
    }

    /// Runs `body(piece)` for every piece in `0..<pieces` (at least 1), piece 0 on the calling
    /// thread and the others on workers, and returns true once all have finished; returns false
    /// at once, having run nothing, when the pool is busy with another loop.
    func run(pieces: Int, _ body: (Int) -> Void) -> Bool {
        precondition(pieces >= 1, "WorkerPool: a loop needs at least one piece, got \(pieces)")
        guard pthread_mutex_trylock(callerLock) == 0 else { return false }
        defer { pthread_mutex_unlock(callerLock) }
        while workers.count < pieces - 1 { workers.append(Worker(index: workers.count)) }
        generation += 1
        withoutActuallyEscaping(body) { task in
            for piece in 1..<pieces { workers[piece - 1].post(task, piece: piece, generation: generation) }
            task(0)
            let waitStart = OpProfile.isEnabled ? OpProfile.now() : 0
            for piece in 1..<pieces { workers[piece - 1].waitUntilFinished(generation: generation) }
            if OpProfile.isEnabled { OpProfile.countParallelLoop(waitingSince: waitStart) }
        }
        return true
    }
}

/// One worker thread and its mailbox: the caller writes a piece's task, then publishes it by
/// raising `posted`; the worker runs it and raises `finished` to the same generation.
private final class Worker: @unchecked Sendable {
    private let posted = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let sleeping = Atomic<Bool>(false)
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    /// Written by the caller before `posted` is raised, read by the worker after it sees it.
    private var task: ((Int) -> Void)?
    private var piece = 0

    init(index: Int) {
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
        let thread = Thread { [unowned(unsafe) self] in self.loop() }
        thread.name = "clsa-worker-\(index + 1)"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Hands the worker `task(piece)` as generation `generation`, waking it if it sleeps.
    func post(_ task: @escaping (Int) -> Void, piece: Int, generation: Int) {
        (self.task, self.piece) = (task, piece)
        // Sequentially consistent with the worker's `sleeping` store and `posted` load: either
        // the worker sees this generation before it sleeps, or this sees it asleep and wakes it.
        posted.store(generation, ordering: .sequentiallyConsistent)
        if sleeping.load(ordering: .sequentiallyConsistent) {
            pthread_mutex_lock(mutex)
            pthread_cond_signal(condition)
            pthread_mutex_unlock(mutex)
        }
    }

    /// Spins (then yields) until the worker has finished generation `generation`, and drops
    /// its reference to the task.
    func waitUntilFinished(generation: Int) {
        var spins = 0
        while finished.load(ordering: .acquiring) != generation {
            spins += 1
            if spins < 4096 { clsa_spin_pause() } else { sched_yield() }
        }
        task = nil
    }

    private func loop() {
        var seen = 0
        while true {
            seen = waitForPost(after: seen)
            task!(piece)
            finished.store(seen, ordering: .releasing)
        }
    }

    /// The next posted generation after `seen`: spun for up to `WorkerPool.spinSeconds` (or until
    /// `WorkerPool.parkWorkers()`), then slept for on the condition variable.
    private func waitForPost(after seen: Int) -> Int {
        if WorkerPool.spinSeconds > 0 {
            let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(WorkerPool.spinSeconds * 1e9)
            let parkRequests = WorkerPool.parkRequests.load(ordering: .relaxed)
            var spins = 0
            while true {
                let generation = posted.load(ordering: .acquiring)
                if generation != seen { return generation }
                if WorkerPool.parkRequests.load(ordering: .relaxed) != parkRequests { break }
                spins += 1
                if spins & 63 == 0 && DispatchTime.now().uptimeNanoseconds >= deadline { break }
                clsa_spin_pause()
            }
        }
        pthread_mutex_lock(mutex)
        sleeping.store(true, ordering: .sequentiallyConsistent)
        var generation = posted.load(ordering: .sequentiallyConsistent)
        while generation == seen {
            pthread_cond_wait(condition, mutex)
            generation = posted.load(ordering: .sequentiallyConsistent)
        }
        sleeping.store(false, ordering: .relaxed)
        pthread_mutex_unlock(mutex)
        return generation
    }
}
