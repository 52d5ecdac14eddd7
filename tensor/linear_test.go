package tensor

import (
	"math"
	"math/cmplx"
	"strings"
	"testing"
)

// linearRef computes x·wᵀ + b directly in complex128 (real inputs have
// zero imaginary parts).
func linearRef(x, w, b *Tensor) []complex128 {
	in, out := w.shape[1], w.shape[0]
	xs, ws := asC128(x), asC128(w)
	var bs []complex128
	if b != nil {
		bs = asC128(b)
	}
	rows := 1
	for _, d := range x.shape[:len(x.shape)-1] {
		rows *= d
	}
	y := make([]complex128, rows*out)
	for r := range rows {
		for o := range out {
			var s complex128
			for i := range in {
				s += xs[r*in+i] * ws[o*in+i]
			}
			if bs != nil {
				s += bs[o]
			}
			y[r*out+o] = s
		}
	}
	return y
}

func asC128(t *Tensor) []complex128 {
	out := make([]complex128, t.Numel())
	switch d := t.data.(type) {
	case []float32:
		for i, v := range d {
			out[i] = complex(float64(v), 0)
		}
	case []float64:
		for i, v := range d {
			out[i] = complex(v, 0)
		}
	case []complex64:
		for i, v := range d {
			out[i] = complex128(v)
		}
	case []complex128:
		copy(out, d)
	}
	return out
}

func TestLinearValues(t *testing.T) {
	cases := []struct {
		x, w  []int
		bias  bool
		dtype DType
		tol   float64
	}{
		{[]int{5, 3}, []int{4, 3}, true, Float64, 1e-14},
		{[]int{5, 3}, []int{4, 3}, false, Float64, 1e-14},
		{[]int{2, 3, 7}, []int{6, 7}, true, Float64, 1e-14},
		{[]int{7}, []int{2, 7}, true, Float64, 1e-14},
		{[]int{300, 33}, []int{17, 33}, true, Float32, 1e-5}, // large enough to split the GEMM
		{[]int{4, 0}, []int{3, 0}, true, Float64, 0},         // in = 0: y = b
		{[]int{4, 0}, []int{3, 0}, false, Float32, 0},        // in = 0, no bias: y = 0
		{[]int{2, 3}, []int{4, 3}, true, Complex128, 1e-14},
		{[]int{2, 3}, []int{4, 3}, true, Complex64, 1e-5},
	}
	for i, c := range cases {
		x := RandN(rng(uint64(100+i)), c.dtype, c.x...)
		w := RandN(rng(uint64(200+i)), c.dtype, c.w...)
		var b *Tensor
		if c.bias {
			b = RandN(rng(uint64(300+i)), c.dtype, c.w[0])
		}
		y := Linear(x, w, b)
		want := append(append([]int(nil), c.x[:len(c.x)-1]...), c.w[0])
		if !sameShape(y.Shape(), want) || y.DType() != c.dtype {
			t.Fatalf("case %d: Linear gives %v%v, want %v%v", i, y.DType(), y.Shape(), c.dtype, want)
		}
		ref := linearRef(x, w, b)
		got := asC128(y)
		for j := range ref {
			if cmplx.Abs(got[j]-ref[j]) > c.tol*(1+cmplx.Abs(ref[j])) {
				t.Fatalf("case %d: y[%d] = %v, want %v", i, j, got[j], ref[j])
			}
		}
	}
}

func TestLinearGradients(t *testing.T) {
	x, w, b := randT(50, 2, 3, 4), randT(51, 5, 4), randT(52, 5)
	checkBoth(t, "Linear", func(xs []*Tensor) *Tensor { return Linear(xs[0], xs[1], xs[2]) }, x, w, b)
	checkBoth(t, "Linear no bias", func(xs []*Tensor) *Tensor { return Linear(xs[0], xs[1], nil) }, randT(53, 6, 4), w)
	checkBoth(t, "Linear 1-D x", func(xs []*Tensor) *Tensor { return Linear(xs[0], xs[1], xs[2]) }, randT(54, 4), w, b)
	// Second order through a nonlinearity, as a PINN residual takes it.
	checkBoth(t, "Tanh∘Linear", func(xs []*Tensor) *Tensor { return Tanh(Linear(xs[0], xs[1], xs[2])) }, x, w, b)
	xc, wc, bc := RandN(rng(55), Complex128, 3, 4), RandN(rng(56), Complex128, 2, 4), RandN(rng(57), Complex128, 2)
	check(t, "Linear complex", func(xs []*Tensor) *Tensor { return Linear(xs[0], xs[1], xs[2]) }, xc, wc, bc)
}

func TestLinearMatchesComposition(t *testing.T) {
	// Gradients agree with MatMul + Add (the unfused form) to rounding.
	x, w, b := randT(60, 7, 3), randT(61, 4, 3), randT(62, 4)
	for _, p := range []*Tensor{x, w, b} {
		p.SetRequiresGrad(true)
	}
	y1 := Linear(x, w, b)
	y2 := Add(MatMulT(x, w, false, true), b)
	g1 := Grad([]*Tensor{Sum(Square(y1))}, []*Tensor{x, w, b}, nil, false)
	g2 := Grad([]*Tensor{Sum(Square(y2))}, []*Tensor{x, w, b}, nil, false)
	for i := range g1 {
		a, c := g1[i].Float64s(), g2[i].Float64s()
		for j := range a {
			if math.Abs(a[j]-c[j]) > 1e-12*(1+math.Abs(c[j])) {
				t.Fatalf("gradient %d differs: %v vs %v", i, a, c)
			}
		}
	}
}

func TestSinLinear(t *testing.T) {
	x, w, b := randT(70, 3, 4), Scale(randT(71, 5, 4), 0.1), randT(72, 5)
	const omega = 30.0
	y := SinLinear(x, w, b, omega)
	z := linearRef(x, w, b)
	for i, v := range y.Float64s() {
		if want := math.Sin(omega * real(z[i])); math.Abs(v-want) > 1e-12 {
			t.Fatalf("SinLinear[%d] = %v, want %v", i, v, want)
		}
	}
	checkBoth(t, "SinLinear", func(xs []*Tensor) *Tensor { return SinLinear(xs[0], xs[1], xs[2], 3) }, x, w, b)
	// float32: sin(fl32(ω·z)) within the kernel's accuracy (< 1 ulp ≤
	// 6e-8), and bitwise equal to the unfused Sin(Scale(Linear(…), ω)).
	x32, w32, b32 := RandN(rng(73), Float32, 64, 16), RandN(rng(74), Float32, 32, 16), RandN(rng(75), Float32, 32)
	y32 := SinLinear(x32, w32, b32, omega).Float32s()
	z32 := Linear(x32, w32, b32)
	u32 := Sin(Scale(z32, omega)).Float32s()
	for i, v := range y32 {
		if want := math.Sin(float64(float32(omega) * z32.Float32s()[i])); math.Abs(float64(v)-want) > 6e-8 {
			t.Fatalf("float32 SinLinear[%d] = %v, want %v", i, v, want)
		}
		if v != u32[i] {
			t.Fatalf("float32 SinLinear[%d] = %v, unfused form gives %v", i, v, u32[i])
		}
	}
}

func TestLinearPanics(t *testing.T) {
	w := Zeros(Float64, 3, 4)
	for name, f := range map[string]func(){
		"in mismatch":   func() { Linear(Zeros(Float64, 2, 5), w, nil) },
		"bias mismatch": func() { Linear(Zeros(Float64, 2, 4), w, Zeros(Float64, 4)) },
		"w not 2-D":     func() { Linear(Zeros(Float64, 2, 4), Zeros(Float64, 4), nil) },
		"dtype":         func() { Linear(Zeros(Float32, 2, 4), w, nil) },
	} {
		func() {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(r.(string), "tensor.Linear") {
					t.Errorf("%s: panic %v, want a tensor.Linear message", name, r)
				}
			}()
			f()
		}()
	}
}

func TestLinearArenaAndThreads(t *testing.T) {
	defer SetThreads(0)
	x := RandN(rng(80), Float32, 2*linChunk+300, 64) // blocked kernels
	w := RandN(rng(81), Float32, 48, 64).SetRequiresGrad(true)
	b := RandN(rng(82), Float32, 48).SetRequiresGrad(true)
	ar := NewArena()
	var ref []float32
	for _, th := range []int{1, 2, 3} {
		SetThreads(th)
		w.SetGrad(nil)
		b.SetGrad(nil)
		y := SinLinear(x.In(ar), w, b, 30)
		if y.Arena() != ar {
			t.Fatal("SinLinear result not allocated from the input's arena")
		}
		Sum(y).Backward()
		got := append(append(append([]float32(nil), y.Float32s()...), w.Grad().Float32s()...), b.Grad().Float32s()...)
		ar.Reset()
		if ref == nil {
			ref = got
			continue
		}
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(ref[i]) {
				t.Fatalf("threads=%d: value %d differs", th, i)
			}
		}
	}
}

func TestSumLongColumns(t *testing.T) {
	// SumAxes over a long leading axis (red ≥ grain) as bias gradients take it.
	for _, sh := range [][]int{{grain + 5, 130}, {3, grain, 2}} {
		x := randT(90, sh...)
		s := SumAxes(x, []int{len(sh) - 2}, false).Float64s()
		xs := x.Float64s()
		red, inner := sh[len(sh)-2], sh[len(sh)-1]
		outer := x.Numel() / (red * inner)
		for o := range outer {
			for i := range inner {
				var want float64
				for r := range red {
					want += xs[(o*red+r)*inner+i]
				}
				if got := s[o*inner+i]; math.Abs(got-want) > 1e-12*float64(red) {
					t.Fatalf("shape %v: sum[%d,%d] = %v, want %v", sh, o, i, got, want)
				}
			}
		}
	}
}

// withBlocks runs f with tiny row blocks, so that small inputs take the
// blocked kernels of Linear and SinLinear.
func withBlocks(block, chunk int, f func()) {
	b, c := linBlock, linChunk
	linBlock, linChunk = block, chunk
	defer func() { linBlock, linChunk = b, c }()
	f()
}

func TestLinearBlocked(t *testing.T) {
	withBlocks(3, 7, func() { // tasks of 7 rows in blocks of 3, 3, 1
		x, w, b := randT(110, 2, 16, 4), randT(111, 5, 4), randT(112, 5) // 32 rows
		checkBoth(t, "Linear blocked", func(xs []*Tensor) *Tensor { return Linear(xs[0], xs[1], xs[2]) }, x, w, b)
		check(t, "Linear blocked, no bias", func(xs []*Tensor) *Tensor { return Linear(xs[0], xs[1], nil) }, x, w)
		checkBoth(t, "SinLinear blocked", func(xs []*Tensor) *Tensor { return SinLinear(xs[0], xs[1], xs[2], 2.5) }, x, w, b)
		check(t, "SinLinear blocked, no bias", func(xs []*Tensor) *Tensor { return SinLinear(xs[0], xs[1], nil, 2.5) }, x, w)
		// Only some gradients wanted (the first layer: x is data).
		check(t, "SinLinear blocked, w and b", func(xs []*Tensor) *Tensor { return SinLinear(x, xs[0], xs[1], 2.5) }, w, b)
		check(t, "Tanh∘Linear blocked", func(xs []*Tensor) *Tensor { return Tanh(Linear(xs[0], xs[1], xs[2])) }, x, w, b)
		// Inference (nothing requires gradients): same values, nothing recorded.
		want := SinLinear(x.Detach().SetRequiresGrad(true), w, b, 2.5).Float64s()
		ar := NewArena()
		ar.SetGrad(false)
		y := SinLinear(x.In(ar), w, b, 2.5)
		if y.RequiresGrad() {
			t.Fatal("SinLinear in a no-grad arena recorded")
		}
		for i, v := range y.Float64s() {
			if v != want[i] {
				t.Fatalf("inference SinLinear[%d] = %v, want %v", i, v, want[i])
			}
		}
	})
}

// TestBlockedMatchesComposition runs the blocked kernels at their real
// sizes against the unfused operations.
func TestBlockedMatchesComposition(t *testing.T) {
	for _, dt := range []DType{Float32, Float64} {
		rows := 2*linChunk + 123
		x := RandN(rng(120), dt, rows, 24)
		w := Scale(RandN(rng(121), dt, 40, 24), 0.2).SetRequiresGrad(true)
		b := RandN(rng(122), dt, 40).SetRequiresGrad(true)
		xr := x.Clone().SetRequiresGrad(true)
		const omega = 30.0
		y := SinLinear(xr, w, b, omega)
		if y.Op() != "SinLinear" {
			t.Fatalf("%v: SinLinear of %d rows recorded %q", dt, rows, y.Op())
		}
		u := Sin(Scale(Add(MatMulT(xr, w, false, true), b), omega))
		// The GEMMs are blocked differently, so z may differ by rounding,
		// which ω magnifies: |Δy| ≤ ω·|Δz| + 2 ulp, with the standard GEMM
		// bound |Δz| ≤ 2·k·ε·Σᵢ|x||w| (+|b|), k = 24.
		eps := 0x1p-53
		if dt == Float32 {
			eps = 0x1p-24
		}
		sabs := Add(MatMulT(Abs(x), Abs(w.Detach()), false, true), Abs(b.Detach())).ToFloat64s()
		yv, uv := y.ToFloat64s(), u.ToFloat64s()
		for i := range yv {
			ytol := omega*2*24*eps*sabs[i] + 4*eps
			if math.Abs(yv[i]-uv[i]) > ytol {
				t.Fatalf("%v: SinLinear[%d] = %v, Sin(Scale(MatMul + b)) = %v", dt, i, yv[i], uv[i])
			}
		}
		gy := RandN(rng(123), dt, rows, 40)
		g1 := Grad([]*Tensor{y}, []*Tensor{xr, w, b}, []*Tensor{gy}, false)
		g2 := Grad([]*Tensor{u}, []*Tensor{xr, w, b}, []*Tensor{gy}, false)
		tol := 1e-12
		if dt == Float32 {
			tol = 1e-4
		}
		for k := range g1 {
			a, c := g1[k].ToFloat64s(), g2[k].ToFloat64s()
			scale := 0.0
			for _, v := range c {
				scale = max(scale, math.Abs(v))
			}
			for i := range a {
				if math.Abs(a[i]-c[i]) > tol*scale {
					t.Fatalf("%v: gradient %d [%d] = %v, unfused %v (scale %v)", dt, k, i, a[i], c[i], scale)
				}
			}
		}
	}
}

// TestLinearThreadsOddSizes extends TestLinearArenaAndThreads to the
// float32 kernels at widths that are not multiples of their 6×16 register
// tile, to the input gradient and to Linear: values and all gradients are
// bitwise the same for 1, 2 and 3 threads.
func TestLinearThreadsOddSizes(t *testing.T) {
	defer SetThreads(0)
	for _, sz := range [][2]int{{37, 29}, {2, 19}, {16, 1}} {
		in, out := sz[0], sz[1]
		x := RandN(rng(83), Float32, 2*linChunk+301, in).SetRequiresGrad(true)
		w := Scale(RandN(rng(84), Float32, out, in), 0.3).SetRequiresGrad(true)
		b := RandN(rng(85), Float32, out).SetRequiresGrad(true)
		g := RandN(rng(86), Float32, 2*linChunk+301, out)
		for _, sine := range []bool{false, true} {
			var ref []float32
			for _, th := range []int{1, 2, 3} {
				SetThreads(th)
				var y *Tensor
				if sine {
					y = SinLinear(x, w, b, 30)
				} else {
					y = Linear(x, w, b)
				}
				gs := Grad([]*Tensor{y}, []*Tensor{x, w, b}, []*Tensor{g}, false)
				got := append([]float32(nil), y.Float32s()...)
				for _, gr := range gs {
					got = append(got, gr.Float32s()...)
				}
				if ref == nil {
					ref = got
					continue
				}
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(ref[i]) {
						t.Fatalf("%d→%d sine=%v threads=%d: value %d differs", in, out, sine, th, i)
					}
				}
			}
		}
	}
}
