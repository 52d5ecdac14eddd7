package tensor

import (
	"fmt"
	"slices"
)

// BroadcastShapes returns the shape two operands broadcast to (NumPy rules:
// align trailing axes; an axis of size 1 stretches), or an error.
func BroadcastShapes(a, b []int) ([]int, error) {
	n := max(len(a), len(b))
	out := make([]int, n)
	for i := range n {
		da, db := 1, 1
		if j := len(a) - n + i; j >= 0 {
			da = a[j]
		}
		if j := len(b) - n + i; j >= 0 {
			db = b[j]
		}
		switch {
		case da == db, db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			return nil, fmt.Errorf("shapes %v and %v do not broadcast", a, b)
		}
	}
	return out, nil
}

// bplan is a broadcast loop nest: out has shape dims; a and b are read with
// element strides sa, sb per axis (0 on a broadcast axis). Adjacent axes
// are merged where possible, so the innermost run is as long as it can be.
type bplan struct {
	dims, sa, sb []int
}

func contiguousStrides(shape []int, out []int) []int {
	// strides of shape right-aligned into len(out) axes, 0 where broadcast
	n := len(out)
	st := make([]int, n)
	s := 1
	for i := n - 1; i >= 0; i-- {
		j := len(shape) - n + i
		if j < 0 || shape[j] == 1 {
			st[i] = 0
		} else {
			st[i] = s
		}
		if j >= 0 {
			s *= shape[j]
		}
	}
	return st
}

func makePlan(out, a, b []int) bplan {
	sa := contiguousStrides(a, out)
	sb := contiguousStrides(b, out)
	var p bplan
	for i, d := range out {
		if d == 1 {
			continue
		}
		if k := len(p.dims) - 1; k >= 0 &&
			p.sa[k] == sa[i]*d && p.sb[k] == sb[i]*d {
			// merge axis i into the previous one
			p.dims[k] *= d
			p.sa[k] = sa[i]
			p.sb[k] = sb[i]
			continue
		}
		p.dims = append(p.dims, d)
		p.sa = append(p.sa, sa[i])
		p.sb = append(p.sb, sb[i])
	}
	if len(p.dims) == 0 {
		p.dims, p.sa, p.sb = []int{1}, []int{0}, []int{0}
	}
	return p
}

// binKernels are the loops of one binary operation: vector-vector,
// vector-scalar and scalar-vector.
type binKernels[T Scalar] struct {
	vv func(dst, x, y []T)
	vs func(dst, x []T, s T)
	sv func(dst []T, s T, y []T)
}

// runBinary evaluates dst = op(x, y) with broadcasting along plan p.
func runBinary[T Scalar](p bplan, dst, x, y []T, k binKernels[T]) {
	nd := len(p.dims)
	inner := p.dims[nd-1]
	ia, ib := p.sa[nd-1], p.sb[nd-1]
	outer := len(dst) / max(inner, 1)
	kernel := func(o, lo, hi int) {
		// offsets of row o
		oa, ob := 0, 0
		r := o
		for d := nd - 2; d >= 0; d-- {
			i := r % p.dims[d]
			r /= p.dims[d]
			oa += i * p.sa[d]
			ob += i * p.sb[d]
		}
		dd := dst[o*inner+lo : o*inner+hi]
		switch {
		case ia == 1 && ib == 1:
			k.vv(dd, x[oa+lo:oa+hi], y[ob+lo:ob+hi])
		case ia == 1:
			k.vs(dd, x[oa+lo:oa+hi], y[ob])
		case ib == 1:
			k.sv(dd, x[oa], y[ob+lo:ob+hi])
		default:
			k.vs(dd[:1], x[oa:oa+1], y[ob])
			for i := 1; i < len(dd); i++ {
				dd[i] = dd[0]
			}
		}
	}
	if inner >= grain || outer == 1 {
		for o := range outer {
			parallelRange(inner, grain, func(lo, hi int) { kernel(o, lo, hi) })
		}
		return
	}
	rows := max(1, grain/max(inner, 1))
	parallelRange(outer, rows, func(lo, hi int) {
		for o := lo; o < hi; o++ {
			kernel(o, 0, inner)
		}
	})
}

// BroadcastTo returns x expanded (copied) to shape, which x must broadcast to.
func BroadcastTo(x *Tensor, shape ...int) *Tensor {
	s, err := BroadcastShapes(x.shape, shape)
	if err != nil || !sameShape(s, shape) {
		panic(fmt.Sprintf("tensor.BroadcastTo: %v does not broadcast to %v", x.shape, shape))
	}
	if sameShape(x.shape, shape) {
		return x
	}
	out := empty(arenaOf(x), x.dtype, shape...)
	p := makePlan(shape, x.shape, x.shape)
	switch d := out.data.(type) {
	case []float32:
		runBinary(p, d, x.Float32s(), x.Float32s(), copyKernels[float32]())
	case []float64:
		runBinary(p, d, x.Float64s(), x.Float64s(), copyKernels[float64]())
	case []complex64:
		runBinary(p, d, x.Complex64s(), x.Complex64s(), copyKernels[complex64]())
	case []complex128:
		runBinary(p, d, x.Complex128s(), x.Complex128s(), copyKernels[complex128]())
	}
	src := slices.Clone(x.shape)
	return record(out, "broadcast", func(g *Tensor, in []*Tensor, _ *Tensor, _ []bool) []*Tensor {
		return []*Tensor{SumTo(g, src...)}
	}, x)
}

func copyKernels[T Scalar]() binKernels[T] {
	return binKernels[T]{
		vv: func(dst, x, _ []T) { copy(dst, x) },
		vs: func(dst, x []T, _ T) { copy(dst, x) },
		sv: func(dst []T, s T, _ []T) { fill(dst, s) },
	}
}

// SumTo sums x over the axes along which shape was broadcast to x's shape,
// giving a tensor of that shape (the adjoint of BroadcastTo).
func SumTo(x *Tensor, shape ...int) *Tensor {
	if sameShape(x.shape, shape) {
		return x
	}
	lead := len(x.shape) - len(shape)
	if lead < 0 {
		panic(fmt.Sprintf("tensor.SumTo: %v cannot be summed to %v", x.shape, shape))
	}
	var axes []int
	for i := range x.shape {
		j := i - lead
		if j < 0 {
			axes = append(axes, i)
			continue
		}
		if shape[j] == 1 && x.shape[i] != 1 {
			axes = append(axes, i)
		} else if shape[j] != x.shape[i] {
			panic(fmt.Sprintf("tensor.SumTo: %v cannot be summed to %v", x.shape, shape))
		}
	}
	s := SumAxes(x, axes, true)
	return Reshape(s, shape...)
}
