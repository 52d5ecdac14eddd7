package operator

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// DeepONetConfig describes a DeepONet (Lu et al. 2021), the branch/trunk
// operator learner
//
//	G(a)(y)_o = Σ_{k<p} b_{o,k}(a(ξ_1), …, a(ξ_m)) · t_{o,k}(y) + β_o,
//
// where the branch net b sees the input function at m fixed sensors ξ and
// the trunk net t sees the coordinates y of an output point. The sensors
// are a grid of Sensors points per axis; an input on another grid is
// linearly interpolated to it, so the model takes any resolution.
type DeepONetConfig struct {
	// Common: Dim 1, 2 or 3; Activation (default "gelu") after every hidden
	// layer and after the trunk's last layer; Grid "closed" (default) or
	// "periodic", which sets the trunk's coordinates and the sensor
	// interpolation.
	Common `yaml:",inline"`
	// Sensors is the sensor grid, one size per axis (or one for all).
	Sensors []int `yaml:"sensors" json:"sensors"`
	// Branch and Trunk are the hidden widths of the two MLPs (default
	// [128, 128] each).
	Branch []int `yaml:"branch" json:"branch"`
	Trunk  []int `yaml:"trunk" json:"trunk"`
	// Basis is the number p of basis functions per output channel
	// (default 64).
	Basis int `yaml:"basis" json:"basis"`
}

func (c DeepONetConfig) withDefaults() DeepONetConfig {
	c.Common = c.Common.WithDefaults("closed")
	if len(c.Branch) == 0 {
		c.Branch = []int{128, 128}
	}
	if len(c.Trunk) == 0 {
		c.Trunk = []int{128, 128}
	}
	if c.Basis == 0 {
		c.Basis = 64
	}
	if len(c.Sensors) == 1 && c.Dim > 1 {
		s := c.Sensors[0]
		c.Sensors = make([]int, c.Dim)
		for i := range c.Sensors {
			c.Sensors[i] = s
		}
	}
	return c
}

// Validate reports every problem with the configuration.
func (c DeepONetConfig) Validate() error {
	c = c.withDefaults()
	errs := c.Common.Check(3)
	if len(c.Sensors) != c.Dim {
		errs = append(errs, fmt.Sprintf("sensors %v: want one size or one per axis", c.Sensors))
	}
	for _, s := range c.Sensors {
		if s < 2 {
			errs = append(errs, fmt.Sprintf("sensors %v: want ≥ 2 per axis", c.Sensors))
			break
		}
	}
	for _, w := range slices.Concat(c.Branch, c.Trunk, []int{c.Basis}) {
		if w < 1 {
			errs = append(errs, fmt.Sprintf("branch %v, trunk %v, basis %d: want widths ≥ 1", c.Branch, c.Trunk, c.Basis))
			break
		}
	}
	return JoinProblems("deeponet", errs)
}

// MLP is a stack of nn.Linear layers over the last axis with an activation
// after every layer but the last (and after the last too when Final is
// set).
type MLP struct {
	Layers []*nn.Linear
	Final  bool
	act    nn.Activation
}

func newMLP(widths []int, act nn.Activation, final bool, opts ...nn.Option) *MLP {
	m := &MLP{Final: final, act: act}
	for i := 0; i+1 < len(widths); i++ {
		m.Layers = append(m.Layers, nn.NewLinear(widths[i], widths[i+1], opts...))
	}
	return m
}

// Forward maps [..., in] to [..., out].
func (m *MLP) Forward(x *tensor.Tensor) *tensor.Tensor {
	for i, l := range m.Layers {
		x = l.Forward(x)
		if i < len(m.Layers)-1 || m.Final {
			x = m.act.Forward(x)
		}
	}
	return x
}

// Visit declares layers.N.*.
func (m *MLP) Visit(v *nn.Visitor) { nn.VisitList(v, "layers", m.Layers) }

// DeepONet is a branch/trunk operator learner. It implements Operator.
type DeepONet struct {
	Config DeepONetConfig
	Branch *MLP
	Trunk  *MLP
	// Bias is β [Out].
	Bias *tensor.Tensor

	act   nn.Activation
	dtype tensor.DType
	grid  GridKind

	mu    sync.Mutex
	grids map[string]*tensor.Tensor
}

// NewDeepONet builds a DeepONet from cfg with weights drawn from r
// (PyTorch's nn.Linear initialisation; β = 0).
func NewDeepONet(cfg DeepONetConfig, r *rand.Rand) (*DeepONet, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	act, dt, kind, opts := cfg.Setup(nn.WithRand(r))
	m := &DeepONet{Config: cfg, act: act, dtype: dt, grid: *kind, grids: map[string]*tensor.Tensor{}}
	sensors := cfg.In
	for _, s := range cfg.Sensors {
		sensors *= s
	}
	p := cfg.Basis * cfg.Out
	m.Branch = newMLP(slices.Concat([]int{sensors}, cfg.Branch, []int{p}), act, false, opts...)
	m.Trunk = newMLP(slices.Concat([]int{cfg.Dim}, cfg.Trunk, []int{p}), act, true, opts...)
	m.Bias = tensor.Zeros(dt, cfg.Out).SetRequiresGrad(true)
	return m, nil
}

// Visit declares branch.*, trunk.*, bias.
func (m *DeepONet) Visit(v *nn.Visitor) {
	v.Module("branch", m.Branch)
	v.Module("trunk", m.Trunk)
	v.Param("bias", m.Bias)
	v.Module("activation", m.act)
}

// DType returns the dtype of the model's parameters.
func (m *DeepONet) DType() tensor.DType { return m.dtype }

// BranchFeatures returns the branch net's coefficients b(a) [B, Out, p]
// for inputs x [B, In, n…] on any grid.
func (m *DeepONet) BranchFeatures(x *tensor.Tensor) *tensor.Tensor {
	c := m.Config
	if x.NDim() != c.Dim+2 || x.Dim(1) != c.In {
		panic(fmt.Sprintf("deeponet: input shape %v, want [B, %d, %d grid axes]", x.Shape(), c.In, c.Dim))
	}
	if x.DType() != m.dtype {
		panic(fmt.Sprintf("deeponet: input dtype %v, model %v", x.DType(), m.dtype))
	}
	mode := tensor.InterpLinear
	if m.grid == Periodic {
		mode = tensor.InterpPeriodic
	}
	xs := tensor.Interpolate(x, c.Sensors, mode)
	b := m.Branch.Forward(tensor.Reshape(xs, x.Dim(0), -1))
	return tensor.Reshape(b, x.Dim(0), c.Out, c.Basis)
}

// Evaluate returns G(a)(y) [B, Out, N] from branch coefficients b
// [B, Out, p] at the points y [N, Dim] (coordinates on [0, 1]).
func (m *DeepONet) Evaluate(b, y *tensor.Tensor) *tensor.Tensor {
	c := m.Config
	n := y.Dim(0)
	t := tensor.Reshape(m.Trunk.Forward(y), n, c.Out, c.Basis) // [N, Out, p]
	t = tensor.Permute(t, 1, 2, 0)                             // [Out, p, N]
	bb := tensor.Permute(b, 1, 0, 2)                           // [Out, B, p]
	out := tensor.Permute(tensor.MatMul(bb, t), 1, 0, 2)       // [B, Out, N]
	return tensor.Add(out, tensor.Reshape(m.Bias, 1, c.Out, 1))
}

// Forward maps x [B, In, n_1, …, n_d] to [B, Out, n_1, …, n_d]: the output
// is evaluated at the points of the input grid.
func (m *DeepONet) Forward(x *tensor.Tensor) *tensor.Tensor {
	b := m.BranchFeatures(x)
	sizes := x.Shape()[2:]
	y := m.points(sizes).In(x.Arena())
	out := m.Evaluate(b, y)
	return tensor.Reshape(out, slices.Concat([]int{x.Dim(0), m.Config.Out}, sizes)...)
}

// points returns (cached) the grid coordinates [N, Dim].
func (m *DeepONet) points(sizes []int) *tensor.Tensor {
	return gridPoints(&m.mu, m.grids, m.dtype, m.grid, sizes)
}

// gridPoints returns the coordinates [N, d] of a grid's points in
// row-major order, cached.
func gridPoints(mu *sync.Mutex, cache map[string]*tensor.Tensor, dt tensor.DType, kind GridKind, sizes []int) *tensor.Tensor {
	key := fmt.Sprint("points", sizes)
	mu.Lock()
	defer mu.Unlock()
	if g, ok := cache[key]; ok {
		return g
	}
	g := GridFeatures(dt, kind, 1, sizes...)
	g = tensor.Transpose(tensor.Reshape(g, len(sizes), -1), 0, 1)
	if len(cache) > 16 {
		clear(cache)
	}
	cache[key] = g
	return g
}
