package pinn

import (
	"math"
	"slices"
	"testing"

	"github.com/sciml-go/sciml/nn"
)

// BurgersSampled with Uniform is Burgers (the same draws); with LHS each
// face holds one point in each of its n equal intervals, on the face, with
// the targets −sin πx on t = 0 and 0 on x = ±1.
func TestBurgersSampled(t *testing.T) {
	visc := 0.01 / math.Pi
	a, b := Burgers(visc, 100, nn.NewRand(5)), BurgersSampled(visc, 100, Uniform{}, nn.NewRand(5))
	for i := range a.Conditions {
		if !slices.Equal(a.Conditions[i].X.Float64s(), b.Conditions[i].X.Float64s()) {
			t.Errorf("%s: Uniform draws differ from Burgers'", a.Conditions[i].Name)
		}
	}
	p := BurgersSampled(visc, 101, LHS{}, nn.NewRand(5))
	want := []struct {
		name    string
		n, free int     // points, the axis that varies
		fixed   float64 // the other axis's value
		lo, hi  float64 // the free axis's range
	}{
		{"initial", 50, 0, 0, -1, 1},
		{"left", 25, 1, -1, 0, 1},
		{"right", 26, 1, 1, 0, 1},
	}
	for i, w := range want {
		c := p.Conditions[i]
		if c.Name != w.name || c.X.Dim(0) != w.n {
			t.Fatalf("condition %d: %s with %d points, want %s with %d", i, c.Name, c.X.Dim(0), w.name, w.n)
		}
		x, g := c.X.Float64s(), c.Target
		seen := make([]bool, w.n)
		for k := range w.n {
			v := x[2*k+w.free]
			if x[2*k+1-w.free] != w.fixed {
				t.Errorf("%s point %d: %v off the face", w.name, k, x[2*k:2*k+2])
			}
			s := int(math.Floor((v - w.lo) / (w.hi - w.lo) * float64(w.n)))
			if s < 0 || s >= w.n || seen[s] {
				t.Errorf("%s point %d: %g in stratum %d, out of range or taken twice", w.name, k, v, s)
				continue
			}
			seen[s] = true
			want := 0.0
			if w.name == "initial" {
				want = -math.Sin(math.Pi * v)
			}
			if g != nil && g.Float64s()[k] != want || g == nil && want != 0 {
				t.Errorf("%s point %d: target wrong (want %g)", w.name, k, want)
			}
		}
	}
}
