package tensor

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"unsafe"

	"github.com/sciml-go/sciml/internal/blas"
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

// Transforms restricted to kept modes, for the fused spectral layers.
//
// A modeGrid is a real grid with the kept modes of a spectral layer (see
// TruncateModes for the layout). analyze computes the unscaled forward
// DFT of real signals at the kept modes only,
//
//	Z[q] = Σ_j x[j] · exp(−2πi k_q·j/n),
//
// and synthesize the real signals x[j] = Re Σ_q Z[q] · exp(+2πi k_q·j/n),
// which is IRFFT(N/c ⊙ PadModes(Z)) and also the adjoint of analyze
// (RFFT's adjoint applied to zero-padded modes). Two engines compute them:
//
//   - FFT: a full RFFT / IRFFT with a gather from / scatter into the half
//     spectrum;
//   - GEMM: the truncated DFT as matrix products, a real GEMM with the
//     [n × 2m] cos/sin matrix on the last axis (its output is the complex
//     kept bins, interleaved) and a batched complex GEMM with the [2m × n]
//     DFT matrix on each other axis, last to first. It does O(n·m) work
//     per axis instead of O(n log n), but at GEMM speed and only on the
//     kept modes, which wins when few modes are kept (an FNO keeps 12–16
//     of 64–1024 per axis): for 85×85 grids with 12×12 modes it is ~5×
//     faster than FFTW's r2c of size 5·17.
//
// The engine is chosen from the sizes alone (a flop-count model), so the
// bits of a result do not depend on anything else.

// modeGrid is a real grid of sizes with the kept modes of a spectral layer.
type modeGrid struct {
	sizes, modes, mshape []int
	n, nh, m             int   // points, half-spectrum bins, kept modes
	off                  []int // flat offset of each kept mode in the half spectrum
	last                 []int // last-axis index of each kept mode
	gemm                 bool  // engine: DFT by GEMM, or FFT + gather/scatter
}

// modeEngine forces an engine in tests: 0 chooses by cost, 1 FFT, 2 GEMM.
var modeEngine int

func newModeGrid(sizes, modes []int) modeGrid {
	d := len(sizes)
	g := modeGrid{sizes: slices.Clone(sizes), modes: slices.Clone(modes), mshape: make([]int, d)}
	for a, m := range modes {
		g.mshape[a] = 2 * m
	}
	g.mshape[d-1] = modes[d-1]
	g.n, g.nh, g.m = numel(sizes), numel(halfShape(sizes)), numel(g.mshape)
	hs := halfShape(sizes)
	g.off = make([]int, g.m)
	g.last = make([]int, g.m)
	for q := range g.m {
		r, o, stride := q, 0, 1
		for a := d - 1; a >= 0; a-- {
			i := r % g.mshape[a]
			r /= g.mshape[a]
			if a < d-1 && i >= modes[a] {
				i += sizes[a] - 2*modes[a]
			}
			if a == d-1 {
				g.last[q] = i
			}
			o += i * stride
			stride *= hs[a]
		}
		g.off[q] = o
	}
	switch modeEngine {
	case 1:
		g.gemm = false
	case 2:
		g.gemm = true
	default:
		g.gemm = g.gemmFlops() <= 4*2.5*float64(g.n)*math.Log2(float64(g.n))
	}
	return g
}

// edge reports whether kept mode q is a DC or Nyquist bin of the last axis.
func (g *modeGrid) edge(q int) bool {
	l := g.last[q]
	return l == 0 || 2*l == g.sizes[len(g.sizes)-1]
}

// gemmFlops is the flop count of analyze (or synthesize) by GEMM per signal.
func (g *modeGrid) gemmFlops() float64 {
	d := len(g.sizes)
	f := 2 * float64(g.n) * float64(g.mshape[d-1]*2)
	for a := d - 2; a >= 0; a-- {
		f += 8 * float64(g.mshape[a]*g.sizes[a]*numel(g.sizes[:a])*numel(g.mshape[a+1:]))
	}
	return f
}

// specBackend binds the transforms and GEMMs of one precision.
type specBackend[R float32 | float64, C complex64 | complex128] struct {
	cdt   DType
	rfft  func(dst []C, src []R, dims []int, howmany int)
	irfft func(dst []R, src []C, dims []int, howmany int)
	rgemm func(tA, tB bool, m, n, k int, alpha R, a []R, lda int, b []R, ldb int, beta R, c []R, ldc int)
	cgemm func(tA, tB bool, m, n, k int, alpha C, a []C, lda, sa int, b []C, ldb, sb int, beta C, c []C, ldc, sc, count int)
}

var (
	spec32 = specBackend[float32, complex64]{Complex64, fft.RFFT32, fft.IRFFT32, blas.Sgemm, blas.CgemmBatched}
	spec64 = specBackend[float64, complex128]{Complex128, fft.RFFT64, fft.IRFFT64, blas.Dgemm, blas.ZgemmBatched}
)

// scratch returns n complex elements from ar (the heap when nil).
func (k specBackend[R, C]) scratch(ar *Arena, n int, zero bool) []C {
	return alloc(ar, k.cdt, []int{n}, zero).data.([]C)
}

// asReals views complex storage as interleaved real and imaginary parts.
func asReals[R float32 | float64, C complex64 | complex128](c []C) []R {
	return unsafe.Slice((*R)(unsafe.Pointer(unsafe.SliceData(c))), 2*len(c))
}

// analyze sets zk[h·M+q] = Σ_j x[h, j] exp(−2πi k_q·j/n) for the H signals
// of x (row-major [H, sizes...]).
func (k specBackend[R, C]) analyze(ar *Arena, g *modeGrid, zk []C, x []R, H int) {
	M := g.m
	if !g.gemm {
		xh := k.scratch(ar, H*g.nh, false)
		k.rfft(xh, x, g.sizes, H)
		parallelRange(H, max(1, grain/max(M, 1)), func(lo, hi int) {
			for h := lo; h < hi; h++ {
				src, dst := xh[h*g.nh:(h+1)*g.nh], zk[h*M:(h+1)*M]
				for q, off := range g.off {
					dst[q] = src[off]
				}
			}
		})
		return
	}
	d := len(g.sizes)
	n, m := g.sizes[d-1], g.mshape[d-1]
	rows := H * g.n / n
	cur := zk
	if d > 1 {
		cur = k.scratch(ar, rows*m, false)
	}
	k.rgemm(false, false, rows, 2*m, n, 1, x, n, dftMatrix[R](dftAnaLast, n, m), 2*m, 0, asReals[R](cur), 2*m)
	for a := d - 2; a >= 0; a-- {
		na, ka := g.sizes[a], g.mshape[a]
		count, inner := H*numel(g.sizes[:a]), numel(g.mshape[a+1:])
		next := zk
		if a > 0 {
			next = k.scratch(ar, count*ka*inner, false)
		}
		k.cgemm(false, false, ka, inner, na, 1, dftMatrix[C](dftAnaFull, na, ka/2), na, 0,
			cur, inner, na*inner, 0, next, inner, ka*inner, count)
		cur = next
	}
}

// synthesize sets out[h, j] = Re Σ_q zk[h·M+q] exp(+2πi k_q·j/n) for H
// signals.
func (k specBackend[R, C]) synthesize(ar *Arena, g *modeGrid, out []R, zk []C, H int) {
	M := g.m
	if !g.gemm {
		// IRFFT computes (1/N) Re Σ c_k z_k e^{+iθ}: feed it N/c_q ⊙ Z.
		wq := make([]C, M)
		for q := range wq {
			c := 2.0
			if g.edge(q) {
				c = 1
			}
			wq[q] = C(complex(float64(g.n)/c, 0))
		}
		yh := k.scratch(ar, H*g.nh, true)
		parallelRange(H, max(1, grain/max(M, 1)), func(lo, hi int) {
			for h := lo; h < hi; h++ {
				src, dst := zk[h*M:(h+1)*M], yh[h*g.nh:(h+1)*g.nh]
				for q, off := range g.off {
					dst[off] = src[q] * wq[q]
				}
			}
		})
		k.irfft(out, yh, g.sizes, H)
		return
	}
	d := len(g.sizes)
	cur := zk
	for a := 0; a < d-1; a++ {
		na, ka := g.sizes[a], g.mshape[a]
		count, inner := H*numel(g.sizes[:a]), numel(g.mshape[a+1:])
		next := k.scratch(ar, count*na*inner, false)
		k.cgemm(false, false, na, inner, ka, 1, dftMatrix[C](dftSynFull, na, ka/2), ka, 0,
			cur, inner, ka*inner, 0, next, inner, na*inner, count)
		cur = next
	}
	n, m := g.sizes[d-1], g.mshape[d-1]
	k.rgemm(false, false, H*g.n/n, n, 2*m, 1, asReals[R](cur), 2*m, dftMatrix[R](dftSynLast, n, m), n, 0, out, n)
}

// scaleModes multiplies entry q of every row of x (rows of len(w)) by w[q].
func scaleModes[C complex64 | complex128](x []C, w []float64) {
	M := len(w)
	wc := make([]C, M)
	for q, v := range w {
		wc[q] = C(complex(v, 0))
	}
	parallelRange(len(x)/max(M, 1), max(1, grain/max(M, 1)), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			row := x[r*M : (r+1)*M]
			for q := range row {
				row[q] *= wc[q]
			}
		}
	})
}

// DFT matrices of the GEMM engine, built once per size in float64 with
// exact argument reduction and cached.
const (
	dftAnaLast = iota // real [n × 2m]: columns cos θ, −sin θ of bins 0..m−1
	dftSynLast        // real [2m × n]: rows cos θ, −sin θ (Re((a+ib)e^{iθ}) = a cos θ − b sin θ)
	dftAnaFull        // complex [2m × n]: exp(−iθ) for the kept indices
	dftSynFull        // complex [n × 2m]: exp(+iθ)
)

type dftKey struct {
	kind, n, m int
	t          DType
}

var dftCache sync.Map

func dftMatrix[T Scalar](kind, n, m int) []T {
	var t DType
	switch any(*new(T)).(type) {
	case float32:
		t = Float32
	case float64:
		t = Float64
	case complex64:
		t = Complex64
	case complex128:
		t = Complex128
	}
	key := dftKey{kind, n, m, t}
	if v, ok := dftCache.Load(key); ok {
		return v.([]T)
	}
	angle := func(k, j int) (c, s float64) {
		s, c = math.Sincos(2 * math.Pi * float64(k*j%n) / float64(n))
		return c, s
	}
	kept := func(r int) int { // index of kept position r on a full axis
		if r < m {
			return r
		}
		return n - 2*m + r
	}
	var out []T
	switch kind {
	case dftAnaLast, dftSynLast:
		v := make([]float64, 2*m*n)
		for j := range n {
			for k := range m {
				c, s := angle(k, j)
				if kind == dftAnaLast {
					v[j*2*m+2*k], v[j*2*m+2*k+1] = c, -s
				} else {
					v[2*k*n+j], v[(2*k+1)*n+j] = c, -s
				}
			}
		}
		out = convertReals[T](v)
	default:
		v := make([]complex128, 2*m*n)
		for r := range 2 * m {
			for j := range n {
				c, s := angle(kept(r), j)
				if kind == dftAnaFull {
					v[r*n+j] = complex(c, -s)
				} else {
					v[j*2*m+r] = complex(c, s)
				}
			}
		}
		out = convertComplex[T](v)
	}
	v, _ := dftCache.LoadOrStore(key, out)
	return v.([]T)
}

func convertReals[T Scalar](v []float64) []T {
	out := make([]T, len(v))
	switch o := any(out).(type) {
	case []float32:
		for i, x := range v {
			o[i] = float32(x)
		}
	case []float64:
		copy(o, v)
	default:
		panic("tensor: real DFT matrix of a complex type")
	}
	return out
}

func convertComplex[T Scalar](v []complex128) []T {
	out := make([]T, len(v))
	switch o := any(out).(type) {
	case []complex64:
		for i, x := range v {
			o[i] = complex64(x)
		}
	case []complex128:
		copy(o, v)
	default:
		panic("tensor: complex DFT matrix of a real type")
	}
	return out
}
