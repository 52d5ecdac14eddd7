package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// keptIndex returns the spectrum index of kept position o on axis a of d
// (TruncateModes' layout), the reference for the tests.
func keptIndex(o, m, n int, last bool) int {
	if last || o < m {
		return o
	}
	return n - 2*m + o
}

func TestTruncatePadValues(t *testing.T) {
	cases := []struct {
		spec, modes, sizes []int
	}{
		{[]int{5}, []int{3}, []int{8}},
		{[]int{4}, []int{4}, []int{7}},
		{[]int{6, 4}, []int{2, 3}, []int{6, 7}},
		{[]int{7, 3}, []int{3, 1}, []int{9, 4}},
		{[]int{4, 5, 3}, []int{1, 2, 3}, []int{4, 6, 4}},
	}
	for ci, c := range cases {
		d := len(c.modes)
		shape := append([]int{2}, c.spec...)
		z := randC(uint64(20+ci), shape...)
		tr := TruncateModes(z, c.modes...)
		kshape := make([]int, d)
		for a, m := range c.modes {
			kshape[a] = 2 * m
			if a == d-1 {
				kshape[a] = m
			}
		}
		if !sameShape(tr.shape, append([]int{2}, kshape...)) {
			t.Fatalf("case %d: TruncateModes shape %v, want [2 %v]", ci, tr.shape, kshape)
		}
		// Values against direct indexing.
		zs, ts := z.Complex128s(), tr.Complex128s()
		nk := numel(kshape)
		for b := range 2 {
			for k := range nk {
				kk := unravel(k, kshape)
				src := 0
				for a := range d {
					src = src*c.spec[a] + keptIndex(kk[a], c.modes[a], c.spec[a], a == d-1)
				}
				if ts[b*nk+k] != zs[b*numel(c.spec)+src] {
					t.Fatalf("case %d: TruncateModes wrong at %v", ci, kk)
				}
			}
		}
		// PadModes puts them back at the same places, zeros elsewhere.
		hs := halfShape(c.sizes)
		p := PadModes(tr, c.sizes...)
		if !sameShape(p.shape, append([]int{2}, hs...)) {
			t.Fatalf("case %d: PadModes shape %v, want [2 %v]", ci, p.shape, hs)
		}
		ps := p.Complex128s()
		nh := numel(hs)
		placed := make([]bool, len(ps))
		for b := range 2 {
			for k := range nk {
				kk := unravel(k, kshape)
				dst := 0
				for a := range d {
					dst = dst*hs[a] + keptIndex(kk[a], c.modes[a], c.sizes[a], a == d-1)
				}
				if ps[b*nh+dst] != ts[b*nk+k] {
					t.Fatalf("case %d: PadModes wrong at %v", ci, kk)
				}
				placed[b*nh+dst] = true
			}
		}
		for i, v := range ps {
			if !placed[i] && v != 0 {
				t.Fatalf("case %d: PadModes left %v at %d", ci, v, i)
			}
		}
		// Truncate ∘ Pad is the identity on kept blocks.
		back := TruncateModes(p, c.modes...).Complex128s()
		for i := range back {
			if back[i] != ts[i] {
				t.Fatalf("case %d: TruncateModes(PadModes(y)) != y", ci)
			}
		}
		// Adjointness: Re<Trunc z, y> = Re<z, Pad y>.
		y := randC(uint64(40+ci), tr.shape...)
		lhs := Real(Sum(Mul(Conj(TruncateModes(z, c.modes...)), y))).Item()
		rhs := Real(Sum(Mul(Conj(z), padToSpec(y, c.spec)))).Item()
		if math.Abs(lhs-rhs) > 1e-12*math.Abs(lhs) {
			t.Errorf("case %d: <Trunc z, y> = %v, <z, Pad y> = %v", ci, lhs, rhs)
		}
	}
}

// padToSpec pads kept modes into a half spectrum of shape spec (whose last
// axis is a half axis of length h: any real size with s/2+1 = h works).
func padToSpec(y *Tensor, spec []int) *Tensor {
	sizes := append([]int(nil), spec...)
	sizes[len(sizes)-1] = 2 * (spec[len(spec)-1] - 1)
	return PadModes(y, sizes...)
}

func TestTruncatePadGradients(t *testing.T) {
	for i, c := range []struct{ spec, modes, sizes []int }{
		{[]int{5}, []int{3}, []int{9}},
		{[]int{6, 4}, []int{2, 3}, []int{5, 6}},
		{[]int{4, 5, 3}, []int{1, 2, 2}, []int{3, 4, 3}},
	} {
		modes, sizes := c.modes, c.sizes
		z := randC(uint64(60+i), append([]int{2}, c.spec...)...)
		check(t, fmt.Sprintf("TruncateModes %v", c.spec), func(xs []*Tensor) *Tensor { return TruncateModes(xs[0], modes...) }, z)
		kept := TruncateModes(z, modes...).Detach()
		check(t, fmt.Sprintf("PadModes %v", c.sizes), func(xs []*Tensor) *Tensor { return PadModes(xs[0], sizes...) }, kept)
	}
}

// mixRef is the direct contraction y[b,o,k] = Σ_i z[b,i,k] w[i,o,k].
func mixRef(z, w *Tensor) []complex128 {
	B, Ci, Co := z.shape[0], z.shape[1], w.shape[1]
	M := numel(z.shape[2:])
	zs, ws := toC128(z), toC128(w)
	out := make([]complex128, B*Co*M)
	for b := range B {
		for o := range Co {
			for k := range M {
				var s complex128
				for i := range Ci {
					s += zs[(b*Ci+i)*M+k] * ws[(i*Co+o)*M+k]
				}
				out[(b*Co+o)*M+k] = s
			}
		}
	}
	return out
}

func TestSpectralMix(t *testing.T) {
	for i, c := range []struct {
		B, Ci, Co int
		modes     []int
	}{
		{3, 2, 4, []int{5}}, {1, 3, 2, []int{4, 3}}, {2, 2, 3, []int{2, 3, 2}}, {2, 1, 1, []int{1}},
	} {
		z := randC(uint64(80+i), append([]int{c.B, c.Ci}, c.modes...)...)
		w := randC(uint64(90+i), append([]int{c.Ci, c.Co}, c.modes...)...)
		name := fmt.Sprintf("SpectralMix B=%d Ci=%d Co=%d modes=%v", c.B, c.Ci, c.Co, c.modes)
		y := SpectralMix(z, w)
		if !sameShape(y.shape, append([]int{c.B, c.Co}, c.modes...)) {
			t.Fatalf("%s: shape %v", name, y.shape)
		}
		if e := maxRel(toC128(y), mixRef(z, w)); e > 1e-14 {
			t.Errorf("%s: relative error %.3g", name, e)
		}
		y32 := SpectralMix(castTo(z, Complex64), castTo(w, Complex64))
		if e := maxRel(toC128(y32), mixRef(z, w)); e > 1e-6 {
			t.Errorf("%s complex64: relative error %.3g", name, e)
		}
		checkBoth(t, name, func(xs []*Tensor) *Tensor { return SpectralMix(xs[0], xs[1]) }, z, w)
		// Gradients through the conjugated operand paths, to second order.
		checkBoth(t, name+" (squared)", func(xs []*Tensor) *Tensor {
			y := SpectralMix(xs[0], xs[1])
			return Mul(y, Conj(y))
		}, z, w)
	}
}

// spectralConvComposed is SpectralConv written as the composition.
func spectralConvComposed(x, w *Tensor, modes, out []int) *Tensor {
	d := len(modes)
	z := TruncateModes(RFFT(x, d), modes...)
	y := SpectralMix(z, w)
	s := float64(numel(out)) / float64(numel(x.shape[2:]))
	return Scale(IRFFT(PadModes(y, out...), out...), s)
}

// specCases cover 1-D, 2-D and 3-D, even and odd sizes, modes that reach
// the Nyquist bin, and output grids other than the input grid.
var specCases = []struct {
	B, Ci, Co  int
	in, modes  []int
	out        []int
	gradChecks bool
}{
	{2, 3, 2, []int{8}, []int{3}, []int{8}, true},
	{2, 2, 3, []int{8}, []int{5}, []int{8}, true},  // last kept bin is the Nyquist bin
	{1, 2, 2, []int{7}, []int{4}, []int{12}, true}, // odd in, even out
	{2, 2, 1, []int{10}, []int{4}, []int{6}, true}, // Nyquist of the output
	{2, 2, 2, []int{6, 5}, []int{2, 3}, []int{6, 5}, true},
	{1, 2, 3, []int{5, 6}, []int{2, 4}, []int{8, 7}, true},
	{1, 2, 2, []int{4, 5, 4}, []int{1, 2, 3}, []int{3, 4, 5}, true},
	{3, 4, 5, []int{16, 9}, []int{4, 3}, []int{12, 10}, false},
	{2, 3, 3, []int{6, 6, 8}, []int{2, 3, 4}, []int{6, 6, 8}, false},
}

// forEngines runs f with each engine of the kept-mode transforms forced.
func forEngines(t *testing.T, f func(engine string)) {
	defer func() { modeEngine = 0 }()
	for e, name := range []string{"auto", "FFT", "GEMM"} {
		modeEngine = e
		f(name)
	}
}

func TestSpectralConvEqualsComposition(t *testing.T) {
	forEngines(t, func(engine string) { spectralConvEqualsComposition(t, engine) })
}

func spectralConvEqualsComposition(t *testing.T, engine string) {
	for i, c := range specCases {
		name := fmt.Sprintf("%s: in %v modes %v out %v", engine, c.in, c.modes, c.out)
		x := randT(uint64(120+i), append([]int{c.B, c.Ci}, c.in...)...)
		ws := append([]int{c.Ci, c.Co}, keptShape(c.modes)...)
		w := randC(uint64(130+i), ws...)
		x.SetRequiresGrad(true)
		w.SetRequiresGrad(true)
		y := SpectralConv(x, w, c.modes, c.out)
		ref := spectralConvComposed(x, w, c.modes, c.out)
		if !sameShape(y.shape, ref.shape) {
			t.Fatalf("%s: shape %v, composition %v", name, y.shape, ref.shape)
		}
		if e := maxRel(toC128(y), toC128(ref)); e > 1e-13 {
			t.Errorf("%s: SpectralConv vs composition: relative error %.3g", name, e)
		}
		// The fused first-order gradient equals the composition's.
		gy := randT(uint64(140+i), y.shape...)
		got := Grad([]*Tensor{y}, []*Tensor{x, w}, []*Tensor{gy}, false)
		want := Grad([]*Tensor{ref}, []*Tensor{x, w}, []*Tensor{gy}, false)
		for j, what := range []string{"x", "w"} {
			if e := maxRel(toC128(got[j]), toC128(want[j])); e > 1e-13 {
				t.Errorf("%s: gradient of %s vs composition: relative error %.3g", name, what, e)
			}
		}
		// Only x, only w.
		gx := Grad([]*Tensor{SpectralConv(x, w.Detach(), c.modes, c.out)}, []*Tensor{x}, []*Tensor{gy}, false)[0]
		if e := maxRel(toC128(gx), toC128(want[0])); e > 1e-13 {
			t.Errorf("%s: gradient of x alone: relative error %.3g", name, e)
		}
		gw := Grad([]*Tensor{SpectralConv(x.Detach(), w, c.modes, c.out)}, []*Tensor{w}, []*Tensor{gy}, false)[0]
		if e := maxRel(toC128(gw), toC128(want[1])); e > 1e-13 {
			t.Errorf("%s: gradient of w alone: relative error %.3g", name, e)
		}
		// float32 / complex64.
		x32, w32 := castTo(x.Detach(), Float32), castTo(w.Detach(), Complex64)
		x32.SetRequiresGrad(true)
		w32.SetRequiresGrad(true)
		y32 := SpectralConv(x32, w32, c.modes, c.out)
		if e := maxRel(toC128(y32), toC128(ref)); e > 1e-5 {
			t.Errorf("%s: float32 SpectralConv: relative error %.3g", name, e)
		}
		g32 := Grad([]*Tensor{y32}, []*Tensor{x32, w32}, []*Tensor{castTo(gy, Float32)}, false)
		for j, what := range []string{"x", "w"} {
			if e := maxRel(toC128(g32[j]), toC128(want[j])); e > 1e-5 {
				t.Errorf("%s: float32 gradient of %s: relative error %.3g", name, what, e)
			}
		}
	}
}

// keptShape is the mode shape [2m_0, …, 2m_{d-2}, m_{d-1}].
func keptShape(modes []int) []int {
	s := make([]int, len(modes))
	for a, m := range modes {
		s[a] = 2 * m
	}
	s[len(s)-1] = modes[len(modes)-1]
	return s
}

func TestSpectralConvGradients(t *testing.T) {
	forEngines(t, func(engine string) { spectralConvGradients(t, engine) })
}

func spectralConvGradients(t *testing.T, engine string) {
	for i, c := range specCases {
		if !c.gradChecks {
			continue
		}
		name := fmt.Sprintf("%s: SpectralConv in %v modes %v out %v", engine, c.in, c.modes, c.out)
		x := randT(uint64(150+i), append([]int{c.B, c.Ci}, c.in...)...)
		w := randC(uint64(160+i), append([]int{c.Ci, c.Co}, keptShape(c.modes)...)...)
		modes, out := c.modes, c.out
		check(t, name, func(xs []*Tensor) *Tensor { return SpectralConv(xs[0], xs[1], modes, out) }, x, w)
	}
	if engine != "auto" {
		return
	}
	// Second order on small layers (the gradient graph is the composition's).
	for _, i := range []int{0, 4, 6} {
		c := specCases[i]
		name := fmt.Sprintf("SpectralConv in %v modes %v out %v", c.in, c.modes, c.out)
		x := randT(uint64(170+i), append([]int{c.B, c.Ci}, c.in...)...)
		w := randC(uint64(180+i), append([]int{c.Ci, c.Co}, keptShape(c.modes)...)...)
		modes, out := c.modes, c.out
		if err := GradGradCheck(func(xs []*Tensor) *Tensor { return SpectralConv(xs[0], xs[1], modes, out) },
			[]*Tensor{x, w}, CheckOptions{Atol: 1e-4, Rtol: 1e-3}); err != nil {
			t.Errorf("%s (second order): %v", name, err)
		}
		if err := GradGradCheck(func(xs []*Tensor) *Tensor { return Tanh(SpectralConv(xs[0], xs[1], modes, out)) },
			[]*Tensor{x, w}, CheckOptions{Atol: 1e-4, Rtol: 1e-3}); err != nil {
			t.Errorf("%s, tanh (second order): %v", name, err)
		}
	}
}

// TestModeEngineChoice pins the cost model on the benchmark configurations
// (few modes: GEMM) and on a layer keeping most modes (FFT).
func TestModeEngineChoice(t *testing.T) {
	for _, c := range []struct {
		sizes, modes []int
		gemm         bool
	}{
		{[]int{1024}, []int{16}, true},
		{[]int{85, 85}, []int{12, 12}, true},
		{[]int{64, 64, 64}, []int{8, 8, 8}, true},
		{[]int{256}, []int{129}, false},
		{[]int{128, 128}, []int{64, 65}, false},
	} {
		if g := newModeGrid(c.sizes, c.modes); g.gemm != c.gemm {
			t.Errorf("sizes %v modes %v: GEMM engine %v, want %v", c.sizes, c.modes, g.gemm, c.gemm)
		}
	}
}

func TestSpectralConvArenaAndThreads(t *testing.T) {
	forEngines(t, func(string) { spectralConvArenaAndThreads(t) })
}

func spectralConvArenaAndThreads(t *testing.T) {
	c := specCases[7]
	x := RandN(rng(1), Float32, append([]int{c.B, c.Ci}, c.in...)...)
	w := RandN(rng(2), Complex64, append([]int{c.Ci, c.Co}, keptShape(c.modes)...)...).SetRequiresGrad(true)
	step := func(ar *Arena) (y, gw []float64) {
		xi := x
		if ar != nil {
			xi = x.In(ar)
		}
		out := SpectralConv(xi, w, c.modes, c.out)
		g := Grad([]*Tensor{Sum(Square(out))}, []*Tensor{w}, nil, false)[0]
		return out.ToFloat64s(), Imag(g).ToFloat64s()
	}
	y0, g0 := step(nil)
	ar := NewArena()
	var bytes int64
	for it := range 3 {
		y, g := step(ar)
		if !equalBits(y, y0) || !equalBits(g, g0) {
			t.Fatalf("step %d in an arena differs from the heap result", it)
		}
		if it == 1 {
			bytes = ar.Bytes()
		} else if it == 2 && ar.Bytes() != bytes {
			t.Errorf("arena grew from %d to %d bytes in a steady-state step", bytes, ar.Bytes())
		}
		ar.Reset()
	}
	old := runtime.GOMAXPROCS(1)
	y1, g1 := step(nil)
	runtime.GOMAXPROCS(4)
	y4, g4 := step(nil)
	runtime.GOMAXPROCS(old)
	if !equalBits(y1, y0) || !equalBits(g1, g0) || !equalBits(y4, y0) || !equalBits(g4, g0) {
		t.Error("SpectralConv results depend on GOMAXPROCS")
	}
}

func equalBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

func TestSpectralPanics(t *testing.T) {
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s: no panic", name)
			}
		}()
		f()
	}
	mustPanic("TruncateModes too many modes", func() { TruncateModes(randC(1, 2, 6, 4), 4, 2) })
	mustPanic("TruncateModes half axis", func() { TruncateModes(randC(1, 2, 5), 6) })
	mustPanic("PadModes odd kept axis", func() { PadModes(randC(1, 2, 3, 2), 8, 8) })
	mustPanic("PadModes too small", func() { PadModes(randC(1, 2, 4, 3), 8, 3) })
	mustPanic("SpectralMix channels", func() { SpectralMix(randC(1, 2, 3, 4), randC(2, 2, 3, 4)) })
	mustPanic("SpectralMix modes", func() { SpectralMix(randC(1, 2, 3, 4), randC(2, 3, 3, 5)) })
	mustPanic("SpectralConv weight shape", func() { SpectralConv(randT(1, 2, 3, 8), randC(2, 3, 2, 3), []int{4}, []int{8}) })
	mustPanic("SpectralConv too many modes", func() { SpectralConv(randT(1, 2, 3, 8), randC(2, 3, 2, 6), []int{6}, []int{8}) })
	mustPanic("SpectralConv dtype", func() { SpectralConv(randT(1, 2, 3, 8), randT(2, 3, 2, 3), []int{3}, []int{8}) })
	mustPanic("ResampleSpectral complex", func() { ResampleSpectral(randC(1, 2, 8), 4) })
}

// bandLimited samples f(t) = Σ a·cos(2π k·t + φ) on a grid of sizes (t_a =
// j_a/n_a) for the given frequency vectors.
type wave struct {
	k      []int
	a, phi float64
}

func bandLimited(waves []wave, sizes ...int) []float64 {
	n := numel(sizes)
	out := make([]float64, n)
	for j := range n {
		jj := unravel(j, sizes)
		for _, w := range waves {
			arg := w.phi
			for a := range sizes {
				arg += 2 * math.Pi * float64(w.k[a]*jj[a]) / float64(sizes[a])
			}
			out[j] += w.a * math.Cos(arg)
		}
	}
	return out
}

func randWaves(seed uint64, d, maxFreq, count int) []wave {
	r := rand.New(rand.NewPCG(seed, 3))
	ws := make([]wave, count)
	for i := range ws {
		k := make([]int, d)
		for a := range k {
			k[a] = r.IntN(2*maxFreq+1) - maxFreq
		}
		ws[i] = wave{k, r.NormFloat64(), 2 * math.Pi * r.Float64()}
	}
	return ws
}

func maxAbsDiff(a, b []float64) float64 {
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

func TestResampleSpectralExact(t *testing.T) {
	for i, c := range []struct{ from, to []int }{
		{[]int{8}, []int{20}}, {[]int{9}, []int{16}}, {[]int{16}, []int{9}}, {[]int{20}, []int{7}},
		{[]int{6, 7}, []int{11, 10}}, {[]int{12, 10}, []int{7, 8}}, {[]int{8, 9}, []int{5, 16}},
		{[]int{4, 5, 6}, []int{7, 8, 5}}, {[]int{9, 8, 6}, []int{6, 5, 8}},
	} {
		d := len(c.from)
		// Band-limited to below both Nyquist frequencies: exact values.
		lim := 1 << 30
		for a := range d {
			lim = min(lim, (min(c.from[a], c.to[a])-1)/2)
		}
		ws := randWaves(uint64(i+1), d, lim, 5)
		x := FromFloat64s(Float64, bandLimited(ws, c.from...), append([]int{1}, c.from...)...)
		y := ResampleSpectral(x, c.to...)
		if !sameShape(y.shape, append([]int{1}, c.to...)) {
			t.Fatalf("%v → %v: shape %v", c.from, c.to, y.shape)
		}
		if e := maxAbsDiff(y.Float64s(), bandLimited(ws, c.to...)); e > 1e-12 {
			t.Errorf("%v → %v: band-limited signal off by %.3g", c.from, c.to, e)
		}
		// float32.
		y32 := ResampleSpectral(castTo(x, Float32), c.to...)
		if e := maxAbsDiff(y32.ToFloat64s(), bandLimited(ws, c.to...)); e > 1e-5 {
			t.Errorf("%v → %v float32: off by %.3g", c.from, c.to, e)
		}
	}
}

// TestResampleSpectralNyquist pins the Nyquist conventions: downsampling a
// signal band-limited to |f| ≤ s/2 (Nyquist content on the coarse grid
// included) gives its exact samples, and upsampling an even grid's
// (−1)^j component gives cos(π n t).
func TestResampleSpectralNyquist(t *testing.T) {
	for _, c := range []struct {
		from, to []int
		ws       []wave
	}{
		{[]int{16}, []int{8}, []wave{{[]int{4}, 1.3, 0.4}, {[]int{3}, 0.5, 1}}},
		{[]int{15}, []int{6}, []wave{{[]int{3}, 0.7, -0.3}, {[]int{-2}, 1, 2}}},
		{[]int{16, 12}, []int{8, 6}, []wave{{[]int{4, 1}, 1, 0.3}, {[]int{1, 3}, 0.6, 1.1}, {[]int{4, -3}, 0.8, 2}, {[]int{-2, 3}, 1, 0.5}}},
		{[]int{9, 10, 12}, []int{4, 6, 8}, []wave{{[]int{2, 3, 4}, 1, 0.3}, {[]int{-2, 1, 4}, 0.6, 1}, {[]int{1, -3, 2}, 0.9, 2}}},
	} {
		x := FromFloat64s(Float64, bandLimited(c.ws, c.from...), c.from...)
		if e := maxAbsDiff(ResampleSpectral(x, c.to...).Float64s(), bandLimited(c.ws, c.to...)); e > 1e-12 {
			t.Errorf("%v → %v with Nyquist content: off by %.3g", c.from, c.to, e)
		}
	}
	// Upsampling (−1)^j from 6 to 12 points gives cos(2π·3·t).
	x := FromFloat64s(Float64, []float64{1, -1, 1, -1, 1, -1}, 6)
	want := bandLimited([]wave{{[]int{3}, 1, 0}}, 12)
	if e := maxAbsDiff(ResampleSpectral(x, 12).Float64s(), want); e > 1e-14 {
		t.Errorf("upsampled Nyquist component off by %.3g", e)
	}
	// And 2-D, on a full axis and the last (half) axis: (−1)^(j+l) =
	// (−1)^j·(−1)^l becomes cos(2π·2x)·cos(2π·3y).
	x2 := FromFloat64s(Float64, bandLimited([]wave{{[]int{2, 3}, 1, 0}}, 4, 6), 4, 6)
	want2 := bandLimited([]wave{{[]int{2, 3}, 0.5, 0}, {[]int{2, -3}, 0.5, 0}}, 8, 9)
	if e := maxAbsDiff(ResampleSpectral(x2, 8, 9).Float64s(), want2); e > 1e-14 {
		t.Errorf("2-D upsampled Nyquist component off by %.3g", e)
	}
}

func TestResampleSpectralRoundTrip(t *testing.T) {
	for i, c := range []struct{ from, to []int }{
		{[]int{8}, []int{13}}, {[]int{8}, []int{16}}, {[]int{7}, []int{12}},
		{[]int{6, 5}, []int{10, 8}}, {[]int{4, 6}, []int{9, 7}},
		{[]int{4, 3, 6}, []int{6, 5, 8}},
	} {
		// Any signal, Nyquist content included: up then down is the identity.
		x := randT(uint64(200+i), append([]int{2}, c.from...)...)
		back := ResampleSpectral(ResampleSpectral(x, c.to...), c.from...)
		if e := maxAbsDiff(back.Float64s(), x.Float64s()); e > 1e-13 {
			t.Errorf("%v → %v → back: off by %.3g", c.from, c.to, e)
		}
	}
	x := randT(9, 3, 8)
	if ResampleSpectral(x, 8) != x {
		t.Error("ResampleSpectral to the same size should return its input")
	}
}

func TestResampleSpectralGradients(t *testing.T) {
	for i, c := range []struct{ from, to []int }{
		{[]int{8}, []int{11}}, {[]int{9}, []int{6}}, {[]int{10}, []int{4}}, {[]int{6}, []int{12}},
		{[]int{6, 5}, []int{4, 8}}, {[]int{5, 6}, []int{8, 4}},
		{[]int{4, 3, 4}, []int{2, 5, 6}},
	} {
		to := c.to
		check(t, fmt.Sprintf("ResampleSpectral %v→%v", c.from, c.to),
			func(xs []*Tensor) *Tensor { return ResampleSpectral(xs[0], to...) }, randT(uint64(220+i), append([]int{2}, c.from...)...))
	}
}

// fourierLayer is one FNO layer: tanh(SpectralConv(x) + W·x + b), with the
// pointwise linear map W [Co, Ci] over channels.
func fourierLayer(x, w, wl, bias *Tensor, modes []int) *Tensor {
	sizes := x.shape[2:]
	B, Ci := x.shape[0], x.shape[1]
	Co := wl.shape[0]
	spec := SpectralConv(x, w, modes, sizes)
	lin := MatMul(wl, Reshape(x, B, Ci, -1))
	bs := append([]int{Co}, make([]int, len(sizes))...)
	for a := range sizes {
		bs[1+a] = 1
	}
	return Tanh(Add(Add(spec, Reshape(lin, spec.shape...)), Reshape(bias, bs...)))
}

// TestDiscretizationInvariance evaluates a Fourier layer on a band-limited
// input sampled at 32 and at 64 points per axis: both sample the same
// output function.
func TestDiscretizationInvariance(t *testing.T) {
	for _, d := range []int{1, 2} {
		modes := []int{6, 6}[:d]
		B, Ci, Co := 2, 3, 4
		w := Scale(randC(31, append([]int{Ci, Co}, keptShape(modes)...)...), 0.2)
		wl := Scale(randT(32, Co, Ci), 0.5)
		bias := randT(33, Co)
		eval := func(n int) *Tensor {
			sizes := []int{n, n}[:d]
			var data []float64
			for b := range B {
				for c := range Ci {
					data = append(data, bandLimited(randWaves(uint64(100*b+c+1), d, 5, 4), sizes...)...)
				}
			}
			x := FromFloat64s(Float64, data, append([]int{B, Ci}, sizes...)...)
			return fourierLayer(x, w, wl, bias, modes)
		}
		y32, y64 := eval(32), eval(64)
		// Compare y64 on the even points with y32.
		maxe := 0.0
		for i := range y32.Numel() {
			idx := unravel(i, y32.shape)
			for a := 2; a < len(idx); a++ {
				idx[a] *= 2
			}
			maxe = math.Max(maxe, math.Abs(y32.at(i)-y64.At(idx...)))
		}
		if maxe > 1e-12 {
			t.Errorf("%d-D Fourier layer at 32 and 64 points differs by %.3g", d, maxe)
		}
		// Super-resolution: the spectral part evaluated from the 32-grid
		// onto the 64-grid equals the one computed on the 64-grid.
		sizes32, sizes64 := []int{32, 32}[:d], []int{64, 64}[:d]
		x32 := FromFloat64s(Float64, bandLimited(randWaves(7, d, 5, 4), sizes32...), append([]int{1, 1}, sizes32...)...)
		x64 := FromFloat64s(Float64, bandLimited(randWaves(7, d, 5, 4), sizes64...), append([]int{1, 1}, sizes64...)...)
		w1 := randC(8, append([]int{1, 2}, keptShape(modes)...)...)
		up := SpectralConv(x32, w1, modes, sizes64)
		fine := SpectralConv(x64, w1, modes, sizes64)
		if e := maxAbsDiff(up.Float64s(), fine.Float64s()); e > 1e-12 {
			t.Errorf("%d-D SpectralConv 32→64 differs from 64→64 by %.3g", d, e)
		}
		// …and equals ResampleSpectral of the 32→32 output.
		if e := maxAbsDiff(ResampleSpectral(SpectralConv(x32, w1, modes, sizes32), sizes64...).Float64s(), fine.Float64s()); e > 1e-12 {
			t.Errorf("%d-D ResampleSpectral(SpectralConv at 32) differs from SpectralConv at 64 by %.3g", d, e)
		}
	}
}

// A Fourier layer with one channel that doubles mode 1 and removes the
// others, applied to u(t) = 1 + cos(2πt) + cos(6πt) on 8 points and
// evaluated on 8 and on 16 points.
func ExampleSpectralConv() {
	u := make([]float64, 8)
	for j := range u {
		t := float64(j) / 8
		u[j] = 1 + math.Cos(2*math.Pi*t) + math.Cos(6*math.Pi*t)
	}
	x := FromFloat64s(Float64, u, 1, 1, 8) // [batch, channels, points]
	w := Zeros(Complex128, 1, 1, 2)        // [Ci, Co, modes]: modes 0 and 1
	w.Complex128s()[1] = 2
	y := SpectralConv(x, w, []int{2}, []int{8})
	fine := SpectralConv(x, w, []int{2}, []int{16})
	fmt.Println(round3(y.Float64s()))
	fmt.Println(round3(fine.Float64s()[:4]))
	// Output:
	// [2 1.414 0 -1.414 -2 -1.414 0 1.414]
	// [2 1.848 1.414 0.765]
}

// Band-limited interpolation of samples of cos(2πt) from 4 to 8 points.
func ExampleResampleSpectral() {
	x := FromFloat64s(Float64, []float64{1, 0, -1, 0}, 4)
	fmt.Println(round3(ResampleSpectral(x, 8).Float64s()))
	// Output:
	// [1 0.707 0 -0.707 -1 -0.707 0 0.707]
}

// round3 rounds to 3 decimals (and −0 to 0) for printing.
func round3(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = math.Round(x*1000)/1000 + 0
	}
	return out
}
