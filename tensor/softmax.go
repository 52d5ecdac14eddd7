package tensor

import (
	"fmt"
	"math"
	"slices"
)

// Softmax returns exp(x) normalised to sum 1 along axis:
//
//	y_i = exp(x_i − m) / Σ_k exp(x_k − m),  m = max_k x_k,
//
// (the shift by the maximum keeps exp from overflowing; it cancels). Real
// tensors only; sums accumulate in float64. Entries of −∞ get probability
// 0, so a mask can be applied with Where(mask, x, −∞) as long as every
// slice keeps a finite entry (an all −∞ slice gives NaN, as 0/0).
//
// Backward: ∂L/∂x = y ⊙ (g − Σ_axis g⊙y), a fused kernel that is itself
// differentiable (for double backward through attention).
func Softmax(x *Tensor, axis int) *Tensor {
	ax := realAxis(x, axis, "Softmax")
	out := empty(arenaOf(x), x.dtype, x.shape...)
	softmaxForward(x, out, nil, ax, smSoftmax)
	return record(out, "Softmax", func(g *Tensor, _ []*Tensor, out *Tensor, _ []bool) []*Tensor {
		return []*Tensor{softmaxBackward(g, out, ax)}
	}, x)
}

// LogSoftmax returns log Softmax(x, axis) = x − LogSumExp(x, axis),
// computed as (x − m) − log Σ_k exp(x_k − m) so that it stays accurate
// where Softmax underflows.
//
// Backward: ∂L/∂x = g − exp(y) Σ_axis g, fused and differentiable.
func LogSoftmax(x *Tensor, axis int) *Tensor {
	ax := realAxis(x, axis, "LogSoftmax")
	out := empty(arenaOf(x), x.dtype, x.shape...)
	softmaxForward(x, out, nil, ax, smLogSoftmax)
	return record(out, "LogSoftmax", func(g *Tensor, _ []*Tensor, out *Tensor, _ []bool) []*Tensor {
		return []*Tensor{logSoftmaxBackward(g, out, ax)}
	}, x)
}

// LogSumExp returns log Σ_k exp(x_k) along axis, computed as
// m + log Σ_k exp(x_k − m) with m the maximum (exact for huge or very
// negative x; −∞ for an empty axis or one of only −∞). With keepDims the
// axis stays with size 1.
//
// Backward: ∂L/∂x = g ⊙ exp(x − LogSumExp(x)) (g broadcast along axis),
// written with differentiable operations.
func LogSumExp(x *Tensor, axis int, keepDims bool) *Tensor {
	ax := realAxis(x, axis, "LogSumExp")
	kept := slices.Clone(x.shape)
	kept[ax] = 1
	lse := empty(arenaOf(x), x.dtype, kept...)
	softmaxForward(x, nil, lse, ax, smLSE)
	out := lse
	if !keepDims {
		out = &Tensor{shape: slices.Delete(slices.Clone(kept), ax, ax+1), dtype: lse.dtype, data: lse.data, arena: lse.arena}
	}
	return record(out, "LogSumExp", func(g *Tensor, in []*Tensor, out *Tensor, _ []bool) []*Tensor {
		gk, lk := Reshape(g, kept...), Reshape(out, kept...)
		return []*Tensor{Mul(gk, Exp(Sub(in[0], lk)))}
	}, x)
}

// realAxis checks that x is real and returns the normalised axis.
func realAxis(x *Tensor, axis int, op string) int {
	if x.dtype.IsComplex() {
		panic(fmt.Sprintf("tensor.%s: dtype %v not supported (real tensors only)", op, x.dtype))
	}
	return x.axis(axis)
}

// axisView returns the sizes of x seen as [outer, n, inner] around axis.
func axisView(shape []int, ax int) (outer, n, inner int) {
	outer, inner = 1, 1
	for _, s := range shape[:ax] {
		outer *= s
	}
	for _, s := range shape[ax+1:] {
		inner *= s
	}
	return outer, shape[ax], inner
}

type smMode uint8

const (
	smSoftmax smMode = iota
	smLogSoftmax
	smLSE
)

// laneWidth is how many neighbouring lanes (positions of the inner axes) a
// kernel along a non-last axis handles at once, with per-lane accumulators.
const laneWidth = 256

// axisLanes runs f(o, i0, i1) over the lane blocks [i0, i1) of every outer
// index o of a [outer, n, inner] view, in parallel chunks whose bounds
// depend only on the sizes. Each chunk gets its own scratch: two float64
// slices of laneWidth entries.
func axisLanes(outer, n, inner int, f func(o, i0, i1 int, s1, s2 []float64)) {
	w := min(inner, laneWidth)
	blocks := (inner + w - 1) / max(w, 1)
	parallelRange(outer*blocks, max(1, grain/max(n*w, 1)), func(lo, hi int) {
		s1, s2 := make([]float64, w), make([]float64, w)
		for u := lo; u < hi; u++ {
			o, b := u/blocks, u%blocks
			f(o, b*w, min(inner, (b+1)*w), s1, s2)
		}
	})
}

// shift returns the maximum used to shift the exponentials: m itself when
// finite, 0 otherwise (so that a slice of −∞ gives exp = 0, not NaN).
func shift(m float64) float64 {
	if math.IsInf(m, 0) {
		return 0
	}
	return m
}

func softmaxForward(x, out, lse *Tensor, ax int, mode smMode) {
	outer, n, inner := axisView(x.shape, ax)
	var dst, l any
	if out != nil {
		dst = out.data
	}
	if lse != nil {
		l = lse.data
	}
	switch xs := x.data.(type) {
	case []float32:
		d, _ := dst.([]float32)
		ls, _ := l.([]float32)
		softmaxKernel(d, ls, xs, outer, n, inner, mode)
	case []float64:
		d, _ := dst.([]float64)
		ls, _ := l.([]float64)
		softmaxKernel(d, ls, xs, outer, n, inner, mode)
	}
}

// softmaxKernel computes, for every slice along the middle axis of the
// [outer, n, inner] array x, the softmax or log-softmax into dst, or the
// log-sum-exp into lse ([outer, inner]).
func softmaxKernel[T Float](dst, lse, x []T, outer, n, inner int, mode smMode) {
	if inner == 1 {
		parallelRange(outer, max(1, grain/max(n, 1)), func(lo, hi int) {
			var scratch []T
			for o := lo; o < hi; o++ {
				xr := x[o*n : (o+1)*n]
				m := math.Inf(-1)
				for _, v := range xr {
					m = max(m, float64(v))
				}
				m = shift(m)
				if mode == smLSE {
					if scratch == nil {
						scratch = make([]T, n)
					}
					lse[o] = T(m + math.Log(expShifted(scratch, xr, m)))
					continue
				}
				dr := dst[o*n : (o+1)*n]
				s := expShifted(dr, xr, m)
				if mode == smSoftmax {
					inv := 1 / s
					for i := range dr {
						dr[i] = T(float64(dr[i]) * inv)
					}
					continue
				}
				ls := math.Log(s)
				for i, v := range xr {
					dr[i] = T((float64(v) - m) - ls)
				}
			}
		})
		return
	}
	axisLanes(outer, n, inner, func(o, i0, i1 int, mx, acc []float64) {
		w := i1 - i0
		mx, acc = mx[:w], acc[:w]
		for k := range mx {
			mx[k] = math.Inf(-1)
			acc[k] = 0
		}
		base := o*n*inner + i0
		for r := range n {
			for k, v := range x[base+r*inner : base+r*inner+w] {
				mx[k] = max(mx[k], float64(v))
			}
		}
		for k := range mx {
			mx[k] = shift(mx[k])
		}
		for r := range n {
			xr := x[base+r*inner : base+r*inner+w]
			if mode == smSoftmax {
				dr := dst[base+r*inner : base+r*inner+w]
				for k, v := range xr {
					e := math.Exp(float64(v) - mx[k])
					dr[k] = T(e)
					acc[k] += e
				}
				continue
			}
			for k, v := range xr {
				acc[k] += math.Exp(float64(v) - mx[k])
			}
		}
		switch mode {
		case smSoftmax:
			for k := range acc {
				acc[k] = 1 / acc[k]
			}
			for r := range n {
				dr := dst[base+r*inner : base+r*inner+w]
				for k := range dr {
					dr[k] = T(float64(dr[k]) * acc[k])
				}
			}
		case smLogSoftmax:
			for k := range acc {
				acc[k] = math.Log(acc[k])
			}
			for r := range n {
				xr := x[base+r*inner : base+r*inner+w]
				dr := dst[base+r*inner : base+r*inner+w]
				for k, v := range xr {
					dr[k] = T((float64(v) - mx[k]) - acc[k])
				}
			}
		default:
			lr := lse[o*inner+i0 : o*inner+i1]
			for k := range lr {
				lr[k] = T(mx[k] + math.Log(acc[k]))
			}
		}
	})
}

// softmaxBackward returns y ⊙ (g − Σ_axis g⊙y), the gradient of Softmax
// with output y, as a recorded operation of g and y. As a function of g it
// is the symmetric Jacobian diag(y) − y yᵀ, so its gradient with respect
// to g is softmaxBackward(gg, y); with respect to y it is
// gg ⊙ (g − Σ g⊙y) − g ⊙ Σ gg⊙y.
func softmaxBackward(g, y *Tensor, ax int) *Tensor {
	out := empty(arenaOf(g, y), y.dtype, y.shape...)
	axisBackward(out, g, y, ax, false)
	return record(out, "SoftmaxBackward", func(gg *Tensor, in []*Tensor, _ *Tensor, needs []bool) []*Tensor {
		g, y := in[0], in[1]
		r := make([]*Tensor, 2)
		if needs[0] {
			r[0] = softmaxBackward(gg, y, ax)
		}
		if needs[1] {
			s := SumAxes(Mul(g, y), []int{ax}, true)
			t := SumAxes(Mul(gg, y), []int{ax}, true)
			r[1] = Sub(Mul(gg, Sub(g, s)), Mul(g, t))
		}
		return r
	}, g, y)
}

// logSoftmaxBackward returns g − exp(y) Σ_axis g, the gradient of
// LogSoftmax with output y, as a recorded operation of g and y. Its
// gradients are gg − Σ_axis gg⊙exp(y) for g and −gg ⊙ exp(y) Σ_axis g for y.
func logSoftmaxBackward(g, y *Tensor, ax int) *Tensor {
	out := empty(arenaOf(g, y), y.dtype, y.shape...)
	axisBackward(out, g, y, ax, true)
	return record(out, "LogSoftmaxBackward", func(gg *Tensor, in []*Tensor, _ *Tensor, needs []bool) []*Tensor {
		g, y := in[0], in[1]
		e := Exp(y)
		r := make([]*Tensor, 2)
		if needs[0] {
			r[0] = Sub(gg, SumAxes(Mul(gg, e), []int{ax}, true))
		}
		if needs[1] {
			r[1] = Neg(Mul(Mul(gg, e), SumAxes(g, []int{ax}, true)))
		}
		return r
	}, g, y)
}

func axisBackward(out, g, y *Tensor, ax int, logMode bool) {
	if g.dtype != y.dtype || !sameShape(g.shape, y.shape) {
		panic(fmt.Sprintf("tensor: softmax backward: gradient %v%v for output %v%v", g.dtype, g.shape, y.dtype, y.shape))
	}
	outer, n, inner := axisView(y.shape, ax)
	switch d := out.data.(type) {
	case []float32:
		smBackKernel(d, g.Float32s(), y.Float32s(), outer, n, inner, logMode)
	case []float64:
		smBackKernel(d, g.Float64s(), y.Float64s(), outer, n, inner, logMode)
	}
}

// smBackKernel computes dst = y ⊙ (g − Σ g⊙y) (softmax) or
// dst = g − exp(y) Σ g (log-softmax) along the middle axis of
// [outer, n, inner] arrays.
func smBackKernel[T Float](dst, g, y []T, outer, n, inner int, logMode bool) {
	if inner == 1 {
		parallelRange(outer, max(1, grain/max(n, 1)), func(lo, hi int) {
			for o := lo; o < hi; o++ {
				gr, yr, dr := g[o*n:(o+1)*n], y[o*n:(o+1)*n], dst[o*n:(o+1)*n]
				var s float64
				if logMode {
					for _, v := range gr {
						s += float64(v)
					}
					for i, v := range gr {
						dr[i] = T(float64(v) - math.Exp(float64(yr[i]))*s)
					}
					continue
				}
				for i, v := range gr {
					s += float64(v) * float64(yr[i])
				}
				for i, v := range gr {
					dr[i] = T(float64(yr[i]) * (float64(v) - s))
				}
			}
		})
		return
	}
	axisLanes(outer, n, inner, func(o, i0, i1 int, acc, _ []float64) {
		w := i1 - i0
		acc = acc[:w]
		clear(acc)
		base := o*n*inner + i0
		for r := range n {
			gr, yr := g[base+r*inner:base+r*inner+w], y[base+r*inner:base+r*inner+w]
			if logMode {
				for k, v := range gr {
					acc[k] += float64(v)
				}
				continue
			}
			for k, v := range gr {
				acc[k] += float64(v) * float64(yr[k])
			}
		}
		for r := range n {
			gr, yr := g[base+r*inner:base+r*inner+w], y[base+r*inner:base+r*inner+w]
			dr := dst[base+r*inner : base+r*inner+w]
			if logMode {
				for k, v := range gr {
					dr[k] = T(float64(v) - math.Exp(float64(yr[k]))*acc[k])
				}
				continue
			}
			for k, v := range gr {
				dr[k] = T(float64(yr[k]) * (float64(v) - acc[k]))
			}
		}
	})
}

// expShifted sets e[i] = exp(x[i] − m) and returns Σ e[i], accumulated in
// float64. For float32 it works on the whole row at once (the shifted
// values are exact: m is one of the row's float32 values, or 0), so that a
// vectorised float32 exp can serve it.
func expShifted[T Float](e, x []T, m float64) float64 {
	var s float64
	if e32, ok := any(e).([]float32); ok {
		x32 := any(x).([]float32)[:len(e32)]
		m32 := float32(m)
		for i, v := range x32 {
			e32[i] = v - m32
		}
		expInPlace32(e32)
		for _, v := range e32 {
			s += float64(v)
		}
		return s
	}
	x = x[:len(e)]
	for i, v := range x {
		ev := math.Exp(float64(v) - m)
		e[i] = T(ev)
		s += ev
	}
	return s
}

// expInPlace32 sets x[i] = exp(x[i]) (through float64 math for now).
func expInPlace32(x []float32) {
	for i, v := range x {
		x[i] = float32(math.Exp(float64(v)))
	}
}
