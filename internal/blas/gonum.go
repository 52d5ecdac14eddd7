//go:build purego

package blas

import (
	gblas "gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

var impl gonum.Implementation

func backendInfo() Info {
	return Info{Library: "gonum (purego)", Core: "Go"}
}

func tr(t bool) gblas.Transpose {
	if t {
		return gblas.Trans
	}
	return gblas.NoTrans
}

// gonum checks lengths exactly; the slices passed here may run past the
// matrix (blocks of a larger one), which gonum accepts as well.

func sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	impl.Sgemm(tr(tA), tr(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func dgemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	impl.Dgemm(tr(tA), tr(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func cgemm(tA, tB bool, m, n, k int, alpha complex64, a []complex64, lda int, b []complex64, ldb int, beta complex64, c []complex64, ldc int) {
	impl.Cgemm(tr(tA), tr(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func zgemm(tA, tB bool, m, n, k int, alpha complex128, a []complex128, lda int, b []complex128, ldb int, beta complex128, c []complex128, ldc int) {
	impl.Zgemm(tr(tA), tr(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func sgemv(tA bool, m, n int, alpha float32, a []float32, lda int, x []float32, incx int, beta float32, y []float32, incy int) {
	impl.Sgemv(tr(tA), m, n, alpha, a, lda, x, incx, beta, y, incy)
}

func dgemv(tA bool, m, n int, alpha float64, a []float64, lda int, x []float64, incx int, beta float64, y []float64, incy int) {
	impl.Dgemv(tr(tA), m, n, alpha, a, lda, x, incx, beta, y, incy)
}

func saxpy(n int, alpha float32, x []float32, incx int, y []float32, incy int) {
	impl.Saxpy(n, alpha, x, incx, y, incy)
}

func daxpy(n int, alpha float64, x []float64, incx int, y []float64, incy int) {
	impl.Daxpy(n, alpha, x, incx, y, incy)
}

func sdot(n int, x []float32, incx int, y []float32, incy int) float32 {
	return impl.Sdot(n, x, incx, y, incy)
}

func ddot(n int, x []float64, incx int, y []float64, incy int) float64 {
	return impl.Ddot(n, x, incx, y, incy)
}

func sscal(n int, alpha float32, x []float32, incx int) { impl.Sscal(n, alpha, x, incx) }

func dscal(n int, alpha float64, x []float64, incx int) { impl.Dscal(n, alpha, x, incx) }
