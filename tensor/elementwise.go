package tensor

import (
	"fmt"
	"math"
	"math/cmplx"
	"slices"

	"github.com/sciml-go/sciml/internal/vmath"
)

// binaryKernels holds the loops of a binary operation for every dtype.
type binaryKernels struct {
	f32  binKernels[float32]
	f64  binKernels[float64]
	c64  binKernels[complex64]
	c128 binKernels[complex128]
}

// arith builds the kernels of an arithmetic operation from its scalar form.
func arith(f32 func(a, b float32) float32, f64 func(a, b float64) float64, c64 func(a, b complex64) complex64, c128 func(a, b complex128) complex128) binaryKernels {
	return binaryKernels{makeBin(f32), makeBin(f64), makeBin(c64), makeBin(c128)}
}

func makeBin[T Scalar](f func(a, b T) T) binKernels[T] {
	return binKernels[T]{
		vv: func(dst, x, y []T) {
			y = y[:len(dst)]
			x = x[:len(dst)]
			for i := range dst {
				dst[i] = f(x[i], y[i])
			}
		},
		vs: func(dst, x []T, s T) {
			x = x[:len(dst)]
			for i := range dst {
				dst[i] = f(x[i], s)
			}
		},
		sv: func(dst []T, s T, y []T) {
			y = y[:len(dst)]
			for i := range dst {
				dst[i] = f(s, y[i])
			}
		},
	}
}

var (
	addK = binaryKernels{
		f32:  binKernels[float32]{vv: addVV[float32], vs: addVS[float32], sv: func(d []float32, s float32, y []float32) { addVS(d, y, s) }},
		f64:  binKernels[float64]{vv: addVV[float64], vs: addVS[float64], sv: func(d []float64, s float64, y []float64) { addVS(d, y, s) }},
		c64:  makeBin(func(a, b complex64) complex64 { return a + b }),
		c128: makeBin(func(a, b complex128) complex128 { return a + b }),
	}
	subK = binaryKernels{
		f32: binKernels[float32]{vv: vmath.Sub,
			vs: func(d, x []float32, s float32) { vmath.AddScalar(d, x, -s) },
			sv: makeBin(func(a, b float32) float32 { return a - b }).sv},
		f64:  makeBin(func(a, b float64) float64 { return a - b }),
		c64:  makeBin(func(a, b complex64) complex64 { return a - b }),
		c128: makeBin(func(a, b complex128) complex128 { return a - b }),
	}
	mulK = binaryKernels{
		f32:  binKernels[float32]{vv: mulVV[float32], vs: mulVS[float32], sv: func(d []float32, s float32, y []float32) { mulVS(d, y, s) }},
		f64:  binKernels[float64]{vv: mulVV[float64], vs: mulVS[float64], sv: func(d []float64, s float64, y []float64) { mulVS(d, y, s) }},
		c64:  makeBin(func(a, b complex64) complex64 { return a * b }),
		c128: makeBin(func(a, b complex128) complex128 { return a * b }),
	}
	divK = arith(func(a, b float32) float32 { return a / b }, func(a, b float64) float64 { return a / b },
		func(a, b complex64) complex64 { return a / b }, func(a, b complex128) complex128 { return a / b })
)

// addVV, addVS, mulVV and mulVS run float32 through vmath's vectorised
// kernels (the same IEEE operation on each element, so the same bits).
func addVV[T Float](dst, x, y []T) {
	if d, ok := any(dst).([]float32); ok {
		vmath.Add(d, any(x).([]float32), any(y).([]float32))
		return
	}
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = x[i] + y[i]
	}
}

func addVS[T Float](dst, x []T, s T) {
	if d, ok := any(dst).([]float32); ok {
		vmath.AddScalar(d, any(x).([]float32), any(s).(float32))
		return
	}
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = x[i] + s
	}
}

func mulVV[T Float](dst, x, y []T) {
	if d, ok := any(dst).([]float32); ok {
		vmath.Mul(d, any(x).([]float32), any(y).([]float32))
		return
	}
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = x[i] * y[i]
	}
}

func mulVS[T Float](dst, x []T, s T) {
	if d, ok := any(dst).([]float32); ok {
		vmath.MulScalar(d, any(x).([]float32), any(s).(float32))
		return
	}
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = x[i] * s
	}
}

// binary evaluates a broadcasting binary operation and records bwd.
func binary(a, b *Tensor, op string, k binaryKernels, bwd backwardFn) *Tensor {
	if a.dtype != b.dtype {
		panic(fmt.Sprintf("tensor.%s: dtypes %v and %v differ", op, a.dtype, b.dtype))
	}
	shape, err := BroadcastShapes(a.shape, b.shape)
	if err != nil {
		panic(fmt.Sprintf("tensor.%s: %v", op, err))
	}
	if (a.dtype == Float32 && k.f32.vv == nil) || (a.dtype == Float64 && k.f64.vv == nil) ||
		(a.dtype == Complex64 && k.c64.vv == nil) || (a.dtype == Complex128 && k.c128.vv == nil) {
		panic(fmt.Sprintf("tensor.%s: dtype %v not supported", op, a.dtype))
	}
	out := alloc(arenaOf(a, b), a.dtype, shape, false)
	p := makePlan(shape, a.shape, b.shape)
	switch d := out.data.(type) {
	case []float32:
		runBinary(p, d, a.Float32s(), b.Float32s(), k.f32)
	case []float64:
		runBinary(p, d, a.Float64s(), b.Float64s(), k.f64)
	case []complex64:
		runBinary(p, d, a.Complex64s(), b.Complex64s(), k.c64)
	case []complex128:
		runBinary(p, d, a.Complex128s(), b.Complex128s(), k.c128)
	}
	return record(out, op, bwd, a, b)
}

// Add returns a + b (broadcasting).
func Add(a, b *Tensor) *Tensor {
	return binary(a, b, "Add", addK, func(g *Tensor, in []*Tensor, _ *Tensor, needs []bool) []*Tensor {
		r := make([]*Tensor, 2)
		if needs[0] {
			r[0] = SumTo(g, in[0].shape...)
		}
		if needs[1] {
			r[1] = SumTo(g, in[1].shape...)
		}
		return r
	})
}

// Sub returns a − b (broadcasting).
func Sub(a, b *Tensor) *Tensor {
	return binary(a, b, "Sub", subK, func(g *Tensor, in []*Tensor, _ *Tensor, needs []bool) []*Tensor {
		r := make([]*Tensor, 2)
		if needs[0] {
			r[0] = SumTo(g, in[0].shape...)
		}
		if needs[1] {
			r[1] = SumTo(Neg(g), in[1].shape...)
		}
		return r
	})
}

// Mul returns a ⊙ b (broadcasting).
func Mul(a, b *Tensor) *Tensor {
	return binary(a, b, "Mul", mulK, func(g *Tensor, in []*Tensor, _ *Tensor, needs []bool) []*Tensor {
		r := make([]*Tensor, 2)
		if needs[0] {
			r[0] = SumTo(Mul(g, Conj(in[1])), in[0].shape...)
		}
		if needs[1] {
			r[1] = SumTo(Mul(g, Conj(in[0])), in[1].shape...)
		}
		return r
	})
}

// Div returns a / b (broadcasting).
func Div(a, b *Tensor) *Tensor {
	return binary(a, b, "Div", divK, func(g *Tensor, in []*Tensor, out *Tensor, needs []bool) []*Tensor {
		r := make([]*Tensor, 2)
		gb := Div(g, Conj(in[1]))
		if needs[0] {
			r[0] = SumTo(gb, in[0].shape...)
		}
		if needs[1] {
			r[1] = SumTo(Neg(Mul(gb, Conj(out))), in[1].shape...)
		}
		return r
	})
}

// unaryKernels holds the loops of a unary operation; nil entries mean the
// dtype is not supported.
type unaryKernels struct {
	f32  func(dst, x []float32)
	f64  func(dst, x []float64)
	c64  func(dst, x []complex64)
	c128 func(dst, x []complex128)
}

func mapK[T Scalar](f func(T) T) func(dst, x []T) {
	return func(dst, x []T) {
		x = x[:len(dst)]
		for i := range dst {
			dst[i] = f(x[i])
		}
	}
}

// realK builds float32/float64 kernels from a float64 function.
func realK(f func(float64) float64) unaryKernels {
	return unaryKernels{
		f32: mapK(func(v float32) float32 { return float32(f(float64(v))) }),
		f64: mapK(f),
	}
}

// unary evaluates a unary elementwise operation and records bwd.
func unary(x *Tensor, op string, k unaryKernels, bwd backwardFn) *Tensor {
	out := alloc(arenaOf(x), x.dtype, append([]int(nil), x.shape...), false)
	n := x.Numel()
	ok := true
	switch d := out.data.(type) {
	case []float32:
		if ok = k.f32 != nil; ok {
			s := x.Float32s()
			parallelRange(n, grain, func(lo, hi int) { k.f32(d[lo:hi], s[lo:hi]) })
		}
	case []float64:
		if ok = k.f64 != nil; ok {
			s := x.Float64s()
			parallelRange(n, grain, func(lo, hi int) { k.f64(d[lo:hi], s[lo:hi]) })
		}
	case []complex64:
		if ok = k.c64 != nil; ok {
			s := x.Complex64s()
			parallelRange(n, grain, func(lo, hi int) { k.c64(d[lo:hi], s[lo:hi]) })
		}
	case []complex128:
		if ok = k.c128 != nil; ok {
			s := x.Complex128s()
			parallelRange(n, grain, func(lo, hi int) { k.c128(d[lo:hi], s[lo:hi]) })
		}
	}
	if !ok {
		panic(fmt.Sprintf("tensor.%s: dtype %v not supported", op, x.dtype))
	}
	if bwd == nil {
		return out
	}
	return record(out, op, bwd, x)
}

// Neg returns −x.
func Neg(x *Tensor) *Tensor {
	return unary(x, "Neg", unaryKernels{
		vmath.Neg, mapK(func(v float64) float64 { return -v }),
		mapK(func(v complex64) complex64 { return -v }), mapK(func(v complex128) complex128 { return -v }),
	}, func(g *Tensor, _ []*Tensor, _ *Tensor, _ []bool) []*Tensor { return []*Tensor{Neg(g)} })
}

// Conj returns the complex conjugate of x (x itself for real tensors).
func Conj(x *Tensor) *Tensor {
	if !x.dtype.IsComplex() {
		return x
	}
	return unary(x, "Conj", unaryKernels{
		c64:  mapK(func(v complex64) complex64 { return complex(real(v), -imag(v)) }),
		c128: mapK(cmplx.Conj),
	}, func(g *Tensor, _ []*Tensor, _ *Tensor, _ []bool) []*Tensor { return []*Tensor{Conj(g)} })
}

// Scale returns s·x.
func Scale(x *Tensor, s float64) *Tensor {
	return unary(x, "Scale", unaryKernels{
		func(dst, v []float32) { mulVS(dst, v, float32(s)) },
		func(dst, v []float64) { mulVS(dst, v, s) },
		mapK(func(v complex64) complex64 { return v * complex(float32(s), 0) }),
		mapK(func(v complex128) complex128 { return v * complex(s, 0) }),
	}, func(g *Tensor, _ []*Tensor, _ *Tensor, _ []bool) []*Tensor { return []*Tensor{Scale(g, s)} })
}

// AddScalar returns x + s.
func AddScalar(x *Tensor, s float64) *Tensor {
	return unary(x, "AddScalar", unaryKernels{
		func(dst, v []float32) { addVS(dst, v, float32(s)) },
		func(dst, v []float64) { addVS(dst, v, s) },
		mapK(func(v complex64) complex64 { return v + complex(float32(s), 0) }),
		mapK(func(v complex128) complex128 { return v + complex(s, 0) }),
	}, func(g *Tensor, _ []*Tensor, _ *Tensor, _ []bool) []*Tensor { return []*Tensor{g} })
}

// PowScalar returns x^p elementwise (real tensors).
func PowScalar(x *Tensor, p float64) *Tensor {
	var k unaryKernels
	switch p {
	case 2:
		k = unaryKernels{f32: mapK(func(v float32) float32 { return v * v }), f64: mapK(func(v float64) float64 { return v * v })}
	case 3:
		k = unaryKernels{f32: mapK(func(v float32) float32 { return v * v * v }), f64: mapK(func(v float64) float64 { return v * v * v })}
	default:
		k = realK(func(v float64) float64 { return math.Pow(v, p) })
	}
	return unary(x, "PowScalar", k, func(g *Tensor, in []*Tensor, _ *Tensor, _ []bool) []*Tensor {
		if p == 2 {
			return []*Tensor{Mul(g, Scale(in[0], 2))}
		}
		return []*Tensor{Mul(g, Scale(PowScalar(in[0], p-1), p))}
	})
}

// Square returns x².
func Square(x *Tensor) *Tensor { return PowScalar(x, 2) }

// Exp returns eˣ.
func Exp(x *Tensor) *Tensor {
	return unary(x, "Exp", unaryKernels{
		f32: expF32, f64: mapK(math.Exp),
		c64:  mapK(func(v complex64) complex64 { return complex64(cmplx.Exp(complex128(v))) }),
		c128: mapK(cmplx.Exp),
	}, func(g *Tensor, _ []*Tensor, out *Tensor, _ []bool) []*Tensor { return []*Tensor{Mul(g, Conj(out))} })
}

// Log returns ln x.
func Log(x *Tensor) *Tensor {
	return unary(x, "Log", realK(math.Log), func(g *Tensor, in []*Tensor, _ *Tensor, _ []bool) []*Tensor {
		return []*Tensor{Div(g, in[0])}
	})
}

// Sqrt returns √x.
func Sqrt(x *Tensor) *Tensor {
	return unary(x, "Sqrt", realK(math.Sqrt), func(g *Tensor, _ []*Tensor, out *Tensor, _ []bool) []*Tensor {
		return []*Tensor{Div(g, Scale(out, 2))}
	})
}

// Sin returns sin x.
func Sin(x *Tensor) *Tensor {
	return sinQ(x, "Sin", 1, 0) // fastmath.go: gradient g·cos x in one fused pass
}

// Cos returns cos x.
func Cos(x *Tensor) *Tensor {
	return sinQ(x, "Cos", 1, 1) // fastmath.go: gradient −g·sin x in one fused pass
}

// Tanh returns tanh x.
func Tanh(x *Tensor) *Tensor {
	return unary(x, "Tanh", unaryKernels{f32: tanhF32, f64: mapK(math.Tanh)}, func(g *Tensor, _ []*Tensor, out *Tensor, _ []bool) []*Tensor {
		return []*Tensor{tanhBackward(g, out)}
	})
}

// tanhBackward returns g·(1 − y²), fused, itself differentiable.
func tanhBackward(g, y *Tensor) *Tensor {
	return binary(g, y, "TanhBackward", tanhBackwardK, func(gg *Tensor, in []*Tensor, _ *Tensor, needs []bool) []*Tensor {
		r := make([]*Tensor, 2)
		if needs[0] {
			r[0] = tanhBackward(gg, in[1])
		}
		if needs[1] {
			r[1] = Scale(Mul(Mul(gg, in[0]), in[1]), -2)
		}
		return r
	})
}

// Sigmoid returns 1/(1+e^−x).
func Sigmoid(x *Tensor) *Tensor {
	k := realK(func(v float64) float64 {
		if v >= 0 {
			return 1 / (1 + math.Exp(-v))
		}
		e := math.Exp(v)
		return e / (1 + e)
	})
	k.f32 = sigmoidF32
	return unary(x, "Sigmoid", k, func(g *Tensor, _ []*Tensor, out *Tensor, _ []bool) []*Tensor {
		return []*Tensor{Mul(g, Mul(out, AddScalar(Neg(out), 1)))}
	})
}

// Erf returns the error function of x.
func Erf(x *Tensor) *Tensor {
	return unary(x, "Erf", realK(math.Erf), func(g *Tensor, in []*Tensor, _ *Tensor, _ []bool) []*Tensor {
		return []*Tensor{Mul(g, Scale(Exp(Neg(Square(in[0]))), 2/math.Sqrt(math.Pi)))}
	})
}

// Abs returns |x| (real tensors); its derivative at 0 is taken as 0.
func Abs(x *Tensor) *Tensor {
	return unary(x, "Abs", unaryKernels{f32: absK32, f64: absK64}, func(g *Tensor, in []*Tensor, _ *Tensor, _ []bool) []*Tensor {
		return []*Tensor{Mul(g, Sign(in[0]))}
	})
}

// Sign returns −1, 0 or 1 elementwise (0 for NaN); it has no gradient (it
// is treated as a constant by autodiff).
func Sign(x *Tensor) *Tensor {
	return unary(x, "Sign", unaryKernels{f32: signK32, f64: signK64}, nil)
}

func absK32(dst, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = math.Float32frombits(math.Float32bits(v) &^ (1 << 31))
	}
}

func absK64(dst, x []float64) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = math.Abs(v)
	}
}

// signK32 and signK64 are Step(x) − Step(−x), branch-free.
func signK32(dst, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		b := math.Float32bits(v)
		dst[i] = float32(pos32(b)) - float32(pos32(b^(1<<31)))
	}
}

func signK64(dst, x []float64) {
	x = x[:len(dst)]
	for i, v := range x {
		b := math.Float64bits(v)
		dst[i] = float64(pos64(b)) - float64(pos64(b^(1<<63)))
	}
}

// Step returns 1 where x > 0 and 0 elsewhere; constant for autodiff.
func Step(x *Tensor) *Tensor {
	return unary(x, "Step", unaryKernels{f32: stepK32, f64: stepK64}, nil)
}

// ReLU returns max(x, 0).
func ReLU(x *Tensor) *Tensor {
	return unary(x, "ReLU", unaryKernels{f32: reluK[float32], f64: reluK[float64]},
		func(g *Tensor, in []*Tensor, _ *Tensor, _ []bool) []*Tensor {
			return []*Tensor{stepMul(g, in[0])}
		})
}

// The loops of ReLU and Step are written out rather than built by mapK:
// a function value called per element costs several times the operation.

func reluK[T float32 | float64](dst, x []T) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = max(v, 0)
	}
}

// pos32 and pos64 are 1 where the bits b of a float are those of a
// number > 0 (+Inf included), 0 elsewhere (zeros of either sign, negative
// numbers, NaNs), without a branch: as unsigned integers those are the b
// in [1, +Inf], and the sign bit of ^b & −b & (b − (+Inf + 1)) is set
// exactly for them.
func pos32(b uint32) uint32 { return (^b & -b & (b - 0x7f800001)) >> 31 }
func pos64(b uint64) uint64 { return (^b & -b & (b - 0x7ff0000000000001)) >> 63 }

func stepK32(dst, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = float32(pos32(math.Float32bits(v)))
	}
}

func stepK64(dst, x []float64) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = float64(pos64(math.Float64bits(v)))
	}
}

// stepMul returns g·Step(x) (same shapes and dtype) in one pass: ReLU's
// backward. It is differentiable in g, by itself; x is a constant for
// autodiff, as in Step.
func stepMul(g, x *Tensor) *Tensor {
	if g.dtype != x.dtype || !slices.Equal(g.shape, x.shape) {
		return Mul(g, Step(x))
	}
	out := alloc(arenaOf(g, x), g.dtype, append([]int(nil), g.shape...), false)
	switch d := out.data.(type) {
	case []float32:
		gs, xs := g.Float32s(), x.Float32s()
		parallelRange(len(d), grain, func(lo, hi int) {
			dst, gv, xv := d[lo:hi], gs[lo:hi], xs[lo:hi]
			for i := range dst {
				dst[i] = gv[i] * float32(pos32(math.Float32bits(xv[i])))
			}
		})
	case []float64:
		gs, xs := g.Float64s(), x.Float64s()
		parallelRange(len(d), grain, func(lo, hi int) {
			dst, gv, xv := d[lo:hi], gs[lo:hi], xs[lo:hi]
			for i := range dst {
				dst[i] = gv[i] * float64(pos64(math.Float64bits(xv[i])))
			}
		})
	default:
		panic(fmt.Sprintf("tensor.ReLU: dtype %v not supported", g.dtype))
	}
	return record(out, "StepMul", func(gg *Tensor, in []*Tensor, _ *Tensor, needs []bool) []*Tensor {
		return []*Tensor{stepMul(gg, in[1]), nil}
	}, g, x)
}

// addInto adds src to dst in place (same dtype and size); not recorded.
func addInto(dst, src *Tensor) {
	if dst.dtype != src.dtype || dst.Numel() != src.Numel() {
		panic(fmt.Sprintf("tensor: addInto %v%v += %v%v", dst.dtype, dst.shape, src.dtype, src.shape))
	}
	switch d := dst.data.(type) {
	case []float32:
		s := src.Float32s()
		parallelRange(len(d), grain, func(lo, hi int) { addVV(d[lo:hi], d[lo:hi], s[lo:hi]) })
	case []float64:
		s := src.Float64s()
		parallelRange(len(d), grain, func(lo, hi int) { addVV(d[lo:hi], d[lo:hi], s[lo:hi]) })
	case []complex64:
		s := src.Complex64s()
		for i := range d {
			d[i] += s[i]
		}
	case []complex128:
		s := src.Complex128s()
		for i := range d {
			d[i] += s[i]
		}
	}
}
