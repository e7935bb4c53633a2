// OpenBLAS's CBLAS interface, including its extensions
// (openblas_set_num_threads, openblas_get_corename).
#include <cblas.h>
