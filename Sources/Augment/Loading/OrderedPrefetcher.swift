import Foundation

/// Worker threads that compute `produce(position)` for the positions of a range ahead of one
/// consumer, which receives the outputs strictly in position order (a reorder buffer). With no
/// workers, `next()` computes each output on the consumer's thread instead.
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

    /// With no worker threads: makes the consumer's producer on its first `next()`.
    private let makeInlineProducer: (@Sendable () -> (Int) -> Output)?
    /// With no worker threads: the producer `next()` calls, once made.
    private var inlineProducer: ((Int) -> Output)?

    /// Starts `workerCount` threads over `positions` (0: none; `next()` then produces each
    /// output itself). `makeProducer` runs once on each worker thread, or once on the consumer's
    /// thread without workers, so a producer may own per-thread state (a decoder).
    init(positions: Range<Int>, window: Int, workerCount: Int, name: String,
         makeProducer: @escaping @Sendable () -> (Int) -> Output) {
        precondition(window >= 1 && workerCount >= 0,
                     "OrderedPrefetcher: window (\(window)) must be at least 1 and worker count (\(workerCount)) at least 0")
        makeInlineProducer = workerCount == 0 ? makeProducer : nil
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

    /// The output of the next position in order, waiting until a worker has stored it (or
    /// computing it here, without workers); nil after the last position or once cancelled.
    func next() -> Output? {
        if let makeInlineProducer { return produceInline(makeProducer: makeInlineProducer) }
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

    /// Without workers: the next position's output, computed on the calling (consumer) thread.
    private func produceInline(makeProducer: () -> (Int) -> Output) -> Output? {
        condition.lock()
        let stopped = cancelled
        condition.unlock()
        guard !stopped, nextToRead < end else { return nil }
        let produce = inlineProducer ?? makeProducer()
        inlineProducer = produce
        let output = produce(nextToRead)
        nextToRead += 1
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
