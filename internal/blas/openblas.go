//go:build !purego

package blas

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#if defined(__x86_64__)
#include <xmmintrin.h>
#endif
#include <stdlib.h>
#include <complex.h>

enum { RowMajor = 101, NoTrans = 111, Trans = 112 };

typedef void (*sgemm_t)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*, int);
typedef void (*dgemm_t)(int, int, int, int, int, int, double, const double*, int, const double*, int, double, double*, int);
typedef void (*cgemm_t)(int, int, int, int, int, int, const void*, const void*, int, const void*, int, const void*, void*, int);
typedef void (*sgemv_t)(int, int, int, int, float, const float*, int, const float*, int, float, float*, int);
typedef void (*dgemv_t)(int, int, int, int, double, const double*, int, const double*, int, double, double*, int);
typedef void (*saxpy_t)(int, float, const float*, int, float*, int);
typedef void (*daxpy_t)(int, double, const double*, int, double*, int);
typedef float (*sdot_t)(int, const float*, int, const float*, int);
typedef double (*ddot_t)(int, const double*, int, const double*, int);
typedef void (*sscal_t)(int, float, float*, int);
typedef void (*dscal_t)(int, double, double*, int);
typedef char* (*str_t)(void);
typedef void (*setthreads_t)(int);

static sgemm_t p_sgemm; static dgemm_t p_dgemm; static cgemm_t p_cgemm, p_zgemm;
static sgemv_t p_sgemv; static dgemv_t p_dgemv;
static saxpy_t p_saxpy; static daxpy_t p_daxpy;
static sdot_t p_sdot; static ddot_t p_ddot;
static sscal_t p_sscal; static dscal_t p_dscal;
static str_t p_corename, p_config;

// sciml_blas_load opens the first library of the list that exports CBLAS and
// resolves the symbols. It returns NULL on success or an error message.
static const char* sciml_blas_load(const char* path) {
	void* h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) return dlerror();
#define SYM(var, type, name) var = (type)dlsym(h, name); if (!var) return "missing symbol " name;
	SYM(p_sgemm, sgemm_t, "cblas_sgemm")
	SYM(p_dgemm, dgemm_t, "cblas_dgemm")
	SYM(p_cgemm, cgemm_t, "cblas_cgemm")
	SYM(p_zgemm, cgemm_t, "cblas_zgemm")
	SYM(p_sgemv, sgemv_t, "cblas_sgemv")
	SYM(p_dgemv, dgemv_t, "cblas_dgemv")
	SYM(p_saxpy, saxpy_t, "cblas_saxpy")
	SYM(p_daxpy, daxpy_t, "cblas_daxpy")
	SYM(p_sdot, sdot_t, "cblas_sdot")
	SYM(p_ddot, ddot_t, "cblas_ddot")
	SYM(p_sscal, sscal_t, "cblas_sscal")
	SYM(p_dscal, dscal_t, "cblas_dscal")
#undef SYM
	p_corename = (str_t)dlsym(h, "openblas_get_corename");
	p_config = (str_t)dlsym(h, "openblas_get_config");
	setthreads_t st = (setthreads_t)dlsym(h, "openblas_set_num_threads");
	if (st) st(1);
	return NULL;
}

static const char* sciml_blas_corename(void) { return p_corename ? p_corename() : ""; }
static const char* sciml_blas_config(void) { return p_config ? p_config() : ""; }

static int tr(int t) { return t ? Trans : NoTrans; }

// sciml_sgemm runs with subnormal inputs read as zero and subnormal
// results flushed to zero (MXCSR DAZ and FTZ, restored afterwards; x86-64):
// Intel CPUs take a microcode assist for every subnormal operand, which
// made a Gaussian INR step 4× slower (4.1 s against 1.0 s), its
// activations exp(−(s·x)²) being subnormal wherever |s·x| > 9.3. The
// float32 products differ from IEEE arithmetic only where a term or a
// result is below 2⁻¹²⁶ in magnitude.
static void sciml_sgemm(int ta, int tb, int m, int n, int k, float alpha, const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc) {
#if defined(__x86_64__)
	unsigned int csr = _mm_getcsr();
	_mm_setcsr(csr | 0x8040); // FTZ (bit 15) and DAZ (bit 6)
#endif
	p_sgemm(RowMajor, tr(ta), tr(tb), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
#if defined(__x86_64__)
	_mm_setcsr(csr);
#endif
}
static void sciml_dgemm(int ta, int tb, int m, int n, int k, double alpha, const double* a, int lda, const double* b, int ldb, double beta, double* c, int ldc) {
	p_dgemm(RowMajor, tr(ta), tr(tb), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
static void sciml_cgemm(int ta, int tb, int m, int n, int k, float ar, float ai, const void* a, int lda, const void* b, int ldb, float br, float bi, void* c, int ldc) {
	float alpha[2] = {ar, ai}, beta[2] = {br, bi};
	p_cgemm(RowMajor, tr(ta), tr(tb), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
static void sciml_zgemm(int ta, int tb, int m, int n, int k, double ar, double ai, const void* a, int lda, const void* b, int ldb, double br, double bi, void* c, int ldc) {
	double alpha[2] = {ar, ai}, beta[2] = {br, bi};
	p_zgemm(RowMajor, tr(ta), tr(tb), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
static void sciml_sgemv(int ta, int m, int n, float alpha, const float* a, int lda, const float* x, int incx, float beta, float* y, int incy) {
	p_sgemv(RowMajor, tr(ta), m, n, alpha, a, lda, x, incx, beta, y, incy);
}
static void sciml_dgemv(int ta, int m, int n, double alpha, const double* a, int lda, const double* x, int incx, double beta, double* y, int incy) {
	p_dgemv(RowMajor, tr(ta), m, n, alpha, a, lda, x, incx, beta, y, incy);
}
static void sciml_saxpy(int n, float alpha, const float* x, int incx, float* y, int incy) { p_saxpy(n, alpha, x, incx, y, incy); }
static void sciml_daxpy(int n, double alpha, const double* x, int incx, double* y, int incy) { p_daxpy(n, alpha, x, incx, y, incy); }
static float sciml_sdot(int n, const float* x, int incx, const float* y, int incy) { return p_sdot(n, x, incx, y, incy); }
static double sciml_ddot(int n, const double* x, int incx, const double* y, int incy) { return p_ddot(n, x, incx, y, incy); }
static void sciml_sscal(int n, float alpha, float* x, int incx) { p_sscal(n, alpha, x, incx); }
static void sciml_dscal(int n, double alpha, double* x, int incx) { p_dscal(n, alpha, x, incx); }
*/
import "C"

import (
	"fmt"
	"os"
	"strings"
	"unsafe"

	"golang.org/x/sys/cpu"
)

// libraries are tried in order; SCIML_BLAS_LIB, when set, is tried first.
var libraries = []string{
	"libopenblas.so.0",
	"libopenblas.so",
	"/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
	"/usr/lib/aarch64-linux-gnu/libopenblas.so.0",
	"/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
	"/usr/local/opt/openblas/lib/libopenblas.dylib",
	"libopenblas.dylib",
}

var (
	loadedLib string
	chosen    string // the OPENBLAS_CORETYPE this package set, or ""
)

// coreType picks the OpenBLAS kernel family for this CPU, or "" to leave the
// choice to OpenBLAS. cpu.X86 reports a feature only when the OS saves its
// registers, so the choice is always one the CPU can run.
func coreType() string {
	x := cpu.X86
	switch {
	case x.HasAVX512F && x.HasAVX512BW && x.HasAVX512DQ && x.HasAVX512VL && x.HasAVX512CD:
		return "SkylakeX"
	case x.HasAVX2 && x.HasFMA:
		return "Haswell"
	}
	return ""
}

func init() {
	if _, set := os.LookupEnv("OPENBLAS_CORETYPE"); !set {
		if ct := coreType(); ct != "" {
			os.Setenv("OPENBLAS_CORETYPE", ct)
			chosen = ct
		}
	}
	// sciml runs OpenBLAS single-threaded and parallelises itself; this
	// stops OpenBLAS from starting an idle thread pool at load.
	_, numSet := os.LookupEnv("OPENBLAS_NUM_THREADS")
	if !numSet {
		os.Setenv("OPENBLAS_NUM_THREADS", "1")
	}
	// OpenBLAS reads both when it is loaded; afterwards the variables this
	// package set are removed again, so that the programs sciml starts
	// (a PyTorch baseline, say) get the environment the user gave.
	defer func() {
		if chosen != "" {
			os.Unsetenv("OPENBLAS_CORETYPE")
		}
		if !numSet {
			os.Unsetenv("OPENBLAS_NUM_THREADS")
		}
	}()
	libs := libraries
	if p := os.Getenv("SCIML_BLAS_LIB"); p != "" {
		libs = append([]string{p}, libs...)
	}
	var errs []string
	for _, lib := range libs {
		cs := C.CString(lib)
		msg := C.sciml_blas_load(cs)
		C.free(unsafe.Pointer(cs))
		if msg == nil {
			loadedLib = lib
			return
		}
		errs = append(errs, C.GoString(msg))
	}
	panic(fmt.Sprintf("sciml: cannot load OpenBLAS (install libopenblas-dev, `make deps`; or set SCIML_BLAS_LIB, or build with -tags purego): %s",
		strings.Join(errs, "; ")))
}

func backendInfo() Info {
	cfg := C.GoString(C.sciml_blas_config())
	lib := "OpenBLAS"
	if f := strings.Fields(cfg); len(f) >= 2 && f[0] == "OpenBLAS" {
		lib = "OpenBLAS " + f[1]
	}
	core := C.GoString(C.sciml_blas_corename())
	if chosen != "" {
		core += " (OPENBLAS_CORETYPE set by sciml)"
	}
	return Info{Library: lib + " [" + loadedLib + "]", Core: core, Config: cfg}
}

func cb(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

func sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	C.sciml_sgemm(cb(tA), cb(tB), C.int(m), C.int(n), C.int(k), C.float(alpha), (*C.float)(&a[0]), C.int(lda),
		(*C.float)(&b[0]), C.int(ldb), C.float(beta), (*C.float)(&c[0]), C.int(ldc))
}

func dgemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	C.sciml_dgemm(cb(tA), cb(tB), C.int(m), C.int(n), C.int(k), C.double(alpha), (*C.double)(&a[0]), C.int(lda),
		(*C.double)(&b[0]), C.int(ldb), C.double(beta), (*C.double)(&c[0]), C.int(ldc))
}

func cgemm(tA, tB bool, m, n, k int, alpha complex64, a []complex64, lda int, b []complex64, ldb int, beta complex64, c []complex64, ldc int) {
	C.sciml_cgemm(cb(tA), cb(tB), C.int(m), C.int(n), C.int(k), C.float(real(alpha)), C.float(imag(alpha)),
		unsafe.Pointer(&a[0]), C.int(lda), unsafe.Pointer(&b[0]), C.int(ldb),
		C.float(real(beta)), C.float(imag(beta)), unsafe.Pointer(&c[0]), C.int(ldc))
}

func zgemm(tA, tB bool, m, n, k int, alpha complex128, a []complex128, lda int, b []complex128, ldb int, beta complex128, c []complex128, ldc int) {
	C.sciml_zgemm(cb(tA), cb(tB), C.int(m), C.int(n), C.int(k), C.double(real(alpha)), C.double(imag(alpha)),
		unsafe.Pointer(&a[0]), C.int(lda), unsafe.Pointer(&b[0]), C.int(ldb),
		C.double(real(beta)), C.double(imag(beta)), unsafe.Pointer(&c[0]), C.int(ldc))
}

func sgemv(tA bool, m, n int, alpha float32, a []float32, lda int, x []float32, incx int, beta float32, y []float32, incy int) {
	C.sciml_sgemv(cb(tA), C.int(m), C.int(n), C.float(alpha), (*C.float)(&a[0]), C.int(lda),
		(*C.float)(&x[0]), C.int(incx), C.float(beta), (*C.float)(&y[0]), C.int(incy))
}

func dgemv(tA bool, m, n int, alpha float64, a []float64, lda int, x []float64, incx int, beta float64, y []float64, incy int) {
	C.sciml_dgemv(cb(tA), C.int(m), C.int(n), C.double(alpha), (*C.double)(&a[0]), C.int(lda),
		(*C.double)(&x[0]), C.int(incx), C.double(beta), (*C.double)(&y[0]), C.int(incy))
}

func saxpy(n int, alpha float32, x []float32, incx int, y []float32, incy int) {
	C.sciml_saxpy(C.int(n), C.float(alpha), (*C.float)(&x[0]), C.int(incx), (*C.float)(&y[0]), C.int(incy))
}

func daxpy(n int, alpha float64, x []float64, incx int, y []float64, incy int) {
	C.sciml_daxpy(C.int(n), C.double(alpha), (*C.double)(&x[0]), C.int(incx), (*C.double)(&y[0]), C.int(incy))
}

func sdot(n int, x []float32, incx int, y []float32, incy int) float32 {
	return float32(C.sciml_sdot(C.int(n), (*C.float)(&x[0]), C.int(incx), (*C.float)(&y[0]), C.int(incy)))
}

func ddot(n int, x []float64, incx int, y []float64, incy int) float64 {
	return float64(C.sciml_ddot(C.int(n), (*C.double)(&x[0]), C.int(incx), (*C.double)(&y[0]), C.int(incy)))
}

func sscal(n int, alpha float32, x []float32, incx int) {
	C.sciml_sscal(C.int(n), C.float(alpha), (*C.float)(&x[0]), C.int(incx))
}

func dscal(n int, alpha float64, x []float64, incx int) {
	C.sciml_dscal(C.int(n), C.double(alpha), (*C.double)(&x[0]), C.int(incx))
}
