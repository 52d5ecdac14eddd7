package operator

import (
	"slices"
	"testing"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// TestLNOKernelIntegral checks one layer against the direct double sum
// (K v)_o(x) = Σ_j φ_{j,o}(x) (1/N) Σ_y Σ_i ψ_{j,i}(y) v_i(y), plus W v + b.
func TestLNOKernelIntegral(t *testing.T) {
	cfg := LNOConfig{Common: Common{Dim: 2, In: 1, Out: 1, DType: "float64"}, Stack: Stack{Width: 3, Layers: 1, Projection: 4}, Rank: 2, KernelHidden: 5}
	m, err := NewLNO(cfg, rng(1))
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.RandN(rng(2), tensor.Float64, 2, 1, 4, 5)
	got := m.Forward(x)
	a := tensor.Reshape(tensor.Concat(1, x, GridFeatures(tensor.Float64, Closed, 2, 4, 5)), 2, 3, 20)
	v := m.Lift.Forward(a).Float64s()
	l := m.Layers[0]
	phi, psi := l.Phi.Forward(a).Float64s(), l.Psi.Forward(a).Float64s()
	skip := l.Skip.Forward(m.Lift.Forward(a)).Float64s()
	const W, R, N = 3, 2, 20
	h := make([]float64, 2*W*N)
	for b := range 2 {
		for j := range R {
			c := 0.0
			for i := range W {
				for y := range N {
					c += psi[((b*R+j)*W+i)*N+y] * v[(b*W+i)*N+y]
				}
			}
			c /= N
			for o := range W {
				for p := range N {
					h[(b*W+o)*N+p] += phi[((b*R+j)*W+o)*N+p] * c
				}
			}
		}
	}
	for i := range h {
		h[i] += skip[i]
	}
	want := m.Project.Forward(tensor.FromFloat64s(tensor.Float64, h, 2, W, N))
	if d := maxAbsDiff(got.Float64s(), want.Float64s()); d > 1e-12 {
		t.Fatalf("LNO differs from the direct kernel sum by %g", d)
	}
	if !slices.Equal(got.Shape(), []int{2, 1, 4, 5}) {
		t.Fatalf("shape %v", got.Shape())
	}
	if _, err := NewLNO(LNOConfig{Common: Common{Dim: 4, In: 1, Out: 1}}, rng(1)); err == nil {
		t.Fatal("NewLNO accepted dim 4")
	}
}

func TestLNOGradients(t *testing.T) {
	cfg := LNOConfig{Common: Common{Dim: 1, In: 1, Out: 1, Activation: "tanh", DType: "float64"}, Stack: Stack{Width: 3, Layers: 2, Projection: 4}, Rank: 2, KernelHidden: 4}
	m, err := NewLNO(cfg, rng(3))
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.RandN(rng(4), tensor.Float64, 2, 1, 7)
	w := m.Layers[0].Psi.Layers[0].Weight
	err = tensor.GradCheck(func(xs []*tensor.Tensor) *tensor.Tensor {
		m.Layers[0].Psi.Layers[0].Weight = xs[1]
		return m.Forward(xs[0])
	}, []*tensor.Tensor{x, w}, tensor.CheckOptions{Atol: 1e-6, Rtol: 1e-5})
	m.Layers[0].Psi.Layers[0].Weight = w
	if err != nil {
		t.Fatal(err)
	}
}

// TestLNOFits is a short smoke training: in 300 full-batch steps the LNO
// roughly halves its error on the Helmholtz-type problem (it converges much
// more slowly than MgNO or DeepONet here; see docs/results.md).
func TestLNOFits(t *testing.T) {
	cfg := LNOConfig{Common: Common{Dim: 1, In: 1, Out: 1, Grid: "periodic"}, Stack: Stack{Width: 8, Layers: 1, Projection: 16}, Rank: 8, KernelHidden: 16}
	m, err := NewLNO(cfg, rng(5))
	if err != nil {
		t.Fatal(err)
	}
	x, y := helmholtzData(12, 32, 32)
	before, after := fit(t, m, x, y, 300, 5e-3)
	xt, yt := helmholtzData(13, 16, 32)
	test := relL2(m.Forward(xt).Detach(), yt)
	xf, yf := helmholtzData(13, 16, 64)
	fine := relL2(m.Forward(xf).Detach(), yf)
	t.Logf("rel L2: init %.3f, train %.4f, test %.4f, at 2× resolution %.4f", before, after, test, fine)
	if after > 0.55 || test > 0.7 || fine > 0.7 || after > before/1.8 {
		t.Fatalf("LNO did not fit: train %.4f, test %.4f, fine %.4f", after, test, fine)
	}
}

// lnoDirect is the LNO forward as first written: φ and ψ [B, r·W, N]
// evaluated at every point, then coef = (1/N) ψ·v and K v = Σ_j coef_j φ_j.
func lnoDirect(m *LNO, x *tensor.Tensor) *tensor.Tensor {
	c := m.Config
	bs := x.Dim(0)
	sizes := slices.Clone(x.Shape()[2:])
	a := tensor.Concat(1, x, GridFeatures(x.DType(), m.grid, bs, sizes...))
	a = tensor.Reshape(a, bs, c.In+c.Dim, -1)
	n := a.Dim(2)
	v := m.Lift.Forward(a)
	for i, l := range m.Layers {
		phi := tensor.Reshape(l.Phi.Forward(a), bs, c.Rank, c.Width*n)
		psi := tensor.Reshape(l.Psi.Forward(a), bs, c.Rank, c.Width*n)
		coef := tensor.Scale(tensor.MatMul(psi, tensor.Reshape(v, bs, c.Width*n, 1)), 1/float64(n))
		kv := tensor.MatMulT(coef, phi, true, false)
		y := tensor.Add(tensor.Reshape(kv, bs, c.Width, n), l.Skip.Forward(v))
		if i < len(m.Layers)-1 {
			y = m.act.Forward(y)
		}
		v = y
	}
	return tensor.Reshape(m.Project.Forward(v), slices.Concat([]int{bs, c.Out}, sizes)...)
}

// TestLNOFactoredEqualsDirect checks that the factored kernel integral
// (G = v hᵀ/N, no φ, ψ tensors) gives the output and the gradients of
// every parameter and of the input of the direct formulation to round-off
// (float64, 2 layers, rank 3, width ≠ hidden width).
func TestLNOFactoredEqualsDirect(t *testing.T) {
	cfg := LNOConfig{Common: Common{Dim: 2, In: 2, Out: 1, DType: "float64"}, Stack: Stack{Width: 5, Layers: 2, Projection: 6}, Rank: 3, KernelHidden: 7}
	m, err := NewLNO(cfg, rng(7))
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.RandN(rng(8), tensor.Float64, 3, 2, 6, 5).SetRequiresGrad(true)
	grads := func(f func(*LNO, *tensor.Tensor) *tensor.Tensor) (out []float64, g map[string][]float64) {
		ps := nn.NamedParams(m)
		for _, p := range ps {
			p.Tensor.ZeroGrad()
		}
		x.ZeroGrad()
		y := f(m, x)
		tensor.Sum(tensor.Mul(y, y)).Backward()
		g = map[string][]float64{"input": x.Grad().Float64s()}
		for _, p := range ps {
			g[p.Name] = p.Tensor.Grad().Float64s()
		}
		return y.Float64s(), g
	}
	fast, gf := grads((*LNO).Forward)
	direct, gd := grads(lnoDirect)
	if d := maxAbsDiff(fast, direct); d > 1e-12 {
		t.Fatalf("output differs from the direct formulation by %g", d)
	}
	for name, want := range gd {
		if d := maxAbsDiff(gf[name], want); d > 1e-11 {
			t.Errorf("gradient of %s differs by %g", name, d)
		}
	}
	if len(gd) != 1+len(nn.NamedParams(m)) {
		t.Fatalf("%d gradients compared", len(gd))
	}
}
