package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sciml-go/sciml/tensor"
)

// TestGELUFloat32Kernels checks the float32 GELU path (vmath kernels, the
// fused g·GELU′ backward and its own backward) against the float64
// derivative tower: value, first and second derivatives, and the
// derivative with respect to the incoming gradient.
func TestGELUFloat32Kernels(t *testing.T) {
	xv, wv, vv := kernelInputs(5, 6, 16)
	xv[0], xv[1], xv[2] = 0, float64(float32(-0.7517916)), -20
	y, gx, gg := secondOrder(t, "gelu", xv, wv, vv)
	// a few float32 ulps of the result, plus an absolute floor (scale)
	// where the derivative crosses zero
	check := func(what string, got []float32, want func(i int) float64, scale func(i int) float64) {
		t.Helper()
		checkKernel(t, what, got, xv, want, func(i int, wi float64) float64 { return 4e-7*math.Abs(wi) + scale(i) + 1e-37 })
	}
	// GELU is within 6 float32 ulps and GELU′ within 2e-7 absolute before
	// the product with w is rounded (vmath's float32 kernels); GELU″
	// comes from the float64 tower and the product v·w is rounded to
	// float32 first.
	none := func(int) float64 { return 0 }
	check("GELU", y.Float32s(), func(i int) float64 { return geluFn.d(0, xv[i]) }, none)
	check("w·GELU′", gx.Float32s(), func(i int) float64 { return wv[i] * geluFn.d(1, xv[i]) },
		func(i int) float64 { return 2e-7 * math.Abs(wv[i]) })
	check("v·w·GELU″", gg[0].Float32s(), func(i int) float64 { return vv[i] * wv[i] * geluFn.d(2, xv[i]) },
		func(i int) float64 { return 1.2e-7 * math.Abs(vv[i]*wv[i]*geluFn.d(2, xv[i])) })
	check("v·GELU′", gg[1].Float32s(), func(i int) float64 { return vv[i] * geluFn.d(1, xv[i]) },
		func(i int) float64 { return 2e-7 * math.Abs(vv[i]) })
	if g := y.Float32s()[2]; g != 0 || !math.Signbit(float64(g)) {
		t.Errorf("GELU(−20) = %g, want −0", g)
	}
}

// kernelInputs draws the points of a float32 kernel check, 40,000 (several
// parallel chunks) float32 values x = scale·U(−1, 1), and the weights w,
// v = U(−1, 1) of its derivative checks, from the seeds s1, s2.
func kernelInputs(s1, s2 uint64, scale float64) (xv, wv, vv []float64) {
	rng := rand.New(rand.NewPCG(s1, s2))
	n := 40000
	xv, wv, vv = make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range xv {
		xv[i] = float64(float32(scale * (2*rng.Float64() - 1)))
		wv[i] = float64(float32(2*rng.Float64() - 1))
		vv[i] = float64(float32(2*rng.Float64() - 1))
	}
	return xv, wv, vv
}

// secondOrder applies the activation spec in float32 to x and returns
// y = F(x), gx = w·F′(x) (with a graph) and gg, the derivatives of
// Σ v·gx with respect to x and w: v·w·F″(x) and v·F′(x).
func secondOrder(t *testing.T, spec string, xv, wv, vv []float64) (y, gx *tensor.Tensor, gg []*tensor.Tensor) {
	t.Helper()
	n := len(xv)
	x := tensor.FromFloat64s(tensor.Float32, xv, n).SetRequiresGrad(true)
	w := tensor.FromFloat64s(tensor.Float32, wv, n).SetRequiresGrad(true)
	v := tensor.FromFloat64s(tensor.Float32, vv, n)
	y = mustAct(t, spec, WithDType(tensor.Float32)).Forward(x)
	gx = tensor.Grad([]*tensor.Tensor{y}, []*tensor.Tensor{x}, []*tensor.Tensor{w}, true)[0]
	gg = tensor.Grad([]*tensor.Tensor{gx}, []*tensor.Tensor{x, w}, []*tensor.Tensor{v}, false)
	return y, gx, gg
}

// checkKernel compares a float32 kernel's results with their float64
// values within tol(i, want) and logs the worst error as a share of it.
func checkKernel(t *testing.T, what string, got []float32, xv []float64, want func(i int) float64, tol func(i int, want float64) float64) {
	t.Helper()
	worst := 0.0
	for i := range got {
		wi := want(i)
		tl := tol(i, wi)
		if e := math.Abs(float64(got[i]) - wi); e > tl || math.IsNaN(float64(got[i])) {
			t.Fatalf("%s at x=%g: got %g, want %g", what, xv[i], got[i], wi)
		} else {
			worst = max(worst, e/tl)
		}
	}
	t.Logf("%s: worst error %.3f of the tolerance", what, worst)
}
