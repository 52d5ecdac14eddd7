package operator

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

func rng(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

// mgnoParams counts the parameters of an MgNO config by formula: per layer
// and level, each smoothing step has A (U→F) and S (F→U) 3^d-point
// kernels; every level but the coarsest a restriction (F→F, 3^d) and a
// prolongation (U→U, 4^d); the pointwise path F→U plus bias; a final
// bias-free Width→Out map.
func mgnoParams(c MgNOConfig, in int) int {
	c = c.withDefaults()
	k3, k4 := 1, 1
	for range c.Dim {
		k3 *= 3
		k4 *= 4
	}
	n := 0
	for i := range c.Layers {
		f, u := c.Width, c.Width
		if i == 0 {
			f = in
		}
		for l := range c.Levels {
			sm := steps(c.PreSmooth, l)
			if l+1 < c.Levels {
				sm += steps(c.PostSmooth, l)
				n += k3*f*f + k4*u*u
			}
			n += sm * 2 * k3 * f * u
		}
		n += f*u + u
	}
	return n + c.Width*c.Out
}

func TestMgNOParamCount(t *testing.T) {
	cfg := MgNODarcy()
	m, err := NewMgNO(cfg, rng(1))
	if err != nil {
		t.Fatal(err)
	}
	got := nn.CountParams(m)
	if want := mgnoParams(cfg, 3); got != want {
		t.Fatalf("Darcy MgNO has %d parameters, formula %d", got, want)
	}
	if got != 593613 {
		t.Fatalf("Darcy MgNO has %d parameters, documented 593,613", got)
	}
	post := MgNOConfig{Common: Common{Dim: 1, In: 2, Out: 3}, Width: 5, Layers: 2, Levels: 3, PreSmooth: []int{1, 2, 1}, PostSmooth: []int{1}}
	m2, err := NewMgNO(post, rng(1))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := nn.CountParams(m2), mgnoParams(post, 2); got != want {
		t.Fatalf("1-D MgNO has %d parameters, formula %d", got, want)
	}
}

func TestMgNOShapes(t *testing.T) {
	cfg := MgNOConfig{Common: Common{Dim: 2, In: 1, Out: 2, Grid: "closed"}, Width: 4, Layers: 2, Levels: 6}
	m, err := NewMgNO(cfg, rng(2))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range [][2]int{{85, 85}, {141, 141}, {32, 33}, {7, 5}} {
		x := tensor.RandN(rng(3), tensor.Float32, 2, 1, s[0], s[1])
		y := m.Forward(x)
		if want := []int{2, 2, s[0], s[1]}; !slices.Equal(y.Shape(), want) {
			t.Fatalf("grid %v: output %v, want %v", s, y.Shape(), want)
		}
		for _, v := range y.Float32s() {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("grid %v: non-finite output", s)
			}
		}
	}
	c1 := MgNOConfig{Common: Common{Dim: 1, In: 1, Out: 1, Grid: "periodic"}, Width: 4, Layers: 2, Levels: 4, Padding: "periodic", PostSmooth: []int{1}}
	m1, err := NewMgNO(c1, rng(2))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{64, 101} {
		y := m1.Forward(tensor.RandN(rng(3), tensor.Float32, 3, 1, n))
		if want := []int{3, 1, n}; !slices.Equal(y.Shape(), want) {
			t.Fatalf("1-D n %d: output %v", n, y.Shape())
		}
	}
}

func TestMgNOConfigErrors(t *testing.T) {
	bad := []MgNOConfig{
		{Common: Common{Dim: 3, In: 1, Out: 1}},
		{Common: Common{Dim: 2, In: 0, Out: 1}},
		{Common: Common{Dim: 2, In: 1, Out: 1}, Levels: 3, PreSmooth: []int{1, 1}},
		{Common: Common{Dim: 2, In: 1, Out: 1}, PreSmooth: []int{0}},
		{Common: Common{Dim: 2, In: 1, Out: 1}, Padding: "reflect"},
		{Common: Common{Dim: 2, In: 1, Out: 1, Activation: "nope"}},
		{Common: Common{Dim: 2, In: 1, Out: 1, Grid: "torus"}},
		{Common: Common{Dim: 2, In: 1, Out: 1, DType: "complex64"}},
	}
	for _, c := range bad {
		if _, err := NewMgNO(c, rng(1)); err == nil {
			t.Errorf("NewMgNO(%+v) accepted", c)
		}
	}
}

// TestMgConvTwoLevel checks the V-cycle against a hand-unrolled two-level
// cycle on an odd 9×7 grid (coarse grid 5×4, prolongation cropped from
// 10×8), and that it is linear in f (bias-free convolutions):
// MgConv(αf + βg) = α MgConv(f) + β MgConv(g).
func TestMgConvTwoLevel(t *testing.T) {
	cfg := MgNOConfig{Common: Common{Dim: 2, In: 2, Out: 1, DType: "float64"}, Width: 3, Layers: 1, Levels: 2, PreSmooth: []int{2}, PostSmooth: []int{1}}
	m, err := NewMgNO(cfg, rng(5))
	if err != nil {
		t.Fatal(err)
	}
	mc := m.Layers[0].Conv
	f := tensor.RandN(rng(6), tensor.Float64, 2, 2, 9, 7)
	got := mc.Forward(f)
	// Hand-unrolled: level 0 two pre-steps, residual, coarse two steps,
	// prolong + crop, one post-step.
	l0, l1 := mc.Levels[0], mc.Levels[1]
	u := l0.Pre[0].S.Forward(f)
	u = tensor.Add(u, l0.Pre[1].S.Forward(tensor.Sub(f, l0.Pre[1].A.Forward(u))))
	r := tensor.Sub(f, l0.Pre[1].A.Forward(u))
	fc := l0.Restrict.Forward(r)
	uc := l1.Pre[0].S.Forward(fc)
	uc = tensor.Add(uc, l1.Pre[1].S.Forward(tensor.Sub(fc, l1.Pre[1].A.Forward(uc))))
	if s := fc.Shape(); s[2] != 5 || s[3] != 4 {
		t.Fatalf("coarse grid %v, want 5×4", s)
	}
	p := tensor.Narrow(tensor.Narrow(l0.Prolong.Forward(uc), 2, 0, 9), 3, 0, 7)
	u = tensor.Add(u, p)
	u = tensor.Add(u, l0.Post[0].S.Forward(tensor.Sub(f, l0.Post[0].A.Forward(u))))
	if d := maxAbsDiff(got.Float64s(), u.Float64s()); d > 1e-12 {
		t.Fatalf("V-cycle differs from the unrolled cycle by %g", d)
	}
	// Linearity.
	g := tensor.RandN(rng(7), tensor.Float64, 2, 2, 9, 7)
	lhs := mc.Forward(tensor.Add(tensor.Scale(f, 2), tensor.Scale(g, -0.5)))
	rhs := tensor.Add(tensor.Scale(mc.Forward(f), 2), tensor.Scale(mc.Forward(g), -0.5))
	if d := maxAbsDiff(lhs.Float64s(), rhs.Float64s()); d > 1e-12 {
		t.Fatalf("MgConv not linear: %g", d)
	}
}

func maxAbsDiff(a, b []float64) float64 {
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

func TestMgNOGradients(t *testing.T) {
	cfg := MgNOConfig{Common: Common{Dim: 2, In: 1, Out: 1, Grid: "closed", DType: "float64", Activation: "tanh"}, Width: 2, Layers: 2, Levels: 3, PostSmooth: []int{1}}
	m, err := NewMgNO(cfg, rng(8))
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.RandN(rng(9), tensor.Float64, 2, 1, 7, 6)
	rs := m.Layers[1].Conv.Levels[0].Restrict.(*nn.Conv2d)
	pr := m.Layers[0].Conv.Levels[1].Prolong.(*nn.ConvTranspose2d)
	w0, w1 := rs.Weight, pr.Weight
	err = tensor.GradCheck(func(xs []*tensor.Tensor) *tensor.Tensor {
		rs.Weight, pr.Weight = xs[1], xs[2]
		return m.Forward(xs[0])
	}, []*tensor.Tensor{x, w0, w1}, tensor.CheckOptions{Atol: 1e-6, Rtol: 1e-5})
	rs.Weight, pr.Weight = w0, w1
	if err != nil {
		t.Fatal(err)
	}
}

// TestMgNOFits trains a small 1-D MgNO on the periodic Helmholtz-type
// solution operator (1 − Δ/4π²)^{-1} (the kind of elliptic solve a V-cycle
// approximates) and checks the relative L2 error on held-out samples and
// at a second resolution.
func TestMgNOFits(t *testing.T) {
	cfg := MgNOConfig{Common: Common{Dim: 1, In: 1, Out: 1}, Width: 8, Layers: 2, Levels: 4, Padding: "periodic"}
	m, err := NewMgNO(cfg, rng(11))
	if err != nil {
		t.Fatal(err)
	}
	x, y := helmholtzData(12, 32, 32)
	before, after := fit(t, m, x, y, 300, 3e-3)
	xt, yt := helmholtzData(13, 16, 32)
	test := relL2(m.Forward(xt).Detach(), yt)
	xf, yf := helmholtzData(13, 16, 64)
	fine := relL2(m.Forward(xf).Detach(), yf)
	t.Logf("rel L2: init %.3f, train %.4f, test %.4f, test at 2× resolution %.4f", before, after, test, fine)
	if after > 0.05 || test > 0.06 {
		t.Fatalf("MgNO did not fit: train %.4f, test %.4f (want ≤ 0.05, 0.06)", after, test)
	}
}
