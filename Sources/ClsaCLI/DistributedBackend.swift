import ArgumentParser
import CLSA
#if MPI
import CLSAMPI
#endif

/// `--distributed`: how the processes of a data-parallel run find each other.
enum DistributedBackend: String, CaseIterable, ExpressibleByArgument {
    /// The ranks of an `mpirun` job (the package's MPI trait).
    case mpi

    /// This process's rank of the job.
    /// - Throws: `ValidationError` saying how to build with MPI, when built without it.
    func makeProcessGroup() throws -> any ProcessGroup {
        #if MPI
        return try MPIProcessGroup()
        #else
        throw ValidationError("this clsa was built without MPI; for --distributed mpi, install Open MPI "
                              + "(Scripts/install-deps --mpi) and build with `swift build -c release --traits MPI`")
        #endif
    }
}
