package operator

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// Graph is a directed graph on N points given by its edges src[e] → dst[e]
// (y → x: the integral at x sums over its neighbours y), sorted by dst,
// with Degree[x] the number of edges into x.
type Graph struct {
	N        int
	Src, Dst []int
	Degree   []int
}

// RadiusGraph returns the graph joining every pair of the n points
// (pts[i·dim : (i+1)·dim]) at Euclidean distance ≤ r, self-loops included,
// found with cell lists: the points are binned into cubes of side r and
// each point is compared with the points of the 3^dim cubes around its
// own, so the cost is O(n · neighbours) rather than O(n²).
func RadiusGraph(pts []float64, dim int, r float64) *Graph {
	return RadiusBipartite(pts, pts, dim, r)
}

// RadiusBipartite returns the edges y → x from every source point y
// (src[j·dim : (j+1)·dim]) to every destination point x (dst) at distance
// ≤ r, sorted by x then y, by cell lists on the sources (see RadiusGraph).
// Graph.N is the number of destinations.
func RadiusBipartite(dst, src []float64, dim int, r float64) *Graph {
	if dim < 1 || len(src)%dim != 0 || len(dst)%dim != 0 || !(r > 0) {
		panic(fmt.Sprintf("operator.RadiusBipartite: %d and %d coordinates in dimension %d, radius %v", len(dst), len(src), dim, r))
	}
	return newCellIndex(src, dim, r).graph(dst)
}

// cellIndex bins source points into cubes of side r (cell lists) for
// radius queries; graph answers them for any set of destinations, so a
// graph too large to hold can be built a part of the destinations at a
// time (MultipoleGNO.Infer).
type cellIndex struct {
	src   []float64
	dim   int
	r     float64
	lo    []float64
	cells []int
	bins  map[int][]int
}

func newCellIndex(src []float64, dim int, r float64) *cellIndex {
	ns := len(src) / dim
	ci := &cellIndex{src: src, dim: dim, r: r, lo: make([]float64, dim), cells: make([]int, dim), bins: map[int][]int{}}
	for a := range dim {
		ci.lo[a] = math.Inf(1)
		hi := math.Inf(-1)
		for i := range ns {
			ci.lo[a] = min(ci.lo[a], src[i*dim+a])
			hi = max(hi, src[i*dim+a])
		}
		if ns == 0 {
			ci.lo[a], hi = 0, 0
		}
		ci.cells[a] = int((hi-ci.lo[a])/r) + 1
	}
	c := make([]int, dim)
	for i := range ns {
		for a := range dim {
			c[a] = ci.cell(src[i*dim+a], a)
		}
		k := ci.flat(c)
		ci.bins[k] = append(ci.bins[k], i)
	}
	return ci
}

// cell returns the cell of coordinate v along axis a (may lie outside
// [0, cells[a]) for destinations beyond the sources' box).
func (ci *cellIndex) cell(v float64, a int) int {
	c := math.Floor((v - ci.lo[a]) / ci.r)
	if c > float64(ci.cells[a]) {
		return ci.cells[a] + 1
	}
	if c < -1 {
		return -2
	}
	return min(int(c), ci.cells[a]-1)
}

func (ci *cellIndex) flat(c []int) int {
	k := 0
	for a := range ci.dim {
		k = k*ci.cells[a] + c[a]
	}
	return k
}

// graph returns the edges from the indexed sources to the destinations
// dst within distance r, sorted by destination then source (Graph.N =
// the number of destinations).
func (ci *cellIndex) graph(dst []float64) *Graph {
	dim, src := ci.dim, ci.src
	nd := len(dst) / dim
	total := 1
	for range dim {
		total *= 3
	}
	g := &Graph{N: nd, Degree: make([]int, nd)}
	r2 := ci.r * ci.r
	own := make([]int, dim)
	nb := make([]int, dim)
	var cand []int
	for x := range nd {
		for a := range dim {
			own[a] = ci.cell(dst[x*dim+a], a)
		}
		cand = cand[:0]
		for t := range total {
			q := t
			ok := true
			for a := range dim {
				nb[a] = own[a] + q%3 - 1
				q /= 3
				if nb[a] < 0 || nb[a] >= ci.cells[a] {
					ok = false
				}
			}
			if ok {
				cand = append(cand, ci.bins[ci.flat(nb)]...)
			}
		}
		slices.Sort(cand)
		for _, y := range cand {
			d2 := 0.0
			for a := range dim {
				d := dst[x*dim+a] - src[y*dim+a]
				d2 += d * d
			}
			if d2 <= r2 {
				g.Src = append(g.Src, y)
				g.Dst = append(g.Dst, x)
				g.Degree[x]++
			}
		}
	}
	return g
}

// GNOConfig describes a graph neural operator (graph kernel network, Li et
// al. 2020; Neural Operator paper §4.1): lifting, Layers iterations of
//
//	v(x) ← σ(W v(x) + (1/|N(x)|) Σ_{y ∈ N(x)} κ(x, y, a(x), a(y)) v(y)),
//
// the Nyström approximation of the kernel integral over the ball of radius
// Radius around x (N(x): the sample points within it), with one MLP
// kernel κ whose output is a Width×Width matrix shared by the iterations as
// in the paper; then a projection MLP. It works on any point set
// (ForwardPoints) and on grids (Forward).
type GNOConfig struct {
	// Common: Dim 1, 2 or 3; Grid is where the grid points of Forward lie,
	// "closed" (default) or "periodic" (distances are not wrapped).
	Common `yaml:",inline"`
	// Stack: Width is the number of channels of v (default 32), Layers the
	// number of kernel-integral iterations (default 4), Projection the
	// hidden width of the projection (default 128).
	Stack `yaml:",inline"`
	// KernelHidden are the hidden widths of κ (default [64, 64]).
	KernelHidden []int `yaml:"kernel_hidden" json:"kernel_hidden"`
	// Radius is the radius of the neighbourhoods (default 0.1), in the
	// coordinates of the points (the unit cube for grids).
	Radius float64 `yaml:"radius" json:"radius"`
	// SampleNodes, when positive, is m of the Nyström subsampling with
	// which the Neural Operator paper trains GNOs on grids. Each training
	// sample uses m nodes of its grid drawn at random (without
	// replacement; a fresh draw for every sample, epoch and batch,
	// seeded so that resumed runs repeat it), with the radius graph among
	// them, and the loss is taken at those nodes (NodeSampler). Forward on
	// a grid of N nodes splits the nodes into ⌈N/m⌉ random disjoint parts
	// of ⌊N/P⌋ or ⌈N/P⌉ nodes (the same for every call on that grid) and
	// evaluates each part on its own radius graph, so every node is
	// predicted from neighbours at the density of training, and memory
	// and time grow as N, not as N² at a fixed radius; Infer does so in
	// chunks of parts without recording gradients. 0 (default) uses the
	// full radius graph of the grid.
	SampleNodes int `yaml:"sample_nodes" json:"sample_nodes"`
	// EvalPartitions, with SampleNodes > 0, is how many random partitions
	// of a grid Forward and Infer evaluate, averaging the predictions
	// (default 1). Every node is predicted once in each partition, among
	// different random neighbours; the Neural Operator paper's GNO
	// averages over several such node sets at test time. Each partition
	// costs one pass; the first is the one used alone.
	EvalPartitions int `yaml:"eval_partitions" json:"eval_partitions"`
}

func (c GNOConfig) withDefaults() GNOConfig {
	c.Common = c.Common.WithDefaults("closed")
	c.Stack = c.Stack.WithDefaults(32, 4)
	if len(c.KernelHidden) == 0 {
		c.KernelHidden = []int{64, 64}
	}
	if c.Radius == 0 {
		c.Radius = 0.1
	}
	if c.EvalPartitions == 0 {
		c.EvalPartitions = 1
	}
	return c
}

// Validate reports every problem with the configuration.
func (c GNOConfig) Validate() error {
	return JoinProblems("gno", c.problems())
}

func (c GNOConfig) problems() []string {
	c = c.withDefaults()
	errs := c.Common.Check(3)
	if c.Width < 1 || c.Layers < 1 || c.Projection < 1 || slices.Min(c.KernelHidden) < 1 {
		errs = append(errs, fmt.Sprintf("width %d, layers %d, projection %d, kernel_hidden %v: want ≥ 1", c.Width, c.Layers, c.Projection, c.KernelHidden))
	}
	if !(c.Radius > 0) || math.IsInf(c.Radius, 0) {
		errs = append(errs, fmt.Sprintf("radius %v: want > 0", c.Radius))
	}
	if c.SampleNodes < 0 {
		errs = append(errs, fmt.Sprintf("sample_nodes %d: want ≥ 0", c.SampleNodes))
	}
	if c.EvalPartitions < 1 {
		errs = append(errs, fmt.Sprintf("eval_partitions %d: want ≥ 1", c.EvalPartitions))
	} else if c.EvalPartitions > 1 && c.SampleNodes <= 0 {
		errs = append(errs, fmt.Sprintf("eval_partitions %d: needs sample_nodes > 0 (without subsampling there is one graph)", c.EvalPartitions))
	}
	return errs
}

// GNO is a graph neural operator. It implements Operator.
type GNO struct {
	Config GNOConfig
	Lift   *nn.ChannelLinear
	// Kernel is κ: (x, y, a(x), a(y)) ↦ a Width×Width matrix (row-major).
	Kernel *MLP
	// Skip holds W v + b of each iteration.
	Skip    []*nn.ChannelLinear
	Project *nn.ChannelMLP

	act   nn.Activation
	dtype tensor.DType
	grid  GridKind

	mu     sync.Mutex
	graphs map[string]*gridGraph
}

// gridGraph is the graph Forward uses on a grid: the radius graph of all
// nodes, or (SampleNodes > 0) the union of the radius graphs of the parts
// of a random partition of the nodes.
type gridGraph struct {
	g   *Graph
	pts []float64
	// parts are the node sets of the partition (nil without
	// subsampling), each sorted, with their own graphs.
	parts  [][]int
	pgraph []*Graph
}

// NewGNO builds a GNO from cfg with weights drawn from r.
func NewGNO(cfg GNOConfig, r *rand.Rand) (*GNO, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	act, dt, kind, opts := cfg.Setup(nn.WithRand(r))
	m := &GNO{Config: cfg, act: act, dtype: dt, grid: *kind, graphs: map[string]*gridGraph{}}
	m.Lift = cfg.Lift(cfg.In+cfg.Dim, opts...)
	widths := slices.Concat([]int{2*cfg.Dim + 2*cfg.In}, cfg.KernelHidden, []int{cfg.Width * cfg.Width})
	m.Kernel = newMLP(widths, act, false, opts...)
	for range cfg.Layers {
		m.Skip = append(m.Skip, nn.NewChannelLinear(cfg.Width, cfg.Width, opts...))
	}
	m.Project = cfg.Projector(cfg.Out, act, opts...)
	return m, nil
}

// Visit declares lift.*, kernel.*, skip.N.*, project.*.
func (m *GNO) Visit(v *nn.Visitor) {
	v.Module("lift", m.Lift)
	v.Module("kernel", m.Kernel)
	nn.VisitList(v, "skip", m.Skip)
	v.Module("project", m.Project)
	v.Module("activation", m.act)
}

// DType returns the dtype of the model's parameters.
func (m *GNO) DType() tensor.DType { return m.dtype }

// Forward maps x [B, In, n_1, …, n_d] on a grid to [B, Out, n_1, …, n_d];
// the radius graph of the grid is built once per grid size and cached.
// With SampleNodes > 0 and EvalPartitions = L > 1 it is the mean of the
// predictions on L partitions, summed in partition order.
func (m *GNO) Forward(x *tensor.Tensor) *tensor.Tensor {
	c := m.Config
	if x.NDim() != c.Dim+2 || x.Dim(1) != c.In {
		panic(fmt.Sprintf("gno: input shape %v, want [B, %d, %d grid axes]", x.Shape(), c.In, c.Dim))
	}
	sizes := slices.Clone(x.Shape()[2:])
	bs := x.Dim(0)
	a := tensor.Reshape(x, bs, c.In, -1)
	var y *tensor.Tensor
	for l := range m.partitions() {
		gg := m.gridGraph(sizes, l)
		if yl := m.forward(gg.pts, gg.g, a); y == nil {
			y = yl
		} else {
			y = tensor.Add(y, yl)
		}
	}
	if l := m.partitions(); l > 1 {
		y = tensor.Scale(y, 1/float64(l))
	}
	return tensor.Reshape(y, slices.Concat([]int{bs, c.Out}, sizes)...)
}

// partitions is the number of partitions Forward and Infer average over.
func (m *GNO) partitions() int {
	if m.Config.SampleNodes <= 0 {
		return 1
	}
	return max(m.Config.EvalPartitions, 1)
}

// gridGraph returns the graph of a grid, for partition l of its nodes
// with SampleNodes > 0 (l is 0 without).
func (m *GNO) gridGraph(sizes []int, l int) *gridGraph {
	key := fmt.Sprint(sizes, l)
	m.mu.Lock()
	defer m.mu.Unlock()
	if gg, ok := m.graphs[key]; ok {
		return gg
	}
	p := m.gridPoints(sizes)
	gg := &gridGraph{pts: p}
	if mm := m.Config.SampleNodes; mm > 0 {
		gg.parts = partitionNodes(len(p)/len(sizes), mm, l)
		graphs := make([]*Graph, len(gg.parts))
		for i, part := range gg.parts {
			graphs[i] = RadiusGraph(gatherPoints(p, len(sizes), part), len(sizes), m.Config.Radius)
		}
		gg.pgraph = graphs
		gg.g = unionGraph(gg.parts, graphs, len(p)/len(sizes))
	} else {
		gg.g = RadiusGraph(p, len(sizes), m.Config.Radius)
	}
	if len(m.graphs) > 8*m.partitions() {
		clear(m.graphs)
	}
	m.graphs[key] = gg
	return gg
}

// gridPoints returns the coordinates of the nodes of a grid, point-major.
func (m *GNO) gridPoints(sizes []int) []float64 {
	pts := GridFeatures(tensor.Float64, m.grid, 1, sizes...)
	return tensor.Transpose(tensor.Reshape(pts, len(sizes), -1), 0, 1).Float64s()
}

// ForwardPoints maps the input a [B, In, N] sampled at the N points pts
// (pts[i·Dim : (i+1)·Dim], any set: irregular meshes, random samples) to
// the output [B, Out, N] at the same points. The radius graph is built on
// every call; use ForwardGraph to reuse one.
func (m *GNO) ForwardPoints(pts []float64, a *tensor.Tensor) *tensor.Tensor {
	return m.ForwardGraph(pts, RadiusGraph(pts, m.Config.Dim, m.Config.Radius), a)
}

// ForwardGraph is ForwardPoints on a given graph of the points.
func (m *GNO) ForwardGraph(pts []float64, g *Graph, a *tensor.Tensor) *tensor.Tensor {
	c := m.Config
	if a.NDim() != 3 || a.Dim(1) != c.In || len(pts) != c.Dim*a.Dim(2) || g.N != a.Dim(2) {
		panic(fmt.Sprintf("gno: input %v with %d coordinates and a graph of %d points, want [B, %d, N] and N·%d coordinates", a.Shape(), len(pts), g.N, c.In, c.Dim))
	}
	return m.forward(pts, g, a)
}

func (m *GNO) forward(pts []float64, g *Graph, a *tensor.Tensor) *tensor.Tensor {
	c := m.Config
	if a.DType() != m.dtype {
		panic(fmt.Sprintf("gno: input dtype %v, model %v", a.DType(), m.dtype))
	}
	bs, n := a.Dim(0), a.Dim(2)
	pos := nodeCoords(m.dtype, pts, c.Dim, bs).In(a.Arena())
	kern := edgeKernels(m.Kernel, c.Width, c.Dim, pts, pts, g, a, a)
	plan := newEdgePlan(g, n)
	v := m.Lift.Forward(tensor.Concat(1, a, pos)) // [B, W, N]
	for i, skip := range m.Skip {
		y := tensor.Add(skip.Forward(v), integrate(kern, v, plan))
		if i < len(m.Skip)-1 {
			y = m.act.Forward(y)
		}
		v = y
	}
	return m.Project.Forward(v)
}

// nodeCoords returns the coordinates of n points as channels [B, dim, n].
func nodeCoords(dt tensor.DType, pts []float64, dim, bs int) *tensor.Tensor {
	n := len(pts) / dim
	pv := make([]float64, bs*dim*n)
	for b := range bs {
		for i := range n {
			for k := range dim {
				pv[(b*dim+k)*n+i] = pts[i*dim+k]
			}
		}
	}
	return tensor.FromFloat64s(dt, pv, bs, dim, n)
}

// edgeKernel is the kernel network κ(x, y, a(x), a(y)) on a graph's
// edges with its last layer factored out (edgeouter.go): hid [B, E, H̃]
// holds the last hidden features of every edge and a 1 for the last
// layer's bias (H̃ = H + 1), mix [W, H̃·W] that layer's weights and bias
// rearranged, mix[o, l·W + i] = (A | c)[o·W + i, l]. κ_e itself (a W×W
// matrix) is never formed.
type edgeKernel struct{ hid, mix *tensor.Tensor }

// numel is the number of values the kernel keeps.
func (k edgeKernel) numel() int { return k.hid.Numel() + k.mix.Numel() }

// clone copies the kernel onto the heap.
func (k edgeKernel) clone() edgeKernel { return edgeKernel{k.hid.Clone(), k.mix.Clone()} }

// in returns the kernel with its tensors viewed in arena ar.
func (k edgeKernel) in(ar *tensor.Arena) edgeKernel { return edgeKernel{k.hid.In(ar), k.mix.In(ar)} }

// edgeKernels evaluates the kernel MLP κ(x, y, a(x), a(y)) on the edges
// y → x of g (x among the destination points dst with input aDst
// [B, In, Nd], y among src with aSrc [B, In, Ns]) up to its last layer,
// which it factors out (edgeKernel) for w channels.
func edgeKernels(k *MLP, w, dim int, dst, src []float64, g *Graph, aDst, aSrc *tensor.Tensor) edgeKernel {
	bs, e, dt := aDst.Dim(0), len(g.Src), aDst.DType()
	ev := make([]float64, bs*e*2*dim)
	for b := range bs {
		for j := range e {
			for c := range dim {
				ev[(b*e+j)*2*dim+c] = dst[g.Dst[j]*dim+c]
				ev[(b*e+j)*2*dim+dim+c] = src[g.Src[j]*dim+c]
			}
		}
	}
	epos := tensor.FromFloat64s(dt, ev, bs, e, 2*dim).In(aDst.Arena())
	ax := tensor.Permute(tensor.IndexSelect(aDst, 2, g.Dst), 0, 2, 1) // [B, E, In]
	ay := tensor.Permute(tensor.IndexSelect(aSrc, 2, g.Src), 0, 2, 1)
	h := tensor.Concat(2, epos, ax, ay) // [B, E, 2d+2In]
	n := len(k.Layers)
	if k.Final || k.Layers[n-1].Out != w*w {
		panic(fmt.Sprintf("operator: kernel network with %d outputs (final activation %v) for width %d", k.Layers[n-1].Out, k.Final, w))
	}
	for _, l := range k.Layers[:n-1] {
		h = k.act.Forward(l.Forward(h))
	}
	last := k.Layers[n-1]
	a := last.Weight // [W·W, H]
	if last.Bias != nil {
		h = tensor.Concat(2, h, tensor.Full(dt, 1, bs, e, 1).In(aDst.Arena()))
		a = tensor.Concat(1, a, tensor.Reshape(last.Bias, w*w, 1))
	}
	hd := a.Dim(1)
	mix := tensor.Reshape(tensor.Permute(tensor.Reshape(a, w, w, hd), 0, 2, 1), w, hd*w)
	return edgeKernel{hid: h, mix: mix}
}

// integrate returns the Nyström mean (1/|N(x)|) Σ_{y→x} κ_e v(y)
// [B, W, Nd] over the graph of plan, for the edge kernels kern and v
// [B, W, Ns]: the per-node sums of the edges' outer products
// (edgeOuterSum [B, Nd, H̃, W]) and one product with kern.mix.
func integrate(kern edgeKernel, v *tensor.Tensor, plan *edgePlan) *tensor.Tensor {
	nd := plan.g.N
	m := edgeOuterSumGrouped(kern.hid, v, plan.g.Src, plan.g.Dst, plan.wt, nd, &plan.byDst, plan.bySrc)
	return tensor.MatMulT(kern.mix, tensor.Reshape(m, v.Dim(0), nd, -1), false, true)
}

// meanWeights returns the Nyström weight of each edge of g, 1/|N(x)| for
// its destination x (computed once a forward pass: the kernels serve
// every layer).
func meanWeights(g *Graph) []float64 {
	wt := make([]float64, len(g.Dst))
	for j, d := range g.Dst {
		wt[j] = 1 / float64(g.Degree[d])
	}
	return wt
}
