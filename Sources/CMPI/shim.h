#include <mpi.h>

// Open MPI spells its predefined handles as macros over global objects, which Swift does not
// import; these return them.
static inline MPI_Comm clsa_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype clsa_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype clsa_mpi_long_long(void) { return MPI_LONG_LONG; }
static inline MPI_Op clsa_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op clsa_mpi_min(void) { return MPI_MIN; }
static inline MPI_Op clsa_mpi_max(void) { return MPI_MAX; }
static inline void *clsa_mpi_in_place(void) { return MPI_IN_PLACE; }
