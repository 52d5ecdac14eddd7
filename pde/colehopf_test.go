package pde

import (
	"math"
	"testing"
)

// burgersRational is the exact solution from φ = 1 + ε e^{−4π²νt/L²·…}
// cos(2πx/L): u = −2νφ_x/φ.
func burgersRational(eps, nu, L, x, t float64) float64 {
	k := 2 * math.Pi / L
	e := eps * math.Exp(-nu*k*k*t)
	return 2 * nu * k * e * math.Sin(k*x) / (1 + e*math.Cos(k*x))
}

func TestColeHopfRational(t *testing.T) {
	for _, c := range []struct{ eps, nu, L float64 }{{0.5, 0.1, 1}, {0.9, 0.05, 2}, {0.3, 0.01, 1}} {
		n := 256
		u0 := make([]float64, n)
		for i := range u0 {
			u0[i] = burgersRational(c.eps, c.nu, c.L, float64(i)*c.L/float64(n), 0)
		}
		times := []float64{0, 0.1, 1}
		us, err := ColeHopf(u0, c.nu, c.L, times, 0)
		if err != nil {
			t.Fatal(err)
		}
		for ti, tt := range times {
			num, den := 0.0, 0.0
			for i, v := range us[ti] {
				w := burgersRational(c.eps, c.nu, c.L, float64(i)*c.L/float64(n), tt)
				num += (v - w) * (v - w)
				den += w * w
			}
			if e := math.Sqrt(num / den); e > 1e-12 {
				t.Errorf("%+v t=%v: rel L2 error %.2e", c, tt, e)
			}
		}
	}
}

// The Cole–Hopf solution of a GRF initial condition satisfies Burgers'
// equation: check the residual u_t + u u_x − ν u_xx with spectral x
// derivatives and a 4th-order central difference in t.
func TestColeHopfResidual(t *testing.T) {
	p := DefaultBurgers()
	n := 1024
	u0, err := p.Init.Sample(NewRand(1, 0), n)
	if err != nil {
		t.Fatal(err)
	}
	t0, dt := 0.05, 1e-3
	us, err := ColeHopf(u0, p.Viscosity, 1, []float64{t0 - 2*dt, t0 - dt, t0, t0 + dt, t0 + 2*dt}, 0)
	if err != nil {
		t.Fatal(err)
	}
	u := us[2]
	ux, uxx := spectralDerivs(u)
	maxR, scale := 0.0, 0.0
	for i := range u {
		ut := (us[0][i] - 8*us[1][i] + 8*us[3][i] - us[4][i]) / (12 * dt)
		r := ut + u[i]*ux[i] - p.Viscosity*uxx[i]
		maxR = math.Max(maxR, math.Abs(r))
		scale = math.Max(scale, math.Abs(ut))
	}
	t.Logf("max |residual| %.2e (max |u_t| %.2e)", maxR, scale)
	if maxR > 1e-6*scale {
		t.Errorf("residual %.2e too large vs |u_t| %.2e", maxR, scale)
	}
	// Nonzero mean is rejected.
	u0[0] += 1
	if _, err := ColeHopf(u0, 0.1, 1, []float64{1}, 0); err == nil {
		t.Error("nonzero mean: no error")
	}
}
