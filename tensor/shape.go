package tensor

import (
	"fmt"
	"slices"
)

// Reshape returns a tensor with the same elements and a new shape, sharing
// storage. One dimension may be −1 and is then inferred.
func Reshape(x *Tensor, shape ...int) *Tensor {
	shape = slices.Clone(shape)
	infer := -1
	n := 1
	for i, s := range shape {
		if s == -1 {
			if infer >= 0 {
				panic(fmt.Sprintf("tensor.Reshape: more than one -1 in %v", shape))
			}
			infer = i
			continue
		}
		n *= s
	}
	if infer >= 0 {
		if n == 0 || x.Numel()%n != 0 {
			panic(fmt.Sprintf("tensor.Reshape: cannot reshape %v into %v", x.shape, shape))
		}
		shape[infer] = x.Numel() / n
		n *= shape[infer]
	}
	if n != x.Numel() {
		panic(fmt.Sprintf("tensor.Reshape: cannot reshape %v (%d elements) into %v", x.shape, x.Numel(), shape))
	}
	out := &Tensor{shape: shape, dtype: x.dtype, data: x.data, arena: x.arena}
	src := slices.Clone(x.shape)
	return record(out, "Reshape", func(g *Tensor, _ []*Tensor, _ *Tensor, _ []bool) []*Tensor {
		return []*Tensor{Reshape(g, src...)}
	}, x)
}

// Flatten reshapes axes [from, to] (inclusive) into one.
func Flatten(x *Tensor, from, to int) *Tensor {
	from, to = x.axis(from), x.axis(to)
	shape := slices.Clone(x.shape[:from])
	n := 1
	for _, s := range x.shape[from : to+1] {
		n *= s
	}
	shape = append(shape, n)
	shape = append(shape, x.shape[to+1:]...)
	return Reshape(x, shape...)
}

// Unsqueeze inserts an axis of size 1 at position axis.
func Unsqueeze(x *Tensor, axis int) *Tensor {
	if axis < 0 {
		axis += x.NDim() + 1
	}
	if axis < 0 || axis > x.NDim() {
		panic(fmt.Sprintf("tensor.Unsqueeze: axis %d for shape %v", axis, x.shape))
	}
	shape := slices.Insert(slices.Clone(x.shape), axis, 1)
	return Reshape(x, shape...)
}

// Squeeze removes the given axis, which must have size 1.
func Squeeze(x *Tensor, axis int) *Tensor {
	axis = x.axis(axis)
	if x.shape[axis] != 1 {
		panic(fmt.Sprintf("tensor.Squeeze: axis %d of %v is not 1", axis, x.shape))
	}
	return Reshape(x, slices.Delete(slices.Clone(x.shape), axis, axis+1)...)
}

// Permute reorders the axes: output axis i is input axis perm[i]. The
// result is a contiguous copy.
func Permute(x *Tensor, perm ...int) *Tensor {
	n := x.NDim()
	if len(perm) != n {
		panic(fmt.Sprintf("tensor.Permute: permutation %v for shape %v", perm, x.shape))
	}
	seen := make([]bool, n)
	identity := true
	for i, p := range perm {
		if p < 0 || p >= n || seen[p] {
			panic(fmt.Sprintf("tensor.Permute: %v is not a permutation of %d axes", perm, n))
		}
		seen[p] = true
		identity = identity && p == i
	}
	if identity {
		return x
	}
	shape := make([]int, n)
	for i, p := range perm {
		shape[i] = x.shape[p]
	}
	out := alloc(arenaOf(x), x.dtype, shape, false)
	// Input strides, read in output order.
	inStr := make([]int, n)
	s := 1
	for i := n - 1; i >= 0; i-- {
		inStr[i] = s
		s *= x.shape[i]
	}
	str := make([]int, n)
	for i, p := range perm {
		str[i] = inStr[p]
	}
	switch d := out.data.(type) {
	case []float32:
		permute(d, x.Float32s(), shape, str)
	case []float64:
		permute(d, x.Float64s(), shape, str)
	case []complex64:
		permute(d, x.Complex64s(), shape, str)
	case []complex128:
		permute(d, x.Complex128s(), shape, str)
	}
	inv := make([]int, n)
	for i, p := range perm {
		inv[p] = i
	}
	return record(out, "Permute", func(g *Tensor, _ []*Tensor, _ *Tensor, _ []bool) []*Tensor {
		return []*Tensor{Permute(g, inv...)}
	}, x)
}

// permute writes dst (shape, contiguous) from src read with strides str.
func permute[T Scalar](dst, src []T, shape, str []int) {
	n := len(shape)
	inner := shape[n-1]
	is := str[n-1]
	rows := len(dst) / max(inner, 1)
	parallelRange(rows, max(1, grain/max(inner, 1)), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			off := 0
			q := r
			for d := n - 2; d >= 0; d-- {
				off += (q % shape[d]) * str[d]
				q /= shape[d]
			}
			row := dst[r*inner : (r+1)*inner]
			if is == 1 {
				copy(row, src[off:off+inner])
				continue
			}
			for i := range row {
				row[i] = src[off+i*is]
			}
		}
	})
}

// Transpose swaps axes a and b (a contiguous copy).
func Transpose(x *Tensor, a, b int) *Tensor {
	a, b = x.axis(a), x.axis(b)
	perm := make([]int, x.NDim())
	for i := range perm {
		perm[i] = i
	}
	perm[a], perm[b] = perm[b], perm[a]
	return Permute(x, perm...)
}
