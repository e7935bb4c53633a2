import Foundation
import TensorCore

/// The ranks of a data-parallel run as threads of one process: each thread trains its own
/// replica of the model on its share of every batch with single-threaded ops, and the
/// collectives meet in shared memory. On a few cores this beats one replica on several threads
/// (whose small ops cannot keep the cores busy), as the same number of MPI processes does, and
/// it computes what an MPI job of as many ranks computes.
///
/// `run(replicas:_:)` starts the threads, sets ops to one thread each for their duration and
/// waits for them; the body gets its rank's group. Collectives block until every rank has
/// called the same one; the sums add the ranks' values in rank order, so every rank receives
/// the same bits and a run is reproducible at a fixed number of replicas.
///
///     try ThreadProcessGroup.run(replicas: 2) { group in
///         let summary = try plan.makeRun(processGroup: group).run()
///     }
public final class ThreadProcessGroup: ProcessGroup {
    public let rank: Int
    public var size: Int { rendezvous.size }
    public var ranksShareProcess: Bool { true }
    private let rendezvous: Rendezvous

    private init(rank: Int, rendezvous: Rendezvous) {
        self.rank = rank
        self.rendezvous = rendezvous
    }

    /// Runs `body` on `replicas` threads, each with its rank's group, and returns when all have
    /// finished; `Threading`'s thread count is 1 meanwhile (restored afterwards).
    /// - Throws: the first error a replica threw (by rank). A replica that throws while the
    ///   others wait in a collective would leave them waiting for ever, so a caller whose body
    ///   can fail after the first collective reports the error and calls `abort(status:)`.
    public static func run(replicas: Int, stackBytes: Int = 64 << 20,
                           _ body: @escaping @Sendable (ThreadProcessGroup) throws -> Void) throws {
        precondition(replicas >= 1, "ThreadProcessGroup: replicas must be at least 1, got \(replicas)")
        let rendezvous = Rendezvous(size: replicas)
        let errors = ReplicaErrors(count: replicas)
        let finished = DispatchGroup()
        Threading.withThreadCount(1) {
            for rank in 0..<replicas {
                finished.enter()
                let group = ThreadProcessGroup(rank: rank, rendezvous: rendezvous)
                let thread = Thread {
                    defer { finished.leave() }
                    do { try body(group) } catch { errors.record(error, rank: rank) }
                }
                thread.name = "clsa replica \(rank)"
                thread.stackSize = stackBytes
                thread.start()
            }
            finished.wait()
        }
        if let error = errors.first { throw error }
    }

    public func sumInPlace(_ buffer: UnsafeMutableBufferPointer<Float>) {
        rendezvous.exchange(rank: rank, UnsafeRawPointer(buffer.baseAddress), count: buffer.count, "sumInPlace") { slots in
            // Each rank sums its share of the elements over the ranks, in rank order, and writes
            // the sum into every rank's buffer.
            let range = Threading.chunkRange(rank, of: size, total: buffer.count)
            let buffers = slots.map { UnsafeMutablePointer(mutating: $0!.assumingMemoryBound(to: Float.self)) }
            for i in range {
                var sum = buffers[0][i]
                for other in buffers.dropFirst() { sum += other[i] }
                for destination in buffers { destination[i] = sum }
            }
        }
    }

    public func gather(_ local: UnsafeBufferPointer<Float>, into gathered: UnsafeMutableBufferPointer<Float>) {
        precondition(gathered.count == size * local.count,
                     "ThreadProcessGroup.gather: \(gathered.count) floats for \(size) × \(local.count)")
        rendezvous.exchange(rank: rank, UnsafeRawPointer(local.baseAddress), count: local.count, "gather") { slots in
            for (source, slot) in slots.enumerated() where local.count > 0 {
                (gathered.baseAddress! + source * local.count)
                    .update(from: slot!.assumingMemoryBound(to: Float.self), count: local.count)
            }
        }
    }

    public func minimum(_ values: [Int]) -> [Int] {
        var result = values
        values.withUnsafeBufferPointer { own in
            rendezvous.exchange(rank: rank, UnsafeRawPointer(own.baseAddress), count: own.count, "minimum") { slots in
                for slot in slots {
                    let other = slot!.assumingMemoryBound(to: Int.self)
                    for i in result.indices { result[i] = min(result[i], other[i]) }
                }
            }
        }
        return result
    }

    /// Ends the process (and so every replica) with exit status `status`.
    public func abort(status: Int32) -> Never { exit(status) }
}

/// Where the replicas of a `ThreadProcessGroup` meet: each publishes a pointer to its operand,
/// all wait until every rank has, each reads what it needs, and all wait again before any
/// returns (so no operand is released or reused while another rank reads or writes it).
private final class Rendezvous: @unchecked Sendable {
    let size: Int
    private let condition = NSCondition()
    private var arrived = 0
    private var generation = 0
    private var slots: [UnsafeRawPointer?]
    private var counts: [Int]

    init(size: Int) {
        self.size = size
        slots = Array(repeating: nil, count: size)
        counts = Array(repeating: 0, count: size)
    }

    /// Publishes `operand` (`count` elements) as `rank`'s, then runs `work` on every rank's
    /// operand once all have published; returns when every rank's `work` is done.
    func exchange(rank: Int, _ operand: UnsafeRawPointer?, count: Int, _ collective: String,
                  _ work: ([UnsafeRawPointer?]) -> Void) {
        condition.lock()
        slots[rank] = operand
        counts[rank] = count
        condition.unlock()
        barrier()
        condition.lock()
        let published = slots
        let sameCount = counts.allSatisfy { $0 == counts[0] }
        let countsSeen = counts
        condition.unlock()
        precondition(sameCount, "ThreadProcessGroup.\(collective): the ranks gave different counts \(countsSeen)")
        work(published)
        barrier()
    }

    /// Returns once all `size` ranks have called it (for this generation).
    private func barrier() {
        condition.lock()
        defer { condition.unlock() }
        let waitingFor = generation
        arrived += 1
        if arrived == size {
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == waitingFor { condition.wait() }
        }
    }
}

/// The errors thrown by the replicas of one `ThreadProcessGroup.run`.
private final class ReplicaErrors: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [Error?]

    init(count: Int) { errors = Array(repeating: nil, count: count) }

    func record(_ error: Error, rank: Int) {
        lock.lock()
        errors[rank] = error
        lock.unlock()
    }

    /// The error of the lowest rank that threw.
    var first: Error? {
        lock.lock()
        defer { lock.unlock() }
        return errors.lazy.compactMap { $0 }.first
    }
}
