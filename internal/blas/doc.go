// Package blas is sciml's thin binding to a BLAS library: the matrix
// products every layer of the toolkit runs on.
//
// The default build loads OpenBLAS at run time through cgo (dlopen), which
// lets the package choose OpenBLAS's kernels before the library initialises:
// Debian's DYNAMIC_ARCH OpenBLAS reads OPENBLAS_CORETYPE only when it is
// loaded, and on CPUs it does not recognise it falls back to generic kernels
// that are several times slower. Unless the user has set OPENBLAS_CORETYPE,
// the package sets it from the CPU features the operating system reports
// (via golang.org/x/sys/cpu):
//
//	AVX-512 F, BW, DQ, VL and CD      -> SkylakeX
//	AVX2 and FMA                      -> Haswell
//	otherwise                         -> left to OpenBLAS's own detection
//
// so it never selects a kernel the CPU cannot run. It also sets
// OPENBLAS_NUM_THREADS=1 unless set (sciml parallelises itself), and
// removes the variables it set once the library is loaded, so that
// programs sciml starts inherit the user's environment, not these. With the build tag
// purego the package links no C at all and runs on gonum's native BLAS
// (gonum.org/v1/gonum/blas/gonum), with the same API and semantics.
//
// # Conventions
//
// All matrices are row-major, as in the rest of sciml. For Sgemm
//
//	C = alpha * op(A) * op(B) + beta * C,   op(X) = X or Xᵀ,
//
// op(A) is m×k, op(B) is k×n and C is m×n, with leading dimensions (row
// strides) lda, ldb, ldc. The complex variants (Cgemm, Zgemm) transpose
// without conjugating. Shape or length errors are programmer errors and
// panic with a message that names the sizes.
//
// # Threads and determinism
//
// OpenBLAS runs single-threaded; parallelism is sciml's own. A product large
// enough to profit is cut into blocks of rows (or of columns, when m is
// small) whose boundaries depend only on (m, n, k), never on the number of
// threads, and the blocks are run on up to Threads() goroutines. Each
// element of C is computed by exactly one BLAS call with the same inputs
// whatever the thread count, so results are bitwise identical for any
// GOMAXPROCS or SetThreads value. Small products run in one call on the
// calling goroutine (measured faster than handing them to threads).
package blas
