package nn

import (
	"math"
	"testing"
)

// TestFinerTower checks the closed form of FINER's derivatives: each
// order against central differences of the one below, away from 0.
func TestFinerTower(t *testing.T) {
	f := finerFn(3)
	for _, u := range []float64{-1.3, -0.2, 0.07, 0.4, 1.1} {
		for k := 1; k <= 6; k++ {
			const h = 1e-5
			fd := (f.d(k-1, u+h) - f.d(k-1, u-h)) / (2 * h)
			got := f.d(k, u)
			if math.Abs(got-fd) > 1e-6*(1+math.Abs(got)) {
				t.Errorf("F^(%d)(%g) = %.12g, differences of F^(%d) give %.12g", k, u, got, k-1, fd)
			}
		}
	}
}

// TestFinerFloat32Kernels checks the float32 path of the exact FINER
// activation (ω0 = 30, as the FINER INR uses it) against the float64
// derivative tower: value, first and second derivatives, and the
// derivative with respect to the incoming gradient.
func TestFinerFloat32Kernels(t *testing.T) {
	const omega = 30.0
	xv, wv, vv := kernelInputs(9, 8, 1.5)
	xv[0] = 0
	y, gx, gg := secondOrder(t, "{name: finer, omega0: 30, exact: true}", xv, wv, vv)
	f := finerFn(omega)
	// The angle φ = ω(|x|+1)x is formed as fl32(ω·fl32((|x|+1)x)): an
	// absolute error of about |φ|·2⁻²³ in it, which moves each term by
	// that much times its size (the sizes before cancellation: ref).
	check := func(what string, got []float32, want func(i int) float64, ref func(i int) float64) {
		t.Helper()
		checkKernel(t, what, got, xv, want, func(i int, wi float64) float64 {
			phi := omega * (math.Abs(xv[i]) + 1) * math.Abs(xv[i])
			return (phi*0x1p-22+6e-7)*ref(i) + 6e-7*math.Abs(wi) + 1e-37
		})
	}
	p1 := func(i int) float64 { return omega * (2*math.Abs(xv[i]) + 1) }
	check("finer", y.Float32s(), func(i int) float64 { return f.d(0, xv[i]) }, func(int) float64 { return 1 })
	check("w·finer′", gx.Float32s(), func(i int) float64 { return wv[i] * f.d(1, xv[i]) },
		func(i int) float64 { return math.Abs(wv[i]) * p1(i) })
	check("v·w·finer″", gg[0].Float32s(), func(i int) float64 { return vv[i] * wv[i] * f.d(2, xv[i]) },
		func(i int) float64 { return math.Abs(vv[i]*wv[i]) * (p1(i)*p1(i) + 2*omega) })
	check("v·finer′", gg[1].Float32s(), func(i int) float64 { return vv[i] * f.d(1, xv[i]) },
		func(i int) float64 { return math.Abs(vv[i]) * p1(i) })
}
