// Package fft computes batched fast Fourier transforms of float32 and
// float64 data over the trailing 1, 2 or 3 axes, for the spectral layers
// (tensor, fno) and the pseudo-spectral solvers.
//
// # Layout
//
// A call transforms howmany signals of shape dims = [n0, ..., n_{d-1}]
// (d = len(dims) is 1, 2 or 3) stored contiguously, row-major, back to
// back: signal h occupies elements [h·N, (h+1)·N) with N = n0·…·n_{d-1}.
// A real signal's half spectrum has shape [n0, ..., n_{d-2}, n_{d-1}/2+1]
// (Nh = N/n_{d-1}·(n_{d-1}/2+1) elements), laid out the same way. This is
// the layout of numpy.fft.rfftn/irfftn/fftn/ifftn over the last d axes of
// a C-ordered array, and of FFTW's "many" interface with unit stride.
//
// # Definitions
//
// With k·j/n = Σ_a k_a·j_a/n_a:
//
//	forward  X[k] = Σ_j x[j] · exp(-2πi k·j/n)             (unscaled)
//	inverse  x[j] = (1/N) Σ_k X[k] · exp(+2πi k·j/n)       (scaled by 1/N)
//
// which is numpy's default ("backward") normalisation: RFFT32/RFFT64 and
// FFT32/FFT64 with inverse=false are unscaled, IRFFT32/IRFFT64 and
// FFT32/FFT64 with inverse=true divide by N, so inverse(forward(x)) == x
// up to rounding. RFFT returns X[k] for 0 ≤ k_{d-1} ≤ n_{d-1}/2; the other
// half follows from Hermitian symmetry X[-k] = conj(X[k]). IRFFT takes such
// a half spectrum as the half of a Hermitian one, as numpy.fft.irfftn does:
// parts that symmetry determines (for example the imaginary parts of the
// DC and, for even n_{d-1}, the Nyquist bins in 1-D) are ignored.
//
// Length mismatches, ranks outside 1..3, non-positive dimensions and
// partially overlapping FFT arguments are programmer errors: the functions
// panic with a message that names the sizes. howmany == 0 is a no-op.
//
// # Backends and licences
//
// Default builds call FFTW 3 (libfftw3 and libfftw3f) through cgo; FFTW is
// GPL-licensed, and so is a binary that links it (unless you hold a
// commercial FFTW licence). Building with -tags purego replaces it with a
// pure-Go implementation on gonum.org/v1/gonum/dsp/fourier (BSD), which
// links no C at all, works for every length and has the same API and
// semantics; it is one to two orders of magnitude slower. Backend reports
// which is linked.
//
// # Plans, threads and determinism
//
// Plans are created on first use with FFTW_ESTIMATE (never by timing, as
// FFTW_MEASURE would) and cached for the life of the process, keyed by
// kind, dtype, dims and the number of signals per chunk. FFTW's planner is
// not thread safe, so plan creation is serialised by a mutex; execution
// uses FFTW's new-array execute functions, which are. Every function in
// this package is safe for concurrent use.
//
// A batch is cut into chunks of about 65536 elements (a whole number of
// signals, a multiple of 4 when possible). The cut depends only on dims and
// howmany; chunks run on the calling goroutine and on up to GOMAXPROCS-1
// helper goroutines. FFTW plans are made for 16-byte aligned arrays; a
// chunk at another address, an in-place complex transform and every c2r
// input (FFTW's c2r overwrites its input) are staged through aligned
// scratch, so src is never modified (except by an in-place FFT).
//
// As a result the bits of every output depend only on the input values,
// dims, howmany, the dtype and the backend — not on GOMAXPROCS, goroutine
// scheduling, memory addresses, or whether an FFT call was in place. (They
// may differ between backends, between FFTW builds, and between CPUs with
// different SIMD support, since FFTW picks codelets by CPU features; and a
// signal transformed alone, howmany == 1, may round differently from the
// same signal inside a batch.)
//
// # Allocation
//
// Once a shape has been planned, a call allocates nothing: tasks and
// scratch buffers come from pools and the helper goroutines are persistent.
package fft
