package operator

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// LNOConfig describes a low-rank neural operator (Neural Operator paper,
// Kovachki, Li et al. 2023, §4.2): lifting P, layers
//
//	v ← σ(W v + K v),   (K v)_o(x) = Σ_{j<r} φ_{j,o}(x) · (1/N) Σ_y Σ_i ψ_{j,i}(y) v_i(y),
//
// i.e. the kernel integral with the rank-r kernel κ(x, y) = Σ_j φ_j(x)
// ψ_j(y)ᵀ (φ_j, ψ_j ∈ R^Width), its integral approximated by the mean over
// the N grid points; then a projection MLP Q. φ and ψ are pointwise MLPs of
// (a(x), x), so the kernel depends on the input as in the paper. The cost
// is O(N·Width·KernelHidden) per layer instead of the O(N²) of a dense
// kernel: the layer never forms φ and ψ (r·Width channels at every point)
// but contracts v with the hidden features of the ψ net and the result
// with those of the φ net (see kernelIntegral).
type LNOConfig struct {
	// Common: Dim 1, 2 or 3; Grid "closed" (default) or "periodic", the
	// coordinates being inputs of the lifting and of φ, ψ.
	Common `yaml:",inline"`
	// Stack: Width is the number of channels of v (default 32), Layers the
	// number of kernel-integral layers (default 4), Projection the hidden
	// width of Q (default 128).
	Stack `yaml:",inline"`
	// Rank is r (default 4).
	Rank int `yaml:"rank" json:"rank"`
	// KernelHidden is the hidden width of the φ and ψ nets (default 64).
	KernelHidden int `yaml:"kernel_hidden" json:"kernel_hidden"`
}

func (c LNOConfig) withDefaults() LNOConfig {
	c.Common = c.Common.WithDefaults("closed")
	c.Stack = c.Stack.WithDefaults(32, 4)
	if c.Rank == 0 {
		c.Rank = 4
	}
	if c.KernelHidden == 0 {
		c.KernelHidden = 64
	}
	return c
}

// Validate reports every problem with the configuration.
func (c LNOConfig) Validate() error {
	c = c.withDefaults()
	errs := c.Common.Check(3)
	if c.Width < 1 || c.Rank < 1 || c.Layers < 1 || c.KernelHidden < 1 || c.Projection < 1 {
		errs = append(errs, fmt.Sprintf("width %d, rank %d, layers %d, kernel_hidden %d, projection %d: want ≥ 1",
			c.Width, c.Rank, c.Layers, c.KernelHidden, c.Projection))
	}
	return JoinProblems("lno", errs)
}

// LNOLayer is one low-rank kernel-integral layer.
type LNOLayer struct {
	// Phi and Psi map (a(x), x) to φ(x), ψ(x) [r·Width channels, j-major].
	Phi, Psi *nn.ChannelMLP
	// Skip is the pointwise W v + b.
	Skip *nn.ChannelLinear
}

// Visit declares phi.*, psi.*, skip.*.
func (l *LNOLayer) Visit(v *nn.Visitor) {
	v.Module("phi", l.Phi)
	v.Module("psi", l.Psi)
	v.Module("skip", l.Skip)
}

// LNO is a low-rank neural operator. It implements Operator.
type LNO struct {
	Config  LNOConfig
	Lift    *nn.ChannelLinear
	Layers  []*LNOLayer
	Project *nn.ChannelMLP

	act   nn.Activation
	dtype tensor.DType
	grid  GridKind

	mu    sync.Mutex
	grids map[string]*tensor.Tensor
}

// NewLNO builds an LNO from cfg with weights drawn from r.
func NewLNO(cfg LNOConfig, r *rand.Rand) (*LNO, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	act, dt, kind, opts := cfg.Setup(nn.WithRand(r))
	m := &LNO{Config: cfg, act: act, dtype: dt, grid: *kind, grids: map[string]*tensor.Tensor{}}
	feat := cfg.In + cfg.Dim
	m.Lift = cfg.Lift(feat, opts...)
	kernel := func() *nn.ChannelMLP {
		return nn.NewChannelMLP(nn.ChannelMLPConfig{In: feat, Out: cfg.Rank * cfg.Width, Hidden: cfg.KernelHidden, NumLayers: 2, Activation: act.Forward}, opts...)
	}
	for range cfg.Layers {
		m.Layers = append(m.Layers, &LNOLayer{Phi: kernel(), Psi: kernel(), Skip: nn.NewChannelLinear(cfg.Width, cfg.Width, opts...)})
	}
	m.Project = cfg.Projector(cfg.Out, act, opts...)
	return m, nil
}

// Visit declares lift.*, layers.N.*, project.*.
func (m *LNO) Visit(v *nn.Visitor) {
	v.Module("lift", m.Lift)
	nn.VisitList(v, "layers", m.Layers)
	v.Module("project", m.Project)
	v.Module("activation", m.act)
}

// DType returns the dtype of the model's parameters.
func (m *LNO) DType() tensor.DType { return m.dtype }

// Forward maps x [B, In, n_1, …, n_d] to [B, Out, n_1, …, n_d].
func (m *LNO) Forward(x *tensor.Tensor) *tensor.Tensor {
	c := m.Config
	if x.NDim() != c.Dim+2 || x.Dim(1) != c.In {
		panic(fmt.Sprintf("lno: input shape %v, want [B, %d, %d grid axes]", x.Shape(), c.In, c.Dim))
	}
	if x.DType() != m.dtype {
		panic(fmt.Sprintf("lno: input dtype %v, model %v", x.DType(), m.dtype))
	}
	bs := x.Dim(0)
	sizes := slices.Clone(x.Shape()[2:])
	a := tensor.Concat(1, x, cachedGrid(&m.mu, m.grids, m.dtype, m.grid, bs, sizes).In(x.Arena()))
	a = tensor.Reshape(a, bs, c.In+c.Dim, -1) // [B, F, N]
	v := m.Lift.Forward(a)                    // [B, W, N]
	for i, l := range m.Layers {
		y := l.Skip.ForwardAdd(v, l.kernelIntegral(a, v, c.Rank)) // W v + b + K v
		if i < len(m.Layers)-1 {
			y = m.act.Forward(y)
		}
		v = y
	}
	out := m.Project.Forward(v)
	return tensor.Reshape(out, slices.Concat([]int{bs, c.Out}, sizes)...)
}

// kernelIntegral returns K v [B, W, N] for the features a [B, F, N] and
// v [B, W, N], without forming φ and ψ [B, r·W, N]. With the last layers
// of the kernel nets written out, φ_{j,o}(x) = Σ_k A_{jok} g_k(x) + α_{jo}
// and ψ_{j,i}(y) = Σ_k B_{jik} h_k(y) + β_{ji} (g, h the hidden features,
// H channels each), the two sums regroup into small matrix products:
//
//	G_{ik} = (1/N) Σ_y v_i(y) h_k(y),   m_i = (1/N) Σ_y v_i(y)       [W × H], [W]
//	c_j    = Σ_{i,k} B_{jik} G_{ik} + Σ_i β_{ji} m_i                  [r]
//	(K v)_o(x) = Σ_k (Σ_j c_j A_{jok}) g_k(x) + Σ_j c_j α_{jo},
//
// which costs O(N·W·H) a sample, as one W×W channel mixing, instead of
// the O(N·r·W·H) of evaluating φ and ψ (4× the FLOPs and r·W/H = 4× the
// memory at r = 4, H = W).
func (l *LNOLayer) kernelIntegral(a, v *tensor.Tensor, rank int) *tensor.Tensor {
	bs, w, n := v.Dim(0), v.Dim(1), v.Dim(2)
	hidden := func(mlp *nn.ChannelMLP) *tensor.Tensor {
		if len(mlp.Layers) != 2 {
			panic(fmt.Sprintf("lno: kernel nets with %d layers, want 2", len(mlp.Layers)))
		}
		return mlp.Activation(mlp.Layers[0].Forward(a)) // [B, H, N]
	}
	inv := 1 / float64(n)
	out := func(lin *nn.ChannelLinear) (wt, bias *tensor.Tensor) {
		wt = tensor.Reshape(lin.Weight, rank, w*lin.In) // [r, W·H], (o, k) row-major
		if lin.Bias != nil {
			bias = tensor.Reshape(lin.Bias, rank, w) // [r, W]
		}
		return wt, bias
	}
	h := hidden(l.Psi)
	hd := h.Dim(1)
	g := tensor.Scale(tensor.MatMulT(v, h, false, true), inv) // G [B, W, H]
	bw, bb := out(l.Psi.Layers[1])
	coef := tensor.MatMulT(tensor.Reshape(g, bs, w*hd), bw, false, true) // [B, r]
	if bb != nil {
		mean := tensor.Scale(tensor.SumAxes(v, []int{2}, false), inv) // [B, W]
		coef = tensor.Add(coef, tensor.MatMulT(mean, bb, false, true))
	}
	gf := hidden(l.Phi)
	aw, ab := out(l.Phi.Layers[1])
	mix := tensor.Reshape(tensor.MatMul(coef, aw), bs, w, gf.Dim(1)) // [B, W, H]
	kv := tensor.MatMul(mix, gf)                                     // [B, W, N]
	if ab != nil {
		kv = tensor.Add(kv, tensor.Reshape(tensor.MatMul(coef, ab), bs, w, 1))
	}
	return kv
}
