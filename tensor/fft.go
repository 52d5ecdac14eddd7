package tensor

import (
	"fmt"
	"slices"

	"github.com/sciml-go/sciml/internal/fft"
)

// Discrete Fourier transforms over the trailing 1, 2 or 3 axes of a
// tensor; the leading axes are a batch. With d transformed axes of sizes
// n = (n_0, …, n_{d-1}), N = n_0·…·n_{d-1} and k·j/n = Σ_a k_a·j_a/n_a:
//
//	FFT    Z[k] = Σ_j z[j] · exp(−2πi k·j/n)          (unscaled)
//	IFFT   z[j] = (1/N) Σ_k Z[k] · exp(+2πi k·j/n)
//	RFFT   the k_{d-1} ≤ n_{d-1}/2 half of FFT(x) for real x: shape
//	       [n_0, …, n_{d-2}, h] with h = n_{d-1}/2 + 1 (integer division)
//	IRFFT  x[j] = (1/N) Re Σ_{k in half} c_k · z[k] · exp(+2πi k·j/n),
//	       c_k = 1 for k_{d-1} = 0 and (n_{d-1} even) k_{d-1} = n_{d-1}/2,
//	       c_k = 2 for the other ("interior") bins
//
// which is numpy.fft's default normalisation. The IRFFT formula holds for
// any half spectrum, Hermitian or not: it is what FFTW, the pure-Go backend
// and numpy.fft.irfftn compute (the imaginary parts of the DC and Nyquist
// bins of the last axis cancel in 1-D, and in more dimensions only the
// Hermitian part of those planes matters). For the half spectrum of a
// real signal it inverts RFFT.
//
// Gradients follow the complex convention ∂L/∂Re z + i·∂L/∂Im z. FFT and
// IFFT are complex-linear, so their adjoints are A^H: the adjoint of FFT is
// N·IFFT and that of IFFT is FFT/N. RFFT (real → complex) has the adjoint
// g ↦ Re(A^H g) = Re Σ_{k in half} g[k]·exp(+2πi k·j/n), which is
// N·IRFFT(w⊙g) with w = 1 on the DC/Nyquist bins and 1/2 on the interior
// ones (IRFFT doubles the interior bins). IRFFT (complex → real, linear
// over the reals) has the adjoint g ↦ (c_k/N)·RFFT(g)[k]: weight 1/N on
// the DC/Nyquist bins and 2/N on the interior ones. Both are written with
// RFFT, IRFFT and a real diagonal weighting, so they are themselves
// differentiable and higher derivatives work.

// fftLayout checks that the last ndims axes of x can be transformed and
// returns the batch count and the transformed sizes.
func fftLayout(op string, x *Tensor, ndims int) (howmany int, dims []int) {
	if ndims < 1 || ndims > 3 || x.NDim() < ndims {
		panic(fmt.Sprintf("tensor.%s: cannot transform the last %d axes of shape %v (want 1, 2 or 3 axes)", op, ndims, x.shape))
	}
	k := x.NDim() - ndims
	dims = slices.Clone(x.shape[k:])
	for _, d := range dims {
		if d < 1 {
			panic(fmt.Sprintf("tensor.%s: empty transform axis in shape %v", op, x.shape))
		}
	}
	return numel(x.shape[:k]), dims
}

// halfLen is the number of bins of the half spectrum of a real axis of length n.
func halfLen(n int) int { return n/2 + 1 }

// RFFT returns the half spectrum of the real tensor x over its last ndims
// axes (1 to 3): for x of shape [..., n_0, ..., n_{d-1}] a complex tensor
// of shape [..., n_0, ..., n_{d-2}, n_{d-1}/2+1] (Float32 → Complex64,
// Float64 → Complex128), unscaled, as numpy.fft.rfftn. Its gradient is
// N·IRFFT(w⊙g) with w = 1 on the DC and Nyquist bins of the last axis and
// 1/2 on the others (see the comment at the top of fft.go).
func RFFT(x *Tensor, ndims int) *Tensor {
	if x.dtype.IsComplex() {
		panic(fmt.Sprintf("tensor.RFFT: complex input %v%v (use FFT)", x.dtype, x.shape))
	}
	howmany, dims := fftLayout("RFFT", x, ndims)
	shape := slices.Clone(x.shape)
	shape[len(shape)-1] = halfLen(dims[ndims-1])
	out := alloc(arenaOf(x), x.dtype.Complex(), shape, false)
	switch x.dtype {
	case Float32:
		fft.RFFT32(out.Complex64s(), x.Float32s(), dims, howmany)
	case Float64:
		fft.RFFT64(out.Complex128s(), x.Float64s(), dims, howmany)
	}
	return record(out, "RFFT", func(g *Tensor, _ []*Tensor, _ *Tensor, _ []bool) []*Tensor {
		return []*Tensor{rfftAdjoint(g, dims)}
	}, x)
}

// IRFFT returns the real signal of spatial sizes sizes (1 to 3 trailing
// axes) whose half spectrum is z: z has shape [..., s_0, ..., s_{d-2},
// s_{d-1}/2+1] and the result [..., s_0, ..., s_{d-1}], scaled by
// 1/(s_0·…·s_{d-1}), as numpy.fft.irfftn(z, s=sizes) when the shapes
// match. The sizes are explicit because the half spectrum does not say
// whether the last axis is even or odd. Complex64 → Float32, Complex128 →
// Float64. Use PadModes or TruncateModes to change the number of modes
// first. The gradient is (c_k/N)·RFFT(g) (see the comment at the top of
// fft.go).
func IRFFT(z *Tensor, sizes ...int) *Tensor {
	if !z.dtype.IsComplex() {
		panic(fmt.Sprintf("tensor.IRFFT: real input %v%v (want a complex half spectrum)", z.dtype, z.shape))
	}
	d := len(sizes)
	howmany, hdims := fftLayout("IRFFT", z, d)
	dims := slices.Clone(sizes)
	for i, s := range dims {
		want := s
		if i == d-1 {
			want = halfLen(s)
		}
		if s < 1 || hdims[i] != want {
			panic(fmt.Sprintf("tensor.IRFFT: half spectrum of shape %v does not belong to a real signal of sizes %v (trailing axes must be %v)",
				z.shape, sizes, halfShape(sizes)))
		}
	}
	shape := slices.Clone(z.shape)
	copy(shape[len(shape)-d:], dims)
	out := alloc(arenaOf(z), z.dtype.Real(), shape, false)
	switch z.dtype {
	case Complex64:
		fft.IRFFT32(out.Float32s(), z.Complex64s(), dims, howmany)
	case Complex128:
		fft.IRFFT64(out.Float64s(), z.Complex128s(), dims, howmany)
	}
	return record(out, "IRFFT", func(g *Tensor, _ []*Tensor, _ *Tensor, _ []bool) []*Tensor {
		return []*Tensor{irfftAdjoint(g, dims)}
	}, z)
}

// halfShape returns the half-spectrum shape of a real signal of the given sizes.
func halfShape(sizes []int) []int {
	h := slices.Clone(sizes)
	if len(h) > 0 {
		h[len(h)-1] = halfLen(h[len(h)-1])
	}
	return h
}

// rfftAdjoint is the adjoint of RFFT over real signals of sizes dims:
// g ↦ N·IRFFT(w⊙g), w = 1 (DC, Nyquist) or 1/2 (interior).
func rfftAdjoint(g *Tensor, dims []int) *Tensor {
	n := float64(numel(dims))
	return IRFFT(hermWeight(g, dims[len(dims)-1], n, n/2), dims...)
}

// irfftAdjoint is the adjoint of IRFFT to real signals of sizes dims:
// g ↦ (c_k/N)·RFFT(g)[k], c_k = 1 (DC, Nyquist) or 2 (interior).
func irfftAdjoint(g *Tensor, dims []int) *Tensor {
	n := float64(numel(dims))
	return hermWeight(RFFT(g, len(dims)), dims[len(dims)-1], 1/n, 2/n)
}

// hermWeight multiplies the last axis of the half spectrum z of a real
// signal whose last axis has length n by edge on the DC bin and (n even)
// the Nyquist bin, and by interior on the other bins. It is a real
// diagonal map, hence its own adjoint.
func hermWeight(z *Tensor, n int, edge, interior float64) *Tensor {
	h := z.shape[len(z.shape)-1]
	if h != halfLen(n) {
		panic(fmt.Sprintf("tensor: half spectrum %v does not match a last axis of length %d", z.shape, n))
	}
	w := make([]float64, h)
	for k := range w {
		if k == 0 || 2*k == n {
			w[k] = edge
		} else {
			w[k] = interior
		}
	}
	out := alloc(arenaOf(z), z.dtype, slices.Clone(z.shape), false)
	switch d := out.data.(type) {
	case []complex64:
		scaleRows(d, z.Complex64s(), w)
	case []complex128:
		scaleRows(d, z.Complex128s(), w)
	default:
		panic(fmt.Sprintf("tensor: hermWeight of real %v", z.dtype))
	}
	return record(out, "HermWeight", func(g *Tensor, _ []*Tensor, _ *Tensor, _ []bool) []*Tensor {
		return []*Tensor{hermWeight(g, n, edge, interior)}
	}, z)
}

// scaleRows sets dst[r·h+k] = w[k]·src[r·h+k] with h = len(w).
func scaleRows[T complex64 | complex128](dst, src []T, w []float64) {
	h := len(w)
	wc := make([]T, h)
	for k, v := range w {
		wc[k] = T(complex(v, 0))
	}
	rows := len(dst) / max(h, 1)
	parallelRange(rows, max(1, grain/max(h, 1)), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			d, s := dst[r*h:(r+1)*h], src[r*h:(r+1)*h]
			for k := range d {
				d[k] = s[k] * wc[k]
			}
		}
	})
}

// FFT returns the complex DFT of z over its last ndims axes (1 to 3),
// unscaled, as numpy.fft.fftn. A real z is promoted to complex first. The
// gradient is N·IFFT(g).
func FFT(z *Tensor, ndims int) *Tensor { return fftOp(z, ndims, false, 1) }

// IFFT returns the inverse complex DFT of z over its last ndims axes (1 to
// 3), scaled by 1/N, as numpy.fft.ifftn. A real z is promoted to complex
// first. The gradient is FFT(g)/N.
func IFFT(z *Tensor, ndims int) *Tensor { return fftOp(z, ndims, true, 1) }

// fftOp returns s·FFT(z) (inverse false) or s·IFFT(z) (inverse true).
// The adjoint of s·F is s·F^H = s·N·F⁻¹, that of s·F⁻¹ = (s/N)·F^H is
// (s/N)·F.
func fftOp(z *Tensor, ndims int, inverse bool, s float64) *Tensor {
	op := "FFT"
	if inverse {
		op = "IFFT"
	}
	if !z.dtype.IsComplex() {
		z = Complex(z, nil)
	}
	howmany, dims := fftLayout(op, z, ndims)
	out := alloc(arenaOf(z), z.dtype, slices.Clone(z.shape), false)
	switch d := out.data.(type) {
	case []complex64:
		fft.FFT32(d, z.Complex64s(), dims, howmany, inverse)
		if s != 1 {
			scaleInPlace(d, complex64(complex(s, 0)))
		}
	case []complex128:
		fft.FFT64(d, z.Complex128s(), dims, howmany, inverse)
		if s != 1 {
			scaleInPlace(d, complex(s, 0))
		}
	}
	n := float64(numel(dims))
	return record(out, op, func(g *Tensor, _ []*Tensor, _ *Tensor, _ []bool) []*Tensor {
		if inverse {
			return []*Tensor{fftOp(g, ndims, false, s/n)}
		}
		return []*Tensor{fftOp(g, ndims, true, s*n)}
	}, z)
}

// scaleInPlace multiplies x by the real number s (given as a complex with
// zero imaginary part).
func scaleInPlace[T complex64 | complex128](x []T, s T) {
	parallelRange(len(x), grain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			x[i] *= s
		}
	})
}
