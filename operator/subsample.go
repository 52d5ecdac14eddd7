package operator

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/sciml-go/sciml/tensor"
)

// NodeSampler is an Operator trained on random subsets of the nodes of its
// grids (the Nyström subsampling of the Neural Operator paper's GNO). For
// each training batch the Trainer draws the nodes of every sample with
// SampleNodes, runs ForwardNodes and takes the loss against the targets at
// those nodes only (after the output normaliser's Decode, applied
// pointwise). Evaluation uses Forward (or Infer) on the whole grid.
type NodeSampler interface {
	Operator
	// SampleNodes returns the nodes (sorted indices into the row-major
	// flattened grid of n nodes) that training sample i of batch `batch`
	// of epoch `epoch` uses, drawn from a PCG seeded by (seed, epoch,
	// batch, i) alone, so a resumed run draws the same; nil when the model
	// uses every node.
	SampleNodes(n int, seed uint64, epoch, batch, i int) []int
	// ForwardNodes maps x [B, In, n_1, …, n_d] on a grid to the output at
	// the nodes[b] of each sample b (all of the same length m):
	// [B, Out, m].
	ForwardNodes(x *tensor.Tensor, nodes [][]int) *tensor.Tensor
}

// Inferencer is an Operator with an inference pass that records no
// gradients and may work in pieces to bound its memory; Evaluate and
// Predict use it when a model has one. Infer(ctx, x) equals Forward(x) up
// to round-off; it checks ctx between its pieces and returns ctx's error,
// and no output, once ctx is cancelled (one sample of a fine grid can take
// minutes).
type Inferencer interface {
	Operator
	Infer(ctx context.Context, x *tensor.Tensor) (*tensor.Tensor, error)
}

// drawNodes returns m distinct nodes of n (sorted), drawn from r by a
// partial Fisher–Yates shuffle; all n nodes when m ≥ n.
func drawNodes(r *rand.Rand, n, m int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if m >= n {
		return idx
	}
	for i := range m {
		j := i + r.IntN(n-i)
		idx[i], idx[j] = idx[j], idx[i]
	}
	out := idx[:m:m]
	slices.Sort(out)
	return out
}

// sampleSeed mixes (epoch, batch, i) into the second PCG word.
func sampleSeed(epoch, batch, i int) uint64 {
	return uint64(epoch)<<40 ^ uint64(batch)<<20 ^ uint64(i) ^ 0x6e6f646573 // "nodes"
}

// partitionNodes returns partition l of the n nodes of a grid into
// P = ⌈n/m⌉ disjoint parts of ⌊n/P⌋ or ⌈n/P⌉ nodes (each sorted): part p
// holds the entries p·n/P … (p+1)·n/P − 1 of a permutation drawn from a
// PCG seeded by (n, l) alone, so partition l of a grid is always the same.
func partitionNodes(n, m, l int) [][]int {
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	r := rand.New(rand.NewPCG(uint64(n), 0x7061727473^uint64(l)<<40)) // "parts"
	r.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
	p := (n + m - 1) / m
	parts := make([][]int, p)
	for k := range p {
		part := slices.Clone(perm[k*n/p : (k+1)*n/p])
		slices.Sort(part)
		parts[k] = part
	}
	return parts
}

// gatherPoints returns the coordinates of the points idx of pts.
func gatherPoints(pts []float64, dim int, idx []int) []float64 {
	out := make([]float64, 0, len(idx)*dim)
	for _, i := range idx {
		out = append(out, pts[i*dim:(i+1)*dim]...)
	}
	return out
}

// unionGraph returns the graph on n nodes made of the graphs of disjoint
// parts (graphs[k] on the nodes parts[k], in local indices), with its
// edges sorted by destination then source.
func unionGraph(parts [][]int, graphs []*Graph, n int) *Graph {
	owner := make([]int, n) // part of each node
	local := make([]int, n) // index in its part
	for k, part := range parts {
		for i, x := range part {
			owner[x], local[x] = k, i
		}
	}
	starts := make([][]int, len(graphs)) // first edge into each local node
	total := 0
	for k, g := range graphs {
		s := make([]int, g.N+1)
		for i, d := range g.Degree {
			s[i+1] = s[i] + d
		}
		starts[k] = s
		total += len(g.Src)
	}
	u := &Graph{N: n, Src: make([]int, 0, total), Dst: make([]int, 0, total), Degree: make([]int, n)}
	for x := range n {
		k, i := owner[x], local[x]
		g, part := graphs[k], parts[k]
		for e := starts[k][i]; e < starts[k][i+1]; e++ {
			u.Src = append(u.Src, part[g.Src[e]])
			u.Dst = append(u.Dst, x)
		}
		u.Degree[x] = g.Degree[i]
	}
	return u
}

// appendGraph appends the edges of g, its nodes shifted by off, to u
// (whose N grows by g.N).
func appendGraph(u, g *Graph, off int) {
	for e := range g.Src {
		u.Src = append(u.Src, g.Src[e]+off)
		u.Dst = append(u.Dst, g.Dst[e]+off)
	}
	u.Degree = append(u.Degree, g.Degree...)
	u.N += g.N
}

// flatNodes returns the indices b·n + nodes[b][j] into a batch of grids of
// n nodes flattened to [B·n].
func flatNodes(nodes [][]int, n int) []int {
	var out []int
	for b, nb := range nodes {
		for _, j := range nb {
			out = append(out, b*n+j)
		}
	}
	return out
}

// GatherNodes returns the values of t [B, C, n_1, …, n_d] at the nodes[b]
// (indices into the flattened grid, the same number m for every sample b)
// of each sample: [B, C, m].
func GatherNodes(t *tensor.Tensor, nodes [][]int) *tensor.Tensor {
	bs, c := t.Dim(0), t.Dim(1)
	if len(nodes) != bs {
		panic(fmt.Sprintf("operator.GatherNodes: %d node sets for a batch of %d", len(nodes), bs))
	}
	m := len(nodes[0])
	f := tensor.Reshape(tensor.Permute(tensor.Reshape(t, bs, c, -1), 0, 2, 1), -1, c) // [B·n, C]
	n := f.Dim(0) / bs
	g := tensor.IndexSelect(f, 0, flatNodes(nodes, n)) // [B·m, C]
	return tensor.Permute(tensor.Reshape(g, bs, m, c), 0, 2, 1)
}

// ScatterNodes is the adjoint of GatherNodes: it returns a tensor of shape
// [B, C, sizes…], zero except at the nodes[b] of each sample, where it
// holds the values of v [B, C, m].
func ScatterNodes(v *tensor.Tensor, nodes [][]int, sizes []int) *tensor.Tensor {
	bs, c, m := v.Dim(0), v.Dim(1), v.Dim(2)
	if len(nodes) != bs {
		panic(fmt.Sprintf("operator.ScatterNodes: %d node sets for a batch of %d", len(nodes), bs))
	}
	n := 1
	for _, s := range sizes {
		n *= s
	}
	src := tensor.Reshape(tensor.Permute(v, 0, 2, 1), bs*m, c)
	z := tensor.Zeros(v.DType(), bs*n, c).In(v.Arena())
	f := tensor.IndexAdd(z, 0, flatNodes(nodes, n), src)
	return tensor.Reshape(tensor.Permute(tensor.Reshape(f, bs, n, c), 0, 2, 1), slices.Concat([]int{bs, c}, sizes)...)
}

// SampleNodes draws the SampleNodes nodes of a training sample (nil when
// the GNO trains on full graphs). It implements NodeSampler.
func (m *GNO) SampleNodes(n int, seed uint64, epoch, batch, i int) []int {
	if m.Config.SampleNodes <= 0 {
		return nil
	}
	return drawNodes(rand.New(rand.NewPCG(seed, sampleSeed(epoch, batch, i))), n, m.Config.SampleNodes)
}

// ForwardNodes maps x [B, In, n_1, …, n_d] on a grid to the output
// [B, Out, m] at the nodes[b] of each sample b, each sample on the radius
// graph of its own nodes (Nyström subsampling). It implements
// NodeSampler.
func (m *GNO) ForwardNodes(x *tensor.Tensor, nodes [][]int) *tensor.Tensor {
	c := m.Config
	if x.NDim() != c.Dim+2 || x.Dim(1) != c.In || len(nodes) != x.Dim(0) {
		panic(fmt.Sprintf("gno: input shape %v with %d node sets, want [B, %d, %d grid axes] and B sets", x.Shape(), len(nodes), c.In, c.Dim))
	}
	bs, mm := x.Dim(0), len(nodes[0])
	all := m.gridPoints(x.Shape()[2:])
	u := &Graph{}
	var pts []float64
	for b, nb := range nodes {
		if len(nb) != mm {
			panic(fmt.Sprintf("gno: node sets of %d and %d nodes", mm, len(nb)))
		}
		p := gatherPoints(all, c.Dim, nb)
		appendGraph(u, RadiusGraph(p, c.Dim, c.Radius), b*mm)
		pts = append(pts, p...)
	}
	a := GatherNodes(x, nodes) // [B, In, m]
	a = tensor.Reshape(tensor.Permute(a, 1, 0, 2), 1, c.In, bs*mm)
	y := m.forward(pts, u, a) // [1, Out, B·m]
	return tensor.Permute(tensor.Reshape(y, c.Out, bs, mm), 1, 0, 2)
}

// inferEdges bounds the edges a chunk of Infer evaluates at once (times
// the batch size): about 4 MB of kernel matrices a thousand edges at
// width 32.
var inferEdges = 1 << 18

// Infer is Forward without recording gradients. With SampleNodes > 0 it
// evaluates the parts of the grid's partitions in chunks of about
// inferEdges/B edges, in an arena reset after each chunk, so its memory
// does not grow with the grid; with
// EvalPartitions > 1 it sums the partitions' predictions in order and
// divides, as Forward does. It implements Inferencer, checking ctx before
// each chunk.
func (m *GNO) Infer(ctx context.Context, x *tensor.Tensor) (*tensor.Tensor, error) {
	c := m.Config
	if x.NDim() != c.Dim+2 || x.Dim(1) != c.In {
		panic(fmt.Sprintf("gno: input shape %v, want [B, %d, %d grid axes]", x.Shape(), c.In, c.Dim))
	}
	// The chunks compute in one arena, reset after each: their sizes
	// differ a little, which the arena's size classes absorb, and it holds
	// the storage of the last few chunks only.
	ar := tensor.NewArena()
	ar.SetGrad(false)
	sizes := slices.Clone(x.Shape()[2:])
	bs := x.Dim(0)
	if c.SampleNodes <= 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return m.Forward(x.Detach().In(ar)).Clone(), nil
	}
	a := tensor.Reshape(x.Detach(), bs, c.In, -1)
	n := a.Dim(2)
	out := make([]float64, bs*c.Out*n)
	for l := range m.partitions() {
		gg := m.gridGraph(sizes, l)
		for lo := 0; lo < len(gg.parts); {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			hi, edges := lo, 0
			for hi < len(gg.parts) && (hi == lo || (edges+len(gg.pgraph[hi].Src))*bs <= inferEdges) {
				edges += len(gg.pgraph[hi].Src)
				hi++
			}
			var idx []int
			var pts []float64
			u := &Graph{}
			for k := lo; k < hi; k++ {
				appendGraph(u, gg.pgraph[k], len(idx))
				idx = append(idx, gg.parts[k]...)
				pts = append(pts, gatherPoints(gg.pts, c.Dim, gg.parts[k])...)
			}
			y := m.forward(pts, u, tensor.IndexSelect(a.In(ar), 2, idx)).ToFloat64s() // [B, Out, len(idx)]
			ar.Reset()
			for b := range bs {
				for o := range c.Out {
					row := y[(b*c.Out+o)*len(idx):]
					dst := out[(b*c.Out+o)*n:]
					for j, p := range idx {
						dst[p] += row[j]
					}
				}
			}
			lo = hi
		}
	}
	if l := m.partitions(); l > 1 {
		for i := range out {
			out[i] *= 1 / float64(l)
		}
	}
	return tensor.FromFloat64s(m.dtype, out, slices.Concat([]int{bs, c.Out}, sizes)...), nil
}
