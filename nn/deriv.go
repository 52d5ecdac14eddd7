package nn

import (
	"fmt"
	"math"

	"github.com/sciml-go/sciml/internal/fft"
	"github.com/sciml-go/sciml/tensor"
)

// Deriv selects how H1 differentiates a sampled function.
type Deriv uint8

const (
	// DerivAuto is DerivSpectral on periodic grids and DerivFD otherwise.
	DerivAuto Deriv = iota
	// DerivSpectral differentiates the trigonometric interpolant (periodic
	// grids only): û_k ↦ (2πik/L)·û_k by FFT, with the Nyquist mode of an
	// even length set to zero. It is exact for band-limited functions.
	DerivSpectral
	// DerivFD uses second-order central differences (u_{j+1} −
	// u_{j−1})/(2h), wrapping around on periodic grids and with the
	// second-order one-sided formulas (∓3u_0 ± 4u_1 ∓ u_2)/(2h) at the ends
	// of non-periodic ones.
	DerivFD
)

// String returns "auto", "spectral" or "fd".
func (d Deriv) String() string {
	switch d {
	case DerivAuto:
		return "auto"
	case DerivSpectral:
		return "spectral"
	case DerivFD:
		return "fd"
	}
	return fmt.Sprintf("Deriv(%d)", uint8(d))
}

// diffOp is the derivative along the last axis of length n: a linear map
// applied to every row.
type diffOp struct {
	n        int
	spectral bool
	length   float64 // period (spectral)
	// sparse rows (finite differences): row i of the matrix is
	// Σ_k c[i][k]·x[j[i][k]].
	j [][]int
	c [][]float64
}

// newDiffOp returns the derivative along an axis of n samples with
// spacing h (finite differences) or period length (spectral).
func newDiffOp(n int, h, length float64, periodic, spectral bool) *diffOp {
	op := &diffOp{n: n, spectral: spectral, length: length}
	if spectral {
		return op
	}
	op.j = make([][]int, n)
	op.c = make([][]float64, n)
	s := 1 / (2 * h)
	for i := range n {
		switch {
		case n == 1:
			// a constant: zero derivative
		case periodic:
			op.j[i] = []int{(i + 1) % n, (i - 1 + n) % n}
			op.c[i] = []float64{s, -s}
		case n == 2:
			op.j[i] = []int{1, 0}
			op.c[i] = []float64{1 / h, -1 / h}
		case i == 0:
			op.j[i] = []int{0, 1, 2}
			op.c[i] = []float64{-3 * s, 4 * s, -s}
		case i == n-1:
			op.j[i] = []int{n - 1, n - 2, n - 3}
			op.c[i] = []float64{3 * s, -4 * s, s}
		default:
			op.j[i] = []int{i + 1, i - 1}
			op.c[i] = []float64{s, -s}
		}
	}
	return op
}

// apply returns D·x (or Dᵀ·x when adjoint) along the last axis of x, as a
// recorded operation whose backward is the other one.
func (op *diffOp) apply(x *tensor.Tensor, adjoint bool) *tensor.Tensor {
	if x.Dim(-1) != op.n {
		panic(fmt.Sprintf("nn: derivative of length %d applied to shape %v", op.n, x.Shape()))
	}
	out := tensor.Empty(x.DType(), x.Shape(), x)
	switch x.DType() {
	case tensor.Float32:
		if op.spectral {
			spectral32(out.Float32s(), x.Float32s(), op.n, op.length, adjoint)
		} else {
			sparseRows(out.Float32s(), x.Float32s(), op, adjoint)
		}
	case tensor.Float64:
		if op.spectral {
			spectral64(out.Float64s(), x.Float64s(), op.n, op.length, adjoint)
		} else {
			sparseRows(out.Float64s(), x.Float64s(), op, adjoint)
		}
	default:
		panic(fmt.Sprintf("nn: derivative of a %v tensor", x.DType()))
	}
	return tensor.Record(out, "Deriv", func(g *tensor.Tensor, _ []*tensor.Tensor, _ *tensor.Tensor, _ []bool) []*tensor.Tensor {
		return []*tensor.Tensor{op.apply(g, !adjoint)}
	}, x)
}

func sparseRows[T tensor.Float](dst, src []T, op *diffOp, adjoint bool) {
	n := op.n
	parallelRows(len(src)/n, n, func(lo, hi int) {
		acc := make([]float64, n)
		for r := lo; r < hi; r++ {
			x, y := src[r*n:(r+1)*n], dst[r*n:(r+1)*n]
			clear(acc)
			for i := range n {
				for k, j := range op.j[i] {
					if adjoint {
						acc[j] += op.c[i][k] * float64(x[i])
					} else {
						acc[i] += op.c[i][k] * float64(x[j])
					}
				}
			}
			for i := range n {
				y[i] = T(acc[i])
			}
		}
	})
}

// parallelRows runs f on chunks [lo, hi) of rows rows of length n, on up to
// tensor.Threads() goroutines. Rows are independent, so the results do not
// depend on the number of goroutines.
func parallelRows(rows, n int, f func(lo, hi int)) {
	const grain = 1 << 15 // elements per chunk
	per := max(1, grain/max(n, 1))
	tensor.ParallelFor((rows+per-1)/per, func(c int) { f(c*per, min(rows, (c+1)*per)) })
}

// spectralFactor returns the multiplier of mode k: 2πk/L (zero at the
// Nyquist mode of an even length), negated for the adjoint.
func spectralFactor(k, n int, length float64, adjoint bool) float64 {
	if 2*k == n {
		return 0
	}
	f := 2 * math.Pi * float64(k) / length
	if adjoint {
		f = -f
	}
	return f
}

func spectral64(dst, src []float64, n int, length float64, adjoint bool) {
	rows := len(src) / n
	m := n/2 + 1
	spec := make([]complex128, rows*m)
	fft.RFFT64(spec, src, []int{n}, rows)
	for r := range rows {
		for k := range m {
			f := spectralFactor(k, n, length, adjoint)
			c := spec[r*m+k]
			spec[r*m+k] = complex(-f*imag(c), f*real(c)) // i·f·c
		}
	}
	fft.IRFFT64(dst, spec, []int{n}, rows)
}

func spectral32(dst, src []float32, n int, length float64, adjoint bool) {
	rows := len(src) / n
	m := n/2 + 1
	spec := make([]complex64, rows*m)
	fft.RFFT32(spec, src, []int{n}, rows)
	for r := range rows {
		for k := range m {
			f := float32(spectralFactor(k, n, length, adjoint))
			c := spec[r*m+k]
			spec[r*m+k] = complex(-f*imag(c), f*real(c))
		}
	}
	fft.IRFFT32(dst, spec, []int{n}, rows)
}

// derivative returns ∂x/∂(axis) on a grid along that axis of the given
// length: n samples with spacing L/n (periodic) or L/(n−1).
func derivative(x *tensor.Tensor, axis int, length float64, periodic bool, method Deriv) *tensor.Tensor {
	if axis < 0 {
		axis += x.NDim()
	}
	n := x.Dim(axis)
	spectral := method == DerivSpectral || (method == DerivAuto && periodic)
	if spectral && !periodic {
		panic("nn: spectral derivatives need a periodic grid")
	}
	op := newDiffOp(n, spacing(n, length, periodic), length, periodic, spectral)
	last := x.NDim() - 1
	if axis == last {
		return op.apply(x, false)
	}
	return tensor.Transpose(op.apply(tensor.Transpose(x, axis, last), false), axis, last)
}

// spacing is the distance between grid points: L/n on a periodic grid
// (endpoint excluded), L/(n−1) otherwise (both endpoints sampled).
func spacing(n int, length float64, periodic bool) float64 {
	if periodic || n == 1 {
		return length / float64(n)
	}
	return length / float64(n-1)
}
