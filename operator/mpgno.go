package operator

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// MultipoleGNOConfig describes a multipole graph neural operator (MGNO; Li
// et al. 2020, "Multipole graph neural operator for parametric PDEs"; the
// Neural Operator paper's multi-level graph). The points form a hierarchy
// of nested sets: level 0 is every point, level ℓ+1 every 2^d-th point of
// level ℓ (on grids: every other point per axis). The kernel integral is
// split into a short-range part on each level, with radius Radius·2^ℓ,
// and transfers between neighbouring levels, as a V-cycle per iteration:
//
//	down:  v_{ℓ+1} = K_{ℓ→ℓ+1} v_ℓ                          (ℓ = 0 … L−2)
//	up:    u_{L−1} = K_{L−1,L−1} v_{L−1},
//	       u_ℓ = K_{ℓ,ℓ} v_ℓ + K_{ℓ+1→ℓ} u_{ℓ+1}              (ℓ = L−2 … 0)
//	v ← σ(W v + u_0),
//
// every K a Nyström mean over a radius graph with an MLP kernel
// κ(x, y, a(x), a(y)) (one per level and transfer, shared by the
// iterations). The cost is O(N) per iteration for fixed radii in grid
// units, while the coarse levels reach across the domain.
type MultipoleGNOConfig struct {
	// GNOConfig holds the fields of the single-level GNO with their
	// meaning there, except for the defaults of KernelHidden ([64], the
	// hidden widths of every κ) and Radius (0.05, the radius on level 0;
	// level ℓ uses Radius·2^ℓ, and a transfer between ℓ and ℓ+1 the
	// coarser one's). Layers is the number of V-cycle iterations.
	GNOConfig `yaml:",inline"`
	// Levels is the number of levels L (default 3).
	Levels int `yaml:"levels" json:"levels"`
}

func (c MultipoleGNOConfig) withDefaults() MultipoleGNOConfig {
	if c.Levels == 0 {
		c.Levels = 3
	}
	if len(c.KernelHidden) == 0 {
		c.KernelHidden = []int{64}
	}
	if c.Radius == 0 {
		c.Radius = 0.05
	}
	c.GNOConfig = c.GNOConfig.withDefaults()
	return c
}

// Validate reports every problem with the configuration.
func (c MultipoleGNOConfig) Validate() error {
	c = c.withDefaults()
	errs := c.GNOConfig.problems()
	if c.Levels < 1 {
		errs = append(errs, fmt.Sprintf("levels %d: want ≥ 1", c.Levels))
	}
	if c.SampleNodes != 0 {
		errs = append(errs, "sample_nodes: not supported by the multipole GNO (its levels are grid subsamplings)")
	}
	return JoinProblems("mpgno", errs)
}

// MultipoleGNO is a multipole graph neural operator. It implements
// Operator (on grids).
type MultipoleGNO struct {
	Config MultipoleGNOConfig
	Lift   *nn.ChannelLinear
	// Within[ℓ] is κ of level ℓ; Down[ℓ] and Up[ℓ] transfer between levels
	// ℓ and ℓ+1.
	Within, Down, Up []*MLP
	Skip             []*nn.ChannelLinear
	Project          *nn.ChannelMLP

	act   nn.Activation
	dtype tensor.DType
	grid  GridKind

	mu    sync.Mutex
	cache map[string]*hierarchy
}

// hierarchy is the multi-level graph of one grid.
type hierarchy struct {
	pts      [][]float64 // coordinates per level
	idx      [][]int     // level ℓ's points as indices into level 0
	within   []*Graph
	down, up []*Graph
}

// NewMultipoleGNO builds a multipole GNO from cfg with weights drawn from
// r.
func NewMultipoleGNO(cfg MultipoleGNOConfig, r *rand.Rand) (*MultipoleGNO, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	act, dt, kind, opts := cfg.Setup(nn.WithRand(r))
	m := &MultipoleGNO{Config: cfg, act: act, dtype: dt, grid: *kind, cache: map[string]*hierarchy{}}
	m.Lift = cfg.Lift(cfg.In+cfg.Dim, opts...)
	widths := slices.Concat([]int{2*cfg.Dim + 2*cfg.In}, cfg.KernelHidden, []int{cfg.Width * cfg.Width})
	for l := range cfg.Levels {
		m.Within = append(m.Within, newMLP(widths, act, false, opts...))
		if l+1 < cfg.Levels {
			m.Down = append(m.Down, newMLP(widths, act, false, opts...))
			m.Up = append(m.Up, newMLP(widths, act, false, opts...))
		}
	}
	for range cfg.Layers {
		m.Skip = append(m.Skip, nn.NewChannelLinear(cfg.Width, cfg.Width, opts...))
	}
	m.Project = cfg.Projector(cfg.Out, act, opts...)
	return m, nil
}

// Visit declares lift.*, within.N.*, down.N.*, up.N.*, skip.N.*,
// project.*.
func (m *MultipoleGNO) Visit(v *nn.Visitor) {
	v.Module("lift", m.Lift)
	nn.VisitList(v, "within", m.Within)
	nn.VisitList(v, "down", m.Down)
	nn.VisitList(v, "up", m.Up)
	nn.VisitList(v, "skip", m.Skip)
	v.Module("project", m.Project)
	v.Module("activation", m.act)
}

// DType returns the dtype of the model's parameters.
func (m *MultipoleGNO) DType() tensor.DType { return m.dtype }

// hierarchyOf builds (cached) the levels and graphs of a grid: level ℓ+1
// keeps the points of level ℓ with even index along every axis.
func (m *MultipoleGNO) hierarchyOf(sizes []int) *hierarchy {
	key := fmt.Sprint(sizes)
	m.mu.Lock()
	defer m.mu.Unlock()
	if h, ok := m.cache[key]; ok {
		return h
	}
	c := m.Config
	d := len(sizes)
	h := &hierarchy{}
	h.pts, h.idx = m.levelsOf(sizes)
	for l := range c.Levels {
		rad := m.levelRadius(l)
		h.within = append(h.within, RadiusGraph(h.pts[l], d, rad))
		if l > 0 {
			fine := h.pts[l-1]
			h.down = append(h.down, RadiusBipartite(h.pts[l], fine, d, rad))
			h.up = append(h.up, RadiusBipartite(fine, h.pts[l], d, rad))
		}
	}
	if len(m.cache) > 8 {
		clear(m.cache)
	}
	m.cache[key] = h
	return h
}

// levelRadius is the radius of level ℓ's graph and of the transfers
// between it and level ℓ−1: Radius·2^ℓ.
func (m *MultipoleGNO) levelRadius(l int) float64 {
	return m.Config.Radius * float64(int(1)<<l)
}

// levelsOf returns the coordinates of the points of every level of a grid
// and their indices into level 0 (the row-major flattened grid).
func (m *MultipoleGNO) levelsOf(sizes []int) (pts [][]float64, idx [][]int) {
	d := len(sizes)
	coords := make([][]float64, d)
	for a, s := range sizes {
		coords[a] = m.grid.Coords(s)
	}
	n := 1
	for _, s := range sizes {
		n *= s
	}
	sub := make([]int, d)
	for l := range m.Config.Levels {
		step := 1 << l
		var ix []int
		var ps []float64
		for p := range n {
			q, keep := p, true
			for a := d - 1; a >= 0; a-- {
				sub[a] = q % sizes[a]
				q /= sizes[a]
				if sub[a]%step != 0 {
					keep = false
				}
			}
			if keep {
				ix = append(ix, p)
				for a := range d {
					ps = append(ps, coords[a][sub[a]])
				}
			}
		}
		idx = append(idx, ix)
		pts = append(pts, ps)
	}
	return pts, idx
}

// Forward maps x [B, In, n_1, …, n_d] to [B, Out, n_1, …, n_d].
func (m *MultipoleGNO) Forward(x *tensor.Tensor) *tensor.Tensor {
	c := m.Config
	m.checkInput(x)
	sizes := slices.Clone(x.Shape()[2:])
	h := m.hierarchyOf(sizes)
	bs := x.Dim(0)
	a := tensor.Reshape(x, bs, c.In, -1)
	as := levelInputs(a, h.idx)
	// The kernels are evaluated once, for all the iterations.
	op := func(k *MLP, g *Graph, dl, sl int) integral {
		kern := edgeKernels(k, c.Width, c.Dim, h.pts[dl], h.pts[sl], g, as[dl], as[sl])
		plan := newEdgePlan(g, len(h.idx[sl]))
		return func(v *tensor.Tensor) *tensor.Tensor { return integrate(kern, v, plan) }
	}
	within := make([]integral, c.Levels)
	down := make([]integral, c.Levels-1)
	up := make([]integral, c.Levels-1)
	for l := range c.Levels {
		within[l] = op(m.Within[l], h.within[l], l, l)
		if l > 0 {
			down[l-1] = op(m.Down[l-1], h.down[l-1], l, l-1)
			up[l-1] = op(m.Up[l-1], h.up[l-1], l-1, l)
		}
	}
	pos := nodeCoords(m.dtype, h.pts[0], c.Dim, bs).In(x.Arena())
	out := m.vcycle(tensor.Concat(1, a, pos), within, down, up)
	return tensor.Reshape(out, slices.Concat([]int{bs, c.Out}, sizes)...)
}

// checkInput panics unless x is [B, In, n_1, …, n_d] of the model's dtype.
func (m *MultipoleGNO) checkInput(x *tensor.Tensor) {
	c := m.Config
	if x.NDim() != c.Dim+2 || x.Dim(1) != c.In {
		panic(fmt.Sprintf("mpgno: input shape %v, want [B, %d, %d grid axes]", x.Shape(), c.In, c.Dim))
	}
	if x.DType() != m.dtype {
		panic(fmt.Sprintf("mpgno: input dtype %v, model %v", x.DType(), m.dtype))
	}
}

// levelInputs returns the input function a [B, In, N] at the points of
// every level (idx[ℓ]: level ℓ's points as indices into level 0).
func levelInputs(a *tensor.Tensor, idx [][]int) []*tensor.Tensor {
	as := make([]*tensor.Tensor, len(idx))
	for l := range idx {
		as[l] = a
		if l > 0 {
			as[l] = tensor.IndexSelect(a, 2, idx[l])
		}
	}
	return as
}

// integral is one kernel integral of the V-cycle: v [B, W, Ns] at its
// source points to [B, W, Nd] at its destinations.
type integral func(v *tensor.Tensor) *tensor.Tensor

// vcycle lifts the input features [B, In+d, N], runs the Layers V-cycle
// iterations with the kernel integrals within[ℓ] (on level ℓ), down[ℓ−1]
// (level ℓ−1 to ℓ) and up[ℓ] (level ℓ+1 to ℓ), and projects: [B, Out, N].
func (m *MultipoleGNO) vcycle(feat *tensor.Tensor, within, down, up []integral) *tensor.Tensor {
	L := len(within)
	v := m.Lift.Forward(feat)
	vs := make([]*tensor.Tensor, L)
	for i, skip := range m.Skip {
		vs[0] = v
		for l := 1; l < L; l++ {
			vs[l] = down[l-1](vs[l-1])
		}
		u := within[L-1](vs[L-1])
		for l := L - 2; l >= 0; l-- {
			u = tensor.Add(within[l](vs[l]), up[l](u))
		}
		y := tensor.Add(skip.Forward(v), u)
		if i < len(m.Skip)-1 {
			y = m.act.Forward(y)
		}
		v = y
	}
	return m.Project.Forward(v)
}
