package pinn

import (
	"math"
	"testing"

	"github.com/sciml-go/sciml/tensor"
)

// Mixed partials of a known network against their closed forms: for
// u(x, y) = Σ_j c_j tanh(w_j0 x + w_j1 y + b_j),
//
//	u_xy = Σ c_j w_j0 w_j1 σ″,  u_yy = Σ c_j w_j1² σ″,  u_xxy = Σ c_j w_j0² w_j1 σ‴,
//
// with σ″ = −2σ(1 − σ²), σ‴ = −2(1 − σ²)(1 − 3σ²): the Taylor and nested
// paths up to second order, the nested path at third.
func TestMixedDerivatives(t *testing.T) {
	m := NewMLP(MLPConfig{In: 2, Out: 1, Hidden: []int{6}, Seed: 4})
	w := m.Layers[0].Weight.Float64s() // [6, 2]
	b := m.Layers[0].Bias.Float64s()
	for j := range b {
		b[j] = 0.2*float64(j) - 0.5
	}
	c := m.Layers[1].Weight.Float64s()
	pts := [][]float64{{-0.7, 0.3}, {0.1, -1.2}, {0.9, 0.8}}
	x := Points(pts...)
	type want struct{ ux, uy, uxy, uyy, uxxy float64 }
	ref := make([]want, len(pts))
	for i, p := range pts {
		for j := range b {
			a0, a1 := w[2*j], w[2*j+1]
			h := math.Tanh(a0*p[0] + a1*p[1] + b[j])
			s1 := 1 - h*h
			s2 := -2 * h * s1
			s3 := -2 * s1 * (1 - 3*h*h)
			ref[i].ux += c[j] * a0 * s1
			ref[i].uy += c[j] * a1 * s1
			ref[i].uxy += c[j] * a0 * a1 * s2
			ref[i].uyy += c[j] * a1 * a1 * s2
			ref[i].uxxy += c[j] * a0 * a0 * a1 * s3
		}
	}
	check := func(what string, mode Mode, got *tensor.Tensor, pick func(want) float64) {
		t.Helper()
		g := got.Float64s()
		for i := range pts {
			if wv := pick(ref[i]); math.Abs(g[i]-wv) > 1e-13 {
				t.Errorf("mode %d %s at %v: %.15g, want %.15g", mode, what, pts[i], g[i], wv)
			}
		}
	}
	for _, mode := range []Mode{Nested, Taylor} {
		f := Eval(m, x, []Partial{D(0, 0), D(0, 1), D(0, 0, 1), D(0, 1, 1)}, mode)
		check("u_x", mode, f.D(0, 0), func(w want) float64 { return w.ux })
		check("u_y", mode, f.D(0, 1), func(w want) float64 { return w.uy })
		check("u_xy", mode, f.D(0, 0, 1), func(w want) float64 { return w.uxy })
		check("u_yx", mode, f.D(0, 1, 0), func(w want) float64 { return w.uxy })
		check("u_yy", mode, f.D(0, 1, 1), func(w want) float64 { return w.uyy })
	}
	f := Eval(m, x, nil, Nested)
	check("u_xxy", Nested, f.D(0, 0, 0, 1), func(w want) float64 { return w.uxxy })
	check("u_xyx", Nested, f.D(0, 0, 1, 0), func(w want) float64 { return w.uxxy })
	// the closed forms differ, so a mix-up of partials cannot pass
	for i := range pts {
		if r := ref[i]; math.Abs(r.uxy-r.uyy) < 1e-3 || math.Abs(r.uxy-r.ux) < 1e-3 || math.Abs(r.uxy-r.uy) < 1e-3 {
			t.Fatalf("degenerate test at %v: %+v", pts[i], r)
		}
	}
}
