package operator

import (
	"slices"
	"testing"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

func TestDeepONetShapesAndParams(t *testing.T) {
	cfg := DeepONetConfig{Common: Common{Dim: 2, In: 1, Out: 2}, Sensors: []int{8}, Branch: []int{16}, Trunk: []int{12, 12}, Basis: 5}
	m, err := NewDeepONet(cfg, rng(1))
	if err != nil {
		t.Fatal(err)
	}
	// branch 64→16→10, trunk 2→12→12→10, bias 2.
	want := (64*16 + 16) + (16*10 + 10) + (2*12 + 12) + (12*12 + 12) + (12*10 + 10) + 2
	if got := nn.CountParams(m); got != want {
		t.Fatalf("%d parameters, want %d", got, want)
	}
	for _, s := range []int{8, 13, 21} {
		y := m.Forward(tensor.RandN(rng(2), tensor.Float32, 3, 1, s, s+1))
		if w := []int{3, 2, s, s + 1}; !slices.Equal(y.Shape(), w) {
			t.Fatalf("output %v, want %v", y.Shape(), w)
		}
	}
	for _, c := range []DeepONetConfig{{Common: Common{Dim: 2, In: 1, Out: 1}}, {Common: Common{Dim: 1, In: 1, Out: 1}, Sensors: []int{1}}, {Common: Common{Dim: 1, In: 1, Out: 1, Grid: "x"}, Sensors: []int{4}}} {
		if _, err := NewDeepONet(c, rng(1)); err == nil {
			t.Errorf("NewDeepONet(%+v) accepted", c)
		}
	}
}

// TestDeepONetValue checks Forward against the formula Σ_k b_k t_k + β
// computed from the two nets directly.
func TestDeepONetValue(t *testing.T) {
	cfg := DeepONetConfig{Common: Common{Dim: 1, In: 1, Out: 2, Grid: "periodic", DType: "float64"}, Sensors: []int{6}, Branch: []int{5}, Trunk: []int{4}, Basis: 3}
	m, err := NewDeepONet(cfg, rng(3))
	if err != nil {
		t.Fatal(err)
	}
	m.Bias.Float64s()[1] = 0.25
	x := tensor.RandN(rng(4), tensor.Float64, 2, 1, 6)
	got := m.Forward(x).Float64s()
	b := m.Branch.Forward(tensor.Reshape(x, 2, 6)).Float64s() // [2, 6] = [B, Out·p]
	for i := range 6 {
		y := tensor.FromFloat64s(tensor.Float64, []float64{float64(i) / 6}, 1, 1)
		tr := m.Trunk.Forward(y).Float64s()
		for bi := range 2 {
			for o := range 2 {
				want := m.Bias.Float64s()[o]
				for k := range 3 {
					want += b[bi*6+o*3+k] * tr[o*3+k]
				}
				if g := got[(bi*2+o)*6+i]; abs(g-want) > 1e-12 {
					t.Fatalf("G(a_%d)(x_%d)_%d = %g, want %g", bi, i, o, g, want)
				}
			}
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestDeepONetGradients(t *testing.T) {
	cfg := DeepONetConfig{Common: Common{Dim: 2, In: 1, Out: 1, Activation: "tanh", DType: "float64"}, Sensors: []int{4}, Branch: []int{5}, Trunk: []int{4}, Basis: 3}
	m, err := NewDeepONet(cfg, rng(5))
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.RandN(rng(6), tensor.Float64, 2, 1, 5, 6)
	w0, w1 := m.Branch.Layers[0].Weight, m.Trunk.Layers[1].Weight
	err = tensor.GradCheck(func(xs []*tensor.Tensor) *tensor.Tensor {
		m.Branch.Layers[0].Weight, m.Trunk.Layers[1].Weight = xs[1], xs[2]
		return m.Forward(xs[0])
	}, []*tensor.Tensor{x, w0, w1}, tensor.CheckOptions{Atol: 1e-6, Rtol: 1e-5})
	m.Branch.Layers[0].Weight, m.Trunk.Layers[1].Weight = w0, w1
	if err != nil {
		t.Fatal(err)
	}
}

func TestDeepONetFits(t *testing.T) {
	cfg := DeepONetConfig{Common: Common{Dim: 1, In: 1, Out: 1, Grid: "periodic"}, Sensors: []int{32}, Branch: []int{32}, Trunk: []int{32, 32}, Basis: 16}
	m, err := NewDeepONet(cfg, rng(7))
	if err != nil {
		t.Fatal(err)
	}
	x, y := helmholtzData(12, 64, 32)
	before, after := fit(t, m, x, y, 1000, 2e-3)
	xt, yt := helmholtzData(13, 16, 32)
	test := relL2(m.Forward(xt).Detach(), yt)
	xf, yf := helmholtzData(13, 16, 64)
	fine := relL2(m.Forward(xf).Detach(), yf)
	t.Logf("rel L2: init %.3f, train %.4f, test %.4f, at 2× resolution %.4f", before, after, test, fine)
	if after > 0.2 || test > 0.25 || fine > 0.25 || after > before/4 {
		t.Fatalf("DeepONet did not fit: train %.4f, test %.4f, fine %.4f", after, test, fine)
	}
}
