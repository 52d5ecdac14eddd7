package inr

import (
	"fmt"
	"math"
	"sync"

	"github.com/sciml-go/sciml/internal/vmath"
	"github.com/sciml-go/sciml/tensor"
)

// gaborAct is WIRE's complex Gabor wavelet as one operation. Complex
// activations are carried as rows [Re | Im] of 2h columns; z holds the
// pre-activations, rows [a | b] (cplx) or real rows a of h columns (the
// first layer, b = 0), and the result is rows [Re ψ | Im ψ] of
//
//	ψ(a + ib) = exp(iω(a + ib) − s²|a + ib|²) = exp(−ωb − s²(a² + b²))·(cos ωa + i sin ωa).
//
// In float32 the forward pass is one pass over z with the vmath exp and
// sincos kernels, and the backward pass one pass of arithmetic on the
// saved input and output,
//
//	∂L/∂a = −2s²a·P + ω·Q,  ∂L/∂b = −(ω + 2s²b)·P,
//	P = g_re·Re ψ + g_im·Im ψ,  Q = g_im·Re ψ − g_re·Im ψ,
//
// where the composed version (square, scale, exp, cos, sin and products,
// with their backward rules) made about 13 passes forward and 25 backward.
// When a graph of the backward pass is wanted (higher derivatives) the
// same formulas are written with differentiable operations, whose own
// backward goes through gaborAct again.
//
// In float32 both passes write no subnormal numbers, and the backward
// pass makes almost none on the way: an amplitude exp(−ωb − s²|z|²) below
// 2⁻⁶⁴ ≈ 5.4e-20 (the exponent below −44.4, |z| > 0.22 at s = 30: most
// of a trained WIRE's pre-activations) is taken as 0 — 2⁻⁴⁰ of float32's
// resolution of the unit-sized sums it enters, so no fit can tell —, and
// results below 2⁻¹²⁶ are flushed to 0. Intel CPUs take a microcode
// assist for every subnormal operand or result: with amplitudes kept down
// to 2⁻¹²⁶, their products with a fit's small gradients (≈ 1e-6) were
// subnormal, and the backward pass took 3–4× as long; the GEMMs that read
// the activation and its gradient paid too. float64 keeps IEEE
// arithmetic.
func gaborAct(z *tensor.Tensor, cplx bool, omega, s float64) *tensor.Tensor {
	sh := z.Shape()
	if len(sh) != 2 || (cplx && sh[1]%2 != 0) {
		panic(fmt.Sprintf("inr: gabor activation of shape %v (complex %v)", sh, cplx))
	}
	n, h := sh[0], sh[1]
	if cplx {
		h /= 2
	}
	out := tensor.Empty(z.DType(), []int{n, 2 * h}, z)
	g := gaborShape{h: h, zw: sh[1], cplx: cplx, w: omega, s2: s * s}
	switch z.DType() {
	case tensor.Float32:
		zd, od := z.Float32s(), out.Float32s()
		tensor.ParallelRange(n*h, func(lo, hi int) { gaborForward32(od, zd, lo, hi, g) })
	case tensor.Float64:
		zd, od := z.Float64s(), out.Float64s()
		tensor.ParallelRange(n*h, func(lo, hi int) { gaborForward64(od, zd, lo, hi, g) })
	default:
		panic(fmt.Sprintf("inr: gabor activation of %v", z.DType()))
	}
	return tensor.Record(out, "gabor", func(gr *tensor.Tensor, in []*tensor.Tensor, out *tensor.Tensor, _ []bool) []*tensor.Tensor {
		if gr.RequiresGrad() || in[0].RequiresGrad() || out.RequiresGrad() {
			return []*tensor.Tensor{gaborBackwardGraph(gr, in[0], out, g)}
		}
		return []*tensor.Tensor{gaborBackward(gr, in[0], out, g)}
	}, z)
}

// gaborShape describes one gaborAct: h pairs a row, zw columns of z, and
// the wavelet's ω and s².
type gaborShape struct {
	h, zw int
	cplx  bool
	w, s2 float64
}

// segments calls f for each run of pairs [lo, hi) within one row: row i,
// first column j, length m, and offset off of the run from lo.
func (g gaborShape) segments(lo, hi int, f func(i, j, m, off int)) {
	for k := lo; k < hi; {
		i, j := k/g.h, k%g.h
		m := min(g.h-j, hi-k)
		f(i, j, m, k-lo)
		k += m
	}
}

type gaborBuf struct {
	a, e, sn, cs []float32
	zero         []uint32 // all ones where the amplitude is below 2⁻⁶⁴
}

var gaborPool = sync.Pool{New: func() any { return new(gaborBuf) }}

func (b *gaborBuf) size(m int) {
	if cap(b.a) < m {
		b.a, b.e, b.sn, b.cs = make([]float32, m), make([]float32, m), make([]float32, m), make([]float32, m)
		b.zero = make([]uint32, m)
	}
	b.a, b.e, b.sn, b.cs, b.zero = b.a[:m], b.e[:m], b.sn[:m], b.cs[:m], b.zero[:m]
}

// gaborLnTiny is ln 2⁻⁶⁴: amplitudes of smaller exponents are 0.
var gaborLnTiny = float32(math.Log(0x1p-64))

// The flushes below work on the bits, without branches (which the
// random pattern of tiny values would mispredict) or floating-point
// operations on subnormal operands.

// negMask is all ones when v < 0 (or v is −0), else 0.
func negMask(v float32) uint32 { return uint32(int32(math.Float32bits(v)) >> 31) }

// flush32 returns v, or 0 when v is subnormal (its exponent bits 0).
func flush32(v float32) float32 {
	b := math.Float32bits(v)
	return math.Float32frombits(b &^ uint32(int32(b&0x7f800000-1)>>31))
}

// flushSubnormals32 sets the subnormal elements of x to 0.
func flushSubnormals32(x []float32) {
	for i, v := range x {
		x[i] = flush32(v)
	}
}

// gaborForward32 computes pairs [lo, hi): the exponent in float32
// arithmetic, then exp and sincos(ω·a) by the vmath kernels on the whole
// chunk (gathered so that each kernel call covers many rows).
func gaborForward32(out, z []float32, lo, hi int, g gaborShape) {
	buf := gaborPool.Get().(*gaborBuf)
	defer gaborPool.Put(buf)
	buf.size(hi - lo)
	w, s2 := float32(g.w), float32(g.s2)
	g.segments(lo, hi, func(i, j, m, off int) {
		a := z[i*g.zw+j : i*g.zw+j+m]
		ba, be, bz := buf.a[off:off+m], buf.e[off:off+m], buf.zero[off:off+m]
		copy(ba, a)
		if g.cplx {
			b := z[i*g.zw+g.h+j : i*g.zw+g.h+j+m]
			for t, av := range a {
				bv := b[t]
				be[t] = -(w*bv + s2*(av*av+bv*bv))
			}
		} else {
			for t, av := range a {
				be[t] = -s2 * (av * av)
			}
		}
		// An amplitude below 2⁻⁶⁴ is 0: its exp is not computed (exp(0)
		// in its place), so no subnormal number is made.
		for t, v := range be {
			m := negMask(v - gaborLnTiny)
			bz[t] = m
			be[t] = math.Float32frombits(math.Float32bits(v) &^ m)
		}
	})
	vmath.Exp(buf.e, buf.e)
	vmath.SinCos(buf.sn, buf.cs, buf.a, w)
	g.segments(lo, hi, func(i, j, m, off int) {
		re := out[i*2*g.h+j : i*2*g.h+j+m]
		im := out[i*2*g.h+g.h+j : i*2*g.h+g.h+j+m]
		e, c, sn, zero := buf.e[off:off+m], buf.cs[off:off+m], buf.sn[off:off+m], buf.zero[off:off+m]
		for t, amp := range e {
			re[t] = math.Float32frombits(math.Float32bits(flush32(amp*c[t])) &^ zero[t])
			im[t] = math.Float32frombits(math.Float32bits(flush32(amp*sn[t])) &^ zero[t])
		}
	})
}

func gaborForward64(out, z []float64, lo, hi int, g gaborShape) {
	g.segments(lo, hi, func(i, j, m, _ int) {
		for t := range m {
			a := z[i*g.zw+j+t]
			var b float64
			if g.cplx {
				b = z[i*g.zw+g.h+j+t]
			}
			amp := math.Exp(-(g.w*b + g.s2*(a*a+b*b)))
			sn, c := math.Sincos(g.w * a)
			out[i*2*g.h+j+t] = amp * c
			out[i*2*g.h+g.h+j+t] = amp * sn
		}
	})
}

// gaborBackward is the gradient of z from the gradient gr of the output,
// in one pass (inputs detached: no graph is wanted).
func gaborBackward(gr, z, out *tensor.Tensor, g gaborShape) *tensor.Tensor {
	gz := tensor.EmptyLike(z)
	n := z.Shape()[0] * g.h
	switch z.DType() {
	case tensor.Float32:
		d, gd, zd, od := gz.Float32s(), gr.Float32s(), z.Float32s(), out.Float32s()
		tensor.ParallelRange(n, func(lo, hi int) {
			gaborGrad(d, gd, zd, od, lo, hi, g)
			g.segments(lo, hi, func(i, j, m, _ int) {
				p := i*g.zw + j
				flushSubnormals32(d[p : p+m])
				if g.cplx {
					flushSubnormals32(d[p+g.h : p+g.h+m])
				}
			})
		})
	default:
		d, gd, zd, od := gz.Float64s(), gr.Float64s(), z.Float64s(), out.Float64s()
		tensor.ParallelRange(n, func(lo, hi int) { gaborGrad(d, gd, zd, od, lo, hi, g) })
	}
	return gz
}

// gaborGrad writes the gradient of pairs [lo, hi).
func gaborGrad[T float32 | float64](gz, gr, z, out []T, lo, hi int, g gaborShape) {
	w, s2 := T(g.w), T(g.s2)
	g.segments(lo, hi, func(i, j, m, _ int) {
		o, p := i*2*g.h+j, i*g.zw+j
		re, im := out[o:o+m], out[o+g.h:o+g.h+m]
		gre, gim := gr[o:o+m], gr[o+g.h:o+g.h+m]
		a, ga := z[p:p+m], gz[p:p+m]
		for t := range m {
			P := gre[t]*re[t] + gim[t]*im[t]
			Q := gim[t]*re[t] - gre[t]*im[t]
			ga[t] = -2*s2*a[t]*P + w*Q
		}
		if !g.cplx {
			return
		}
		b, gb := z[p+g.h:p+g.h+m], gz[p+g.h:p+g.h+m]
		for t := range m {
			P := gre[t]*re[t] + gim[t]*im[t]
			gb[t] = -(w + 2*s2*b[t]) * P
		}
	})
}

// gaborBackwardGraph is gaborBackward written with differentiable
// operations (out is gaborAct's own result, so its derivatives go through
// gaborAct again).
func gaborBackwardGraph(gr, z, out *tensor.Tensor, g gaborShape) *tensor.Tensor {
	h := g.h
	re, im := tensor.Narrow(out, 1, 0, h), tensor.Narrow(out, 1, h, h)
	gre, gim := tensor.Narrow(gr, 1, 0, h), tensor.Narrow(gr, 1, h, h)
	a := tensor.Narrow(z, 1, 0, h)
	P := tensor.Add(tensor.Mul(gre, re), tensor.Mul(gim, im))
	Q := tensor.Sub(tensor.Mul(gim, re), tensor.Mul(gre, im))
	ga := tensor.Add(tensor.Scale(tensor.Mul(a, P), -2*g.s2), tensor.Scale(Q, g.w))
	if !g.cplx {
		return ga
	}
	b := tensor.Narrow(z, 1, h, h)
	gb := tensor.Neg(tensor.Mul(tensor.AddScalar(tensor.Scale(b, 2*g.s2), g.w), P))
	return tensor.Concat(1, ga, gb)
}
