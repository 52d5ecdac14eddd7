package tensor

import (
	"fmt"
	"math"

	"github.com/sciml-go/sciml/internal/vmath"
)

// Float32 transcendental kernels (package internal/vmath). They evaluate
// in float64 and round once, so each result is within 0.501 ulp (sin, cos)
// or 0.50001 ulp (exp, tanh, sigmoid) of the exact value — sin and cos for
// every |x| ≤ 2²⁷ (beyond it through the float64 library sine), the others
// for every input — and they give the same bits on every CPU, with AVX2 or
// without, and in the pure-Go build (-tags purego).
var (
	sinF32     = vmath.Sin
	cosF32     = vmath.Cos
	tanhF32    = vmath.Tanh
	expF32     = vmath.Exp
	sigmoidF32 = vmath.Sigmoid
)

// sinQ returns sin(w·x + q·π/2) elementwise (q mod 4: q = 1 is cos(w·x)),
// recorded as op. For float32 the product w·x is formed in float64, so a
// scaled sine costs one pass and loses nothing to the rounding of w·x. Its
// gradient is the single fused pass mulSinQ(g, x, w, w, q+1) =
// w·g·sin(w·x + (q+1)·π/2).
func sinQ(x *Tensor, op string, w float64, q int) *Tensor {
	return unary(x, op, unaryKernels{
		f32: func(dst, s []float32) { vmath.SinQ(dst, s, nil, w, 1, q) },
		f64: func(dst, s []float64) { sinQ64(dst, s, nil, w, 1, q) },
	}, func(g *Tensor, in []*Tensor, _ *Tensor, _ []bool) []*Tensor {
		return []*Tensor{mulSinQ(g, in[0], w, w, q+1)}
	})
}

// mulSinQ returns a·g·sin(w·x + q·π/2) elementwise for real g and x of the
// same shape, in one pass. It is closed under differentiation:
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
		parallelRange(n, grain, func(lo, hi int) { vmath.SinQ(d[lo:hi], xs[lo:hi], gs[lo:hi], w, a, q) })
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
