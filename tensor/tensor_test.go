package tensor

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

func rng(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 99)) }

func randT(seed uint64, shape ...int) *Tensor { return RandN(rng(seed), Float64, shape...) }

func positive(seed uint64, shape ...int) *Tensor {
	return AddScalar(Abs(randT(seed, shape...)), 0.5)
}

func check(t *testing.T, name string, f func(xs []*Tensor) *Tensor, xs ...*Tensor) {
	t.Helper()
	if err := GradCheck(f, xs, CheckOptions{}); err != nil {
		t.Errorf("%s: %v", name, err)
	}
}

func checkBoth(t *testing.T, name string, f func(xs []*Tensor) *Tensor, xs ...*Tensor) {
	t.Helper()
	check(t, name, f, xs...)
	if err := GradGradCheck(f, xs, CheckOptions{Atol: 1e-4, Rtol: 1e-3}); err != nil {
		t.Errorf("%s (second order): %v", name, err)
	}
}

func TestElementwiseGradients(t *testing.T) {
	un := map[string]func(*Tensor) *Tensor{
		"Neg": Neg, "Exp": Exp, "Sin": Sin, "Cos": Cos, "Tanh": Tanh, "Sigmoid": Sigmoid,
		"Erf": Erf, "Square": Square, "Cube": func(x *Tensor) *Tensor { return PowScalar(x, 3) },
		"Scale":     func(x *Tensor) *Tensor { return Scale(x, -1.5) },
		"AddScalar": func(x *Tensor) *Tensor { return AddScalar(x, 2) },
	}
	for name, f := range un {
		checkBoth(t, name, func(xs []*Tensor) *Tensor { return f(xs[0]) }, randT(1, 3, 4))
	}
	pos := map[string]func(*Tensor) *Tensor{"Log": Log, "Sqrt": Sqrt, "Pow1.5": func(x *Tensor) *Tensor { return PowScalar(x, 1.5) }}
	for name, f := range pos {
		checkBoth(t, name, func(xs []*Tensor) *Tensor { return f(xs[0]) }, positive(2, 5))
	}
	check(t, "Abs", func(xs []*Tensor) *Tensor { return Abs(xs[0]) }, randT(3, 7))
	check(t, "ReLU", func(xs []*Tensor) *Tensor { return ReLU(xs[0]) }, randT(4, 7))
}

func TestBinaryBroadcastGradients(t *testing.T) {
	shapes := [][2][]int{
		{{3, 4}, {3, 4}},
		{{3, 4}, {4}},
		{{2, 3, 4}, {3, 1}},
		{{1, 4}, {3, 1}},
		{{2, 1, 4}, {1, 3, 1}},
		{{5}, {}},
	}
	ops := map[string]func(a, b *Tensor) *Tensor{"Add": Add, "Sub": Sub, "Mul": Mul, "Div": Div}
	for name, op := range ops {
		for i, s := range shapes {
			a := randT(uint64(10+i), s[0]...)
			b := positive(uint64(20+i), s[1]...)
			checkBoth(t, name, func(xs []*Tensor) *Tensor { return op(xs[0], xs[1]) }, a, b)
		}
	}
}

func TestBroadcastValues(t *testing.T) {
	a := FromFloat64s(Float64, []float64{1, 2, 3, 4, 5, 6}, 2, 3)
	b := FromFloat64s(Float64, []float64{10, 20}, 2, 1)
	got := Add(a, b).Float64s()
	want := []float64{11, 12, 13, 24, 25, 26}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Add broadcast = %v, want %v", got, want)
		}
	}
	c := FromFloat64s(Float64, []float64{1, 2, 3}, 3)
	got = Mul(a, c).Float64s()
	want = []float64{1, 4, 9, 4, 10, 18}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Mul broadcast = %v, want %v", got, want)
		}
	}
}

func TestReductionGradients(t *testing.T) {
	x := randT(5, 2, 3, 4)
	check(t, "Sum", func(xs []*Tensor) *Tensor { return Sum(xs[0]) }, x)
	check(t, "Mean", func(xs []*Tensor) *Tensor { return Mean(xs[0]) }, x)
	for _, axes := range [][]int{{0}, {1}, {2}, {0, 2}, {-1, 0}, {0, 1, 2}} {
		checkBoth(t, "SumAxes", func(xs []*Tensor) *Tensor { return SumAxes(xs[0], axes, false) }, x)
		check(t, "MeanAxes keep", func(xs []*Tensor) *Tensor { return MeanAxes(xs[0], axes, true) }, x)
		check(t, "MaxAxes", func(xs []*Tensor) *Tensor { return MaxAxes(xs[0], axes, false) }, x)
	}
	checkBoth(t, "Norm2", func(xs []*Tensor) *Tensor { return Norm(xs[0], 2) }, x)
	check(t, "NormAxes3", func(xs []*Tensor) *Tensor { return NormAxes(xs[0], 3, []int{1}, false) }, x)
}

func TestReductionValues(t *testing.T) {
	x := FromFloat64s(Float64, []float64{1, 2, 3, 4, 5, 6}, 2, 3)
	if s := Sum(x).Item(); s != 21 {
		t.Fatalf("Sum = %v", s)
	}
	s0 := SumAxes(x, []int{0}, false).Float64s()
	if s0[0] != 5 || s0[1] != 7 || s0[2] != 9 {
		t.Fatalf("SumAxes(0) = %v", s0)
	}
	s1 := SumAxes(x, []int{1}, true)
	if !sameShape(s1.Shape(), []int{2, 1}) || s1.Float64s()[1] != 15 {
		t.Fatalf("SumAxes(1, keep) = %v", s1)
	}
	m := MaxAxes(x, []int{1}, false).Float64s()
	if m[0] != 3 || m[1] != 6 {
		t.Fatalf("MaxAxes = %v", m)
	}
	// A long float32 sum accumulates in float64.
	n := 1 << 20
	ones := Full(Float32, 0.1, n)
	if got, want := Sum(ones).Item(), float64(float32(0.1))*float64(n); math.Abs(got-want) > 1e-7*want {
		t.Fatalf("float32 Sum of %d × 0.1 = %v", n, got)
	}
}

func TestShapeGradients(t *testing.T) {
	x := randT(6, 2, 3, 4)
	check(t, "Permute", func(xs []*Tensor) *Tensor { return Permute(xs[0], 2, 0, 1) }, x)
	check(t, "Transpose", func(xs []*Tensor) *Tensor { return Transpose(xs[0], 0, 2) }, x)
	check(t, "Reshape", func(xs []*Tensor) *Tensor { return Reshape(xs[0], 4, -1) }, x)
	check(t, "BroadcastTo", func(xs []*Tensor) *Tensor { return BroadcastTo(xs[0], 5, 2, 3, 4) }, x)
	p := Permute(x, 1, 2, 0)
	if p.At(2, 3, 1) != x.At(1, 2, 3) {
		t.Fatalf("Permute value mismatch")
	}
}

func TestMatMulGradients(t *testing.T) {
	for _, tA := range []bool{false, true} {
		for _, tB := range []bool{false, true} {
			ash := []int{3, 4}
			if tA {
				ash = []int{4, 3}
			}
			bsh := []int{4, 5}
			if tB {
				bsh = []int{5, 4}
			}
			a, b := randT(7, ash...), randT(8, bsh...)
			checkBoth(t, "MatMul2D", func(xs []*Tensor) *Tensor { return MatMulT(xs[0], xs[1], tA, tB) }, a, b)
			ab := randT(9, append([]int{2}, ash...)...)
			bb := randT(10, append([]int{2}, bsh...)...)
			check(t, "MatMul batched", func(xs []*Tensor) *Tensor { return MatMulT(xs[0], xs[1], tA, tB) }, ab, bb)
			check(t, "MatMul shared b", func(xs []*Tensor) *Tensor { return MatMulT(xs[0], xs[1], tA, tB) }, ab, b)
			check(t, "MatMul shared a", func(xs []*Tensor) *Tensor { return MatMulT(xs[0], xs[1], tA, tB) }, a, bb)
		}
	}
	ac := RandN(rng(11), Complex128, 3, 4)
	bc := RandN(rng(12), Complex128, 4, 2)
	check(t, "MatMul complex", func(xs []*Tensor) *Tensor { return MatMul(xs[0], xs[1]) }, ac, bc)
}

func TestComplexGradients(t *testing.T) {
	z := RandN(rng(13), Complex128, 6)
	w := RandN(rng(14), Complex128, 6)
	check(t, "Mul complex", func(xs []*Tensor) *Tensor { return Mul(xs[0], xs[1]) }, z, w)
	check(t, "Div complex", func(xs []*Tensor) *Tensor { return Div(xs[0], xs[1]) }, z, w)
	check(t, "Exp complex", func(xs []*Tensor) *Tensor { return Exp(xs[0]) }, z)
	check(t, "Real/Imag", func(xs []*Tensor) *Tensor { return Add(Real(xs[0]), Square(Imag(xs[0]))) }, z)
	re, im := randT(15, 6), randT(16, 6)
	check(t, "Complex", func(xs []*Tensor) *Tensor { return Mul(Complex(xs[0], xs[1]), w) }, re, im)
}

// mlp is a small tanh network u(x) = W3 tanh(W2 tanh(W1 x + b1) + b2) on
// inputs x of shape [n, 1].
type mlp struct{ w1, b1, w2, b2, w3 *Tensor }

func newMLP(seed uint64) mlp {
	r := rng(seed)
	return mlp{
		w1: RandN(r, Float64, 1, 8).SetRequiresGrad(true),
		b1: RandN(r, Float64, 8).SetRequiresGrad(true),
		w2: Scale(RandN(r, Float64, 8, 8), 0.4).Detach().SetRequiresGrad(true),
		b2: RandN(r, Float64, 8).SetRequiresGrad(true),
		w3: RandN(r, Float64, 8, 1).SetRequiresGrad(true),
	}
}

func (m mlp) forward(x *Tensor) *Tensor {
	h := Tanh(Add(MatMul(x, m.w1), m.b1))
	h = Tanh(Add(MatMul(h, m.w2), m.b2))
	return MatMul(h, m.w3)
}

// analytic returns u, u_x, u_xx of the MLP at scalar x by the chain rule.
func (m mlp) analytic(x float64) (u, ux, uxx float64) {
	w1, b1, w2, b2, w3 := m.w1.Float64s(), m.b1.Float64s(), m.w2.Float64s(), m.b2.Float64s(), m.w3.Float64s()
	h1, d1, dd1 := make([]float64, 8), make([]float64, 8), make([]float64, 8)
	for j := range 8 {
		a := w1[j]*x + b1[j]
		h1[j] = math.Tanh(a)
		s := 1 - h1[j]*h1[j]
		d1[j] = s * w1[j]
		dd1[j] = -2 * h1[j] * s * w1[j] * w1[j]
	}
	for k := range 8 {
		a, da, dda := b2[k], 0.0, 0.0
		for j := range 8 {
			a += h1[j] * w2[j*8+k]
			da += d1[j] * w2[j*8+k]
			dda += dd1[j] * w2[j*8+k]
		}
		h := math.Tanh(a)
		s := 1 - h*h
		u += w3[k] * h
		ux += w3[k] * s * da
		uxx += w3[k] * (s*dda - 2*h*s*da*da)
	}
	return u, ux, uxx
}

// TestSecondDerivativeOfMLP checks ∂²u/∂x² of a tanh MLP against the
// chain rule — and that it is not ∂u/∂x, a bug a well-known PINN code
// shipped.
func TestSecondDerivativeOfMLP(t *testing.T) {
	m := newMLP(21)
	xs := []float64{-1.3, -0.2, 0.4, 1.1}
	x := FromFloat64s(Float64, xs, 4, 1).SetRequiresGrad(true)
	u := m.forward(x)
	ux := Grad1(u, x, true)
	uxx := Grad1(ux, x, true)
	for i, xv := range xs {
		wu, wux, wuxx := m.analytic(xv)
		if math.Abs(u.At(i, 0)-wu) > 1e-12 || math.Abs(ux.At(i, 0)-wux) > 1e-12 || math.Abs(uxx.At(i, 0)-wuxx) > 1e-12 {
			t.Fatalf("x=%v: (u, ux, uxx) = (%v, %v, %v), want (%v, %v, %v)", xv, u.At(i, 0), ux.At(i, 0), uxx.At(i, 0), wu, wux, wuxx)
		}
		if math.Abs(uxx.At(i, 0)-wux) < 1e-6 {
			t.Fatalf("u_xx equals u_x at x=%v", xv)
		}
	}
	// The PINN loss mean((u_xx − f)²) differentiates to the parameters.
	loss := Mean(Square(uxx))
	loss.Backward()
	for _, p := range []*Tensor{m.w1, m.b1, m.w2, m.b2, m.w3} {
		if p.Grad() == nil || Norm(p.Grad(), 2).Item() == 0 {
			t.Fatalf("parameter of shape %v got no gradient from the residual loss", p.Shape())
		}
	}
	// ...and that gradient matches finite differences.
	params := []*Tensor{m.w1, m.b1, m.w2, m.b2, m.w3}
	err := GradCheck(func(ps []*Tensor) *Tensor {
		mm := mlp{ps[0], ps[1], ps[2], ps[3], ps[4]}
		xx := FromFloat64s(Float64, xs, 4, 1).SetRequiresGrad(true)
		uu := mm.forward(xx)
		d1 := Grad1(uu, xx, true)
		d2 := Grad1(d1, xx, true)
		return Mean(Square(d2))
	}, params, CheckOptions{Atol: 1e-6, Rtol: 1e-5})
	if err != nil {
		t.Fatal(err)
	}
}

func TestBackwardAccumulates(t *testing.T) {
	w := FromFloat64s(Float64, []float64{2}, 1).SetRequiresGrad(true)
	for range 2 {
		Sum(Square(w)).Backward()
	}
	if g := w.Grad().Item(); g != 8 {
		t.Fatalf("accumulated grad %v, want 8", g)
	}
	w.ZeroGrad()
	if g := w.Grad().Item(); g != 0 {
		t.Fatalf("ZeroGrad left %v", g)
	}
}

func TestArenaRecycles(t *testing.T) {
	ar := NewArena()
	w := randT(30, 64, 64).SetRequiresGrad(true)
	x := randT(31, 128, 64)
	step := func() float64 {
		h := Tanh(MatMul(x.In(ar), w))
		l := Mean(Square(h))
		l.Backward()
		v := l.Item()
		ar.Reset()
		return v
	}
	v0 := step()
	b0 := ar.Bytes()
	for range 3 {
		if v := step(); v != v0 {
			t.Fatalf("step changed value: %v vs %v", v, v0)
		}
	}
	if b := ar.Bytes(); b != b0 {
		t.Fatalf("arena grew from %d to %d bytes across identical steps", b0, b)
	}
	// Inference mode records nothing.
	ar.SetGrad(false)
	y := MatMul(x.In(ar), w)
	if y.RequiresGrad() || !y.IsLeaf() {
		t.Fatalf("no-grad arena recorded %q", y.Op())
	}
}

// TestArenaReleasesIdleSizes: an arena whose steps change shape holds the
// storage of its recent steps, not of every size it has seen; steps that
// alternate between two shapes keep all of theirs.
func TestArenaReleasesIdleSizes(t *testing.T) {
	w := randT(32, 16, 16).SetRequiresGrad(true)
	run := func(ar *Arena, rows int) {
		x := RandN(rng(uint64(rows)), Float64, rows, 16)
		l := Mean(Square(Tanh(MatMul(x.In(ar), w))))
		l.Backward()
	}
	// The storage one step takes at a given size.
	peak := func(rows int) int64 {
		a := NewArena()
		run(a, rows)
		return a.Bytes()
	}
	ar := NewArena()
	step := func(rows int) {
		run(ar, rows)
		ar.Reset()
	}
	// Alternating shapes: after the first two steps nothing is allocated.
	step(100)
	step(150)
	b0 := ar.Bytes()
	if b0 < peak(150) || b0 > peak(100)+peak(150) {
		t.Fatalf("two steps: arena holds %d bytes (steps alone: %d, %d)", b0, peak(100), peak(150))
	}
	for range 4 {
		step(100)
		step(150)
	}
	if b := ar.Bytes(); b != b0 {
		t.Fatalf("alternating steps: arena went from %d to %d bytes", b0, b)
	}
	// A new size every step: the arena holds the last steps' storage (at
	// most three sizes), not the sum over the 60 sizes seen.
	var seen int64
	for rows := 200; rows < 260; rows++ {
		step(rows)
		seen += peak(rows)
	}
	if b, bound := ar.Bytes(), 3*peak(259); b > bound {
		t.Fatalf("changing shapes: arena holds %d bytes > %d (all sizes seen: %d)", b, bound, seen)
	}
	// A size left idle for two Resets is released.
	step(1000)
	step(101)
	step(101)
	if b, want := ar.Bytes(), peak(101); b != want {
		t.Fatalf("idle sizes kept: %d bytes after steps of 1000, 101, 101 rows, want %d", b, want)
	}
}

// TestArenaSizeClasses: steps whose sizes differ a little (a radius
// graph's edge count over random node draws) reuse the arena's buffers
// instead of allocating new ones, and get tensors of their exact size.
func TestArenaSizeClasses(t *testing.T) {
	w := randT(33, 16, 16).SetRequiresGrad(true)
	ar := NewArena()
	var want []float64
	xs := map[int]*Tensor{}
	step := func(rows int) float64 {
		h := MatMul(xs[rows].In(ar), w)
		if h.Numel() != rows*16 || len(h.Float64s()) != rows*16 {
			t.Fatalf("%d rows: a tensor of %d elements (%d stored)", rows, h.Numel(), len(h.Float64s()))
		}
		l := Mean(Square(Tanh(h)))
		l.Backward()
		v := l.Item()
		ar.Reset()
		return v
	}
	// Rows 2000, 2003, 2006 (a period longer than arenaIdle): one size class.
	for i := range 3 {
		rows := 2000 + 3*i
		xs[rows] = RandN(rng(uint64(rows)), Float64, rows, 16)
		want = append(want, Mean(Square(Tanh(MatMul(xs[rows], w)))).Item())
		step(rows)
	}
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	for i := range 30 {
		if v := step(2000 + 3*(i%3)); v != want[i%3] {
			t.Fatalf("step of %d rows: %v, want %v (heap)", 2000+3*(i%3), v, want[i%3])
		}
	}
	runtime.ReadMemStats(&m1)
	// One step's tensors: x, h, tanh, square and their gradients, ≈ 8 ×
	// 2000 × 16 float64 = 2 MB; allocated anew that is ≈ 60 MB over 30 steps.
	if perStep := (m1.TotalAlloc - m0.TotalAlloc) / 30; perStep > 400_000 {
		t.Errorf("%d bytes allocated a step with sizes within one class", perStep)
	}
	// A step a little smaller than the one before (two classes down) takes
	// that step's buffers.
	ar = NewArena()
	xs[2200] = RandN(rng(2200), Float64, 2200, 16)
	step(2200)
	runtime.GC()
	runtime.ReadMemStats(&m0)
	if v := step(2000); v != want[0] {
		t.Fatalf("step of 2000 rows after one of 2200: %v, want %v", v, want[0])
	}
	runtime.ReadMemStats(&m1)
	if b := m1.TotalAlloc - m0.TotalAlloc; b > 400_000 {
		t.Errorf("%d bytes allocated by a step after a larger one", b)
	}
}

func TestDeterministicAcrossThreads(t *testing.T) {
	defer SetThreads(0)
	x := RandN(rng(40), Float32, 300, 1000)
	var ref []float32
	var refSum float64
	for _, th := range []int{1, 2, 5} {
		SetThreads(th)
		y := Tanh(Mul(x, x))
		s := Sum(y).Item()
		if ref == nil {
			ref, refSum = y.Float32s(), s
			continue
		}
		if s != refSum {
			t.Fatalf("threads=%d: sum %v != %v", th, s, refSum)
		}
		for i, v := range y.Float32s() {
			if v != ref[i] {
				t.Fatalf("threads=%d: element %d differs", th, i)
			}
		}
	}
}
