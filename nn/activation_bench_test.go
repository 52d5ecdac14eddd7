package nn

import (
	"math"
	"testing"

	"github.com/sciml-go/sciml/tensor"
)

// Fused activation kernels against the same functions composed from
// tensor operations, forward and forward+backward, on 2^16 float32s.

func benchAct(b *testing.B, f func(*tensor.Tensor) *tensor.Tensor, backward bool) {
	x := tensor.RandN(rng(1), tensor.Float32, 1<<16)
	if backward {
		x.SetRequiresGrad(true)
	}
	b.SetBytes(4 << 16)
	for b.Loop() {
		y := f(x)
		if backward {
			tensor.Grad1(y, x, false)
		}
	}
}

func composedGELU(x *tensor.Tensor) *tensor.Tensor {
	return tensor.Mul(x, tensor.Scale(tensor.AddScalar(tensor.Erf(tensor.Scale(x, 1/math.Sqrt2)), 1), 0.5))
}

func composedSiLU(x *tensor.Tensor) *tensor.Tensor { return tensor.Mul(x, tensor.Sigmoid(x)) }

func BenchmarkActivationGELUFused(b *testing.B)    { benchAct(b, geluFn.of, false) }
func BenchmarkActivationGELUComposed(b *testing.B) { benchAct(b, composedGELU, false) }
func BenchmarkActivationGELUFusedBackward(b *testing.B) {
	benchAct(b, geluFn.of, true)
}
func BenchmarkActivationGELUComposedBackward(b *testing.B) { benchAct(b, composedGELU, true) }
func BenchmarkActivationSiLUFused(b *testing.B)            { benchAct(b, siluFn.of, false) }
func BenchmarkActivationSiLUComposed(b *testing.B)         { benchAct(b, composedSiLU, false) }
func BenchmarkActivationSiLUFusedBackward(b *testing.B)    { benchAct(b, siluFn.of, true) }
func BenchmarkActivationSiLUComposedBackward(b *testing.B) { benchAct(b, composedSiLU, true) }
func BenchmarkActivationFewBitGELU2Backward(b *testing.B) {
	fb, err := NewFewBit(MustActivation("gelu"), 2)
	if err != nil {
		b.Fatal(err)
	}
	benchAct(b, fb.Forward, true)
}

// composedBSpline is Cox–de Boor's recurrence as tensor operations.
func composedBSpline(x *tensor.Tensor, lo, h float64, grid, order int) *tensor.Tensor {
	nk := grid + 2*order + 1
	knots := make([]float64, nk)
	for j := range knots {
		knots[j] = lo + float64(j-order)*h
	}
	xe := tensor.Unsqueeze(x, -1)
	lower := tensor.FromFloat64s(x.DType(), knots[:nk-1], nk-1)
	b := constMap(tensor.Sub(xe, lower), "Step0", func(v float64) float64 { return b2f(v >= 0 && v < h) })
	for p := 1; p <= order; p++ {
		m := nk - 1 - p
		tl := tensor.FromFloat64s(x.DType(), knots[:m], m)
		tr := tensor.FromFloat64s(x.DType(), knots[p+1:p+1+m], m)
		left := tensor.Scale(tensor.Sub(xe, tl), 1/(float64(p)*h))
		right := tensor.Scale(tensor.Sub(tr, xe), 1/(float64(p)*h))
		b = tensor.Add(tensor.Mul(left, tensor.Narrow(b, -1, 0, m)), tensor.Mul(right, tensor.Narrow(b, -1, 1, m)))
	}
	return b
}

func benchBSpline(b *testing.B, f func(*tensor.Tensor) *tensor.Tensor) {
	x := tensor.RandU(rng(1), tensor.Float32, -1, 1, 65536, 2).SetRequiresGrad(true)
	for b.Loop() {
		y := f(x)
		tensor.Grad([]*tensor.Tensor{y}, []*tensor.Tensor{x}, []*tensor.Tensor{tensor.Full(tensor.Float32, 1, y.Shape()...)}, false)
	}
}

func BenchmarkActivationBSplineFused(b *testing.B) {
	benchBSpline(b, func(x *tensor.Tensor) *tensor.Tensor { return bsplineBasis(x, -1, 0.4, 5, 3, 3) })
}

func BenchmarkActivationBSplineComposed(b *testing.B) {
	benchBSpline(b, func(x *tensor.Tensor) *tensor.Tensor { return composedBSpline(x, -1, 0.4, 5, 3) })
}

func TestComposedBSplineMatches(t *testing.T) {
	x := tensor.RandU(rng(2), tensor.Float64, -2.5, 2.5, 50)
	closeTo(t, "composed B-spline", composedBSpline(x, -1, 0.4, 5, 3).Float64s(), bsplineBasis(x, -1, 0.4, 5, 3, 3).Float64s(), 1e-12)
}
