// Built only with the package's MPI trait: without it this module is empty and needs no Open MPI.
#if MPI
import CLSA
import CMPI
import Foundation

/// The ranks of an MPI job (`mpirun -np N clsa pretrain --distributed mpi …`) as a
/// `ProcessGroup` over `MPI_COMM_WORLD`.
///
/// Only the thread that made the group calls MPI (`MPI_THREAD_FUNNELED`). MPI errors are fatal
/// (the default handler), and `abort(status:)` is `MPI_Abort`, which makes `mpirun` end every rank.
public final class MPIProcessGroup: ProcessGroup {
    public let rank: Int
    public let size: Int

    /// The error of an MPI call that returned without aborting.
    public struct MPIError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Initialises MPI (once per process) and reads this process's rank and the job's size.
    /// - Throws: `MPIError` when MPI cannot start with the thread support the trainer needs.
    public init() throws {
        var provided: Int32 = 0
        guard MPI_Init_thread(nil, nil, Int32(MPI_THREAD_FUNNELED), &provided) == MPI_SUCCESS else {
            throw MPIError(description: "MPI_Init_thread failed")
        }
        guard provided >= Int32(MPI_THREAD_FUNNELED) else {
            throw MPIError(description: "this MPI library gives thread level \(provided), the trainer needs MPI_THREAD_FUNNELED")
        }
        var rank: Int32 = 0, size: Int32 = 0
        MPI_Comm_rank(clsa_mpi_comm_world(), &rank)
        MPI_Comm_size(clsa_mpi_comm_world(), &size)
        self.rank = Int(rank)
        self.size = Int(size)
    }

    deinit { MPI_Finalize() }

    public func sumInPlace(_ buffer: UnsafeMutableBufferPointer<Float>) {
        // MPI counts are Int32: large buffers go in slices.
        var offset = 0
        while offset < buffer.count {
            let count = min(buffer.count - offset, Int(Int32.max))
            MPI_Allreduce(clsa_mpi_in_place(), buffer.baseAddress! + offset, Int32(count), clsa_mpi_float(),
                          clsa_mpi_sum(), clsa_mpi_comm_world())
            offset += count
        }
    }

    public func gather(_ local: UnsafeBufferPointer<Float>, into gathered: UnsafeMutableBufferPointer<Float>) {
        precondition(gathered.count == size * local.count,
                     "MPIProcessGroup.gather: \(gathered.count) floats for \(size) ranks of \(local.count)")
        precondition(local.count <= Int(Int32.max), "MPIProcessGroup.gather: \(local.count) floats per rank")
        MPI_Allgather(local.baseAddress, Int32(local.count), clsa_mpi_float(),
                      gathered.baseAddress, Int32(local.count), clsa_mpi_float(), clsa_mpi_comm_world())
    }

    public func minimum(_ values: [Int]) -> [Int] {
        var wide = values.map { Int64($0) }
        wide.withUnsafeMutableBufferPointer { buffer in
            _ = MPI_Allreduce(clsa_mpi_in_place(), buffer.baseAddress, Int32(buffer.count), clsa_mpi_long_long(),
                              clsa_mpi_min(), clsa_mpi_comm_world())
        }
        return wide.map { Int($0) }
    }

    /// Waits half a second first: `mpirun` drops output still on its way from the ranks when
    /// `MPI_Abort` ends the job, and the caller has just printed why.
    public func abort(status: Int32) -> Never {
        usleep(500_000)
        MPI_Abort(clsa_mpi_comm_world(), status)
        exit(status)
    }
}
#endif
