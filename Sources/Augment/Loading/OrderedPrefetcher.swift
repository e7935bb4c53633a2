import Foundation

/// Worker threads that compute `produce(position)` for the positions of a range ahead of one
/// consumer, which receives the outputs strictly in position order (a reorder buffer).
///
/// Workers take the next free position under a lock, compute outside it, and store the output
/// in a ring of `window` slots; a worker waits while the position it would take is `window` or
/// more ahead of the consumer, which bounds the memory held. Because the consumer reads by
/// position, what it sees never depends on the number of workers or on thread timing.
///
/// `cancel()` stops the workers after the output they are computing and waits until every
/// worker thread has exited; the owner's `deinit` must call it, since the threads keep this
/// object alive. All waiting is on one condition variable; nothing spins.
final class OrderedPrefetcher<Output>: @unchecked Sendable {
    private let condition = NSCondition()
    private let end: Int
    private let window: Int
    /// Output of position p at `p % window`, nil until computed or after it was read.
    private var slots: [Output?]
    /// The next position a worker will take.
    private var nextToTake: Int
    /// The next position the consumer will read (written only by the consumer's `next()`).
    private(set) var nextToRead: Int
    private var cancelled = false
    /// Worker threads not yet exited.
    private var runningWorkers: Int
    /// Who is blocked in `condition.wait()`. With samples that take microseconds, waking every
    /// thread on every change costs more than the work; these let each change wake only when
    /// a waiter's condition can have become true.
    private var consumerWaiting = false
    private var waitingWorkers = 0

    /// Starts `workerCount` threads over `positions`. `makeProducer` runs once on each worker
    /// thread, so a producer may own per-thread state (a decoder).
    init(positions: Range<Int>, window: Int, workerCount: Int, name: String,
         makeProducer: @escaping @Sendable () -> (Int) -> Output) {
        precondition(window >= 1 && workerCount >= 1,
                     "OrderedPrefetcher: window (\(window)) and worker count (\(workerCount)) must be at least 1")
        end = positions.upperBound
        self.window = window
        slots = Array(repeating: nil, count: window)
        nextToTake = positions.lowerBound
        nextToRead = positions.lowerBound
        runningWorkers = workerCount
        for worker in 0..<workerCount {
            let thread = Thread { [self] in self.work(makeProducer()) }
            thread.name = "\(name) worker \(worker)"
            thread.start()
        }
    }

    /// The number of worker threads that have not exited yet.
    var runningWorkerCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return runningWorkers
    }

    /// The output of the next position in order, waiting until a worker has stored it; nil
    /// after the last position or once cancelled.
    func next() -> Output? {
        condition.lock()
        defer { condition.unlock() }
        guard nextToRead < end else { return nil }
        let slot = nextToRead % window
        while slots[slot] == nil {
            if cancelled { return nil }
            consumerWaiting = true
            condition.wait()
            consumerWaiting = false
        }
        let output = slots[slot]
        slots[slot] = nil
        nextToRead += 1
        if waitingWorkers > 0 { condition.broadcast() }
        return output
    }

    /// Stops the workers and waits until they have exited; later `next()` calls return nil.
    func cancel() {
        condition.lock()
        defer { condition.unlock() }
        cancelled = true
        condition.broadcast()
        while runningWorkers > 0 { condition.wait() }
        slots = Array(repeating: nil, count: slots.count)
    }

    private func work(_ produce: (Int) -> Output) {
        condition.lock()
        defer {
            runningWorkers -= 1
            condition.broadcast()
            condition.unlock()
        }
        while !cancelled && nextToTake < end {
            guard nextToTake < nextToRead + window else {
                waitingWorkers += 1
                condition.wait()
                waitingWorkers -= 1
                continue
            }
            let position = nextToTake
            nextToTake += 1
            condition.unlock()
            let output = produce(position)
            condition.lock()
            guard !cancelled else { continue }
            slots[position % window] = output
            if consumerWaiting && position == nextToRead { condition.broadcast() }
        }
    }
}
