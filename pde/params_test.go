package pde

import (
	"math"
	"strings"
	"testing"
)

func TestDefaultsValid(t *testing.T) {
	for name, err := range map[string]error{
		"burgers":       DefaultBurgers().Validate(),
		"darcy":         DefaultDarcy().Validate(),
		"navier-stokes": DefaultNavierStokes().Validate(),
	} {
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	b := DefaultBurgers()
	if b.Viscosity != 0.1 || b.FinalTime != 1 || b.Grid != 8192 || b.Init.Sigma != 25 || b.Init.Tau != 5 || b.Init.Gamma != 2 {
		t.Errorf("Burgers defaults %+v", b)
	}
	d := DefaultDarcy()
	if d.Grid != 421 || d.High != 12 || d.Low != 3 || d.Forcing != 1 || d.Field.Tau != 3 || d.Field.Gamma != 2 || d.Field.Boundary != Neumann {
		t.Errorf("Darcy defaults %+v", d)
	}
	ns := DefaultNavierStokes()
	if ns.Viscosity != 1e-3 || ns.FinalTime != 50 || ns.Grid != 256 || ns.StoreGrid != 64 || ns.Snapshots() != 50 ||
		math.Abs(ns.Init.Sigma-math.Pow(7, 1.5)) > 1e-12 || ns.Init.Gamma != 2.5 || ns.Init.Convention != TorchFFT {
		t.Errorf("NavierStokes defaults %+v", ns)
	}
	x, y := 0.1, 0.3
	want := 0.1 * (math.Sin(2*math.Pi*(x+y)) + math.Cos(2*math.Pi*(x+y)))
	if got := ns.Forcing(x, y); math.Abs(got-want) > 1e-15 {
		t.Errorf("forcing %v, want %v", got, want)
	}
}

func TestValidateErrors(t *testing.T) {
	cases := []struct {
		name, want string
		err        error
	}{
		{"burgers negative viscosity", "viscosity", func() error { p := DefaultBurgers(); p.Viscosity = -1; return p.Validate() }()},
		{"burgers NaN viscosity", "viscosity", func() error { p := DefaultBurgers(); p.Viscosity = math.NaN(); return p.Validate() }()},
		{"burgers zero grid", "grid", func() error { p := DefaultBurgers(); p.Grid = 0; return p.Validate() }()},
		{"burgers zero time", "final time", func() error { p := DefaultBurgers(); p.FinalTime = 0; return p.Validate() }()},
		{"burgers 2-D init", "1-D periodic", func() error { p := DefaultBurgers(); p.Init.Dim = 2; return p.Validate() }()},
		{"darcy zero grid", "grid", func() error { p := DefaultDarcy(); p.Grid = 0; return p.Validate() }()},
		{"darcy negative coefficient", "positive", func() error { p := DefaultDarcy(); p.Low = -3; return p.Validate() }()},
		{"darcy averaging", "averaging", func() error { p := DefaultDarcy(); p.Averaging = 7; return p.Validate() }()},
		{"ns negative viscosity", "viscosity", func() error { p := DefaultNavierStokes(); p.Viscosity = -1e-3; return p.Validate() }()},
		{"ns odd grid", "even", func() error { p := DefaultNavierStokes(); p.Grid = 255; return p.Validate() }()},
		{"ns store grid", "multiple", func() error { p := DefaultNavierStokes(); p.StoreGrid = 100; return p.Validate() }()},
		{"ns record interval", "whole", func() error { p := DefaultNavierStokes(); p.RecordInterval = 0.7; return p.Validate() }()},
		{"grf dim", "dimension", GRF{Dim: 4, Sigma: 1, Tau: 1, Gamma: 1}.Validate()},
		{"grf tau", "tau", GRF{Dim: 1, Sigma: 1, Tau: 0, Gamma: 1}.Validate()},
		{"grf dirichlet mean", "mean", GRF{Dim: 1, Boundary: Dirichlet, Mean: 1, Sigma: 1, Tau: 1, Gamma: 1}.Validate()},
		{"grf torch neumann", "periodic only", GRF{Dim: 1, Boundary: Neumann, Sigma: 1, Tau: 1, Gamma: 1, Convention: TorchFFT}.Validate()},
	}
	for _, c := range cases {
		if c.err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %q does not mention %q", c.name, c.err, c.want)
		}
	}
}

func TestSampleSeed(t *testing.T) {
	seen := map[uint64]bool{}
	for s := uint64(0); s < 4; s++ {
		for i := 0; i < 1000; i++ {
			v := SampleSeed(s, i)
			if seen[v] {
				t.Fatalf("collision at seed %d index %d", s, i)
			}
			seen[v] = true
		}
	}
	a, b := NewRand(3, 5), NewRand(3, 5)
	for i := 0; i < 10; i++ {
		if a.Uint64() != b.Uint64() {
			t.Fatal("NewRand not reproducible")
		}
	}
}
