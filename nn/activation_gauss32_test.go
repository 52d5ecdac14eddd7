package nn

import (
	"math"
	"testing"

	"github.com/sciml-go/sciml/tensor"
)

// TestGaussianFloat32Kernels checks the float32 path of the scaled
// Gaussian exp(−(s·x)²) (s = 10, as the Gaussian INR uses it: s·x, then
// vmath's exp, then the factor s of the derivative) against the float64
// derivative tower: value, first and second derivatives, and the
// derivative with respect to the incoming gradient.
func TestGaussianFloat32Kernels(t *testing.T) {
	const c = 10.0
	xv, wv, vv := kernelInputs(7, 8, 0.45)
	xv[0], xv[1] = 0, 2 // exp(−400) underflows to 0
	y, gx, gg := secondOrder(t, "{name: gaussian, s: 10}", xv, wv, vv)
	d := func(k, i int) float64 { return math.Pow(c, float64(k)) * gaussFn.d(k, c*xv[i]) }
	// u = c·x and then −u² are rounded to float32 before the
	// exponential: relative errors of 2u²·2⁻²⁴ and u²·2⁻²⁴ in exp(−u²),
	// on top of a few ulps of the kernels; ref is the size of the terms
	// before they cancel (for the derivatives' zeros).
	check := func(what string, got []float32, want func(i int) float64, ref func(i int) float64) {
		t.Helper()
		checkKernel(t, what, got, xv, want, func(i int, wi float64) float64 {
			u := c * xv[i]
			return (6e-7+3*u*u*0x1p-24)*math.Abs(wi) + 3e-7*ref(i) + 1e-37
		})
	}
	none := func(int) float64 { return 0 }
	check("gauss", y.Float32s(), func(i int) float64 { return d(0, i) }, none)
	check("w·gauss′", gx.Float32s(), func(i int) float64 { return wv[i] * d(1, i) }, none)
	check("v·w·gauss″", gg[0].Float32s(), func(i int) float64 { return vv[i] * wv[i] * d(2, i) },
		func(i int) float64 { return math.Abs(vv[i]*wv[i]) * c * c * 2 * math.Exp(-c*c*xv[i]*xv[i]) })
	check("v·gauss′", gg[1].Float32s(), func(i int) float64 { return vv[i] * d(1, i) }, none)
	if g := y.Float32s()[1]; g != 0 {
		t.Errorf("gauss(2) = %g, want 0", g)
	}
}

// TestGaussianFloat32Derivative evaluates F′ of the Gaussian itself (the
// fast kernel of order 1 without an incoming gradient), which the
// derivative tower offers as a value: −2u·exp(−u²).
func TestGaussianFloat32Derivative(t *testing.T) {
	xv := []float64{-1.5, -0.3, 0, 0.25, 0.8, 2}
	x := tensor.FromFloat64s(tensor.Float32, xv, len(xv))
	got := gaussFn.apply(x, 1, 1, 0, 1).Float32s()
	checkKernel(t, "gauss′", got, xv, func(i int) float64 { return gaussFn.d(1, xv[i]) },
		func(i int, wi float64) float64 { return (6e-7+3*xv[i]*xv[i]*0x1p-24)*math.Abs(wi) + 1e-37 })
}
