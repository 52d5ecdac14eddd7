package inr

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"github.com/sciml-go/sciml/tensor"
)

// gaborRef is ψ(a + ib) = exp(iω(a + ib) − s²|a + ib|²) in complex128.
func gaborRef(a, b, omega, s float64) complex128 {
	z := complex(a, b)
	return cmplx.Exp(complex(0, omega)*z - complex(s*s*(a*a+b*b), 0))
}

// gaborInput is an [n, h] (real) or [n, 2h] (complex) pre-activation with
// entries of standard deviation sd, in d.
func gaborInput(d tensor.DType, n, h int, cplx bool, sd float64, seed uint64) *tensor.Tensor {
	w := h
	if cplx {
		w = 2 * h
	}
	r := rand.New(rand.NewPCG(seed, 1))
	return tensor.Scale(tensor.RandN(r, d, n, w), sd)
}

// TestGaborActValues checks gaborAct against complex128 arithmetic: to
// rounding in float64, and in float32 within an error model of the
// kernels — the rounding of the exponent e and of ω·a (each costs its size
// times 2⁻²⁴) plus a few ulps of exp, sincos and the product.
func TestGaborActValues(t *testing.T) {
	const omega, s = 20.0, 30.0 // WIRE's defaults
	for _, cplx := range []bool{false, true} {
		for _, d := range []tensor.DType{tensor.Float64, tensor.Float32} {
			n, h := 37, 29 // chunks that end mid-row
			z := gaborInput(d, n, h, cplx, 0.03, 3)
			got := gaborAct(z, cplx, omega, s).ToFloat64s()
			zd := z.ToFloat64s()
			zw := z.Shape()[1]
			worst := 0.0
			for i := range n {
				for j := range h {
					a, b := zd[i*zw+j], 0.0
					if cplx {
						b = zd[i*zw+h+j]
					}
					want := gaborRef(a, b, omega, s)
					amp := cmplx.Abs(want)
					tol := 4 * amp * 0x1p-53
					if d == tensor.Float32 {
						e := omega*math.Abs(b) + s*s*(a*a+b*b)
						tol = amp * (e + omega*math.Abs(a) + 6) * 0x1p-24
					}
					for k, g := range []float64{got[i*2*h+j] - real(want), got[i*2*h+h+j] - imag(want)} {
						if r := math.Abs(g) / tol; r > worst {
							worst = r
						}
						if math.Abs(g) > tol {
							t.Fatalf("%v complex=%v (%d,%d) part %d: off by %.3g, tolerance %.3g", d, cplx, i, j, k, g, tol)
						}
					}
				}
			}
			t.Logf("%v complex=%v: worst error %.2f of the tolerance", d, cplx, worst)
		}
	}
}

// TestGaborActGradients checks the one-pass backward rule against finite
// differences and the graph-building one (used for higher derivatives)
// through second derivatives.
func TestGaborActGradients(t *testing.T) {
	const omega, s = 2.0, 1.5
	for _, cplx := range []bool{false, true} {
		z := gaborInput(tensor.Float64, 5, 4, cplx, 0.5, 7)
		f := func(xs []*tensor.Tensor) *tensor.Tensor { return gaborAct(xs[0], cplx, omega, s) }
		if err := tensor.GradCheck(f, []*tensor.Tensor{z}, tensor.CheckOptions{}); err != nil {
			t.Errorf("complex=%v: %v", cplx, err)
		}
		if err := tensor.GradGradCheck(f, []*tensor.Tensor{z}, tensor.CheckOptions{}); err != nil {
			t.Errorf("complex=%v second order: %v", cplx, err)
		}
		// The graph-building rule gives the same first derivative.
		g := tensor.RandN(rand.New(rand.NewPCG(8, 1)), tensor.Float64, 5, 8)
		var grads [2][]float64
		for k, graph := range []bool{false, true} {
			x := z.Detach().SetRequiresGrad(true)
			grads[k] = tensor.Grad([]*tensor.Tensor{gaborAct(x, cplx, omega, s)}, []*tensor.Tensor{x}, []*tensor.Tensor{g}, graph)[0].ToFloat64s()
		}
		for i := range grads[0] {
			if d := math.Abs(grads[0][i] - grads[1][i]); d > 1e-14*(1+math.Abs(grads[0][i])) {
				t.Fatalf("complex=%v: element %d: one-pass gradient %v, graph-building %v", cplx, i, grads[0][i], grads[1][i])
			}
		}
	}
}

// TestGaborActFloat32Backward compares the float32 backward pass with the
// float64 one at the same (float32-representable) inputs and output
// gradient, relative to the gradient's size.
func TestGaborActFloat32Backward(t *testing.T) {
	const omega, s = 20.0, 30.0
	for _, cplx := range []bool{false, true} {
		z32 := gaborInput(tensor.Float32, 40, 33, cplx, 0.03, 11)
		z64 := tensor.FromFloat64s(tensor.Float64, z32.ToFloat64s(), z32.Shape()...)
		r := rand.New(rand.NewPCG(12, 1))
		g32 := tensor.RandN(r, tensor.Float32, 40, 66)
		g64 := tensor.FromFloat64s(tensor.Float64, g32.ToFloat64s(), 40, 66)
		grad := func(z, g *tensor.Tensor) []float64 {
			z.SetRequiresGrad(true)
			y := gaborAct(z, cplx, omega, s)
			return tensor.Grad([]*tensor.Tensor{y}, []*tensor.Tensor{z}, []*tensor.Tensor{g}, false)[0].ToFloat64s()
		}
		got, want := grad(z32, g32), grad(z64, g64)
		var num, den float64
		for i := range want {
			num += (got[i] - want[i]) * (got[i] - want[i])
			den += want[i] * want[i]
		}
		if rel := math.Sqrt(num / den); !(rel < 1e-5) {
			t.Errorf("complex=%v: float32 gradient off by %.3g relative", cplx, rel)
		} else {
			t.Logf("complex=%v: float32 gradient within %.2g relative", cplx, rel)
		}
	}
}

// TestGaborActNoSubnormals: in float32, on pre-activations wide enough that
// many amplitudes fall in the subnormal range, gaborAct and its backward
// pass write no subnormal number, the values stay within the error model
// plus 2⁻⁶⁴ (amplitudes below it are 0) of complex128 arithmetic, and the
// gradient within 1e-5 of the float64 one.
func TestGaborActNoSubnormals(t *testing.T) {
	const omega, s = 20.0, 30.0
	subnormal := func(v float64) bool { return v != 0 && math.Abs(v) < 0x1p-126 }
	for _, cplx := range []bool{false, true} {
		n, h := 64, 50
		z := gaborInput(tensor.Float32, n, h, cplx, 0.3, 21)
		zd, zw := z.ToFloat64s(), z.Shape()[1]
		z.SetRequiresGrad(true)
		y := gaborAct(z, cplx, omega, s)
		got := y.ToFloat64s()
		tinyRef := 0
		for i := range n {
			for j := range h {
				a, b := zd[i*zw+j], 0.0
				if cplx {
					b = zd[i*zw+h+j]
				}
				want := gaborRef(a, b, omega, s)
				amp := cmplx.Abs(want)
				if subnormal(float64(float32(amp))) {
					tinyRef++
				}
				// Each rounding in the exponent costs its size times 2⁻²⁴:
				// a² and s²·a² (real); a², b², their sum, s²·(…), ω·b and
				// the last sum (complex). TestGaborActValues' small inputs
				// made a single bound enough.
				q, k := s*s*(a*a+b*b), 2.0
				if cplx {
					k = 4
				}
				tol := amp*(k*q+2*omega*math.Abs(b)+omega*math.Abs(a)+6)*0x1p-24 + 0x1p-64
				for k, g := range []float64{got[i*2*h+j], got[i*2*h+h+j]} {
					if subnormal(g) {
						t.Fatalf("complex=%v (%d,%d) part %d: subnormal output %g", cplx, i, j, k, g)
					}
					if d := math.Abs(g - []float64{real(want), imag(want)}[k]); d > tol {
						t.Fatalf("complex=%v (%d,%d) part %d: off by %.3g, tolerance %.3g", cplx, i, j, k, d, tol)
					}
				}
			}
		}
		if tinyRef < n*h/100 {
			t.Fatalf("complex=%v: only %d subnormal amplitudes in the reference; the test needs wider inputs", cplx, tinyRef)
		}
		g := tensor.RandN(rand.New(rand.NewPCG(22, 1)), tensor.Float32, n, 2*h)
		g = tensor.Mul(g, tensor.Scale(tensor.Abs(y.Detach()), 1e3)) // gradients that scale with the output, as in training
		gz := tensor.Grad([]*tensor.Tensor{y}, []*tensor.Tensor{z}, []*tensor.Tensor{g}, false)[0].ToFloat64s()
		z64 := tensor.FromFloat64s(tensor.Float64, zd, z.Shape()...).SetRequiresGrad(true)
		g64 := tensor.FromFloat64s(tensor.Float64, g.ToFloat64s(), g.Shape()...)
		want := tensor.Grad([]*tensor.Tensor{gaborAct(z64, cplx, omega, s)}, []*tensor.Tensor{z64}, []*tensor.Tensor{g64}, false)[0].ToFloat64s()
		var num, den float64
		for i, v := range gz {
			if subnormal(v) {
				t.Fatalf("complex=%v: subnormal gradient %g at %d", cplx, v, i)
			}
			num += (v - want[i]) * (v - want[i])
			den += want[i] * want[i]
		}
		if rel := math.Sqrt(num / den); !(rel < 1e-5) {
			t.Errorf("complex=%v: float32 gradient off by %.3g relative", cplx, rel)
		}
		t.Logf("complex=%v: %d of %d reference amplitudes subnormal in float32", cplx, tinyRef, n*h)
	}
}
