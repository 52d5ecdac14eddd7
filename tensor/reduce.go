package tensor

import (
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/sciml-go/sciml/internal/vmath"
)

// normAxes returns the sorted, deduplicated, non-negative form of axes.
func (t *Tensor) normAxes(axes []int) []int {
	out := make([]int, 0, len(axes))
	for _, a := range axes {
		out = append(out, t.axis(a))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Sum returns the sum of all elements as a 0-dimensional tensor. Float32
// sums accumulate in float64; chunks are combined in a fixed order, so the
// result does not depend on the thread count.
func Sum(x *Tensor) *Tensor {
	all := make([]int, x.NDim())
	for i := range all {
		all[i] = i
	}
	return SumAxes(x, all, false)
}

// Mean returns the mean of all elements as a 0-dimensional tensor.
func Mean(x *Tensor) *Tensor {
	return Scale(Sum(x), 1/float64(max(x.Numel(), 1)))
}

// MeanAxes returns the mean over the given axes.
func MeanAxes(x *Tensor, axes []int, keepDims bool) *Tensor {
	n := 1
	for _, a := range x.normAxes(axes) {
		n *= x.shape[a]
	}
	return Scale(SumAxes(x, axes, keepDims), 1/float64(max(n, 1)))
}

// SumAxes sums over the given axes; with keepDims they stay as size 1.
func SumAxes(x *Tensor, axes []int, keepDims bool) *Tensor {
	ax := x.normAxes(axes)
	kept := make([]int, len(x.shape))
	copy(kept, x.shape)
	for _, a := range ax {
		kept[a] = 1
	}
	out := x
	// Reduce runs of adjacent axes, last run first.
	for i := len(ax) - 1; i >= 0; {
		j := i
		for j > 0 && ax[j-1] == ax[j]-1 {
			j--
		}
		out = sumRange(out, ax[j], ax[i]+1)
		i = j - 1
	}
	if out == x {
		out = Reshape(x, x.shape...)
	}
	var shape []int
	if keepDims {
		shape = kept
	} else {
		for i, s := range x.shape {
			if !slices.Contains(ax, i) {
				shape = append(shape, s)
			}
		}
	}
	return Reshape(out, shape...)
}

// sumRange sums over axes [a0, a1) (keeping them as size 1).
func sumRange(x *Tensor, a0, a1 int) *Tensor {
	outer, red, inner := 1, 1, 1
	for i, s := range x.shape {
		switch {
		case i < a0:
			outer *= s
		case i < a1:
			red *= s
		default:
			inner *= s
		}
	}
	shape := slices.Clone(x.shape)
	for i := a0; i < a1; i++ {
		shape[i] = 1
	}
	out := alloc(arenaOf(x), x.dtype, shape, false)
	switch d := out.data.(type) {
	case []float32:
		reduceSum(d, x.Float32s(), outer, red, inner)
	case []float64:
		reduceSum(d, x.Float64s(), outer, red, inner)
	case []complex64:
		reduceSumC(d, x.Complex64s(), outer, red, inner)
	case []complex128:
		reduceSumC(d, x.Complex128s(), outer, red, inner)
	}
	src := slices.Clone(x.shape)
	return record(out, "Sum", func(g *Tensor, _ []*Tensor, _ *Tensor, _ []bool) []*Tensor {
		return []*Tensor{BroadcastTo(g, src...)}
	}, x)
}

// partsPool recycles the partial sums of reduceSum's long-column path.
var partsPool = sync.Pool{New: func() any { return new([]float64) }}

// sum64 returns Σ x in float64 in a fixed order, so that the result
// depends on x alone: float32 through vmath.Sum (sixteen partial sums over
// the residues mod 16, folded in halves, then the tail; vectorised),
// float64 with four interleaved partial sums (x[i] for i ≡ 0, 1, 2, 3 mod
// 4, combined as (s0 + s1) + (s2 + s3), then the tail), at four times the
// throughput of one dependent chain of additions.
func sum64[T Float](x []T) float64 {
	if f, ok := any(x).([]float32); ok {
		return vmath.Sum(f)
	}
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v := x[i : i+4 : i+4]
		s0 += float64(v[0])
		s1 += float64(v[1])
		s2 += float64(v[2])
		s3 += float64(v[3])
	}
	s := (s0 + s1) + (s2 + s3)
	for _, v := range x[i:] {
		s += float64(v)
	}
	return s
}

// reduceSum computes dst[o,i] = Σ_r x[o,r,i], accumulating in float64.
func reduceSum[T Float](dst, x []T, outer, red, inner int) {
	if inner == 1 {
		if outer == 1 {
			// One long sum: fixed chunks, partial sums combined in order.
			c := chunks(red, grain)
			parts := make([]float64, c)
			parallelFor(c, func(k int) {
				lo := k * grain
				hi := min(red, lo+grain)
				parts[k] = sum64(x[lo:hi])
			})
			var s float64
			for _, p := range parts {
				s += p
			}
			dst[0] = T(s)
			return
		}
		parallelRange(outer, max(1, grain/max(red, 1)), func(lo, hi int) {
			for o := lo; o < hi; o++ {
				dst[o] = T(sum64(x[o*red : (o+1)*red]))
			}
		})
		return
	}
	if red >= grain && inner <= 1<<12 {
		// Long columns (the bias gradient Σ_rows g of a layer): fixed
		// blocks of rb whole rows — read contiguously — are summed into
		// float64 partials, which are then added in block order. The blocks
		// depend only on the sizes, so the result does not depend on the
		// thread count.
		rb := max(1, (1<<17)/inner)
		nb := chunks(red, rb)
		buf := partsPool.Get().(*[]float64)
		defer partsPool.Put(buf)
		if cap(*buf) < outer*nb*inner {
			*buf = make([]float64, outer*nb*inner)
		}
		parts := (*buf)[:outer*nb*inner]
		clear(parts)
		parallelFor(outer*nb, func(t int) {
			o, b := t/nb, t%nb
			acc := parts[t*inner : (t+1)*inner]
			r0, r1 := b*rb, min(red, (b+1)*rb)
			if x32, ok := any(x).([]float32); ok {
				// The same additions, vectorised across the columns.
				vmath.ColSum(acc, x32[(o*red+r0)*inner:(o*red+r1)*inner], inner)
				return
			}
			for r := r0; r < r1; r++ {
				row := x[(o*red+r)*inner : (o*red+r+1)*inner]
				acc = acc[:len(row)]
				for i, v := range row {
					acc[i] += float64(v)
				}
			}
		})
		for o := range outer {
			for i := range inner {
				var s float64
				for b := range nb {
					s += parts[(o*nb+b)*inner+i]
				}
				dst[o*inner+i] = T(s)
			}
		}
		return
	}
	parallelRange(outer*inner, max(1, grain/max(red, 1)), func(lo, hi int) {
		acc := make([]float64, hi-lo)
		// walk (o, i) pairs in [lo, hi)
		for r := range red {
			for k := lo; k < hi; k++ {
				o, i := k/inner, k%inner
				acc[k-lo] += float64(x[(o*red+r)*inner+i])
			}
		}
		for k := lo; k < hi; k++ {
			dst[k] = T(acc[k-lo])
		}
	})
}

func reduceSumC[T complex64 | complex128](dst, x []T, outer, red, inner int) {
	for o := range outer {
		for i := range inner {
			var s complex128
			for r := range red {
				s += complex128(x[(o*red+r)*inner+i])
			}
			dst[o*inner+i] = T(s)
		}
	}
}

// MaxAxes returns the maximum over the given axes of a real tensor. The
// gradient flows to the first maximal element of each reduced set.
func MaxAxes(x *Tensor, axes []int, keepDims bool) *Tensor {
	if x.dtype.IsComplex() {
		panic("tensor.MaxAxes: complex tensor")
	}
	ax := x.normAxes(axes)
	// Move reduced axes last, then reduce rows.
	perm := make([]int, 0, x.NDim())
	var keptShape, outShape []int
	for i, s := range x.shape {
		if !slices.Contains(ax, i) {
			perm = append(perm, i)
			outShape = append(outShape, s)
			keptShape = append(keptShape, s)
		} else {
			keptShape = append(keptShape, 1)
		}
	}
	red := 1
	for _, a := range ax {
		perm = append(perm, a)
		red *= x.shape[a]
	}
	if red == 0 {
		panic(fmt.Sprintf("tensor.MaxAxes: empty reduction over %v of %v", axes, x.shape))
	}
	xp := Permute(x.Detach(), perm...)
	rows := xp.Numel() / red
	mask := zeros(arenaOf(x), x.dtype, xp.shape...)
	out := empty(arenaOf(x), x.dtype, rows)
	switch d := out.data.(type) {
	case []float32:
		maxRows(d, xp.Float32s(), mask.Float32s(), red)
	case []float64:
		maxRows(d, xp.Float64s(), mask.Float64s(), red)
	}
	// mask, permuted back, marks the arg-max of each set.
	inv := make([]int, len(perm))
	for i, p := range perm {
		inv[p] = i
	}
	maskX := Permute(mask, inv...)
	var res *Tensor
	if keepDims {
		res = Reshape(out, keptShape...)
	} else {
		res = Reshape(out, outShape...)
	}
	kept := keptShape
	return record(res, "Max", func(g *Tensor, _ []*Tensor, _ *Tensor, _ []bool) []*Tensor {
		return []*Tensor{Mul(BroadcastTo(Reshape(g, kept...), maskX.shape...), maskX)}
	}, x)
}

func maxRows[T Float](dst, x, mask []T, red int) {
	for o := range dst {
		row := x[o*red : (o+1)*red]
		best, bi := T(math.Inf(-1)), 0
		for i, v := range row {
			if v > best || i == 0 {
				best, bi = v, i
			}
		}
		dst[o] = best
		mask[o*red+bi] = 1
	}
}

// Max returns the largest element as a 0-dimensional tensor.
func Max(x *Tensor) *Tensor {
	all := make([]int, x.NDim())
	for i := range all {
		all[i] = i
	}
	return MaxAxes(x, all, false)
}

// Norm returns the p-norm (p ≥ 1) of all elements of a real tensor.
func Norm(x *Tensor, p float64) *Tensor {
	if p == 2 {
		return Sqrt(Sum(Square(x)))
	}
	return PowScalar(Sum(PowScalar(Abs(x), p)), 1/p)
}

// NormAxes returns the p-norm over the given axes of a real tensor.
func NormAxes(x *Tensor, p float64, axes []int, keepDims bool) *Tensor {
	if p == 2 {
		return Sqrt(SumAxes(Square(x), axes, keepDims))
	}
	return PowScalar(SumAxes(PowScalar(Abs(x), p), axes, keepDims), 1/p)
}
