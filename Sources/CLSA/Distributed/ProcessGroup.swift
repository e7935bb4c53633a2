import Foundation
import TensorCore

/// The processes of a data-parallel pretraining run and the collective operations its trainer
/// needs: one process (`SingleProcessGroup`), replicas on the threads of one process
/// (`ThreadProcessGroup`), or the ranks of an MPI job (`MPIProcessGroup` in the `CLSAMPI`
/// module, built with the package's MPI trait).
///
/// Collectives are blocking, and every rank must call the same collectives in the same order
/// with the same sizes, as MPI requires; a rank that stops calling them stalls the others, so a
/// rank that fails calls `abort(status:)`.
public protocol ProcessGroup: AnyObject {
    /// This process's index, `0..<size`.
    var rank: Int { get }
    /// Processes in the run.
    var size: Int { get }
    /// Whether the ranks are threads of this process (`ThreadProcessGroup`): their ops run on
    /// one thread each, and the process-wide thread count is the group's to set.
    var ranksShareProcess: Bool { get }
    /// Sums `buffer` element-wise over the ranks, in place. Every rank receives the same bits.
    func sumInPlace(_ buffer: UnsafeMutableBufferPointer<Float>)
    /// Concatenates every rank's `local` (the same count on each) in rank order into `gathered`,
    /// which holds `size · local.count` floats.
    func gather(_ local: UnsafeBufferPointer<Float>, into gathered: UnsafeMutableBufferPointer<Float>)
    /// The element-wise minimum of `values` (the same count on each rank) over the ranks.
    func minimum(_ values: [Int]) -> [Int]
    /// Ends every process of the run with exit status `status` (the caller prints why first).
    func abort(status: Int32) -> Never
}

/// A run of one process: the collectives are the identity.
public final class SingleProcessGroup: ProcessGroup {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func sumInPlace(_ buffer: UnsafeMutableBufferPointer<Float>) {}
    public func gather(_ local: UnsafeBufferPointer<Float>, into gathered: UnsafeMutableBufferPointer<Float>) {
        precondition(gathered.count == local.count, "SingleProcessGroup.gather: \(gathered.count) floats for \(local.count)")
        _ = gathered.update(fromContentsOf: local)
    }
    public func minimum(_ values: [Int]) -> [Int] { values }
    public func abort(status: Int32) -> Never { exit(status) }
}

extension ProcessGroup {
    public var ranksShareProcess: Bool { false }

    /// Whether this run has more than one process.
    public var isDistributed: Bool { size > 1 }

    /// Every rank's `x` ([n, …], the same shape on each) stacked along the first dimension in
    /// rank order: [size · n, …]. One process returns `x` itself.
    public func gatherRows(of x: Tensor) -> Tensor {
        guard isDistributed else { return x }
        let gathered = Tensor(uninitializedShape: [size * x.shape[0]] + x.shape.dropFirst())
        OpProfile.measure(.collective) {
            gather(UnsafeBufferPointer(start: x.data, count: x.count),
                   into: UnsafeMutableBufferPointer(start: gathered.data, count: gathered.count))
        }
        return gathered
    }

    /// Overwrites `tensors` (the same shapes, in the same order, on every rank) with rank 0's
    /// values, by one gather.
    public func copyFromLeader(_ tensors: [Tensor]) {
        guard isDistributed else { return }
        var local: [Float] = []
        for tensor in tensors { local += tensor.scalars }
        var all = [Float](repeating: 0, count: size * local.count)
        OpProfile.measure(.collective) {
            local.withUnsafeBufferPointer { mine in all.withUnsafeMutableBufferPointer { gather(mine, into: $0) } }
        }
        var offset = 0
        for tensor in tensors {
            all.withUnsafeBufferPointer { tensor.data.update(from: $0.baseAddress! + offset, count: tensor.count) }
            offset += tensor.count
        }
    }

    /// The mean over the ranks of `values`.
    public func mean(_ values: [Float]) -> [Float] {
        guard isDistributed else { return values }
        var sums = values
        OpProfile.measure(.collective) { sums.withUnsafeMutableBufferPointer { sumInPlace($0) } }
        return sums.map { $0 / Float(size) }
    }

    /// The sum of `count` over the ranks (exact up to 2^24).
    public func sum(_ count: Int) -> Int {
        guard isDistributed else { return count }
        var value = [Float(count)]
        value.withUnsafeMutableBufferPointer { sumInPlace($0) }
        return Int(value[0])
    }

    /// Replaces each parameter's gradient by its mean over the ranks (one collective over a
    /// buffer of every gradient, in parameter order). Parameters without a gradient are left
    /// out; every rank runs the same graph, so they are the same on every rank.
    public func averageGradients(of parameters: [Tensor], buffer: inout Tensor?) {
        guard isDistributed else { return }
        let gradients = parameters.compactMap(\.gradient)
        let total = gradients.reduce(0) { $0 + $1.count }
        if buffer?.count != total { buffer = Tensor(uninitializedShape: [total]) }
        let flat = buffer!.data
        var offset = 0
        for g in gradients {
            (flat + offset).update(from: g.data, count: g.count)
            offset += g.count
        }
        OpProfile.measure(.collective) { sumInPlace(UnsafeMutableBufferPointer(start: flat, count: total)) }
        offset = 0
        for g in gradients {
            scaleVector(g.data, flat + offset, 1 / Float(size), count: g.count)
            offset += g.count
        }
    }
}
