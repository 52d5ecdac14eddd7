package operator

import (
	"context"
	"slices"

	"github.com/sciml-go/sciml/tensor"
)

// mpInferEdges bounds the edges (times the batch size) whose kernels
// MultipoleGNO.Infer evaluates at once: about 128 MB of kernel-MLP
// activations at its 64 hidden features. mpKernelBytes bounds the kernel
// matrices Infer keeps from one V-cycle iteration to the next.
var (
	mpInferEdges        = 1 << 18
	mpKernelBytes int64 = 4 << 30
)

// Infer is Forward without recording gradients, in bounded memory. Each
// kernel integral (within a level, or a transfer between two) is
// evaluated a part of its destination points at a time, about
// mpInferEdges/B edges a part, each part in an arena of its own that is
// dropped afterwards; a part's graph comes from cell lists on the sources
// when it is needed, so no level's whole graph is ever built. The kernel
// matrices κ of a part (and its graph) are kept for the following V-cycle
// iterations while they fit in mpKernelBytes, and recomputed otherwise:
// on a fine grid (421², 145 M edges a sample for the `compare` profile)
// Infer trades Layers× the kernel evaluations for memory that does not
// grow with the grid. It equals Forward to round-off and implements
// Inferencer: once ctx is cancelled the parts left are skipped (the
// V-cycle's pointwise steps run on zeros) and it returns ctx's error.
func (m *MultipoleGNO) Infer(ctx context.Context, x *tensor.Tensor) (*tensor.Tensor, error) {
	c := m.Config
	m.checkInput(x)
	sizes := slices.Clone(x.Shape()[2:])
	bs := x.Dim(0)
	pts, idx := m.levelsOf(sizes)
	ar := tensor.NewArena()
	ar.SetGrad(false)
	a := tensor.Reshape(x.Detach().In(ar), bs, c.In, -1)
	as := levelInputs(a, idx)
	budget := mpKernelBytes
	scratch := tensor.NewArena()
	scratch.SetGrad(false)
	op := func(k *MLP, dl, sl, rl int) integral {
		p := &mpPart{ctx: ctx, m: m, k: k, dst: pts[dl], src: pts[sl], aDst: as[dl], aSrc: as[sl],
			cells: newCellIndex(pts[sl], c.Dim, m.levelRadius(rl)), ar: ar, scratch: scratch, budget: &budget}
		return p.apply
	}
	within := make([]integral, c.Levels)
	down := make([]integral, c.Levels-1)
	up := make([]integral, c.Levels-1)
	for l := range c.Levels {
		within[l] = op(m.Within[l], l, l, l)
		if l > 0 {
			down[l-1] = op(m.Down[l-1], l, l-1, l)
			up[l-1] = op(m.Up[l-1], l-1, l, l)
		}
	}
	pos := nodeCoords(m.dtype, pts[0], c.Dim, bs).In(ar)
	out := m.vcycle(tensor.Concat(1, a, pos), within, down, up)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return tensor.Reshape(out, slices.Concat([]int{bs, c.Out}, sizes)...).Clone(), nil
}

// mpPart evaluates one kernel integral of MultipoleGNO.Infer by parts of
// its destination points.
type mpPart struct {
	ctx        context.Context // parts are skipped once it is cancelled
	m          *MultipoleGNO
	k          *MLP
	dst, src   []float64      // point coordinates
	aDst, aSrc *tensor.Tensor // the input function at them [B, In, n]
	cells      *cellIndex     // on the sources, with the radius
	ar         *tensor.Arena  // where results go (no gradients)
	scratch    *tensor.Arena  // each part's work, reset after it (no gradients)
	budget     *int64         // bytes left for kept kernels

	parts  [][2]int // destination ranges, set on first use
	graphs []*Graph
	kerns  []*edgeKernel // kept kernels (heap), or nil
}

// split sets the parts: ranges of destinations of about mpInferEdges/B
// edges, from the largest degree among 64 destinations spread over the
// set.
func (o *mpPart) split(bs int) {
	d := o.m.Config.Dim
	nd := len(o.dst) / d
	var sample []float64
	for i := 0; i < nd; i += max(1, nd/64) {
		sample = append(sample, o.dst[i*d:(i+1)*d]...)
	}
	deg := 1
	for _, k := range o.cells.graph(sample).Degree {
		deg = max(deg, k)
	}
	q := max(1, mpInferEdges/(bs*deg))
	for lo := 0; lo < nd; lo += q {
		o.parts = append(o.parts, [2]int{lo, min(nd, lo+q)})
	}
	o.graphs = make([]*Graph, len(o.parts))
	o.kerns = make([]*edgeKernel, len(o.parts))
}

// apply returns the Nyström mean (1/|N(x)|) Σ_{y→x} κ(x, y, a(x), a(y)) v(y)
// at every destination x [B, W, Nd] for v [B, W, Ns] at the sources.
func (o *mpPart) apply(v *tensor.Tensor) *tensor.Tensor {
	c := o.m.Config
	d, w, bs := c.Dim, c.Width, v.Dim(0)
	nd := len(o.dst) / d
	if o.parts == nil {
		o.split(bs)
	}
	out := make([]float64, bs*w*nd)
	vd := v.Detach()
	for p, pr := range o.parts {
		if o.ctx.Err() != nil {
			break // Infer returns the error; out stays zero
		}
		lo, hi := pr[0], pr[1]
		ar := o.scratch
		g, kept := o.graphs[p], o.kerns[p]
		var kern edgeKernel
		if kept != nil {
			kern = *kept
		} else {
			g = o.cells.graph(o.dst[lo*d : hi*d])
			kern = edgeKernels(o.k, w, d, o.dst[lo*d:hi*d], o.src, g,
				tensor.Narrow(o.aDst.In(ar), 2, lo, hi-lo), o.aSrc.In(ar))
			if bytes := int64(kern.numel())*int64(o.m.dtype.Size()) + 16*int64(len(g.Src)); bytes <= *o.budget {
				*o.budget -= bytes
				c := kern.clone()
				o.graphs[p], o.kerns[p] = g, &c
			}
		}
		y := integrate(kern.in(ar), vd.In(ar), newEdgePlan(g, 0)).ToFloat64s() // [B, W, hi−lo]
		ar.Reset()
		n := hi - lo
		for r := range bs * w {
			copy(out[r*nd+lo:r*nd+hi], y[r*n:(r+1)*n])
		}
	}
	return tensor.FromFloat64s(o.m.dtype, out, bs, w, nd).In(o.ar)
}
