package pinn

import (
	"math"
	"testing"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// A one-hidden-layer tanh network u(x) = Σ_j c_j tanh(w_j x + b_j) + c0 has
// u_x = Σ c_j w_j σ′, u_xx = Σ c_j w_j² σ″ with σ″ = −2σ(1 − σ²).
func TestSecondDerivativeIsSecond(t *testing.T) {
	m := NewMLP(MLPConfig{In: 1, Out: 1, Hidden: []int{5}, Seed: 3})
	w := m.Layers[0].Weight.Float64s()
	b := m.Layers[0].Bias.Float64s()
	for j := range b {
		b[j] = 0.1 * float64(j+1)
	}
	c := m.Layers[1].Weight.Float64s()
	xs := []float64{-1.3, -0.2, 0.4, 1.7}
	x := tensor.New(append([]float64(nil), xs...), len(xs), 1)
	for _, mode := range []Mode{Nested, Taylor} {
		f := Eval(m, x, []Partial{D(0), D(0, 0), D(0, 0, 0)}, mode)
		ux, uxx := f.D(0, 0).Float64s(), f.D(0, 0, 0).Float64s()
		for i, xv := range xs {
			var d1, d2 float64
			for j := range w {
				h := math.Tanh(w[j]*xv + b[j])
				d1 += c[j] * w[j] * (1 - h*h)
				d2 += c[j] * w[j] * w[j] * (-2 * h * (1 - h*h))
			}
			if math.Abs(ux[i]-d1) > 1e-13 || math.Abs(uxx[i]-d2) > 1e-13 {
				t.Errorf("mode %d x=%g: u_x %g want %g, u_xx %g want %g", mode, xv, ux[i], d1, uxx[i], d2)
			}
			if math.Abs(d1-d2) < 1e-3 {
				t.Fatalf("degenerate test: u_x ≈ u_xx at %g", xv)
			}
		}
	}
}

// The Taylor path and nested autodiff agree on every partial up to second
// order (mixed included), on a loss built from them and on its parameter
// gradients, to 1e-10.
func TestTaylorMatchesNested(t *testing.T) {
	for _, c := range []struct {
		act Activation
		ff  int
	}{{Tanh, 0}, {Sin, 0}, {Tanh, 4}} {
		act := c.act
		m := NewMLP(MLPConfig{In: 3, Out: 2, Hidden: []int{7, 6, 5}, Activation: act, Seed: 1, FourierFeatures: c.ff, FourierScale: 0.5})
		for _, l := range m.Layers {
			bd := l.Bias.Float64s()
			for j := range bd {
				bd[j] = 0.05 * float64(j-2)
			}
		}
		x := Box{Lo: []float64{-1, 0, -2}, Hi: []float64{1, 1, 2}}.Sample(37, LHS{}, nn.NewRand(5))
		needs := []Partial{D(0), D(1), D(0, 0), D(1, 2), D(0, 1), D(0, 0, 0), D(1, 0, 2), D(0, 2, 1), D(1, 1, 1)}
		loss := func(mode Mode) (*tensor.Tensor, [][]float64) {
			f := Eval(m, x, needs, mode)
			var l *tensor.Tensor
			var vals [][]float64
			for i, p := range needs {
				d := f.D(p.Out, p.Axes...)
				vals = append(vals, d.Clone().Float64s())
				term := tensor.Mean(tensor.Square(tensor.AddScalar(tensor.Mul(d, f.D(0)), float64(i)*0.1)))
				if l == nil {
					l = term
				} else {
					l = tensor.Add(l, term)
				}
			}
			return l, vals
		}
		params := nn.Params(m)
		grads := func(mode Mode) (float64, [][]float64, [][]float64) {
			nn.ZeroGrad(m)
			l, vals := loss(mode)
			l.Backward()
			var gs [][]float64
			for _, p := range params {
				gs = append(gs, p.Grad().Clone().Float64s())
			}
			return l.Item(), vals, gs
		}
		ln, vn, gn := grads(Nested)
		lt, vt, gt := grads(Taylor)
		if math.Abs(ln-lt) > 1e-10*math.Abs(ln) {
			t.Errorf("%s: loss nested %.17g taylor %.17g", act.Name, ln, lt)
		}
		for i := range vn {
			for j := range vn[i] {
				if math.Abs(vn[i][j]-vt[i][j]) > 1e-10*(1+math.Abs(vn[i][j])) {
					t.Fatalf("%s: partial %v at %d: nested %g taylor %g", act.Name, needs[i], j, vn[i][j], vt[i][j])
				}
			}
		}
		for i := range gn {
			for j := range gn[i] {
				if math.Abs(gn[i][j]-gt[i][j]) > 1e-10*(1+math.Abs(gn[i][j])) {
					t.Fatalf("%s: grad of param %d[%d]: nested %g taylor %g", act.Name, i, j, gn[i][j], gt[i][j])
				}
			}
		}
	}
}

// A catalogue activation (nn.NewActivation) runs on the nested path; GELU's
// u_xx matches a central second difference of the network.
func TestCatalogueActivation(t *testing.T) {
	act, err := ActivationByName("gelu")
	if err != nil {
		t.Fatal(err)
	}
	m := NewMLP(MLPConfig{In: 1, Out: 1, Hidden: []int{6, 6}, Activation: act, Seed: 4})
	x0, h := 0.3, 1e-4
	f := Eval(m, tensor.New([]float64{x0}, 1, 1), []Partial{D(0, 0, 0)}, Auto)
	if !f.nested {
		t.Fatal("catalogue activation took the Taylor path")
	}
	u := m.Forward(tensor.New([]float64{x0 - h, x0, x0 + h}, 3, 1)).Float64s()
	fd := (u[0] - 2*u[1] + u[2]) / (h * h)
	if got := f.D(0, 0, 0).Item(); math.Abs(got-fd) > 1e-5*(1+math.Abs(fd)) || math.Abs(fd) < 1e-3 {
		t.Errorf("u_xx = %g, finite difference %g", got, fd)
	}
}
