package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestPosBits checks the branch-free x > 0 of Step and ReLU's backward on
// every kind of float and on random bit patterns.
func TestPosBits(t *testing.T) {
	f32 := []float32{0, float32(math.Copysign(0, -1)), 1, -1, math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32,
		math.MaxFloat32, -math.MaxFloat32, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()),
		math.Float32frombits(0x7f800001), math.Float32frombits(0xff800001), math.Float32frombits(0xffffffff)}
	f64 := []float64{0, math.Copysign(0, -1), 1, -1, math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64,
		math.MaxFloat64, -math.MaxFloat64, math.Inf(1), math.Inf(-1), math.NaN(),
		math.Float64frombits(0x7ff0000000000001), math.Float64frombits(0xfff0000000000001), math.Float64frombits(^uint64(0))}
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		f32 = append(f32, math.Float32frombits(r.Uint32()))
		f64 = append(f64, math.Float64frombits(r.Uint64()))
	}
	for _, v := range f32 {
		if got, want := pos32(math.Float32bits(v)) == 1, v > 0; got != want {
			t.Fatalf("pos32(%v = %#x) = %v", v, math.Float32bits(v), got)
		}
	}
	for _, v := range f64 {
		if got, want := pos64(math.Float64bits(v)) == 1, v > 0; got != want {
			t.Fatalf("pos64(%v = %#x) = %v", v, math.Float64bits(v), got)
		}
	}
}

// TestReLUBackwardBits: ReLU's one-pass backward equals g·Step(x) bit for
// bit (signed zeros and NaNs of g included), and its gradient in g is the
// same mask.
func TestReLUBackwardBits(t *testing.T) {
	for _, d := range []DType{Float32, Float64} {
		n := 3*grain + 17 // several parallel blocks
		xs, gs := make([]float64, n), make([]float64, n)
		r := rand.New(rand.NewPCG(3, 4))
		for i := range xs {
			xs[i], gs[i] = r.NormFloat64(), r.NormFloat64()
		}
		xs[0], xs[1], xs[2], gs[3], gs[4] = 0, math.Copysign(0, -1), math.NaN(), math.NaN(), math.Inf(-1)
		x, g := FromFloat64s(d, xs, n), FromFloat64s(d, gs, n)
		got, want := stepMul(g, x).ToFloat64s(), Mul(g, Step(x)).ToFloat64s()
		for i := range got {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("%v: element %d: %v, want %v (x %v, g %v)", d, i, got[i], want[i], xs[i], gs[i])
			}
		}
	}
	// Second order: d/dg of Σ w·stepMul(g, x) is w·Step(x).
	x := FromFloat64s(Float64, []float64{-1, 2, 0, 3}, 4)
	g := FromFloat64s(Float64, []float64{5, 6, 7, 8}, 4).SetRequiresGrad(true)
	w := FromFloat64s(Float64, []float64{1, 2, 3, 4}, 4)
	Sum(Mul(stepMul(g, x), w)).Backward()
	if got := g.Grad().ToFloat64s(); got[0] != 0 || got[1] != 2 || got[2] != 0 || got[3] != 4 {
		t.Errorf("d/dg = %v, want [0 2 0 4]", got)
	}
}

// TestSignAbsKernels: the branch-free Sign and the bitwise Abs agree with
// their definitions on special and random values.
func TestSignAbsKernels(t *testing.T) {
	vals := []float64{0, math.Copysign(0, -1), 1, -1, 3e-310, -3e-310, math.MaxFloat64, math.Inf(1), math.Inf(-1), math.NaN(), 1e-40, -1e-40}
	r := rand.New(rand.NewPCG(5, 6))
	for range 10000 {
		vals = append(vals, math.Float64frombits(r.Uint64()), r.NormFloat64())
	}
	sign := func(v float64) float64 {
		switch {
		case v > 0:
			return 1
		case v < 0:
			return -1
		}
		return 0
	}
	for _, d := range []DType{Float32, Float64} {
		x := FromFloat64s(d, vals, len(vals))
		xs := x.ToFloat64s() // the values as stored (rounded to float32)
		s, a := Sign(x).ToFloat64s(), Abs(x).ToFloat64s()
		for i, v := range xs {
			if math.Float64bits(s[i]) != math.Float64bits(sign(v)) {
				t.Fatalf("%v: Sign(%v) = %v", d, v, s[i])
			}
			if w := math.Abs(v); math.Float64bits(a[i]) != math.Float64bits(w) && !(math.IsNaN(w) && math.IsNaN(a[i])) {
				t.Fatalf("%v: Abs(%v) = %v", d, v, a[i])
			}
		}
	}
}
