package sgemm

import "fmt"

// Segments is a graph's edges grouped by destination node, for sums of
// outer products over each node's edges (the kernel integral of a graph
// neural operator with its kernel network's last layer factored out):
//
//	m[s, l, i] = Σ_{p < n_x} h[b, j_p, l] · (float32(wt[j_p]) · v[b, src(j_p), i]),
//
// for the segment s = b·nodes + x (sample b, node x) and x's edges
// j_p = idx[ptr[x] + p] in that order. Every sample has the same graph:
// e edges, rows of k features h[b, j, ·], nIn source nodes of w ≤ 16
// values v[b, y, ·] (node-major).
type Segments struct {
	ptr, idx, from []int
	wt             []float64
	most           int
	e, k, w, nIn   int
}

// NewSegments checks and returns the segments of a graph: the edges of
// node x are idx[ptr[x]:ptr[x+1]] (ptr non-decreasing from 0 to len(idx);
// each edge index below len(from)), edge j comes from node from[j] < nIn
// with weight wt[j], and h has k features a row (k > 0), v w ≤ NR values
// a node.
func NewSegments(ptr, idx, from []int, wt []float64, k, w, nIn int) (*Segments, error) {
	e := len(from)
	if len(wt) != e || len(ptr) == 0 || ptr[0] != 0 || ptr[len(ptr)-1] != len(idx) || k <= 0 || w <= 0 || w > NR || nIn < 0 {
		return nil, fmt.Errorf("sgemm.NewSegments: %d nodes, %d grouped edges, %d sources, %d weights, k=%d w=%d nIn=%d",
			len(ptr)-1, len(idx), e, len(wt), k, w, nIn)
	}
	s := &Segments{ptr: ptr, idx: idx, from: from, wt: wt, e: e, k: k, w: w, nIn: nIn}
	for x := range len(ptr) - 1 {
		if ptr[x+1] < ptr[x] {
			return nil, fmt.Errorf("sgemm.NewSegments: node %d's edges end at %d, before they start (%d)", x, ptr[x+1], ptr[x])
		}
		s.most = max(s.most, ptr[x+1]-ptr[x])
	}
	for _, j := range idx {
		if j < 0 || j >= e {
			return nil, fmt.Errorf("sgemm.NewSegments: edge %d of %d", j, e)
		}
	}
	for j, y := range from {
		if y < 0 || y >= nIn {
			return nil, fmt.Errorf("sgemm.NewSegments: edge %d comes from node %d of %d", j, y, nIn)
		}
	}
	return s, nil
}

func (s *Segments) nseg() int { return len(s.ptr) - 1 }

// SumsScratch is the length of the scratch SegmentSums needs.
func (s *Segments) SumsScratch() int { return s.most * (s.k + NR) }

// GradsScratch is the length of the scratch SegmentGrads needs.
func (s *Segments) GradsScratch() int {
	return s.most*(2*s.k+NR+s.w) + max(PackedLen(s.w, s.k), PackedLen(s.k, s.w))
}

// check panics unless the segments [lo, hi) and the operands fit.
func (s *Segments) check(name string, lo, hi int, scratch []float32, need int, ops ...[]float32) {
	n := s.nseg()
	bad := lo < 0 || hi < lo || len(scratch) < need
	if hi > lo {
		bs := (hi-1)/max(n, 1) + 1 // samples touched
		sizes := []int{hi * s.k * s.w, bs * s.e * s.k, bs * s.nIn * s.w, bs * s.e * s.k, bs * s.e * s.w}
		for i, op := range ops {
			bad = bad || (op != nil && len(op) < sizes[i])
		}
	}
	if bad {
		panic(fmt.Sprintf("sgemm.%s: segments [%d, %d) of %d nodes, k=%d w=%d e=%d nIn=%d: operand lengths %v, scratch %d (want %d)",
			name, lo, hi, n, s.k, s.w, s.e, s.nIn, lens(ops), len(scratch), need))
	}
	if !available {
		panic("sgemm." + name + ": kernels not available on this CPU or build (see Available)")
	}
}

func lens(ops [][]float32) []int {
	l := make([]int, len(ops))
	for i, op := range ops {
		l[i] = len(op)
	}
	return l
}

// SegmentSums sets m[s·k·w : (s+1)·k·w] (k×w, row-major) for the
// segments lo ≤ s < hi to the sums in Segments, from h [B, e, k] and the
// node-major values vt [B, nIn, w]: one Gemm a segment (m_x = H_xᵀ V_x,
// each element one chain over the edges in order), zero for a node
// without edges. scratch holds SumsScratch values.
func SegmentSums(m, h, vt []float32, s *Segments, lo, hi int, scratch []float32) {
	s.check("SegmentSums", lo, hi, scratch, s.SumsScratch(), m, h, vt)
	if hi == lo {
		return
	}
	hx, vx := scratch[:s.most*s.k], scratch[s.most*s.k:]
	segSums(m, h, vt, s, lo, hi, hx, vx)
}

// SegmentGrads is SegmentSums' backward pass for the gradient g of m:
// dh (nil: not wanted) gets row j of sample b set to V_x g_sᵀ at the
// edge's place p in its segment, (V_x g_sᵀ)[p, ·]; dve [B, e, w] (nil: not
// wanted) gets row j set to float32(wt[j])·(H_x g_s)[p, ·], each edge's
// part of the gradient of v at its source, to be added there by the
// caller. Rows of edges in no segment of [lo, hi) are left alone. scratch
// holds GradsScratch values.
func SegmentGrads(dh, dve, g, h, vt []float32, s *Segments, lo, hi int, scratch []float32) {
	s.check("SegmentGrads", lo, hi, scratch, s.GradsScratch(), g, h, vt, dh, dve)
	if hi == lo {
		return
	}
	m, k := s.most, s.k
	hx, vx := scratch[:m*k], scratch[m*k:m*(k+NR)]
	rh, rv := scratch[m*(k+NR):m*(2*k+NR)], scratch[m*(2*k+NR):m*(2*k+NR+s.w)]
	pk := scratch[m*(2*k+NR+s.w):]
	segGrads(dh, dve, g, h, vt, s, lo, hi, hx, vx, rh, rv, pk)
}
