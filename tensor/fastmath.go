package tensor

import (
	"fmt"
	"math"

	"github.com/sciml-go/sciml/internal/vmath"
)

// Float32 transcendental kernels (package internal/vmath): exp, tanh and
// sigmoid within 0.50001 ulp everywhere; sin and cos (sinQ below) within
// 0.98 ulp for every |x| ≤ 8192 (checked exhaustively; correctly rounded
// float64 results beyond). They return the same bits on every CPU, with
// AVX2 or without, and in the pure-Go build (-tags purego).
var (
	tanhF32    = vmath.Tanh
	expF32     = vmath.Exp
	sigmoidF32 = vmath.Sigmoid
)

// tanhBackwardK are the loops of tanhBackward, g·(1 − y²), written out so
// that the same-shape case runs without a function call per element.
var tanhBackwardK = binaryKernels{f32: tanhBackwardLoops[float32](), f64: tanhBackwardLoops[float64]()}

func tanhBackwardLoops[T Float]() binKernels[T] {
	k := makeBin(func(g, y T) T { return g * (1 - y*y) })
	k.vv = func(dst, g, y []T) {
		g, y = g[:len(dst)], y[:len(dst)]
		for i := range dst {
			dst[i] = g[i] * (1 - y[i]*y[i])
		}
	}
	return k
}

// sinQ returns sin(w·x + q·π/2) elementwise (q mod 4: q = 1 is cos(w·x)),
// recorded as op, in one pass; w·x is rounded to the dtype first, so the
// result equals Sin(Scale(x, w)) bit for bit. Its gradient is the single
// fused pass mulSinQ(g, x, w, w, q+1) = w·g·sin(w·x + (q+1)·π/2).
func sinQ(x *Tensor, op string, w float64, q int) *Tensor {
	return unary(x, op, unaryKernels{
		f32: func(dst, s []float32) { vmath.SinQ(dst, s, nil, float32(w), 1, q) },
		f64: func(dst, s []float64) { sinQ64(dst, s, nil, w, 1, q) },
	}, func(g *Tensor, in []*Tensor, _ *Tensor, _ []bool) []*Tensor {
		return []*Tensor{mulSinQ(g, in[0], w, w, q+1)}
	})
}

// mulSinQ returns a·g·sin(w·x + q·π/2) elementwise for real g and x of the
// same shape, in one pass (for float32 the product a·g·sin is formed in
// float64 and rounded once). It is closed under differentiation:
//
//	∂/∂g = a·sin(w·x + q·π/2)           → mulSinQ(ḡ, x, a, w, q)
//	∂/∂x = a·w·g·sin(w·x + (q+1)·π/2)   → mulSinQ(ḡ⊙g, x, a·w, w, q+1)
//
// so derivatives of any order of sin(w·x) stay fused.
func mulSinQ(g, x *Tensor, a, w float64, q int) *Tensor {
	if g.dtype != x.dtype || !sameShape(g.shape, x.shape) {
		panic(fmt.Sprintf("tensor.mulSinQ: %v%v and %v%v differ", g.dtype, g.shape, x.dtype, x.shape))
	}
	out := empty(arenaOf(g, x), x.dtype, x.shape...)
	n := x.Numel()
	switch d := out.data.(type) {
	case []float32:
		gs, xs := g.Float32s(), x.Float32s()
		parallelRange(n, grain, func(lo, hi int) { vmath.SinQ(d[lo:hi], xs[lo:hi], gs[lo:hi], float32(w), a, q) })
	case []float64:
		gs, xs := g.Float64s(), x.Float64s()
		parallelRange(n, grain, func(lo, hi int) { sinQ64(d[lo:hi], xs[lo:hi], gs[lo:hi], w, a, q) })
	default:
		panic(fmt.Sprintf("tensor.mulSinQ: dtype %v not supported", x.dtype))
	}
	return record(out, "SinGrad", func(gg *Tensor, in []*Tensor, _ *Tensor, needs []bool) []*Tensor {
		r := make([]*Tensor, 2)
		if needs[0] {
			r[0] = mulSinQ(gg, in[1], a, w, q)
		}
		if needs[1] {
			r[1] = mulSinQ(Mul(gg, in[0]), in[1], a*w, w, q+1)
		}
		return r
	}, g, x)
}

// sinQ64 sets dst[i] = a·g[i]·sin(w·x[i] + q·π/2) (g nil: ones).
func sinQ64(dst, x, g []float64, w, a float64, q int) {
	x = x[:len(dst)]
	if g != nil {
		g = g[:len(dst)]
	}
	for i, v := range x {
		y := w * v
		var s float64
		if q&1 == 0 {
			s = math.Sin(y)
		} else {
			s = math.Cos(y)
		}
		if q&2 != 0 {
			s = -s
		}
		f := a
		if g != nil {
			f *= g[i]
		}
		dst[i] = f * s
	}
}
