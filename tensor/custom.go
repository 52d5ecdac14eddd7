package tensor

import "fmt"

// BackwardFunc is the backward rule of a custom operation: given the
// gradient g of the operation's output, its inputs in and its output out,
// it returns the gradients of the inputs (nil for those with needs[i]
// false). Write it with differentiable operations on g, in and out only
// (never on tensors captured from the forward pass that require gradients),
// so that it is itself differentiable when higher derivatives are taken and
// costs nothing extra when they are not. A rule may deliberately differ
// from the true derivative (surrogate gradients, detached factors,
// quantised derivatives): document it where it is defined.
type BackwardFunc func(g *Tensor, in []*Tensor, out *Tensor, needs []bool) []*Tensor

// Record makes out, which the caller computed from ins, the result of a
// custom operation named op with backward rule bwd, when any input requires
// gradients. It returns out. out must be a fresh tensor (from EmptyLike or
// Empty), not one of the inputs.
func Record(out *Tensor, op string, bwd BackwardFunc, ins ...*Tensor) *Tensor {
	return record(out, op, backwardFn(bwd), ins...)
}

// Empty returns an uninitialised tensor whose storage comes from the arena
// of the first of like that has one (the heap otherwise). Custom kernels
// use it for their results.
func Empty(d DType, shape []int, like ...*Tensor) *Tensor {
	return empty(arenaOf(like...), d, shape...)
}

// EmptyLike returns an uninitialised tensor with x's dtype, shape and arena.
func EmptyLike(x *Tensor) *Tensor { return empty(x.arena, x.dtype, x.shape...) }

// ZerosLike returns a zero tensor with x's dtype, shape and arena.
func ZerosLike(x *Tensor) *Tensor { return zeros(x.arena, x.dtype, x.shape...) }

// Map applies an elementwise kernel to x: f32 and f64 fill dst from src
// (either may be nil when that dtype is unsupported). The kernels run on
// chunks of the data in parallel. bwd may be nil for an operation without
// gradient.
func Map(x *Tensor, op string, f32 func(dst, src []float32), f64 func(dst, src []float64), bwd BackwardFunc) *Tensor {
	return unary(x, op, unaryKernels{f32: f32, f64: f64}, backwardFn(bwd))
}

// Map2 applies a same-shape-or-broadcast binary kernel given in scalar
// form. bwd may be nil for an operation without gradient.
func Map2(a, b *Tensor, op string, f32 func(x, y float32) float32, f64 func(x, y float64) float64, bwd BackwardFunc) *Tensor {
	k := binaryKernels{}
	if f32 != nil {
		k.f32 = makeBin(f32)
	}
	if f64 != nil {
		k.f64 = makeBin(f64)
	}
	if bwd == nil {
		return binary(a, b, op, k, nil)
	}
	return binary(a, b, op, k, backwardFn(bwd))
}

// MapPair applies an elementwise kernel in slice form to two tensors of
// the same dtype and shape (no broadcasting): f32 and f64 fill dst from
// the chunks a and b of the inputs (either may be nil when that dtype is
// unsupported). The kernels run on chunks in parallel, with boundaries
// that depend only on the size. bwd may be nil for an operation without
// gradient.
func MapPair(a, b *Tensor, op string, f32 func(dst, a, b []float32), f64 func(dst, a, b []float64), bwd BackwardFunc) *Tensor {
	if a.dtype != b.dtype || !sameShape(a.shape, b.shape) {
		panic(fmt.Sprintf("tensor.%s: inputs %v %v and %v %v differ (MapPair needs equal dtypes and shapes)", op, a.dtype, a.shape, b.dtype, b.shape))
	}
	out := empty(arenaOf(a, b), a.dtype, a.shape...)
	n := a.Numel()
	ok := false
	switch d := out.data.(type) {
	case []float32:
		if ok = f32 != nil; ok {
			x, y := a.Float32s(), b.Float32s()
			parallelRange(n, grain, func(lo, hi int) { f32(d[lo:hi], x[lo:hi], y[lo:hi]) })
		}
	case []float64:
		if ok = f64 != nil; ok {
			x, y := a.Float64s(), b.Float64s()
			parallelRange(n, grain, func(lo, hi int) { f64(d[lo:hi], x[lo:hi], y[lo:hi]) })
		}
	}
	if !ok {
		panic(fmt.Sprintf("tensor.%s: dtype %v not supported", op, a.dtype))
	}
	if bwd == nil {
		return out
	}
	return record(out, op, backwardFn(bwd), a, b)
}
