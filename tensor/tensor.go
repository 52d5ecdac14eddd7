package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// DType is the element type of a tensor.
type DType uint8

// The element types. Networks default to Float32, solvers and PINNs to
// Float64; the complex types appear in spectral operations.
const (
	Float32 DType = iota + 1
	Float64
	Complex64
	Complex128
)

func (d DType) String() string {
	switch d {
	case Float32:
		return "float32"
	case Float64:
		return "float64"
	case Complex64:
		return "complex64"
	case Complex128:
		return "complex128"
	}
	return fmt.Sprintf("DType(%d)", uint8(d))
}

// Size is the number of bytes of one element.
func (d DType) Size() int {
	switch d {
	case Float32:
		return 4
	case Float64, Complex64:
		return 8
	case Complex128:
		return 16
	}
	return 0
}

// IsComplex reports whether d is Complex64 or Complex128.
func (d DType) IsComplex() bool { return d == Complex64 || d == Complex128 }

// Real returns the real type of the same precision (Complex64 -> Float32).
func (d DType) Real() DType {
	switch d {
	case Complex64:
		return Float32
	case Complex128:
		return Float64
	}
	return d
}

// Complex returns the complex type of the same precision (Float32 -> Complex64).
func (d DType) Complex() DType {
	switch d {
	case Float32:
		return Complex64
	case Float64:
		return Complex128
	}
	return d
}

// ParseDType parses "float32", "float64", "complex64" or "complex128".
func ParseDType(s string) (DType, error) {
	for _, d := range []DType{Float32, Float64, Complex64, Complex128} {
		if d.String() == s {
			return d, nil
		}
	}
	return 0, fmt.Errorf("unknown dtype %q (want float32, float64, complex64 or complex128)", s)
}

// Float is the set of real element types.
type Float interface{ ~float32 | ~float64 }

// Scalar is the set of all element types.
type Scalar interface {
	~float32 | ~float64 | ~complex64 | ~complex128
}

// Tensor is a dense, contiguous, row-major n-dimensional array of one
// DType, and a node of the autodiff graph. Operations return new tensors;
// Reshape and Detach share storage.
type Tensor struct {
	shape []int
	dtype DType
	data  any // []float32, []float64, []complex64 or []complex128

	arena        *Arena // where results of operations on it are allocated; nil = heap
	requiresGrad bool
	grad         *Tensor // gradient accumulated by Backward (leaves)
	node         *node   // the operation that produced it (nil for leaves)
}

// New returns a tensor that wraps data ([]float32, []float64, []complex64 or
// []complex128) with the given shape, without copying. It panics when the
// length does not match the shape.
func New(data any, shape ...int) *Tensor {
	var n int
	var d DType
	switch v := data.(type) {
	case []float32:
		n, d = len(v), Float32
	case []float64:
		n, d = len(v), Float64
	case []complex64:
		n, d = len(v), Complex64
	case []complex128:
		n, d = len(v), Complex128
	default:
		panic(fmt.Sprintf("tensor.New: unsupported data type %T", data))
	}
	if numel(shape) != n {
		panic(fmt.Sprintf("tensor.New: %d elements do not fill shape %v", n, shape))
	}
	return &Tensor{shape: append([]int(nil), shape...), dtype: d, data: data}
}

// Zeros returns a zero tensor of the given dtype and shape on the heap.
func Zeros(d DType, shape ...int) *Tensor {
	return &Tensor{shape: append([]int(nil), shape...), dtype: d, data: makeData(d, numel(shape))}
}

// Full returns a tensor filled with v.
func Full(d DType, v float64, shape ...int) *Tensor {
	t := Zeros(d, shape...)
	t.Fill(v)
	return t
}

// Scalar returns a 0-dimensional tensor holding v.
func ScalarOf(d DType, v float64) *Tensor { return Full(d, v) }

// FromFloat64s copies vals into a new tensor of dtype d and the given shape.
func FromFloat64s(d DType, vals []float64, shape ...int) *Tensor {
	t := Zeros(d, shape...)
	if len(vals) != t.Numel() {
		panic(fmt.Sprintf("tensor.FromFloat64s: %d values do not fill shape %v", len(vals), shape))
	}
	switch x := t.data.(type) {
	case []float32:
		for i, v := range vals {
			x[i] = float32(v)
		}
	case []float64:
		copy(x, vals)
	case []complex64:
		for i, v := range vals {
			x[i] = complex(float32(v), 0)
		}
	case []complex128:
		for i, v := range vals {
			x[i] = complex(v, 0)
		}
	}
	return t
}

// RandN returns a tensor of independent standard normal draws from r.
func RandN(r *rand.Rand, d DType, shape ...int) *Tensor {
	t := Zeros(d, shape...)
	switch x := t.data.(type) {
	case []float32:
		for i := range x {
			x[i] = float32(r.NormFloat64())
		}
	case []float64:
		for i := range x {
			x[i] = r.NormFloat64()
		}
	case []complex64:
		for i := range x {
			x[i] = complex(float32(r.NormFloat64()), float32(r.NormFloat64()))
		}
	case []complex128:
		for i := range x {
			x[i] = complex(r.NormFloat64(), r.NormFloat64())
		}
	}
	return t
}

// RandU returns a tensor of independent draws from U(lo, hi).
func RandU(r *rand.Rand, d DType, lo, hi float64, shape ...int) *Tensor {
	t := Zeros(d, shape...)
	switch x := t.data.(type) {
	case []float32:
		for i := range x {
			x[i] = float32(lo + (hi-lo)*r.Float64())
		}
	case []float64:
		for i := range x {
			x[i] = lo + (hi-lo)*r.Float64()
		}
	case []complex64:
		for i := range x {
			x[i] = complex(float32(lo+(hi-lo)*r.Float64()), float32(lo+(hi-lo)*r.Float64()))
		}
	case []complex128:
		for i := range x {
			x[i] = complex(lo+(hi-lo)*r.Float64(), lo+(hi-lo)*r.Float64())
		}
	}
	return t
}

func numel(shape []int) int {
	n := 1
	for _, s := range shape {
		if s < 0 {
			panic(fmt.Sprintf("tensor: negative dimension in shape %v", shape))
		}
		n *= s
	}
	return n
}

func makeData(d DType, n int) any {
	switch d {
	case Float32:
		return make([]float32, n)
	case Float64:
		return make([]float64, n)
	case Complex64:
		return make([]complex64, n)
	case Complex128:
		return make([]complex128, n)
	}
	panic(fmt.Sprintf("tensor: invalid dtype %v", d))
}

// Shape returns the dimensions (do not modify the returned slice).
func (t *Tensor) Shape() []int { return t.shape }

// Dim returns the size of axis i; negative i counts from the end.
func (t *Tensor) Dim(i int) int { return t.shape[t.axis(i)] }

// NDim returns the number of dimensions.
func (t *Tensor) NDim() int { return len(t.shape) }

// Numel returns the number of elements.
func (t *Tensor) Numel() int { return numel(t.shape) }

// DType returns the element type.
func (t *Tensor) DType() DType { return t.dtype }

// Float32s returns the underlying storage; it panics unless the dtype is Float32.
func (t *Tensor) Float32s() []float32 { return t.data.([]float32) }

// Float64s returns the underlying storage; it panics unless the dtype is Float64.
func (t *Tensor) Float64s() []float64 { return t.data.([]float64) }

// Complex64s returns the underlying storage; it panics unless the dtype is Complex64.
func (t *Tensor) Complex64s() []complex64 { return t.data.([]complex64) }

// Complex128s returns the underlying storage; it panics unless the dtype is Complex128.
func (t *Tensor) Complex128s() []complex128 { return t.data.([]complex128) }

// Data returns the storage as []T; it panics when T is not the dtype's type.
func Data[T Scalar](t *Tensor) []T { return t.data.([]T) }

// ToFloat64s returns a copy of the (real) elements as float64; for complex
// tensors it returns the real parts.
func (t *Tensor) ToFloat64s() []float64 {
	out := make([]float64, t.Numel())
	switch x := t.data.(type) {
	case []float32:
		for i, v := range x {
			out[i] = float64(v)
		}
	case []float64:
		copy(out, x)
	case []complex64:
		for i, v := range x {
			out[i] = float64(real(v))
		}
	case []complex128:
		for i, v := range x {
			out[i] = real(v)
		}
	}
	return out
}

// At returns the element at the given multi-index as float64 (the real part
// for complex tensors).
func (t *Tensor) At(idx ...int) float64 {
	if len(idx) != len(t.shape) {
		panic(fmt.Sprintf("tensor.At: %d indices for shape %v", len(idx), t.shape))
	}
	off := 0
	for i, v := range idx {
		if v < 0 || v >= t.shape[i] {
			panic(fmt.Sprintf("tensor.At: index %v out of range for shape %v", idx, t.shape))
		}
		off = off*t.shape[i] + v
	}
	return t.at(off)
}

func (t *Tensor) at(i int) float64 {
	switch x := t.data.(type) {
	case []float32:
		return float64(x[i])
	case []float64:
		return x[i]
	case []complex64:
		return float64(real(x[i]))
	case []complex128:
		return real(x[i])
	}
	return math.NaN()
}

// Item returns the only element of a one-element tensor as float64.
func (t *Tensor) Item() float64 {
	if t.Numel() != 1 {
		panic(fmt.Sprintf("tensor.Item: shape %v has %d elements", t.shape, t.Numel()))
	}
	return t.at(0)
}

// Fill sets every element to v (in place; not recorded by autodiff).
func (t *Tensor) Fill(v float64) {
	switch x := t.data.(type) {
	case []float32:
		fill(x, float32(v))
	case []float64:
		fill(x, v)
	case []complex64:
		fill(x, complex(float32(v), 0))
	case []complex128:
		fill(x, complex(v, 0))
	}
}

func fill[T Scalar](x []T, v T) {
	if v == 0 {
		clear(x)
		return
	}
	if len(x) < 64 {
		for i := range x {
			x[i] = v
		}
		return
	}
	// Doubling copies: memmove stores a vector at a time, the loop one
	// element.
	x[0] = v
	for n := 1; n < len(x); n *= 2 {
		copy(x[n:], x[:n])
	}
}

// CopyFrom copies the elements of src (same dtype and size) into t in place;
// not recorded by autodiff.
func (t *Tensor) CopyFrom(src *Tensor) {
	if src.dtype != t.dtype || src.Numel() != t.Numel() {
		panic(fmt.Sprintf("tensor.CopyFrom: %v%v into %v%v", src.dtype, src.shape, t.dtype, t.shape))
	}
	switch x := t.data.(type) {
	case []float32:
		copy(x, src.data.([]float32))
	case []float64:
		copy(x, src.data.([]float64))
	case []complex64:
		copy(x, src.data.([]complex64))
	case []complex128:
		copy(x, src.data.([]complex128))
	}
}

// Clone returns a detached heap copy of t.
func (t *Tensor) Clone() *Tensor {
	c := Zeros(t.dtype, t.shape...)
	c.CopyFrom(t)
	return c
}

// Detach returns a tensor that shares t's storage but is cut from the
// autodiff graph.
func (t *Tensor) Detach() *Tensor {
	return &Tensor{shape: t.shape, dtype: t.dtype, data: t.data, arena: t.arena}
}

// In returns a view of t (shared storage, same graph position) whose
// operation results are allocated from a; see Arena.
func (t *Tensor) In(a *Arena) *Tensor {
	v := *t
	v.arena = a
	return &v
}

// Arena returns the arena results of operations on t come from (nil: heap).
func (t *Tensor) Arena() *Arena { return t.arena }

// String formats small tensors in full and large ones as a summary.
func (t *Tensor) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Tensor(%v%v", t.dtype, t.shape)
	n := t.Numel()
	if n <= 16 {
		b.WriteString(" [")
		for i := range n {
			if i > 0 {
				b.WriteByte(' ')
			}
			switch x := t.data.(type) {
			case []complex64:
				fmt.Fprintf(&b, "%.4g", x[i])
			case []complex128:
				fmt.Fprintf(&b, "%.4g", x[i])
			default:
				fmt.Fprintf(&b, "%.6g", t.at(i))
			}
		}
		b.WriteByte(']')
	}
	if t.requiresGrad {
		b.WriteString(" grad")
	}
	b.WriteByte(')')
	return b.String()
}

func (t *Tensor) axis(i int) int {
	n := len(t.shape)
	if i < 0 {
		i += n
	}
	if i < 0 || i >= n {
		panic(fmt.Sprintf("tensor: axis %d out of range for shape %v", i, t.shape))
	}
	return i
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
