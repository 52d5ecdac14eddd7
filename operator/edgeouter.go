package operator

import (
	"fmt"
	"sync"

	"github.com/sciml-go/sciml/internal/blas"
	"github.com/sciml-go/sciml/internal/sgemm"
	"github.com/sciml-go/sciml/tensor"
)

// The kernel integral with the kernel network's last layer factored out.
// With κ_e = A h_e + c (h_e the last hidden features of the kernel network
// at edge e, A [W·W, H] and c [W·W] its last layer, κ read as a W×W
// matrix), the Nyström sum regroups as
//
//	Σ_e wt_e κ_e v(y_e) = Σ_{l,i} Ã[o, l, i] · m[x, l, i],   m[x, l, i] = Σ_{e→x} wt_e h̃_e[l] v_i(y_e),
//
// with h̃ = (h, 1) and Ã[o, l, i] = (A | c)[o·W + i, l]. m is a (H + 1)×W
// matrix per node, the sum of the edges' outer products h̃_e ⊗ v(y_e):
// per edge H·W multiply-adds instead of the W²·H of forming κ_e, and no
// [E, W, W] tensor in memory (edgeOuterSum below, then one GEMM with Ã
// over the nodes).

// edgeOuterSum returns m [B, nOut, K, W], for edge features h [B, E, K]
// and node values v [B, W, nIn], with
//
//	m[b, x, l, i] = Σ_{e : to[e] = x} wt[e] · h[b, e, l] · v[b, i, from[e]].
//
// Per destination node it is one small GEMM, m_x = H_xᵀ V_x over the
// node's edges (rows of h, and of v at their sources scaled by the
// weights) in increasing edge order; the gradients are the GEMMs V_x ∂m_xᵀ
// (for h) and H_x ∂m_x (for v, added into the sources in edge order), so
// nothing depends on the thread count. When a graph of the backward pass
// is requested, the gradients are those of the same sum written with
// IndexSelect, Mul and IndexAdd (edgeOuterSumComposed): differentiable to
// any order.
func edgeOuterSum(h, v *tensor.Tensor, from, to []int, wt []float64, nOut int) *tensor.Tensor {
	return edgeOuterSumGrouped(h, v, from, to, wt, nOut, nil, nil)
}

// edgeOuterSumGrouped is edgeOuterSum with the edges already grouped by
// destination and by source (groupEdges of to and from; nil: grouped
// here), which the kernel integrals over one graph share (edgePlan).
func edgeOuterSumGrouped(h, v *tensor.Tensor, from, to []int, wt []float64, nOut int, byDst, bySrc *edgeGroups) *tensor.Tensor {
	if h.NDim() != 3 || v.NDim() != 3 || h.Dim(0) != v.Dim(0) || h.Dim(1) != len(from) || len(to) != len(from) ||
		len(wt) != len(from) || h.DType() != v.DType() {
		panic(fmt.Sprintf("operator.edgeOuterSum: features %v%v, values %v%v, %d/%d/%d edges",
			h.DType(), h.Shape(), v.DType(), v.Shape(), len(from), len(to), len(wt)))
	}
	bs, e, k := h.Dim(0), h.Dim(1), h.Dim(2)
	w, nIn := v.Dim(1), v.Dim(2)
	for j := range from {
		if from[j] < 0 || from[j] >= nIn || to[j] < 0 || to[j] >= nOut {
			panic(fmt.Sprintf("operator.edgeOuterSum: edge %d joins %d → %d, want sources < %d and destinations < %d", j, from[j], to[j], nIn, nOut))
		}
	}
	out := tensor.Empty(v.DType(), []int{bs, nOut, k, w}, h, v)
	vt := tensor.Empty(v.DType(), []int{bs, nIn, w}, h, v) // scratch
	if byDst == nil {
		g := groupEdges(to, nOut)
		byDst = &g
	}
	switch v.DType() {
	case tensor.Float32:
		outerSums(out.Float32s(), h.Float32s(), v.Float32s(), vt.Float32s(), from, wt, *byDst, bs, e, k, w, nIn)
	case tensor.Float64:
		outerSums(out.Float64s(), h.Float64s(), v.Float64s(), vt.Float64s(), from, wt, *byDst, bs, e, k, w, nIn)
	default:
		panic(fmt.Sprintf("operator.edgeOuterSum: dtype %v", v.DType()))
	}
	return tensor.Record(out, "EdgeOuterSum", func(g *tensor.Tensor, in []*tensor.Tensor, _ *tensor.Tensor, needs []bool) []*tensor.Tensor {
		h, v := in[0], in[1]
		gs := make([]*tensor.Tensor, 2)
		if g.RequiresGrad() || h.RequiresGrad() || v.RequiresGrad() {
			var wrt []*tensor.Tensor
			for i, t := range in {
				if needs[i] {
					wrt = append(wrt, t)
				}
			}
			r := tensor.Grad([]*tensor.Tensor{edgeOuterSumComposed(h, v, from, to, wt, nOut)}, wrt, []*tensor.Tensor{g}, true)
			for i := range in {
				if needs[i] {
					gs[i], r = r[0], r[1:]
				}
			}
			return gs
		}
		var dh, dv *tensor.Tensor
		if needs[0] {
			dh = tensor.Empty(h.DType(), h.Shape(), g)
		}
		if needs[1] {
			dv = tensor.Empty(v.DType(), v.Shape(), g)
		}
		if bySrc == nil {
			g := groupEdges(from, nIn)
			bySrc = &g
		}
		vt := tensor.Empty(v.DType(), []int{bs, nIn, w}, g) // scratch
		var dvEdge *tensor.Tensor                           // [B, E, W]: each edge's part of ∂v at its source
		if dv != nil {
			dvEdge = tensor.Empty(v.DType(), []int{bs, e, w}, g)
		}
		switch v.DType() {
		case tensor.Float32:
			outerSumGrads(values[float32](dh), values[float32](dv), g.Float32s(), h.Float32s(), v.Float32s(), vt.Float32s(), values[float32](dvEdge),
				from, wt, *byDst, *bySrc, bs, e, k, w, nIn)
		case tensor.Float64:
			outerSumGrads(values[float64](dh), values[float64](dv), g.Float64s(), h.Float64s(), v.Float64s(), vt.Float64s(), values[float64](dvEdge),
				from, wt, *byDst, *bySrc, bs, e, k, w, nIn)
		}
		return []*tensor.Tensor{dh, dv}
	}, h, v)
}

// values returns the float32 or float64 values of t, nil for a nil t.
func values[T float32 | float64](t *tensor.Tensor) []T {
	if t == nil {
		return nil
	}
	var z T
	if _, ok := any(z).(float32); ok {
		return any(t.Float32s()).([]T)
	}
	return any(t.Float64s()).([]T)
}

// edgeOuterSumComposed is edgeOuterSum written with differentiable
// operations (it forms the [B, E, K, W] outer products).
func edgeOuterSumComposed(h, v *tensor.Tensor, from, to []int, wt []float64, nOut int) *tensor.Tensor {
	bs, e, k, w := h.Dim(0), h.Dim(1), h.Dim(2), v.Dim(1)
	vs := tensor.Mul(tensor.IndexSelect(v, 2, from), tensor.FromFloat64s(v.DType(), wt, 1, 1, e)) // [B, W, E]
	vs = tensor.Permute(vs, 0, 2, 1)                                                              // [B, E, W]
	outer := tensor.Mul(tensor.Reshape(h, bs, e, k, 1), tensor.Reshape(vs, bs, e, 1, w))
	return tensor.IndexAdd(tensor.Zeros(v.DType(), bs, nOut, k, w), 1, to, outer)
}

// edgePlan is what the kernel integrals over one graph share, computed
// once a forward pass: the edges' Nyström weights 1/|N(x)| and their
// groupings by destination and by source.
type edgePlan struct {
	g     *Graph
	wt    []float64
	byDst edgeGroups
	// bySrc is nil where no gradient is taken (grouped in the backward
	// pass otherwise).
	bySrc *edgeGroups
}

// newEdgePlan returns the plan of g, whose sources are nSrc points;
// nSrc = 0 leaves out the grouping by source (inference).
func newEdgePlan(g *Graph, nSrc int) *edgePlan {
	p := &edgePlan{g: g, wt: meanWeights(g), byDst: groupEdges(g.Dst, g.N)}
	if nSrc > 0 {
		bs := groupEdges(g.Src, nSrc)
		p.bySrc = &bs
	}
	return p
}

// edgeGroups lists the edges by node: the edges of node x are
// idx[ptr[x]:ptr[x+1]], in increasing order.
type edgeGroups struct {
	ptr, idx []int
	most     int // the largest group
}

func groupEdges(node []int, n int) edgeGroups {
	g := edgeGroups{ptr: make([]int, n+1), idx: make([]int, len(node))}
	for _, x := range node {
		g.ptr[x+1]++
	}
	for x := range n {
		g.most = max(g.most, g.ptr[x+1])
		g.ptr[x+1] += g.ptr[x]
	}
	fill := make([]int, n)
	for j, x := range node {
		g.idx[g.ptr[x]+fill[x]] = j
		fill[x]++
	}
	return g
}

// gemm computes c = op(a)·op(b) (beta 0) on the calling goroutine.
func gemm[T float32 | float64](tA, tB bool, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	switch a := any(a).(type) {
	case []float32:
		blas.SgemmBatched(tA, tB, m, n, k, 1, a, lda, 0, any(b).([]float32), ldb, 0, 0, any(c).([]float32), ldc, 0, 1)
	case []float64:
		blas.DgemmBatched(tA, tB, m, n, k, 1, a, lda, 0, any(b).([]float64), ldb, 0, 0, any(c).([]float64), ldc, 0, 1)
	}
}

// nodeMajor writes v [B, W, n] into t as [B, n, W], so that a node's
// channels are contiguous.
func nodeMajor[T float32 | float64](t, v []T, bs, w, n int) {
	tensor.ParallelRange(bs*n, func(lo, hi int) {
		for bn := lo; bn < hi; bn++ {
			b, x := bn/n, bn%n
			row := t[bn*w : (bn+1)*w]
			for i := range row {
				row[i] = v[(b*w+i)*n+x]
			}
		}
	})
}

// scratch recycles the per-task buffers of the node kernels.
var scratch [2]sync.Pool // float32, float64: *[]T

// pool returns the scratch pool of T's buffers.
func pool[T float32 | float64]() *sync.Pool {
	var z T
	if _, ok := any(z).(float64); ok {
		return &scratch[1]
	}
	return &scratch[0]
}

// getScratch returns a buffer of n values (contents undefined).
func getScratch[T float32 | float64](n int) *[]T {
	if b, ok := pool[T]().Get().(*[]T); ok && cap(*b) >= n {
		*b = (*b)[:n]
		return b
	}
	b := make([]T, n)
	return &b
}

func putScratch[T float32 | float64](b *[]T) { pool[T]().Put(b) }

// gatherNode returns the rows of h [deg, k] of the edges es of sample b
// (a view of h when es are consecutive edges, else copied into hx) and
// fills the rows of vx (ldv ≥ w apart, zeros past w) with wt·v at their
// sources (vt node-major).
func gatherNode[T float32 | float64](hx, vx, h, vt []T, es, from []int, wt []float64, b, e, k, w, ldv, nIn int) []T {
	for p, j := range es {
		s, src := T(wt[j]), vt[(b*nIn+from[j])*w:(b*nIn+from[j]+1)*w]
		row := vx[p*ldv : (p+1)*ldv]
		for i, t := range src {
			row[i] = s * t
		}
		clear(row[w:])
	}
	if es[len(es)-1]-es[0] == len(es)-1 { // es increase: consecutive
		return h[(b*e+es[0])*k : (b*e+es[0]+len(es))*k]
	}
	for p, j := range es {
		copy(hx[p*k:(p+1)*k], h[(b*e+j)*k:(b*e+j+1)*k])
	}
	return hx[:len(es)*k]
}

// segmentKernels selects sgemm's C loops over blocks of nodes for the
// float32 sums (the tests switch it off to compare with the Go loops,
// which give the same bits).
var segmentKernels = true

// segments returns the float32 graph's sgemm.Segments (nil for float64,
// without the kernels, or for w > 16 values a node).
func segments[T float32 | float64](byDst edgeGroups, from []int, wt []float64, k, w, nIn int) *sgemm.Segments {
	if fast, _ := smallGemm[T](w); !fast || !segmentKernels {
		return nil
	}
	sg, err := sgemm.NewSegments(byDst.ptr, byDst.idx, from, wt, k, w, nIn)
	if err != nil {
		panic("operator.edgeOuterSum: " + err.Error())
	}
	return sg
}

// smallGemm reports whether the per-node products of float32 values go
// to internal/sgemm's kernel (w ≤ 16: v's rows are one packed panel),
// which, unlike a BLAS call, costs nothing to start for products of a
// few thousand multiply-adds; it returns the row stride of vx.
func smallGemm[T float32 | float64](w int) (bool, int) {
	var z T
	if _, ok := any(z).(float32); ok && sgemm.Available() && w <= sgemm.NR {
		return true, sgemm.NR
	}
	return false, w
}

// nodeBlock is the number of (sample, node) pairs a task of the per-node
// kernels takes: each is a small product of a few microseconds.
const nodeBlock = 32

// parallelNodes runs f on the blocks of nodeBlock of [0, n), in parallel.
func parallelNodes(n int, f func(lo, hi int)) {
	tensor.ParallelFor((n+nodeBlock-1)/nodeBlock, func(i int) {
		f(i*nodeBlock, min(n, (i+1)*nodeBlock))
	})
}

// outerSums is the kernel of edgeOuterSum, parallel over (sample,
// destination).
func outerSums[T float32 | float64](m, h, v, vt []T, from []int, wt []float64, byDst edgeGroups, bs, e, k, w, nIn int) {
	nOut := len(byDst.ptr) - 1
	nodeMajor(vt, v, bs, w, nIn)
	if sg := segments[T](byDst, from, wt, k, w, nIn); sg != nil { // float32: a C loop over each block of nodes
		m, h, vt := any(m).([]float32), any(h).([]float32), any(vt).([]float32)
		parallelNodes(bs*nOut, func(lo, hi int) {
			buf := getScratch[float32](sg.SumsScratch())
			defer putScratch(buf)
			sgemm.SegmentSums(m, h, vt, sg, lo, hi, *buf)
		})
		return
	}
	fast, ldv := smallGemm[T](w)
	parallelNodes(bs*nOut, func(lo, hi int) {
		buf := getScratch[T](byDst.most * (k + ldv))
		defer putScratch(buf)
		hx, vx := (*buf)[:byDst.most*k], (*buf)[byDst.most*k:]
		for bx := lo; bx < hi; bx++ {
			b, x := bx/nOut, bx%nOut
			es := byDst.idx[byDst.ptr[x]:byDst.ptr[x+1]]
			dst := m[bx*k*w : (bx+1)*k*w]
			if len(es) == 0 {
				clear(dst)
				continue
			}
			hn := gatherNode(hx, vx, h, vt, es, from, wt, b, e, k, w, ldv, nIn)
			if fast { // m_x = H_xᵀ V_x, V_x's rows one packed panel
				sgemm.Gemm(k, w, len(es), any(hn).([]float32), k, true, any(vx).([]float32), any(dst).([]float32), w, nil, false)
				continue
			}
			gemm(true, false, k, w, len(es), hn, k, vx, ldv, dst, w)
		}
	})
}

// outerSumGrads is the backward kernel of edgeOuterSum for the output
// gradient g [B, nOut, K, W]: dh (nil: not wanted) gets V_x g_xᵀ on each
// node's edges; dv (nil: not wanted) gets H_x g_x, scaled by the edge
// weights, added into the sources in edge order.
//
// vt [B, nIn, W] and (with dv) dvEdge [B, E, W] are scratch.
func outerSumGrads[T float32 | float64](dh, dv, g, h, v, vt, dvEdge []T, from []int, wt []float64, byDst, bySrc edgeGroups, bs, e, k, w, nIn int) {
	nOut := len(byDst.ptr) - 1
	nodeMajor(vt, v, bs, w, nIn)
	if sg := segments[T](byDst, from, wt, k, w, nIn); sg != nil {
		dh, dve := any(dh).([]float32), any(dvEdge).([]float32)
		g, h, vt := any(g).([]float32), any(h).([]float32), any(vt).([]float32)
		parallelNodes(bs*nOut, func(lo, hi int) {
			buf := getScratch[float32](sg.GradsScratch())
			defer putScratch(buf)
			sgemm.SegmentGrads(dh, dve, g, h, vt, sg, lo, hi, *buf)
		})
	} else {
		outerSumGradsGo(dh, g, h, vt, dvEdge, from, wt, byDst, bs, e, k, w, nIn)
	}
	if dv == nil { // every edge has a destination: each row of dh was written
		return
	}
	addIntoSources(dv, dvEdge, bySrc, bs, e, w, nIn)
}

// outerSumGradsGo is outerSumGrads' loop over the nodes in Go (float64, or
// where the sgemm kernels are not available).
func outerSumGradsGo[T float32 | float64](dh, g, h, vt, dvEdge []T, from []int, wt []float64, byDst edgeGroups, bs, e, k, w, nIn int) {
	nOut := len(byDst.ptr) - 1
	fast, ldv := smallGemm[T](w)
	parallelNodes(bs*nOut, func(lo, hi int) {
		most := byDst.most
		buf := getScratch[T](most * (2*k + ldv + w))
		defer putScratch(buf)
		hx, vx, rh, rv := (*buf)[:most*k], (*buf)[most*k:most*(k+ldv)], (*buf)[most*(k+ldv):most*(2*k+ldv)], (*buf)[most*(2*k+ldv):]
		var pk []float32 // g_x packed for sgemm
		if fast {
			pb := getScratch[float32](max(sgemm.PackedLen(w, k), sgemm.PackedLen(k, w)))
			defer putScratch(pb)
			pk = *pb
		}
		for bx := lo; bx < hi; bx++ {
			b, x := bx/nOut, bx%nOut
			es := byDst.idx[byDst.ptr[x]:byDst.ptr[x+1]]
			if len(es) == 0 {
				continue
			}
			gx := g[bx*k*w : (bx+1)*k*w]
			hn := gatherNode(hx, vx, h, vt, es, from, wt, b, e, k, w, ldv, nIn)
			if dh != nil { // V_x g_xᵀ
				if fast {
					sgemm.Pack(pk, any(gx).([]float32), w, k, w, true)
					sgemm.Gemm(len(es), k, w, any(vx).([]float32), ldv, false, pk, any(rh).([]float32), k, nil, false)
				} else {
					gemm(false, true, len(es), k, w, vx, ldv, gx, w, rh, k)
				}
				for p, j := range es {
					copy(dh[(b*e+j)*k:(b*e+j+1)*k], rh[p*k:(p+1)*k])
				}
			}
			if dvEdge != nil { // H_x g_x
				if fast {
					sgemm.Pack(pk, any(gx).([]float32), k, w, w, false)
					sgemm.Gemm(len(es), w, k, any(hn).([]float32), k, false, pk, any(rv).([]float32), w, nil, false)
				} else {
					gemm(false, false, len(es), w, k, hn, k, gx, w, rv, w)
				}
				for p, j := range es {
					s, r := T(wt[j]), rv[p*w:(p+1)*w]
					d := dvEdge[(b*e+j)*w : (b*e+j+1)*w]
					for i, t := range r {
						d[i] = s * t
					}
				}
			}
		}
	})
}

// addIntoSources sets dv [B, W, nIn] at each source node to the sum of its
// edges' rows of dvEdge [B, E, W], in edge order.
func addIntoSources[T float32 | float64](dv, dvEdge []T, bySrc edgeGroups, bs, e, w, nIn int) {
	tensor.ParallelRange(bs*nIn, func(lo, hi int) {
		acc := make([]T, w)
		for by := lo; by < hi; by++ {
			b, y := by/nIn, by%nIn
			clear(acc)
			for _, j := range bySrc.idx[bySrc.ptr[y]:bySrc.ptr[y+1]] {
				for i, t := range dvEdge[(b*e+j)*w : (b*e+j+1)*w] {
					acc[i] += t
				}
			}
			for i, t := range acc {
				dv[(b*w+i)*nIn+y] = t
			}
		}
	})
}
