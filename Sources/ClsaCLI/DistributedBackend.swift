import ArgumentParser
import CLSA
#if MPI
import CLSAMPI
#endif

/// `--distributed`: where the ranks of a data-parallel run live.
enum DistributedBackend: String, CaseIterable, ExpressibleByArgument {
    /// The ranks of an `mpirun` job (the package's MPI trait).
    case mpi
    /// Replicas on the threads of this process (`ThreadProcessGroup`), one per `--threads`.
    case threads

    /// This process's rank of an MPI job.
    /// - Throws: `ValidationError` saying how to build with MPI, when built without it.
    static func mpiProcessGroup() throws -> any ProcessGroup {
        #if MPI
        return try MPIProcessGroup()
        #else
        throw ValidationError("this clsa was built without MPI; for --distributed mpi, install Open MPI "
                              + "(Scripts/install-deps --mpi) and build with `swift build -c release --traits MPI`")
        #endif
    }
}
