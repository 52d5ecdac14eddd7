package tensor

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// refSoftmax computes softmax, log-softmax and log-sum-exp of x along
// axis by direct loops over each slice, the textbook way in float64 (with
// the maximum shift, so that large inputs are representable).
func refSoftmax(x *Tensor, axis int) (sm, lsm, lse []float64) {
	ax := x.axis(axis)
	xv := x.ToFloat64s()
	sm, lsm = make([]float64, len(xv)), make([]float64, len(xv))
	kept := slices.Clone(x.shape)
	kept[ax] = 1
	eachIndex(kept, func(j []int) {
		pos := make([]int, x.shape[ax])
		idx := slices.Clone(j)
		m := math.Inf(-1)
		for r := range pos {
			idx[ax] = r
			pos[r] = flatOffset(x.shape, idx)
			m = math.Max(m, xv[pos[r]])
		}
		var s float64
		for _, p := range pos {
			s += math.Exp(xv[p] - m)
		}
		for _, p := range pos {
			sm[p] = math.Exp(xv[p]-m) / s
			lsm[p] = xv[p] - m - math.Log(s)
		}
		lse = append(lse, m+math.Log(s))
	})
	return sm, lsm, lse
}

// liveInput returns x, or for the detached copies GradCheck evaluates its
// finite differences on, a copy that requires gradients, so that f may
// differentiate inside.
func liveInput(x *Tensor) *Tensor {
	if x.RequiresGrad() {
		return x
	}
	return x.Detach().SetRequiresGrad(true)
}

func smClose(t *testing.T, name string, got *Tensor, want []float64, tol float64) {
	t.Helper()
	g := got.ToFloat64s()
	if len(g) != len(want) {
		t.Fatalf("%s: %d elements, want %d", name, len(g), len(want))
	}
	for i := range want {
		if !(math.Abs(g[i]-want[i]) <= tol*(1+math.Abs(want[i]))) {
			t.Fatalf("%s: element %d = %.17g, want %.17g", name, i, g[i], want[i])
		}
	}
}

func TestSoftmaxValues(t *testing.T) {
	shapes := [][]int{{7}, {3, 4, 5}, {2, 3, 300}, {2, 300, 3}, {1, 1}}
	for _, dt := range []DType{Float64, Float32} {
		tol := 1e-14
		if dt == Float32 {
			tol = 1e-6
		}
		for si, shape := range shapes {
			x := Scale(randD(dt, uint64(60+si), shape...), 3)
			xr := x
			if dt == Float32 {
				xr = FromFloat64s(Float64, x.ToFloat64s(), shape...)
			}
			for axis := -1; axis < len(shape); axis++ {
				name := fmt.Sprintf("%v %v axis %d", dt, shape, axis)
				sm, lsm, lse := refSoftmax(xr, axis)
				smClose(t, "Softmax "+name, Softmax(x, axis), sm, tol)
				smClose(t, "LogSoftmax "+name, LogSoftmax(x, axis), lsm, tol)
				l := LogSumExp(x, axis, false)
				smClose(t, "LogSumExp "+name, l, lse, tol)
				kept := slices.Clone(shape)
				kept[x.axis(axis)] = 1
				if lk := LogSumExp(x, axis, true); !sameShape(lk.Shape(), kept) || !sameShape(l.Shape(), slices.Delete(slices.Clone(kept), x.axis(axis), x.axis(axis)+1)) {
					t.Fatalf("LogSumExp %s: shapes %v (keep) and %v", name, lk.Shape(), l.Shape())
				}
				// Each slice of the softmax sums to 1.
				smClose(t, "Σ Softmax "+name, SumAxes(Softmax(x, axis), []int{axis}, false), slices.Repeat([]float64{1}, len(lse)), 10*tol)
			}
		}
	}
}

func TestSoftmaxStability(t *testing.T) {
	inf := math.Inf(1)
	x := FromFloat64s(Float64, []float64{1000, 1001, 1002, -1000, -1001, -1002, 0, -inf, 1}, 3, 3)
	e1 := []float64{1, math.E, math.E * math.E}
	s := e1[0] + e1[1] + e1[2]
	want := []float64{1 / s, math.E / s, math.E * math.E / s, math.E * math.E / s, math.E / s, 1 / s, 1 / (1 + math.E), 0, math.E / (1 + math.E)}
	smClose(t, "Softmax of large inputs", Softmax(x, 1), want, 1e-15)
	lse := []float64{1002 + math.Log(s) - 2, -1000 + math.Log(s) - 2, 1 + math.Log(1+1/math.E)}
	smClose(t, "LogSumExp of large inputs", LogSumExp(x, 1, false), lse, 1e-15)
	ls := LogSoftmax(x, 1)
	if v := ls.At(2, 1); !math.IsInf(v, -1) {
		t.Fatalf("LogSoftmax of −∞ = %v", v)
	}
	// Extreme spread: Softmax underflows to 0, LogSoftmax stays exact.
	y := FromFloat64s(Float64, []float64{0, -800}, 2)
	if p := Softmax(y, 0).Float64s(); p[0] != 1 || p[1] != 0 {
		t.Fatalf("Softmax(0, −800) = %v", p)
	}
	if l := LogSoftmax(y, 0).Float64s(); l[0] != 0 || l[1] != -800 {
		t.Fatalf("LogSoftmax(0, −800) = %v", l)
	}
	// Float32 inputs near the top of the range.
	z := FromFloat64s(Float32, []float64{3e38, 3e38}, 2)
	if p := Softmax(z, 0).Float32s(); p[0] != 0.5 || p[1] != 0.5 {
		t.Fatalf("float32 Softmax(3e38, 3e38) = %v", p)
	}
	// An all −∞ slice: LogSumExp −∞, Softmax NaN (0/0); NaN propagates.
	m := FromFloat64s(Float64, []float64{math.Inf(-1), math.Inf(-1), 1, math.NaN()}, 2, 2)
	if l := LogSumExp(m, 1, false).Float64s(); !math.IsInf(l[0], -1) || !math.IsNaN(l[1]) {
		t.Fatalf("LogSumExp of (−∞, −∞), (1, NaN) = %v", l)
	}
	if p := Softmax(m, 1).Float64s(); !math.IsNaN(p[0]) || !math.IsNaN(p[2]) {
		t.Fatalf("Softmax of (−∞, −∞), (1, NaN) = %v", p)
	}
	// An empty axis: LogSumExp −∞ (the log of an empty sum), Softmax empty.
	if l := LogSumExp(Zeros(Float64, 2, 0), 1, false).Float64s(); len(l) != 2 || !math.IsInf(l[0], -1) || !math.IsInf(l[1], -1) {
		t.Fatalf("LogSumExp over an empty axis = %v", l)
	}
	if p := Softmax(Zeros(Float32, 2, 0, 3), 1); !sameShape(p.Shape(), []int{2, 0, 3}) {
		t.Fatalf("Softmax over an empty axis has shape %v", p.Shape())
	}
	// Masking with Where and −∞ zeroes the masked probabilities and their
	// gradients.
	sc := randT(70, 2, 4).SetRequiresGrad(true)
	mask := FromFloat64s(Float64, []float64{1, 1, 0, 1, 0, 1, 1, 1}, 2, 4)
	p := Softmax(Where(mask, sc, Full(Float64, math.Inf(-1))), -1)
	Sum(Mul(p, randT(71, 2, 4))).Backward()
	for i, mv := range mask.Float64s() {
		if mv == 0 && (p.Float64s()[i] != 0 || sc.Grad().Float64s()[i] != 0) {
			t.Fatalf("masked entry %d: probability %v, gradient %v", i, p.Float64s()[i], sc.Grad().Float64s()[i])
		}
	}
}

func TestSoftmaxGradients(t *testing.T) {
	for si, shape := range [][]int{{5}, {3, 4, 5}, {2, 1, 3}} {
		x := Scale(randT(uint64(80+si), shape...), 2)
		for axis := -1; axis < len(shape); axis++ {
			name := fmt.Sprintf("%v axis %d", shape, axis)
			checkBoth(t, "Softmax "+name, func(xs []*Tensor) *Tensor { return Softmax(xs[0], axis) }, x)
			checkBoth(t, "LogSoftmax "+name, func(xs []*Tensor) *Tensor { return LogSoftmax(xs[0], axis) }, x)
			checkBoth(t, "LogSumExp "+name, func(xs []*Tensor) *Tensor { return LogSumExp(xs[0], axis, false) }, x)
			checkBoth(t, "LogSumExp keep "+name, func(xs []*Tensor) *Tensor { return LogSumExp(xs[0], axis, true) }, x)
		}
	}
	// Third order: the gradient of the fused backward's backward.
	x := randT(85, 3, 4)
	f := func(xs []*Tensor) *Tensor {
		x := liveInput(xs[0])
		return Sum(Mul(Grad1(Sum(Square(Softmax(x, 1))), x, true), x))
	}
	checkBoth(t, "Softmax third order", f, x)
	g := func(xs []*Tensor) *Tensor {
		x := liveInput(xs[0])
		return Sum(Mul(Grad1(Sum(Square(LogSoftmax(x, 0))), x, true), x))
	}
	checkBoth(t, "LogSoftmax third order", g, x)
}

// TestAttentionDoubleBackward checks second derivatives through a small
// attention block, softmax(q kᵀ/√d) v with q, k, v linear in the input, as
// a PINN with attention (PINNsFormer) takes them: ∂²/∂x² of the output.
func TestAttentionDoubleBackward(t *testing.T) {
	wq, wk, wv := randT(90, 2, 3), randT(91, 2, 3), randT(92, 2, 3)
	attn := func(x *Tensor) *Tensor {
		q, k, v := MatMul(x, wq), MatMul(x, wk), MatMul(x, wv)
		p := Softmax(Scale(MatMulT(q, k, false, true), 1/math.Sqrt(3)), -1)
		return MatMul(p, v)
	}
	x := randT(93, 4, 2)
	checkBoth(t, "attention", func(xs []*Tensor) *Tensor { return Tanh(attn(xs[0])) }, x)
	// u_xx of Σ attention output, differentiated once more.
	err := GradCheck(func(xs []*Tensor) *Tensor {
		x := liveInput(xs[0])
		u := Sum(attn(x))
		ux := Grad1(u, x, true)
		uxx := Grad1(Sum(ux), x, true)
		return Sum(Square(uxx))
	}, []*Tensor{x}, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSoftmaxBackwardKernels compares the fused backward kernels, on a
// non-last axis wider than one lane block, with their definitions written
// as composite operations.
func TestSoftmaxBackwardKernels(t *testing.T) {
	for _, dt := range []DType{Float64, Float32} {
		tol := 1e-13
		if dt == Float32 {
			tol = 1e-5
		}
		for _, ax := range []int{0, 1, 2} {
			x := randD(dt, 100, 2, 5, 300)
			g := randD(dt, 101, 2, 5, 300)
			y := Softmax(x, ax)
			want := Mul(y, Sub(g, SumAxes(Mul(g, y), []int{ax}, true)))
			smClose(t, fmt.Sprintf("%v softmax backward axis %d", dt, ax), softmaxBackward(g, y, ax), want.ToFloat64s(), tol)
			ly := LogSoftmax(x, ax)
			want = Sub(g, Mul(Exp(ly), SumAxes(g, []int{ax}, true)))
			smClose(t, fmt.Sprintf("%v log-softmax backward axis %d", dt, ax), logSoftmaxBackward(g, ly, ax), want.ToFloat64s(), tol)
		}
	}
}

func TestSoftmaxDeterministicAcrossThreads(t *testing.T) {
	defer SetThreads(0)
	x := RandN(rng(110), Float32, 16, 40, 300)
	run := func() [][]float32 {
		var r [][]float32
		for _, ax := range []int{0, 2} {
			xg := x.Clone().SetRequiresGrad(true)
			y := Softmax(xg, ax)
			l := LogSumExp(xg, ax, false)
			Add(Sum(Mul(y, x)), Sum(Square(l))).Backward()
			r = append(r, y.Float32s(), l.Float32s(), xg.Grad().Float32s())
		}
		return r
	}
	SetThreads(1)
	ref := run()
	for _, th := range []int{2, 3} {
		SetThreads(th)
		for k, v := range run() {
			if !slices.Equal(v, ref[k]) {
				t.Fatalf("threads=%d: result %d differs", th, k)
			}
		}
	}
}

func TestSoftmaxPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"complex":       func() { Softmax(Zeros(Complex128, 3), 0) },
		"complex lse":   func() { LogSumExp(Zeros(Complex64, 3), 0, false) },
		"complex log":   func() { LogSoftmax(Zeros(Complex64, 3), 0) },
		"axis":          func() { Softmax(Zeros(Float64, 3, 4), 2) },
		"axis negative": func() { LogSumExp(Zeros(Float64, 3, 4), -3, true) },
	} {
		func() {
			defer func() {
				r := recover()
				if r == nil {
					t.Errorf("%s: no panic", name)
					return
				}
				if msg := fmt.Sprint(r); !strings.Contains(msg, "complex") && !strings.Contains(msg, "[3 4]") {
					t.Errorf("%s: panic %q names neither the dtype nor the shape", name, msg)
				}
			}()
			f()
		}()
	}
}

func BenchmarkSoftmaxLastAxis(b *testing.B) {
	x := RandN(rng(120), Float32, 32, 8, 128, 128)
	b.SetBytes(int64(x.Numel() * 4))
	for b.Loop() {
		Softmax(x, -1)
	}
}

func BenchmarkSoftmaxBackwardLastAxis(b *testing.B) {
	x := RandN(rng(121), Float32, 32, 8, 128, 128).SetRequiresGrad(true)
	y := Softmax(x, -1)
	g := RandN(rng(122), Float32, y.Shape()...)
	b.SetBytes(int64(x.Numel() * 4))
	for b.Loop() {
		Grad([]*Tensor{y}, []*Tensor{x}, []*Tensor{g}, false)
	}
}

func BenchmarkLogSumExpAxis1(b *testing.B) {
	x := RandN(rng(123), Float32, 32, 128, 1024)
	b.SetBytes(int64(x.Numel() * 4))
	for b.Loop() {
		LogSumExp(x, 1, false)
	}
}

func ExampleSoftmax() {
	x := FromFloat64s(Float64, []float64{0, math.Log(3), 1000, 1000}, 2, 2)
	fmt.Printf("%.4f\n", Softmax(x, -1).Float64s())
	fmt.Printf("%.4f\n", LogSumExp(x, -1, false).Float64s())
	// Output:
	// [0.2500 0.7500 0.5000 0.5000]
	// [1.3863 1000.6931]
}
