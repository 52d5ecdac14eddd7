package pinn

import (
	"math"
	"testing"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// u_x, u_t, u_xx, u_tt, u_xt of B-spline and Chebyshev KANs agree with
// finite differences of the network, on a box that the input map sends
// onto the grids' [−1, 1].
func TestKANDerivatives(t *testing.T) {
	for _, basis := range []string{"bspline", "chebyshev"} {
		k := NewKAN(KANConfig{In: 2, Out: 1, Hidden: []int{5, 4}, Basis: basis, Lo: []float64{0, 0}, Hi: []float64{2 * math.Pi, 1}, Seed: 2})
		// (B-splines) larger spline coefficients than the initial noise, so
		// that the splines dominate the SiLU base
		for _, p := range nn.Params(k)[:2*len(k.Layers)*map[string]int{"bspline": 1, "chebyshev": 0}[basis]] {
			v := p.Float64s()
			for i := range v {
				v[i] *= 3
			}
		}
		pts := [][2]float64{{0.7, 0.13}, {3.9, 0.55}, {5.5, 0.91}}
		x := Points(pts[0][:], pts[1][:], pts[2][:])
		u := func(a, b float64) float64 { return k.Forward(tensor.New([]float64{a, b}, 1, 2)).Item() }
		f := Eval(k, x, nil, Auto)
		for _, c := range [][]int{{0}, {1}, {0, 0}, {1, 1}, {0, 1}} {
			got := f.D(0, c...).Float64s()
			for i, p := range pts {
				want := fdPartial(u, p, c, 2e-4)
				if math.Abs(got[i]-want) > 1e-6*(1+math.Abs(want)) {
					t.Errorf("%s ∂%v at %v: autodiff %.10g, finite differences %.10g", basis, c, p, got[i], want)
				}
				if len(c) == 2 && c[0] == 0 && c[1] == 0 && math.Abs(got[i]) < 1e-3 {
					t.Errorf("%s: degenerate test, u_xx ≈ 0 at %v", basis, p)
				}
			}
		}
	}
}

// The input map sends the box onto [−1, 1]; parameter counts follow the
// layer formulas (B-spline: out·in·(1 + grid + order); Chebyshev:
// out·in·(degree + 1)).
func TestKANShape(t *testing.T) {
	k := NewKAN(KANConfig{In: 2, Out: 1, Hidden: []int{3}, Lo: []float64{0, -2}, Hi: []float64{4, 2}, Seed: 1})
	z := tensor.Add(tensor.Mul(Points([]float64{0, -2}, []float64{4, 2}, []float64{2, 0}), k.Scale), k.Shift).Float64s()
	want := []float64{-1, -1, 1, 1, 0, 0}
	for i := range want {
		if math.Abs(z[i]-want[i]) > 1e-15 {
			t.Fatalf("input map %v, want %v", z, want)
		}
	}
	if n := nn.CountParams(k); n != 2*3*9+3*1*9 {
		t.Errorf("bspline KAN: %d parameters, want %d", n, 2*3*9+3*9)
	}
	c := NewKAN(KANConfig{In: 2, Out: 1, Hidden: []int{3}, Basis: "chebyshev", Degree: 4, Seed: 1})
	if n := nn.CountParams(c); n != 2*3*5+3*5 {
		t.Errorf("chebyshev KAN: %d parameters, want %d", n, 2*3*5+3*5)
	}
	if in, out := c.Dims(); in != 2 || out != 1 {
		t.Errorf("dims %d, %d", in, out)
	}
}

// GradCheck of a second-order residual loss (wave) through a KAN with
// respect to its parameters.
func TestKANLossGradCheck(t *testing.T) {
	p, _ := Wave(2, 2)
	for _, basis := range []string{"bspline", "chebyshev"} {
		k := NewKAN(KANConfig{In: 2, Out: 1, Hidden: []int{3}, Basis: basis, Grid: 3, Degree: 3, Seed: 4})
		x := Points([]float64{0.4, 0.3}, []float64{0.9, 0.7})
		loss := func([]*tensor.Tensor) *tensor.Tensor {
			l, _ := ProblemLoss(p, k, x, Auto)
			return l
		}
		if err := tensor.GradCheck(loss, nn.Params(k), tensor.CheckOptions{}); err != nil {
			t.Errorf("%s: %v", basis, err)
		}
	}
}
