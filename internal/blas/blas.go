package blas

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// Info describes the BLAS backend in use.
type Info struct {
	Library string // e.g. "OpenBLAS 0.3.21" or "gonum (purego)"
	Core    string // kernel family in use, e.g. "Haswell"
	Config  string // the library's own configuration string, if any
	Threads int    // goroutines used for large products
}

func (i Info) String() string {
	s := i.Library
	if i.Core != "" {
		s += " (" + i.Core + " kernels)"
	}
	return fmt.Sprintf("%s, %d threads", s, i.Threads)
}

var threads atomic.Int64

// Threads returns the number of goroutines large products are spread over.
// It defaults to GOMAXPROCS at the time of the first call.
func Threads() int {
	n := threads.Load()
	if n <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return int(n)
}

// SetThreads sets the number of goroutines large products are spread over;
// n <= 0 restores the default (GOMAXPROCS). Results do not depend on it.
func SetThreads(n int) {
	if n < 0 {
		n = 0
	}
	threads.Store(int64(n))
}

// Backend describes the library, the kernels and the thread count in use.
func Backend() Info {
	inf := backendInfo()
	inf.Threads = Threads()
	return inf
}

// parallelThreshold is the flop count (2mnk) from which a product is split.
const parallelThreshold = 4 << 20

// minBlock is the smallest number of rows (or columns) in a block; a
// multiple of every micro-kernel unroll in use, so blocks fill whole tiles.
const minBlock = 64

// maxBlocks caps how many blocks a product is cut into.
const maxBlocks = 16

// split cuts n into fixed blocks: the boundaries depend on n alone.
func split(n int) (size, count int) {
	size = (n + maxBlocks - 1) / maxBlocks
	size = (size + minBlock - 1) / minBlock * minBlock
	if size < minBlock {
		size = minBlock
	}
	return size, (n + size - 1) / size
}

// parallelFor runs f(i) for i in [0, count) on up to Threads() goroutines.
func parallelFor(count int, f func(i int)) {
	w := min(Threads(), count)
	if w <= 1 {
		for i := range count {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	wg.Add(w)
	for range w {
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= count {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}

// element is the set of types the package computes in.
type element interface {
	~float32 | ~float64 | ~complex64 | ~complex128
}

// checkGemm panics unless the slices hold the matrices their shapes imply.
func checkGemm(name string, tA, tB bool, m, n, k, la, lda, lb, ldb, lc, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("blas: %s: negative size m=%d n=%d k=%d", name, m, n, k))
	}
	ar, ac := m, k
	if tA {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB {
		br, bc = n, k
	}
	check := func(what string, rows, cols, l, ld int) {
		if rows == 0 || cols == 0 {
			return
		}
		if ld < max(1, cols) {
			panic(fmt.Sprintf("blas: %s: %s is %d×%d with leading dimension %d < %d", name, what, rows, cols, ld, cols))
		}
		if need := (rows-1)*ld + cols; l < need {
			panic(fmt.Sprintf("blas: %s: %s is %d×%d (ld %d) and needs %d elements, has %d", name, what, rows, cols, ld, need, l))
		}
	}
	check("A", ar, ac, la, lda)
	check("B", br, bc, lb, ldb)
	check("C", m, n, lc, ldc)
}

// gemm runs one product through call, splitting it into fixed blocks of
// rows or columns of C when it is large.
func gemm[T element](tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int,
	call func(tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)) {
	if m == 0 || n == 0 {
		return
	}
	if 2*float64(m)*float64(n)*float64(k) < parallelThreshold {
		call(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	if m >= n || m >= 2*minBlock {
		size, count := split(m)
		if count == 1 {
			call(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
			return
		}
		parallelFor(count, func(i int) {
			r0 := i * size
			r1 := min(m, r0+size)
			var ab []T
			if tA {
				ab = a[r0:] // columns r0.. of the k×m matrix A
			} else {
				ab = a[r0*lda:]
			}
			call(tA, tB, r1-r0, n, k, alpha, ab, lda, b, ldb, beta, c[r0*ldc:], ldc)
		})
		return
	}
	size, count := split(n)
	if count == 1 {
		call(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	parallelFor(count, func(i int) {
		c0 := i * size
		c1 := min(n, c0+size)
		var bb []T
		if tB {
			bb = b[c0*ldb:] // rows c0.. of the n×k matrix B
		} else {
			bb = b[c0:]
		}
		call(tA, tB, m, c1-c0, k, alpha, a, lda, bb, ldb, beta, c[c0:], ldc)
	})
}

// Sgemm computes C = alpha*op(A)*op(B) + beta*C in float32 (row-major).
func Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemm("Sgemm", tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	gemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, sgemm)
}

// Dgemm computes C = alpha*op(A)*op(B) + beta*C in float64 (row-major).
func Dgemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	checkGemm("Dgemm", tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	gemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, dgemm)
}

// Cgemm computes C = alpha*op(A)*op(B) + beta*C in complex64 (row-major;
// op transposes without conjugating).
func Cgemm(tA, tB bool, m, n, k int, alpha complex64, a []complex64, lda int, b []complex64, ldb int, beta complex64, c []complex64, ldc int) {
	checkGemm("Cgemm", tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	gemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, cgemm)
}

// Zgemm computes C = alpha*op(A)*op(B) + beta*C in complex128 (row-major;
// op transposes without conjugating).
func Zgemm(tA, tB bool, m, n, k int, alpha complex128, a []complex128, lda int, b []complex128, ldb int, beta complex128, c []complex128, ldc int) {
	checkGemm("Zgemm", tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	gemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, zgemm)
}

// batched runs count independent products, in parallel when the total work
// is large. Matrix i of A starts at a[i*sa:], and likewise for B and C.
func batched[T element](name string, tA, tB bool, m, n, k int, alpha T, a []T, lda, sa int, b []T, ldb, sb int, beta T, c []T, ldc, sc int, count int,
	call func(tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)) {
	if count < 0 {
		panic(fmt.Sprintf("blas: %s: negative batch %d", name, count))
	}
	if count == 0 || m == 0 || n == 0 {
		return
	}
	last := count - 1
	checkGemm(name, tA, tB, m, n, k, len(a)-last*sa, lda, len(b)-last*sb, ldb, len(c)-last*sc, ldc)
	if count == 1 { // one product on this goroutine, without allocating
		call(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	one := func(i int) {
		call(tA, tB, m, n, k, alpha, a[i*sa:], lda, b[i*sb:], ldb, beta, c[i*sc:], ldc)
	}
	if 2*float64(m)*float64(n)*float64(k)*float64(count) < parallelThreshold {
		for i := range count {
			one(i)
		}
		return
	}
	parallelFor(count, one)
}

// SgemmBatched computes C_i = alpha*op(A_i)*op(B_i) + beta*C_i for
// i < count, where A_i = a[i*strideA:] and likewise for B and C. A stride
// of 0 shares one matrix across the batch (C's stride must not be 0 unless
// count is 1).
func SgemmBatched(tA, tB bool, m, n, k int, alpha float32, a []float32, lda, strideA int, b []float32, ldb, strideB int, beta float32, c []float32, ldc, strideC, count int) {
	batched("SgemmBatched", tA, tB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc, strideC, count, sgemm)
}

// DgemmBatched is SgemmBatched in float64.
func DgemmBatched(tA, tB bool, m, n, k int, alpha float64, a []float64, lda, strideA int, b []float64, ldb, strideB int, beta float64, c []float64, ldc, strideC, count int) {
	batched("DgemmBatched", tA, tB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc, strideC, count, dgemm)
}

// CgemmBatched is SgemmBatched in complex64.
func CgemmBatched(tA, tB bool, m, n, k int, alpha complex64, a []complex64, lda, strideA int, b []complex64, ldb, strideB int, beta complex64, c []complex64, ldc, strideC, count int) {
	batched("CgemmBatched", tA, tB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc, strideC, count, cgemm)
}

// ZgemmBatched is SgemmBatched in complex128.
func ZgemmBatched(tA, tB bool, m, n, k int, alpha complex128, a []complex128, lda, strideA int, b []complex128, ldb, strideB int, beta complex128, c []complex128, ldc, strideC, count int) {
	batched("ZgemmBatched", tA, tB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc, strideC, count, zgemm)
}

func checkVec(name, what string, n int, x int, inc int) {
	if inc <= 0 {
		panic(fmt.Sprintf("blas: %s: %s increment %d must be positive", name, what, inc))
	}
	if n > 0 && x < (n-1)*inc+1 {
		panic(fmt.Sprintf("blas: %s: %s of %d elements with increment %d needs %d, has %d", name, what, n, inc, (n-1)*inc+1, x))
	}
}

func checkGemv(name string, tA bool, m, n, la, lda, lx, incx, ly, incy int) {
	if m < 0 || n < 0 {
		panic(fmt.Sprintf("blas: %s: negative size m=%d n=%d", name, m, n))
	}
	if m > 0 && n > 0 && (lda < n || la < (m-1)*lda+n) {
		panic(fmt.Sprintf("blas: %s: A is %d×%d with lda %d and needs %d elements, has %d", name, m, n, lda, (m-1)*lda+n, la))
	}
	xl, yl := n, m
	if tA {
		xl, yl = m, n
	}
	checkVec(name, "x", xl, lx, incx)
	checkVec(name, "y", yl, ly, incy)
}

// Sgemv computes y = alpha*op(A)*x + beta*y in float32; A is m×n row-major.
func Sgemv(tA bool, m, n int, alpha float32, a []float32, lda int, x []float32, incx int, beta float32, y []float32, incy int) {
	checkGemv("Sgemv", tA, m, n, len(a), lda, len(x), incx, len(y), incy)
	if m == 0 || n == 0 {
		return
	}
	sgemv(tA, m, n, alpha, a, lda, x, incx, beta, y, incy)
}

// Dgemv computes y = alpha*op(A)*x + beta*y in float64; A is m×n row-major.
func Dgemv(tA bool, m, n int, alpha float64, a []float64, lda int, x []float64, incx int, beta float64, y []float64, incy int) {
	checkGemv("Dgemv", tA, m, n, len(a), lda, len(x), incx, len(y), incy)
	if m == 0 || n == 0 {
		return
	}
	dgemv(tA, m, n, alpha, a, lda, x, incx, beta, y, incy)
}

// Saxpy computes y += alpha*x over n elements in float32.
func Saxpy(n int, alpha float32, x []float32, incx int, y []float32, incy int) {
	checkVec("Saxpy", "x", n, len(x), incx)
	checkVec("Saxpy", "y", n, len(y), incy)
	if n > 0 {
		saxpy(n, alpha, x, incx, y, incy)
	}
}

// Daxpy computes y += alpha*x over n elements in float64.
func Daxpy(n int, alpha float64, x []float64, incx int, y []float64, incy int) {
	checkVec("Daxpy", "x", n, len(x), incx)
	checkVec("Daxpy", "y", n, len(y), incy)
	if n > 0 {
		daxpy(n, alpha, x, incx, y, incy)
	}
}

// Sdot returns the dot product of x and y over n elements in float32.
func Sdot(n int, x []float32, incx int, y []float32, incy int) float32 {
	checkVec("Sdot", "x", n, len(x), incx)
	checkVec("Sdot", "y", n, len(y), incy)
	if n == 0 {
		return 0
	}
	return sdot(n, x, incx, y, incy)
}

// Ddot returns the dot product of x and y over n elements in float64.
func Ddot(n int, x []float64, incx int, y []float64, incy int) float64 {
	checkVec("Ddot", "x", n, len(x), incx)
	checkVec("Ddot", "y", n, len(y), incy)
	if n == 0 {
		return 0
	}
	return ddot(n, x, incx, y, incy)
}

// Sscal scales x by alpha over n elements in float32.
func Sscal(n int, alpha float32, x []float32, incx int) {
	checkVec("Sscal", "x", n, len(x), incx)
	if n > 0 {
		sscal(n, alpha, x, incx)
	}
}

// Dscal scales x by alpha over n elements in float64.
func Dscal(n int, alpha float64, x []float64, incx int) {
	checkVec("Dscal", "x", n, len(x), incx)
	if n > 0 {
		dscal(n, alpha, x, incx)
	}
}
