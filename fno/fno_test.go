package fno

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/operator"
	"github.com/sciml-go/sciml/tensor"
)

func rng(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 7)) }

// TestPublishedParameterCounts checks the paper's parameter counts.
func TestPublishedParameterCounts(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		want int
	}{
		{"FNO-1D Burgers", Burgers1D(), 549569},
		{"FNO-2D Darcy", Darcy2D(), 2368001},
		{"FNO-2D Navier–Stokes", NavierStokes2D(), 414517},
		{"FNO-3D Navier–Stokes", NavierStokes3D(), 6558537},
	}
	for _, c := range cases {
		m, err := New(c.cfg, rng(1))
		if err != nil {
			t.Fatal(err)
		}
		if got := nn.CountParams(m); got != c.want {
			t.Errorf("%s: %d parameters, want %d", c.name, got, c.want)
		}
	}
}

func TestValidate(t *testing.T) {
	bad := []Config{
		{Common: operator.Common{Dim: 4, In: 1, Out: 1}, Stack: operator.Stack{Width: 8}, Modes: []int{2, 2, 2, 2}},
		{Common: operator.Common{Dim: 1, In: 1, Out: 1}, Stack: operator.Stack{Width: 8}, Modes: []int{2, 2}},
		{Common: operator.Common{Dim: 1, In: 1, Out: 1, Activation: "nope"}, Stack: operator.Stack{Width: 8}, Modes: []int{2}},
		{Common: operator.Common{Dim: 1, In: 1, Out: 1, Grid: "torus"}, Stack: operator.Stack{Width: 8}, Modes: []int{2}},
		{Common: operator.Common{Dim: 1, In: 1, Out: 1}, Stack: operator.Stack{Width: 8}, Modes: []int{2}, Padding: []float64{-1}},
		{Common: operator.Common{Dim: 1, In: 1, Out: 1, DType: "complex64"}, Stack: operator.Stack{Width: 8}, Modes: []int{2}},
	}
	for i, c := range bad {
		if _, err := New(c, rng(1)); err == nil {
			t.Errorf("config %d: no error for %+v", i, c)
		}
	}
}

func small(dim int, dtype string) Config {
	modes := []int{4, 4, 3}[:dim]
	return Config{Common: operator.Common{Dim: dim, In: 2, Out: 1, Grid: "periodic", DType: dtype}, Stack: operator.Stack{Width: 6, Layers: 2, Projection: 8}, Modes: modes}
}

func TestForwardShapesAtEveryResolution(t *testing.T) {
	for dim := 1; dim <= 3; dim++ {
		cfg := small(dim, "float32")
		cfg.Padding = []float64{0.25}
		cfg.Norm = "instance"
		m, err := New(cfg, rng(2))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []int{10, 16} {
			shape := []int{3, 2}
			for range dim {
				shape = append(shape, s)
			}
			y := m.Forward(tensor.RandN(rng(3), tensor.Float32, shape...))
			want := append([]int{3, 1}, shape[2:]...)
			if !slicesEqual(y.Shape(), want) {
				t.Fatalf("dim %d s %d: output %v, want %v", dim, s, y.Shape(), want)
			}
		}
	}
}

func slicesEqual(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestGradients checks the model's gradients end to end (float64) against
// finite differences, with respect to the input and a spectral weight.
func TestGradients(t *testing.T) {
	cfg := small(2, "float64")
	cfg.Padding = []float64{0.2}
	m, err := New(cfg, rng(4))
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.RandN(rng(5), tensor.Float64, 2, 2, 9, 8)
	w := m.Layers[0].Spectral
	err = tensor.GradCheck(func(xs []*tensor.Tensor) *tensor.Tensor {
		m.Layers[0].Spectral = xs[1]
		return m.Forward(xs[0])
	}, []*tensor.Tensor{x, w}, tensor.CheckOptions{Atol: 1e-6, Rtol: 1e-5})
	m.Layers[0].Spectral = w
	if err != nil {
		t.Fatal(err)
	}
}

// TestDiscretizationInvariance: for an input band-limited to the kept
// modes, an untrained periodic FNO without nonlinearity in its Fourier part
// gives the same function at two resolutions; with GELU the outputs agree
// to the accuracy of the pointwise nonlinearity's aliasing, which shrinks as
// the grids refine.
func TestDiscretizationInvariance(t *testing.T) {
	cfg := Config{Common: operator.Common{Dim: 1, In: 1, Out: 1, Grid: "periodic", DType: "float64"}, Stack: operator.Stack{Width: 8, Layers: 3, Projection: 16}, Modes: []int{6}}
	m, err := New(cfg, rng(6))
	if err != nil {
		t.Fatal(err)
	}
	f := func(x float64) float64 { return math.Sin(2*math.Pi*x) + 0.5*math.Cos(6*math.Pi*x) }
	eval := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = f(float64(i) / float64(n))
		}
		return m.Predict(tensor.FromFloat64s(tensor.Float64, v, 1, 1, n), nil).Float64s()
	}
	coarse, fine := eval(128), eval(512)
	var d, s float64
	for i, v := range coarse {
		w := fine[4*i]
		d += (v - w) * (v - w)
		s += w * w
	}
	if rel := math.Sqrt(d / s); rel > 1e-3 {
		t.Fatalf("outputs at n=128 and n=512 differ by %.2e relative", rel)
	}
}
