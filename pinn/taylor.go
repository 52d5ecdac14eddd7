package pinn

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"sync"

	"github.com/sciml-go/sciml/internal/blas"
	"github.com/sciml-go/sciml/internal/taylor"
	"github.com/sciml-go/sciml/tensor"
)

// taylorSpec lists the streams: 0 is the value, 1..len(first) the first
// derivatives along first[i], then the second derivatives along the pairs
// (pairs hold indices into first).
type taylorSpec struct {
	first []int
	pairs [][2]int
}

func (s *taylorSpec) k() int { return 1 + len(s.first) + len(s.pairs) }

func newTaylorSpec(needs []Partial) (*taylorSpec, map[string]int) {
	firstSet := map[int]bool{}
	var pairAxes [][2]int
	for _, p := range needs {
		for _, a := range p.Axes {
			firstSet[a] = true
		}
		if len(p.Axes) == 2 {
			a, b := min(p.Axes[0], p.Axes[1]), max(p.Axes[0], p.Axes[1])
			if !slices.Contains(pairAxes, [2]int{a, b}) {
				pairAxes = append(pairAxes, [2]int{a, b})
			}
		}
	}
	s := &taylorSpec{}
	for a := range firstSet {
		s.first = append(s.first, a)
	}
	slices.Sort(s.first)
	slices.SortFunc(pairAxes, func(x, y [2]int) int {
		if x[0] != y[0] {
			return x[0] - y[0]
		}
		return x[1] - y[1]
	})
	index := map[string]int{"": 0}
	pos := map[int]int{}
	for i, a := range s.first {
		pos[a] = i
		index[":"+strconv.Itoa(a)] = 1 + i
	}
	for j, p := range pairAxes {
		s.pairs = append(s.pairs, [2]int{pos[p[0]], pos[p[1]]})
		index[":"+strconv.Itoa(p[0])+":"+strconv.Itoa(p[1])] = 1 + len(s.first) + j
	}
	return s, index
}

func evalTaylor(m *MLP, x *tensor.Tensor, needs []Partial) *Fields {
	spec, index := newTaylorSpec(needs)
	n, in := x.Dim(0), x.Dim(1)
	k := spec.k()
	// input streams: x itself, the unit vectors e_a, zero second derivatives
	s := tensor.Empty(tensor.Float64, []int{k, n, in}, x)
	sd := s.Float64s()
	clear(sd)
	copy(sd[:n*in], x.Float64s())
	for i, a := range spec.first {
		if a >= in {
			panic(fmt.Sprintf("pinn.Eval: derivative along axis %d of a %d-input network", a, in))
		}
		row := sd[(1+i)*n*in : (2+i)*n*in]
		for j := range n {
			row[j*in+a] = 1
		}
	}
	if m.Scale != nil {
		// x ↦ (x − c)·s: the value stream shifted and scaled, e_a scaled
		for q := range k {
			for j := range n {
				row := sd[(q*n+j)*in : (q*n+j+1)*in]
				for a := range row {
					if q == 0 {
						row[a] -= m.Center[a]
					}
					row[a] *= m.Scale[a]
				}
			}
		}
	}
	if m.Periodic != nil {
		s = periodicStreams(s, m, spec, n)
	}
	if m.Fourier != nil {
		s = fourierStreams(s, m.Fourier, spec, n)
	}
	if m.Act.fused != 0 && len(m.Layers) <= 64 {
		s = taylorMLP(m, s, spec, n)
		return &Fields{X: x, U: tensor.Reshape(tensor.Narrow(s, 0, 0, 1), n, s.Dim(2)), net: m, stream: s, index: index}
	}
	for li, l := range m.Layers {
		s = taylorAffine(s, l.Weight, l.Bias, n)
		if li+1 < len(m.Layers) {
			s = taylorActivate(s, m.Act, spec, n)
		}
	}
	return &Fields{X: x, U: tensor.Reshape(tensor.Narrow(s, 0, 0, 1), n, s.Dim(2)), net: m, stream: s, index: index}
}

// taylorAffine maps every stream of s ([K, N, in]) by w ([out, in]) and adds
// b to the value stream (the first N rows): one GEMM over K·N rows.
func taylorAffine(s, w, b *tensor.Tensor, n int) *tensor.Tensor {
	k, in := s.Dim(0), s.Dim(2)
	out := w.Dim(0)
	y := tensor.Empty(tensor.Float64, []int{k, n, out}, s)
	yd := y.Float64s()
	blas.Dgemm(false, true, k*n, out, in, 1, s.Float64s(), in, w.Float64s(), in, 0, yd, out)
	ins := []*tensor.Tensor{s, w}
	if b != nil {
		bd := b.Float64s()
		for j := range n {
			row := yd[j*out : (j+1)*out]
			for o, v := range bd {
				row[o] += v
			}
		}
		ins = append(ins, b)
	}
	return tensor.Record(y, "TaylorAffine", func(g *tensor.Tensor, in []*tensor.Tensor, _ *tensor.Tensor, needs []bool) []*tensor.Tensor {
		s, w := in[0], in[1]
		kk, nn, ii := s.Dim(0), s.Dim(1), s.Dim(2)
		oo := w.Dim(0)
		g2 := tensor.Reshape(g, kk*nn, oo)
		r := make([]*tensor.Tensor, len(in))
		if needs[0] {
			r[0] = tensor.Reshape(tensor.MatMul(g2, w), kk, nn, ii)
		}
		if needs[1] {
			r[1] = tensor.MatMulT(g2, tensor.Reshape(s, kk*nn, ii), true, false)
		}
		if len(in) > 2 && needs[2] {
			r[2] = tensor.SumAxes(tensor.Narrow(g2, 0, 0, nn), []int{0}, false)
		}
		return r
	}, ins...)
}

// parallel runs f over [0, n) in chunks whose boundaries depend only on n.
func parallel(n, grain int, f func(lo, hi int)) {
	chunks := (n + grain - 1) / grain
	workers := min(runtime.GOMAXPROCS(0), chunks)
	if workers <= 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	next := make(chan int, chunks)
	for c := range chunks {
		next <- c
	}
	close(next)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range next {
				f(c*grain, min(n, (c+1)*grain))
			}
		}()
	}
	wg.Wait()
}

const taylorGrain = 4096

// taylorActivate applies σ to the streams a ([K, N, w]):
// h = σ(a), h_i = σ′(a)a_i, h_ij = σ′(a)a_ij + σ″(a)a_i a_j.
func taylorActivate(a *tensor.Tensor, act Activation, spec *taylorSpec, n int) *tensor.Tensor {
	h := tensor.EmptyLike(a)
	k := a.Dim(0)
	m := n * a.Dim(2) // elements per stream
	ad, hd := a.Float64s(), h.Float64s()
	nf := len(spec.first)
	parallel(m, taylorGrain, func(lo, hi int) {
		for e := lo; e < hi; e++ {
			f, d1, d2, _ := act.All(ad[e])
			hd[e] = f
			for i := 1; i <= nf; i++ {
				hd[i*m+e] = d1 * ad[i*m+e]
			}
			for p, ij := range spec.pairs {
				q := (1 + nf + p) * m
				hd[q+e] = d1*ad[q+e] + d2*ad[(1+ij[0])*m+e]*ad[(1+ij[1])*m+e]
			}
		}
	})
	_ = k
	return tensor.Record(h, "TaylorActivate", func(g *tensor.Tensor, in []*tensor.Tensor, out *tensor.Tensor, needs []bool) []*tensor.Tensor {
		if !needs[0] {
			return []*tensor.Tensor{nil}
		}
		return []*tensor.Tensor{taylorActivateGrad(g, in[0], out, act, spec, n)}
	}, a)
}

// taylorActivateGrad is the backward of taylorActivate: with s1, s2, s3 =
// σ′, σ″, σ‴ at the value stream a,
//
//	ḡ_a   = g s1 + Σ_i g_i a_i s2 + Σ_ij g_ij (a_ij s2 + a_i a_j s3)
//	ḡ_a_i = g_i s1 + Σ_{ij ∋ i} g_ij s2 a_(other index)
//	ḡ_a_ij = g_ij s1.
//
// It is computed by a fused kernel and is not itself differentiable (the
// Taylor path serves first-order parameter gradients).
func taylorActivateGrad(g, a, h *tensor.Tensor, act Activation, spec *taylorSpec, n int) *tensor.Tensor {
	r := tensor.EmptyLike(a)
	m := n * a.Dim(2)
	ad, gd, rd, hd := a.Float64s(), g.Float64s(), r.Float64s(), h.Float64s()
	nf := len(spec.first)
	parallel(m, taylorGrain, func(lo, hi int) {
		for e := lo; e < hi; e++ {
			var d1, d2, d3 float64
			if act.FromOutput != nil {
				d1, d2, d3 = act.FromOutput(hd[e])
			} else {
				_, d1, d2, d3 = act.All(ad[e])
			}
			g0 := gd[e] * d1
			for i := 1; i <= nf; i++ {
				g0 += gd[i*m+e] * ad[i*m+e] * d2
				rd[i*m+e] = gd[i*m+e] * d1
			}
			for p, ij := range spec.pairs {
				q := (1 + nf + p) * m
				gp := gd[q+e]
				ai, aj := ad[(1+ij[0])*m+e], ad[(1+ij[1])*m+e]
				g0 += gp * (ad[q+e]*d2 + ai*aj*d3)
				rd[(1+ij[0])*m+e] += gp * d2 * aj
				rd[(1+ij[1])*m+e] += gp * d2 * ai
				rd[q+e] = gp * d1
			}
			rd[e] = g0
		}
	})
	return tensor.Record(r, "TaylorActivateGrad", func(*tensor.Tensor, []*tensor.Tensor, *tensor.Tensor, []bool) []*tensor.Tensor {
		panic("pinn: the Taylor path is differentiable once with respect to the parameters; use Mode Nested for higher derivatives")
	}, g, a)
}

// periodicStreams maps the input streams s ([K, N, In]: x, e_a, 0) through
// the periodic embeddings of m (MLP.embed): a passed-through axis keeps its
// streams; θ = kωx_a gives cos θ with streams (cos θ, −kω sin θ·[a = i],
// −(kω)² cos θ·[a = i = j]) and sin θ with (sin θ, kω cos θ·[a = i],
// −(kω)² sin θ·[a = i = j]).
func periodicStreams(s *tensor.Tensor, m *MLP, spec *taylorSpec, n int) *tensor.Tensor {
	in := s.Dim(2)
	k := spec.k()
	w := embedWidth(m.Periodic, in)
	out := tensor.Empty(tensor.Float64, []int{k, n, w}, s)
	od, xd := out.Float64s(), s.Float64s()
	clear(od)
	nf := len(spec.first)
	periodic := map[int]bool{}
	for _, p := range m.Periodic {
		periodic[p.Axis] = true
	}
	col := 0
	for a := range in {
		if periodic[a] {
			continue
		}
		for q := range k {
			for j := range n {
				od[(q*n+j)*w+col] = xd[(q*n+j)*in+a]
			}
		}
		col++
	}
	for _, p := range m.Periodic {
		a, h := p.Axis, p.Harmonics
		for kk := 1; kk <= h; kk++ {
			kw := float64(kk) * p.omega()
			cc, sc := col+kk-1, col+h+kk-1
			for j := range n {
				sn, cs := math.Sincos(kw * xd[j*in+a])
				od[j*w+cc], od[j*w+sc] = cs, sn
				for i, b := range spec.first {
					if b == a {
						q := ((1+i)*n + j) * w
						od[q+cc], od[q+sc] = -kw*sn, kw*cs
					}
				}
				for pi, ij := range spec.pairs {
					if spec.first[ij[0]] == a && spec.first[ij[1]] == a {
						q := ((1+nf+pi)*n + j) * w
						od[q+cc], od[q+sc] = -kw*kw*cs, -kw*kw*sn
					}
				}
			}
		}
		col += 2 * h
	}
	return out
}

// fourierStreams maps the streams s ([K, N, In]: value, first and second
// derivatives of the input features) through the features [sin z, cos z],
// z = 2πBs: with the streams z_i, z_ij of z, sin gives (sin z, cos z·z_i,
// cos z·z_ij − sin z·z_i z_j) and cos gives (cos z, −sin z·z_i,
// −sin z·z_ij − cos z·z_i z_j). (For the raw input x, z_i = 2πB_{·i} and
// z_ij = 0.)
func fourierStreams(s, b *tensor.Tensor, spec *taylorSpec, n int) *tensor.Tensor {
	in := s.Dim(2)
	m := b.Dim(0)
	k := spec.k()
	out := tensor.Empty(tensor.Float64, []int{k, n, 2 * m}, s)
	od, xd, bd := out.Float64s(), s.Float64s(), b.Float64s()
	nf := len(spec.first)
	w := 2 * m
	z := make([]float64, k)
	for j := range n {
		for f := range m {
			for q := range k {
				v := 0.0
				row := xd[(q*n+j)*in : (q*n+j+1)*in]
				for a, x := range row {
					v += bd[f*in+a] * x
				}
				z[q] = 2 * math.Pi * v
			}
			sz, cz := math.Sincos(z[0])
			od[j*w+f], od[j*w+m+f] = sz, cz
			for i := range nf {
				zi := z[1+i]
				q := (1+i)*n*w + j*w
				od[q+f], od[q+m+f] = cz*zi, -sz*zi
			}
			for p, ij := range spec.pairs {
				zi, zj, zij := z[1+ij[0]], z[1+ij[1]], z[1+nf+p]
				q := (1+nf+p)*n*w + j*w
				od[q+f], od[q+m+f] = cz*zij-sz*zi*zj, -sz*zij-cz*zi*zj
			}
		}
	}
	return out
}

// taylorMLP carries the input streams s ([K, N, In]) through the whole
// network in one fused operation (internal/taylor): the affine layers and
// the activations of taylorAffine and taylorActivate, computed block by
// block of points so each block's streams stay in cache, with a backward
// rule that recomputes the forward pass of each block (reusing the tanh
// values the forward pass saved) and returns the parameter gradients (and
// the gradient of s when it is needed). The gradients are not
// differentiable again.
func taylorMLP(m *MLP, s *tensor.Tensor, spec *taylorSpec, n int) *tensor.Tensor {
	widths := []int{s.Dim(2)}
	ins := []*tensor.Tensor{s}
	for _, l := range m.Layers {
		widths = append(widths, l.Weight.Dim(0))
		ins = append(ins, l.Weight)
		if l.Bias != nil {
			ins = append(ins, l.Bias)
		}
	}
	net := taylor.Net{Widths: widths, Act: m.Act.fused}
	st := taylor.Streams{First: len(spec.first), Pairs: spec.pairs}
	k := spec.k()
	// params flattens the layers' tensors among in (W_l, b_l; zeros for a
	// missing bias) and returns where each input sits in it.
	params := func(in []*tensor.Tensor) ([]float64, []int) {
		p := make([]float64, 0, taylor.NumParams(widths))
		at := make([]int, len(in))
		j := 1
		for _, l := range m.Layers {
			at[j] = len(p)
			p = append(p, in[j].Float64s()...)
			j++
			if l.Bias != nil {
				at[j] = len(p)
				p = append(p, in[j].Float64s()...)
				j++
			} else {
				p = append(p, make([]float64, l.Weight.Dim(0))...)
			}
		}
		return p, at
	}
	net.Params, _ = params(ins)
	out := tensor.Empty(tensor.Float64, []int{k, n, widths[len(widths)-1]}, s)
	// the hidden layers' tanh values, kept for the backward pass (not a
	// differentiable tensor: an internal buffer of the operation)
	var saved []float64
	if l := taylor.SavedLen(net, n); l > 0 {
		saved = tensor.Empty(tensor.Float64, []int{l}, s).Float64s()
	}
	taylor.Forward(net, st, s.Float64s(), n, out.Float64s(), saved)
	return tensor.Record(out, "TaylorMLP", func(g *tensor.Tensor, in []*tensor.Tensor, _ *tensor.Tensor, needs []bool) []*tensor.Tensor {
		bnet := net
		var at []int
		bnet.Params, at = params(in)
		gp := make([]float64, len(bnet.Params))
		r := make([]*tensor.Tensor, len(in))
		var gs0 []float64
		if needs[0] {
			r[0] = tensor.EmptyLike(in[0])
			gs0 = r[0].Float64s()
		}
		taylor.Backward(bnet, st, in[0].Float64s(), n, g.Float64s(), gp, gs0, saved)
		for i := 1; i < len(in); i++ {
			if needs[i] {
				r[i] = tensor.Empty(tensor.Float64, in[i].Shape(), g)
				copy(r[i].Float64s(), gp[at[i]:])
			}
		}
		for i, t := range r {
			if t != nil {
				r[i] = tensor.Record(t, "TaylorMLPGrad", func(*tensor.Tensor, []*tensor.Tensor, *tensor.Tensor, []bool) []*tensor.Tensor {
					panic("pinn: the Taylor path is differentiable once with respect to the parameters; use Mode Nested for higher derivatives")
				}, g)
			}
		}
		return r
	}, ins...)
}
