package operator

import (
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// MgNOConfig describes an MgNO (He, Liu, Xu, ICLR 2024): a stack of layers
//
//	u ← σ(MgConv(u) + W u + b),
//
// where MgConv is one multigrid V-cycle with learned convolutions and W u + b
// is a pointwise linear path with a per-channel bias (the bias function,
// constant in space so that the model has no parameter tied to a grid
// size). The zero values of optional fields take the documented defaults.
type MgNOConfig struct {
	// Common: Dim 1 or 2; Grid appends the coordinates of the grid points
	// as input channels: "" (none), "periodic" or "closed".
	Common `yaml:",inline"`
	// Width is the number of channels of u (default 24).
	Width int `yaml:"width" json:"width"`
	// Layers is the number of MgNO layers (default 5).
	Layers int `yaml:"layers" json:"layers"`
	// Levels is the number of grids of the V-cycle, the finest included
	// (default 5).
	Levels int `yaml:"levels" json:"levels"`
	// PreSmooth is the number of smoothing steps on each level on the way
	// down (default 1): one value for every level or one per level.
	PreSmooth []int `yaml:"pre_smooth" json:"pre_smooth"`
	// PostSmooth is the number of smoothing steps on each level but the
	// coarsest on the way up (default 0): one value or one per level.
	PostSmooth []int `yaml:"post_smooth" json:"post_smooth"`
	// Padding is what the 3×3 smoothers and restrictions read beyond the
	// grid: "zero" (default; Dirichlet-like problems such as Darcy) or
	// "periodic".
	Padding string `yaml:"padding" json:"padding"`
}

func (c MgNOConfig) withDefaults() MgNOConfig {
	c.Common = c.Common.WithDefaults("")
	if c.Width == 0 {
		c.Width = 24
	}
	if c.Layers == 0 {
		c.Layers = 5
	}
	if c.Levels == 0 {
		c.Levels = 5
	}
	if len(c.PreSmooth) == 0 {
		c.PreSmooth = []int{1}
	}
	if len(c.PostSmooth) == 0 {
		c.PostSmooth = []int{0}
	}
	if c.Padding == "" {
		c.Padding = "zero"
	}
	return c
}

// steps returns the count for level l of a per-level list (one value: all
// levels).
func steps(list []int, l int) int {
	if len(list) == 1 {
		return list[0]
	}
	return list[l]
}

// Validate reports every problem with the configuration.
func (c MgNOConfig) Validate() error {
	c = c.withDefaults()
	errs := c.Common.Check(2)
	if c.Width < 1 || c.Layers < 1 || c.Levels < 1 {
		errs = append(errs, fmt.Sprintf("width %d, layers %d, levels %d: want ≥ 1", c.Width, c.Layers, c.Levels))
	}
	for _, s := range []struct {
		name string
		v    []int
	}{{"pre_smooth", c.PreSmooth}, {"post_smooth", c.PostSmooth}} {
		if len(s.v) != 1 && len(s.v) != c.Levels {
			errs = append(errs, fmt.Sprintf("%s %v: want one value or one per level (%d)", s.name, s.v, c.Levels))
		}
		for _, n := range s.v {
			if n < 0 {
				errs = append(errs, fmt.Sprintf("%s %v: want ≥ 0", s.name, s.v))
				break
			}
		}
	}
	if len(c.PreSmooth) == 1 || len(c.PreSmooth) == c.Levels {
		for l := range c.Levels {
			if steps(c.PreSmooth, l) < 1 {
				errs = append(errs, fmt.Sprintf("pre_smooth %v: every level needs ≥ 1 step (the first gives u = S f)", c.PreSmooth))
				break
			}
		}
	}
	switch c.Padding {
	case "zero", "periodic":
	default:
		errs = append(errs, fmt.Sprintf("padding %q: want zero or periodic", c.Padding))
	}
	return JoinProblems("mgno", errs)
}

// MgNODarcy is the MgNO paper's Darcy model: input (a, x, y) on the closed
// grid, 5 layers of 24 channels, 6-level V-cycles with one pre-smoothing
// step per level, zero padding, GELU; 593,613 parameters.
func MgNODarcy() MgNOConfig {
	return MgNOConfig{Common: Common{Dim: 2, In: 1, Out: 1, Activation: "gelu", Grid: "closed"},
		Width: 24, Layers: 5, Levels: 6, PreSmooth: []int{1}, Padding: "zero"}
}

// MgNOBurgers is a 1-D MgNO for the periodic Burgers benchmark: input
// (u0, x), 5 layers of 64 channels, 7-level V-cycles, periodic padding.
func MgNOBurgers() MgNOConfig {
	return MgNOConfig{Common: Common{Dim: 1, In: 1, Out: 1, Activation: "gelu", Grid: "periodic"},
		Width: 64, Layers: 5, Levels: 7, PreSmooth: []int{1}, Padding: "periodic"}
}

// Smoother is one smoothing step u ← u + S(f − A u) (on the first step of
// a level, from u = 0: u = S f, and A is not used).
type Smoother struct {
	A, S nn.Layer
}

// Visit declares A and S.
func (s *Smoother) Visit(v *nn.Visitor) {
	v.Module("a", s.A)
	v.Module("s", s.S)
}

// MgLevel holds the learned operators of one level of the V-cycle.
type MgLevel struct {
	// Pre are the smoothing steps on the way down.
	Pre []*Smoother
	// Post are the smoothing steps on the way up (none on the coarsest
	// level).
	Post []*Smoother
	// Restrict maps the residual f − A u of this level to the right-hand
	// side of the next coarser one (a stride-2 3×3 convolution; nil on the
	// coarsest level).
	Restrict nn.Layer
	// Prolong maps the correction of the next coarser level to this one (a
	// stride-2 4×4 transposed convolution with padding 1; nil on the
	// coarsest level).
	Prolong nn.Layer
}

// Visit declares the level's operators.
func (l *MgLevel) Visit(v *nn.Visitor) {
	nn.VisitList(v, "pre", l.Pre)
	nn.VisitList(v, "post", l.Post)
	v.Module("restrict", l.Restrict)
	v.Module("prolong", l.Prolong)
}

// MgConv is the multigrid V-cycle MgConv(f) of an MgNO layer, a linear map
// from f with F channels to u with U channels. On level 0 (the input grid)
// u₀ = S f, then u ← u + S(f − A u) for the further pre-smoothing steps;
// f₁ = R(f₀ − A u₀) restricts the residual to a grid of ⌈n/2⌉ points per
// axis, where the same is repeated with the level's own operators, down to
// the coarsest level. On the way up u_ℓ ← u_ℓ + P(u_{ℓ+1}), cropped to the
// level's grid, followed by the post-smoothing steps. A maps U → F
// channels, S and P map to U channels, R maps F → F channels; all are
// bias-free convolutions.
type MgConv struct {
	Levels []*MgLevel
}

// Visit declares levels.N.*.
func (m *MgConv) Visit(v *nn.Visitor) { nn.VisitList(v, "levels", m.Levels) }

// Forward applies the V-cycle to f [B, F, n…] and returns u [B, U, n…].
func (m *MgConv) Forward(f *tensor.Tensor) *tensor.Tensor {
	return m.vcycle(0, f)
}

func (m *MgConv) vcycle(l int, f *tensor.Tensor) *tensor.Tensor {
	lv := m.Levels[l]
	u := smooth(nil, f, lv.Pre)
	if l+1 < len(m.Levels) {
		r := tensor.Sub(f, lastA(lv.Pre).Forward(u))
		e := m.vcycle(l+1, lv.Restrict.Forward(r))
		u = tensor.Add(u, cropTo(lv.Prolong.Forward(e), u.Shape()[2:]))
		u = smooth(u, f, lv.Post)
	}
	return u
}

func lastA(ss []*Smoother) nn.Layer { return ss[len(ss)-1].A }

// smooth applies the smoothing steps; u nil means u = 0 (the first step is
// then u = S f).
func smooth(u, f *tensor.Tensor, ss []*Smoother) *tensor.Tensor {
	for _, s := range ss {
		if u == nil {
			u = s.S.Forward(f)
			continue
		}
		u = tensor.Add(u, s.S.Forward(tensor.Sub(f, s.A.Forward(u))))
	}
	return u
}

// cropTo narrows the grid axes of x to sizes (a prolongation of ⌈n/2⌉
// points has 2⌈n/2⌉ ≥ n).
func cropTo(x *tensor.Tensor, sizes []int) *tensor.Tensor {
	for a, s := range sizes {
		if x.Dim(2+a) != s {
			x = tensor.Narrow(x, 2+a, 0, s)
		}
	}
	return x
}

// MgNOLayer is one layer u ← σ(MgConv(u) + W u + b); MgNO.Forward applies σ
// after every layer, the last included, before the final 1×1 map.
type MgNOLayer struct {
	Conv *MgConv
	// Linear is the pointwise path W u + b, b a per-channel bias.
	Linear *nn.ChannelLinear
}

// Visit declares conv.* and linear.*.
func (l *MgNOLayer) Visit(v *nn.Visitor) {
	v.Module("conv", l.Conv)
	v.Module("linear", l.Linear)
}

// MgNO is a multigrid neural operator. It implements Operator.
//
// Grids of any size are accepted: a level of n points per axis is
// restricted to ⌈n/2⌉ (the stride-2 3×3 convolution with padding 1 keeps
// the even-indexed points, both ends of an odd grid included, as
// vertex-centred multigrid on 2^k + 1 points), and the prolongation of the
// coarse grid (2⌈n/2⌉ points) is cropped to n. So the Darcy grids 85, 141,
// 211 and 421 need no padding, and no parameter depends on the grid size.
type MgNO struct {
	Config MgNOConfig
	Layers []*MgNOLayer
	// Project is the final pointwise map Width → Out (bias-free).
	Project *nn.ChannelLinear

	act   nn.Activation
	dtype tensor.DType
	grid  *GridKind

	mu    sync.Mutex
	grids map[string]*tensor.Tensor
}

// NewMgNO builds an MgNO from cfg with weights drawn from r (PyTorch's
// default initialisation of every convolution and 1×1 map).
func NewMgNO(cfg MgNOConfig, r *rand.Rand) (*MgNO, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	act, dt, kind, _ := cfg.Setup(nn.WithRand(r))
	m := &MgNO{Config: cfg, act: act, dtype: dt, grid: kind, grids: map[string]*tensor.Tensor{}}
	in := cfg.In
	if kind != nil {
		in += cfg.Dim
	}
	mode := tensor.PadZero
	if cfg.Padding == "periodic" {
		mode = tensor.PadPeriodic
	}
	base := []nn.Option{nn.WithRand(r), nn.WithDType(dt), nn.WithBias(false)}
	conv := func(ci, co, k, stride int) nn.Layer {
		o := append(base[:len(base):len(base)], nn.WithStride(stride), nn.WithPadding(1), nn.WithPadMode(mode))
		if cfg.Dim == 1 {
			return nn.NewConv1d(ci, co, k, o...)
		}
		return nn.NewConv2d(ci, co, k, o...)
	}
	convT := func(ci, co int) nn.Layer {
		o := append(base[:len(base):len(base)], nn.WithStride(2), nn.WithPadding(1))
		if cfg.Dim == 1 {
			return nn.NewConvTranspose1d(ci, co, 4, o...)
		}
		return nn.NewConvTranspose2d(ci, co, 4, o...)
	}
	smoothers := func(n, f, u int) []*Smoother {
		var ss []*Smoother
		for range n {
			ss = append(ss, &Smoother{A: conv(u, f, 3, 1), S: conv(f, u, 3, 1)})
		}
		return ss
	}
	for i := range cfg.Layers {
		f, u := cfg.Width, cfg.Width
		if i == 0 {
			f = in
		}
		mc := &MgConv{}
		for l := range cfg.Levels {
			lv := &MgLevel{Pre: smoothers(steps(cfg.PreSmooth, l), f, u)}
			if l+1 < cfg.Levels {
				lv.Post = smoothers(steps(cfg.PostSmooth, l), f, u)
				lv.Restrict = conv(f, f, 3, 2)
				lv.Prolong = convT(u, u)
			}
			mc.Levels = append(mc.Levels, lv)
		}
		lin := nn.NewChannelLinear(f, u, nn.WithRand(r), nn.WithDType(dt))
		m.Layers = append(m.Layers, &MgNOLayer{Conv: mc, Linear: lin})
	}
	m.Project = nn.NewChannelLinear(cfg.Width, cfg.Out, base...)
	return m, nil
}

// Visit declares layers.N.conv.levels.M.*, layers.N.linear.*, project.*.
func (m *MgNO) Visit(v *nn.Visitor) {
	nn.VisitList(v, "layers", m.Layers)
	v.Module("project", m.Project)
	v.Module("activation", m.act)
}

// DType returns the dtype of the model's parameters.
func (m *MgNO) DType() tensor.DType { return m.dtype }

// Forward maps x [B, In, n_1, …, n_d] to [B, Out, n_1, …, n_d].
func (m *MgNO) Forward(x *tensor.Tensor) *tensor.Tensor {
	c := m.Config
	if x.NDim() != c.Dim+2 || x.Dim(1) != c.In {
		panic(fmt.Sprintf("mgno: input shape %v, want [B, %d, %d grid axes]", x.Shape(), c.In, c.Dim))
	}
	if x.DType() != m.dtype {
		panic(fmt.Sprintf("mgno: input dtype %v, model %v", x.DType(), m.dtype))
	}
	if m.grid != nil {
		x = tensor.Concat(1, x, cachedGrid(&m.mu, m.grids, m.dtype, *m.grid, x.Dim(0), x.Shape()[2:]).In(x.Arena()))
	}
	u := x
	for _, l := range m.Layers {
		u = m.act.Forward(tensor.Add(l.Conv.Forward(u), l.Linear.Forward(u)))
	}
	return m.Project.Forward(u)
}

// cachedGrid returns the coordinate channels for a batch and grid from
// cache (filling it).
func cachedGrid(mu *sync.Mutex, cache map[string]*tensor.Tensor, dt tensor.DType, kind GridKind, batch int, sizes []int) *tensor.Tensor {
	key := fmt.Sprint(batch, sizes)
	mu.Lock()
	defer mu.Unlock()
	g, ok := cache[key]
	if !ok {
		g = GridFeatures(dt, kind, batch, sizes...)
		if len(cache) > 16 {
			clear(cache)
		}
		cache[key] = g
	}
	return g
}
