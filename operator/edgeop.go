package operator

import (
	"fmt"

	"github.com/sciml-go/sciml/tensor"
)

// edgeIntegrate is the kernel integral over the edges of a graph in one
// operation: for k [B, E, W, W] and v [B, W, nIn] it returns out
// [B, W, nOut] with
//
//	out[b, :, to[e]] += wt[e] · M[b, e] · v[b, :, from[e]],  M = k (trans: kᵀ),
//
// summed over the edges. The messages are formed in parallel over edges
// (gathering v's channels directly, no [B, W, E] copy, permute or index
// tensors), then added into out row by row of (b, channel) in edge
// order, so the result does not depend on the thread count. Its
// gradients are edgeIntegrate with from and to swapped and the other flag
// (for v) and edgeOuter of the output gradient and v (for k), whose own
// gradients are edgeIntegrate again: differentiable to any order.
func edgeIntegrate(k, v *tensor.Tensor, from, to []int, wt []float64, nOut int, trans bool) *tensor.Tensor {
	if k.NDim() != 4 || v.NDim() != 3 || k.Dim(0) != v.Dim(0) || k.Dim(1) != len(from) || len(to) != len(from) || len(wt) != len(from) ||
		k.Dim(2) != v.Dim(1) || k.Dim(3) != v.Dim(1) || k.DType() != v.DType() {
		panic(fmt.Sprintf("operator.edgeIntegrate: kernels %v%v, values %v%v, %d/%d/%d edges", k.DType(), k.Shape(), v.DType(), v.Shape(), len(from), len(to), len(wt)))
	}
	bs, w, nIn := v.Dim(0), v.Dim(1), v.Dim(2)
	out := tensor.Empty(v.DType(), []int{bs, w, nOut}, k, v)
	msg := tensor.Empty(v.DType(), []int{bs, len(from), w}, k, v) // scratch
	switch v.DType() {
	case tensor.Float32:
		integrateEdges(out.Float32s(), msg.Float32s(), k.Float32s(), v.Float32s(), from, to, wt, bs, w, nIn, nOut, trans)
	case tensor.Float64:
		integrateEdges(out.Float64s(), msg.Float64s(), k.Float64s(), v.Float64s(), from, to, wt, bs, w, nIn, nOut, trans)
	default:
		panic(fmt.Sprintf("operator.edgeIntegrate: dtype %v", v.DType()))
	}
	return tensor.Record(out, "EdgeIntegrate", func(g *tensor.Tensor, in []*tensor.Tensor, _ *tensor.Tensor, needs []bool) []*tensor.Tensor {
		k, v := in[0], in[1]
		gs := make([]*tensor.Tensor, 2)
		if needs[0] {
			gs[0] = edgeOuter(g, v, to, from, wt, trans)
		}
		if needs[1] {
			gs[1] = edgeIntegrate(k, g, to, from, wt, nIn, !trans)
		}
		return gs
	}, k, v)
}

// edgeOuter returns the per-edge outer products r [B, E, W, W] of p
// [B, W, nP] and q [B, W, nQ] at the edges' ends:
//
//	r[b, e, o, i] = wt[e] · p[b, o, pIdx[e]] · q[b, i, qIdx[e]]   (swap: wt[e] · q[b, o, qIdx[e]] · p[b, i, pIdx[e]]),
//
// the kernel gradient of edgeIntegrate. Its gradients are edgeIntegrate
// of the output gradient with q (for p) and with p (for q).
func edgeOuter(p, q *tensor.Tensor, pIdx, qIdx []int, wt []float64, swap bool) *tensor.Tensor {
	bs, w, e := p.Dim(0), p.Dim(1), len(pIdx)
	nP, nQ := p.Dim(2), q.Dim(2)
	out := tensor.Empty(p.DType(), []int{bs, e, w, w}, p, q)
	switch p.DType() {
	case tensor.Float32:
		outerEdges(out.Float32s(), p.Float32s(), q.Float32s(), pIdx, qIdx, wt, bs, w, nP, nQ, swap)
	case tensor.Float64:
		outerEdges(out.Float64s(), p.Float64s(), q.Float64s(), pIdx, qIdx, wt, bs, w, nP, nQ, swap)
	default:
		panic(fmt.Sprintf("operator.edgeOuter: dtype %v", p.DType()))
	}
	return tensor.Record(out, "EdgeOuter", func(g *tensor.Tensor, in []*tensor.Tensor, _ *tensor.Tensor, needs []bool) []*tensor.Tensor {
		p, q := in[0], in[1]
		gs := make([]*tensor.Tensor, 2)
		// r = wt·p ⊗ q: ∂p = wt·G q, ∂q = wt·Gᵀ p (swap: r = wt·q ⊗ p,
		// ∂p = wt·Gᵀ q, ∂q = wt·G p).
		if needs[0] {
			gs[0] = edgeIntegrate(g, q, qIdx, pIdx, wt, nP, swap)
		}
		if needs[1] {
			gs[1] = edgeIntegrate(g, p, pIdx, qIdx, wt, nQ, !swap)
		}
		return gs
	}, p, q)
}

// integrateEdges is the kernel of edgeIntegrate. Messages go to a scratch
// [B, E, W] (parallel over chunks of edges), then each (b, channel) row
// of out is summed in edge order (parallel over rows).
func integrateEdges[T float32 | float64](out, msg, k, v []T, from, to []int, wt []float64, bs, w, nIn, nOut int, trans bool) {
	e := len(from)
	tensor.ParallelRange(bs*e, func(lo, hi int) {
		x := make([]T, w)
		for be := lo; be < hi; be++ {
			b, j := be/e, be%e
			vb := v[b*w*nIn+from[j]:]
			for i := range x {
				x[i] = vb[i*nIn]
			}
			kj := k[be*w*w : (be+1)*w*w]
			m := msg[be*w : (be+1)*w]
			c := T(wt[j])
			if trans {
				clear(m)
				for o, xo := range x {
					row := kj[o*w : (o+1)*w]
					xo *= c
					for i := range m {
						m[i] += row[i] * xo
					}
				}
				continue
			}
			for o := range m {
				row := kj[o*w : (o+1)*w]
				var s T
				for i, xi := range x {
					s += row[i] * xi
				}
				m[o] = c * s
			}
		}
	})
	tensor.ParallelFor(bs*w, func(r int) { // rows are independent
		b, o := r/w, r%w
		row := out[r*nOut : (r+1)*nOut]
		clear(row)
		mb := msg[b*e*w+o:]
		for j, t := range to {
			row[t] += mb[j*w]
		}
	})
}

// outerEdges is the kernel of edgeOuter (parallel over chunks of edges).
func outerEdges[T float32 | float64](out, p, q []T, pIdx, qIdx []int, wt []float64, bs, w, nP, nQ int, swap bool) {
	e := len(pIdx)
	tensor.ParallelRange(bs*e, func(lo, hi int) {
		a, c := make([]T, w), make([]T, w)
		for be := lo; be < hi; be++ {
			b, j := be/e, be%e
			pb, qb := p[b*w*nP+pIdx[j]:], q[b*w*nQ+qIdx[j]:]
			s := T(wt[j])
			for i := range a {
				a[i], c[i] = s*pb[i*nP], qb[i*nQ]
			}
			if swap {
				for i := range a {
					a[i], c[i] = s*qb[i*nQ], pb[i*nP]
				}
			}
			r := out[be*w*w : (be+1)*w*w]
			for o, ao := range a {
				row := r[o*w : (o+1)*w]
				for i, ci := range c {
					row[i] = ao * ci
				}
			}
		}
	})
}
