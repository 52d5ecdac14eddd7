package vmath

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// ulpErr returns |got − want| in units of the float32 ulp at want (the
// spacing of float32 values around the exact result).
func ulpErr(got float32, want float64) float64 {
	if math.IsNaN(want) {
		if math.IsNaN(float64(got)) {
			return 0
		}
		return math.Inf(1)
	}
	if math.IsInf(want, 0) || math.Abs(want) > math.MaxFloat32 {
		if float64(got) == math.Copysign(math.Inf(1), want) {
			return 0
		}
		return math.Inf(1)
	}
	w := float32(want)
	a := math.Abs(float64(w))
	var ulp float64
	if a < 0x1p-126 {
		ulp = 0x1p-149
	} else {
		ulp = float64(math.Nextafter32(float32(a), float32(math.Inf(1)))) - a
		// at a power of two the spacing below is half the spacing above
		if e := math.Abs(want); e < a {
			ulp = a - float64(math.Nextafter32(float32(a), 0))
		}
	}
	return math.Abs(float64(got)-want) / ulp
}

// edge values every kernel is checked on.
var edges = []float32{0, float32(math.Copysign(0, -1)), 1e-45, -1e-45, 1e-38, 1e-20, -1e-7, 0.5, 1, -1, 2, 3,
	math.Pi, -math.Pi, math.Pi / 2, 87, 88.7, 89, -87, -103, -104, -150, 1e4, -1e4, 1e5, 1e8, -1e8,
	0x1p27, 0x1p27 + 16, 1e9, -1e9, 1e20, 3e38, -3e38, math.MaxFloat32, -math.MaxFloat32,
	float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}

// samples returns n uniform draws from [-r, r], the edges, and for the
// trigonometric kernels the float32 values nearest to k·π/2 (the hardest
// cases of the range reduction) for |k·π/2| ≤ r.
func samples(n int, r float64, trig bool) []float32 {
	rng := rand.New(rand.NewPCG(1, 2))
	xs := append([]float32(nil), edges...)
	for range n {
		xs = append(xs, float32(r*(2*rng.Float64()-1)))
	}
	if trig {
		for k := 1.0; k*math.Pi/2 <= min(r, 1e4); k++ {
			v := float32(k * math.Pi / 2)
			xs = append(xs, v, -v, math.Nextafter32(v, 0), math.Nextafter32(v, 1e30))
		}
	}
	return xs
}

// The documented error bounds, in float32 ulps. Sin and cos evaluate in
// float32 with a two-part reduced argument: below 0.98 ulp over every
// float32 |x| ≤ 8192 (TestExhaustiveSinCos), and correctly rounded
// float64 results beyond. Exp, tanh and sigmoid evaluate in float64 and
// round once: correct rounding (0.5) plus a truncation error below 2⁻⁴¹
// relative (< 10⁻⁵ ulp).
const (
	sinBound = 0.98
	expBound = 0.50001
)

type kernel struct {
	name string
	f    func(dst, x []float32)
	ref  func(float64) float64
	r    float64 // sampling range
	trig bool
	max  float64 // documented bound on the error, in float32 ulps
}

var kernels = []kernel{
	{"Sin", Sin, math.Sin, 1e4, true, sinBound},
	{"Cos", Cos, math.Cos, 1e4, true, sinBound},
	{"Exp", Exp, math.Exp, 110, false, expBound},
	{"Tanh", Tanh, math.Tanh, 12, false, expBound},
	{"Sigmoid", Sigmoid, func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }, 110, false, expBound},
	{"GELU", GELU, refGELU, 16, false, geluBound},
}

// geluBound is GELU's error bound in float32 ulps (float32 evaluation:
// about 4.5 ulp from R(a) = erfcx(a/√2), the rest from e^r and the
// products; TestExhaustiveGELU measures 5.86 over every float32), and
// geluGradAbs the absolute error bound of GELU′ before a product with g
// (measured 1.87·10⁻⁷; GELU′ crosses zero near x = −0.75, where a
// relative bound means nothing).
const (
	geluBound   = 6
	geluGradAbs = 2e-7
)

// refGELU is x·Φ(x) in float64 from math.Erfc (no cancellation for x < 0).
func refGELU(x float64) float64 {
	if x < -40 {
		return math.Copysign(0, -1) // x·Φ(x) → −0 (and −∞·0 is NaN)
	}
	return x * 0.5 * math.Erfc(-x/math.Sqrt2)
}

// refGELUGrad is Φ(x) + x·φ(x).
func refGELUGrad(x float64) float64 {
	return 0.5*math.Erfc(-x/math.Sqrt2) + x*math.Exp(-x*x/2)/math.Sqrt(2*math.Pi)
}

// withLevel runs f with the kernel set l.
func withLevel(l int, f func()) {
	old := level
	level = l
	defer func() { level = old }()
	f()
}

func levels() []int {
	ls := []int{levelGo}
	for l := levelGo + 1; l <= bestLevel(); l++ {
		ls = append(ls, l)
	}
	return ls
}

// TestAccuracy checks every kernel on every available kernel set against
// the float64 function: the error is at most ~0.5 ulp (correct rounding
// but for the rare results within 2⁻³⁰ ulp of a rounding boundary).
func TestAccuracy(t *testing.T) {
	for _, k := range kernels {
		xs := samples(1<<18, k.r, k.trig)
		// dense: 2¹⁴ consecutive float32 values from each of a few
		// starting points, small and large
		for _, v := range []float32{0x1p-30, 0.01, 0.7, 1, 3, 50, float32(min(k.r, 9000))} {
			for range 1 << 14 {
				xs = append(xs, v, -v)
				v = math.Nextafter32(v, 2*v)
			}
		}
		for _, l := range levels() {
			got := make([]float32, len(xs))
			withLevel(l, func() { k.f(got, xs) })
			worst, at := 0.0, float32(0)
			for i, x := range xs {
				e := ulpErr(got[i], k.ref(float64(x)))
				if math.Abs(float64(x)) > k.r && !math.IsInf(float64(x), 0) && !math.IsNaN(float64(x)) {
					// outside the stated range: only finiteness and sanity
					if math.IsNaN(float64(got[i])) {
						t.Errorf("%s[%s](%g) = NaN", k.name, levelName(l), x)
					}
					continue
				}
				if e > worst || math.IsNaN(e) {
					worst, at = e, x
				}
			}
			t.Logf("%s [%s]: max error %.6f ulp at %g over %d points in |x| ≤ %g", k.name, levelName(l), worst, at, len(xs), k.r)
			if !(worst <= k.max) {
				t.Errorf("%s [%s]: error %.6f ulp at x=%g exceeds %g", k.name, levelName(l), worst, at, k.max)
			}
		}
	}
}

// TestEdges checks special values exactly.
func TestEdges(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	cases := []struct {
		name string
		f    func(dst, x []float32)
		x    float64
		want float64
	}{
		{"Sin", Sin, 0, 0}, {"Sin", Sin, math.Copysign(0, -1), math.Copysign(0, -1)}, {"Sin", Sin, inf, nan}, {"Sin", Sin, -inf, nan}, {"Sin", Sin, nan, nan},
		{"Cos", Cos, 0, 1}, {"Cos", Cos, inf, nan}, {"Cos", Cos, nan, nan},
		{"Exp", Exp, 0, 1}, {"Exp", Exp, inf, inf}, {"Exp", Exp, -inf, 0}, {"Exp", Exp, nan, nan}, {"Exp", Exp, 89, inf}, {"Exp", Exp, -110, 0},
		{"Tanh", Tanh, 0, 0}, {"Tanh", Tanh, math.Copysign(0, -1), math.Copysign(0, -1)}, {"Tanh", Tanh, inf, 1}, {"Tanh", Tanh, -inf, -1}, {"Tanh", Tanh, nan, nan}, {"Tanh", Tanh, 30, 1},
		{"Sigmoid", Sigmoid, 0, 0.5}, {"Sigmoid", Sigmoid, inf, 1}, {"Sigmoid", Sigmoid, -inf, 0}, {"Sigmoid", Sigmoid, nan, nan}, {"Sigmoid", Sigmoid, -200, 0},
		{"GELU", GELU, 0, 0}, {"GELU", GELU, math.Copysign(0, -1), math.Copysign(0, -1)}, {"GELU", GELU, inf, inf}, {"GELU", GELU, -inf, math.Copysign(0, -1)},
		{"GELU", GELU, nan, nan}, {"GELU", GELU, -20, math.Copysign(0, -1)}, {"GELU", GELU, 20, 20}, {"GELU", GELU, 3e38, float64(float32(3e38))},
		{"GELUGrad", func(d, x []float32) { GELUGrad(d, x, nil) }, 0, 0.5}, {"GELUGrad", func(d, x []float32) { GELUGrad(d, x, nil) }, inf, 1},
		{"GELUGrad", func(d, x []float32) { GELUGrad(d, x, nil) }, -inf, math.Copysign(0, -1)}, {"GELUGrad", func(d, x []float32) { GELUGrad(d, x, nil) }, nan, nan},
	}
	for _, l := range levels() {
		for _, c := range cases {
			var got [1]float32
			withLevel(l, func() { c.f(got[:], []float32{float32(c.x)}) })
			g := float64(got[0])
			ok := g == c.want && math.Signbit(g) == math.Signbit(c.want)
			if math.IsNaN(c.want) {
				ok = math.IsNaN(g)
			}
			if !ok {
				t.Errorf("%s[%s](%g) = %g, want %g", c.name, levelName(l), c.x, g, c.want)
			}
		}
	}
}

// TestSinQ checks a·g·sin(w·x + q·π/2) against float64 math, including
// arguments w·x beyond the fast path's range.
func TestSinQ(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n := 1 << 14
	x := make([]float32, n)
	g := make([]float32, n)
	for i := range x {
		x[i] = float32(20 * (2*rng.Float64() - 1))
		g[i] = float32(2*rng.Float64() - 1)
	}
	x[0], x[1], x[2], x[3] = 1e30, float32(math.Inf(1)), 8192.0/30*1.001, 8192.0/30*0.999
	for _, l := range levels() {
		for q := -1; q <= 4; q++ {
			for _, withG := range []bool{false, true} {
				w, a := float32(30), -1.5
				gg := g
				if !withG {
					gg = nil
				}
				got := make([]float32, n)
				withLevel(l, func() { SinQ(got, x, gg, w, a, q) })
				worst := 0.0
				for i := range x {
					y := float64(w * x[i]) // the argument is rounded to float32
					var v float64
					switch q & 3 {
					case 0:
						v = math.Sin(y)
					case 1:
						v = math.Cos(y)
					case 2:
						v = -math.Sin(y)
					case 3:
						v = -math.Cos(y)
					}
					f := a
					if withG {
						f *= float64(g[i])
					}
					worst = max(worst, ulpErr(got[i], f*v))
				}
				bound := sinBound + 0.5 // the product a·g·sin is rounded once more
				if !withG && a == 1 {
					bound = sinBound
				}
				if !(worst <= bound) {
					t.Errorf("SinQ[%s] q=%d g=%v: error %.6f ulp", levelName(l), q, withG, worst)
				}
			}
		}
	}
}

// TestBitwise checks that every kernel set gives the same bits as the
// pure-Go kernels (so results do not depend on the CPU or build tags),
// including in place (dst = x) and across block boundaries.
func TestBitwise(t *testing.T) {
	xs := samples(1<<16, 200, false)
	xs = append(xs, samples(1<<12, 2e9, true)...)
	g := samples(len(xs)-len(edges), 3, false)
	check := func(name string, f func(dst, x []float32)) {
		want := make([]float32, len(xs))
		withLevel(levelGo, func() { f(want, xs) })
		for _, l := range levels()[1:] {
			got := make([]float32, len(xs))
			withLevel(l, func() { f(got, xs) })
			inplace := append([]float32(nil), xs...)
			withLevel(l, func() { f(inplace, inplace) })
			for i := range xs {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) && !(got[i] != got[i] && want[i] != want[i]) {
					t.Errorf("%s[%s](%g) = %g (%#x), Go gives %g (%#x)", name, levelName(l), xs[i], got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
					return
				}
				if math.Float32bits(inplace[i]) != math.Float32bits(got[i]) && !(got[i] != got[i]) {
					t.Errorf("%s[%s] in place differs at x=%g", name, levelName(l), xs[i])
					return
				}
			}
		}
	}
	check("Sin", Sin)
	check("Cos", Cos)
	check("Exp", Exp)
	check("Tanh", Tanh)
	check("Sigmoid", Sigmoid)
	check("SinQ", func(dst, x []float32) { SinQ(dst, x, g, 30, 0.25, 3) })
	check("SinCos/sin", func(dst, x []float32) { SinCos(dst, make([]float32, len(dst)), x, 30) })
	check("SinCos/cos", func(dst, x []float32) { SinCos(make([]float32, len(dst)), dst, x, 30) })
	check("MulColSum", func(dst, x []float32) { MulColSum(dst, g[:len(dst)], x, 1, 0.3, make([]float64, 1)) })
	check("Add", func(dst, x []float32) { Add(dst, x, g[:len(dst)]) })
	check("AddScalar", func(dst, x []float32) { AddScalar(dst, x, 0.3) })
	check("Sub", func(dst, x []float32) { Sub(dst, x, g[:len(dst)]) })
	check("Neg", Neg)
	check("Mul", func(dst, x []float32) { Mul(dst, x, g[:len(dst)]) })
	check("MulScalar", func(dst, x []float32) { MulScalar(dst, x, -1.7) })
	check("GELU", GELU)
	check("GELUGrad", func(dst, x []float32) { GELUGrad(dst, x, nil) })
	check("GELUGrad/g", func(dst, x []float32) { GELUGrad(dst, x, g) })
	check("GELUAndGrad/y", func(dst, x []float32) { GELUAndGrad(dst, make([]float32, len(dst)), x) })
	check("GELUAndGrad/d", func(dst, x []float32) { GELUAndGrad(make([]float32, len(dst)), dst, x) })
	// and the same bits as the separate kernels
	y1, d1, y2, d2 := make([]float32, len(xs)), make([]float32, len(xs)), make([]float32, len(xs)), make([]float32, len(xs))
	GELUAndGrad(y1, d1, xs)
	GELU(y2, xs)
	GELUGrad(d2, xs, nil)
	for i := range xs {
		if math.Float32bits(y1[i]) != math.Float32bits(y2[i]) && y1[i] == y1[i] || math.Float32bits(d1[i]) != math.Float32bits(d2[i]) && d1[i] == d1[i] {
			t.Fatalf("GELUAndGrad(%g) = %g, %g; GELU, GELUGrad give %g, %g", xs[i], y1[i], d1[i], y2[i], d2[i])
		}
	}
}

// TestGELUGrad checks g·(Φ + x·φ) against float64 math: within
// geluGradAbs·|g| plus half an ulp of the result (the rounding of the
// product with g).
func TestGELUGrad(t *testing.T) {
	xs := samples(1<<17, 18, false)
	for _, v := range []float32{-0.7517916, 1e-3, 0.7, 3} { // dense runs, the root among them
		for range 1 << 12 {
			xs = append(xs, v, -v)
			v = math.Nextafter32(v, 2*v)
		}
	}
	g := samples(len(xs)-len(edges), 2, false)
	for _, l := range levels() {
		for _, gg := range [][]float32{nil, g} {
			got := make([]float32, len(xs))
			withLevel(l, func() { GELUGrad(got, xs, gg) })
			worst := 0.0
			for i, x := range xs {
				want := refGELUGrad(float64(x))
				if gg != nil {
					want *= float64(gg[i])
				}
				if math.IsNaN(want) || math.IsInf(float64(x), 0) || math.IsNaN(float64(x)) || (gg != nil && math.IsInf(float64(gg[i]), 0)) {
					continue
				}
				scale := 1.0
				if gg != nil {
					scale = math.Abs(float64(gg[i]))
				}
				ae := math.Abs(float64(got[i]) - want)
				half := 0.0
				if gg != nil {
					half = ae / max(ulpErr(got[i], want), 1e-300) * 0.5 // half an ulp of the result
					if ae == 0 {
						half = 0
					}
				}
				e := (ae - half) / scale
				if e > worst {
					worst = e
				}
				if e > geluGradAbs {
					t.Fatalf("GELUGrad[%s](%g, g=%v) = %g, want %g (error %.3g)", levelName(l), x, gg != nil, got[i], want, ae)
				}
			}
			t.Logf("GELUGrad [%s] g=%v: max absolute error %.3g (per unit g, beyond the rounding of the product)", levelName(l), gg != nil, worst)
		}
	}
}

func TestLengthPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Sin with a short input did not panic")
		}
	}()
	Sin(make([]float32, 4), make([]float32, 3))
}

// TestSinCos checks that SinCos gives exactly the bits of SinQ with q = 0
// and q = 1 (which TestAccuracy and TestSinQ check against float64 math),
// on every kernel set, fast and slow paths, with inputs and outputs at
// different alignments and lengths that are not multiples of the vector
// width (the AVX2 kernel has a vector loop and a tail).
func TestSinCos(t *testing.T) {
	xs := samples(1<<14, 400, true)
	for _, l := range levels() {
		for k, w := range []float32{1, 30, -2.5} {
			ws, wc := make([]float32, len(xs)), make([]float32, len(xs))
			withLevel(l, func() {
				SinQ(ws, xs, nil, w, 1, 0)
				SinQ(wc, xs, nil, w, 1, 1)
			})
			off := k // output offset in floats
			n := len(xs) - 2*k - 1
			sb, cb := make([]float32, n+off+3), make([]float32, n+off+3)
			s, c := sb[off:off+n], cb[off:off+n]
			withLevel(l, func() { SinCos(s, c, xs[k:], w) })
			for i := range s {
				if !sameBits(s[i], ws[k+i]) || !sameBits(c[i], wc[k+i]) {
					t.Fatalf("SinCos[%s](w=%g, %g) = (%g, %g), SinQ gives (%g, %g)", levelName(l), w, xs[k+i], s[i], c[i], ws[k+i], wc[k+i])
				}
			}
			for i := range sb {
				if (i < off || i >= off+n) && (sb[i] != 0 || cb[i] != 0) {
					t.Fatalf("SinCos[%s] wrote outside its output at %d", levelName(l), i-off)
				}
			}
		}
	}
}

func sameBits(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b)
}

// TestMulColSum checks the product and the column sums against a direct
// float64 computation, with and without an accumulator.
func TestMulColSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	rows, cols := 37, 19
	g := make([]float32, rows*cols)
	c := make([]float32, rows*cols)
	for i := range g {
		g[i] = float32(rng.NormFloat64())
		c[i] = float32(2*rng.Float64() - 1)
	}
	for _, l := range levels() {
		dst := make([]float32, len(g))
		acc := make([]float64, cols)
		acc[3] = 1.5 // adds to what is there
		acc2 := make([]float64, cols)
		dst2 := make([]float32, len(g))
		withLevel(l, func() {
			MulColSum(dst, g, c, cols, 30, acc)
			MulColSum(dst2, g, c, cols, 30, nil)
			ColSum(acc2, dst, cols)
		})
		want := make([]float64, cols)
		want[3] = 1.5
		for r := range rows {
			for j := range cols {
				i := r*cols + j
				v := float32(30 * float64(g[i]) * float64(c[i]))
				if dst[i] != v || dst2[i] != v {
					t.Fatalf("MulColSum[%s][%d] = %g / %g, want %g", levelName(l), i, dst[i], dst2[i], v)
				}
				want[j] += float64(v)
			}
		}
		for j := range cols {
			if acc[j] != want[j] || acc2[j]+map[bool]float64{true: 1.5}[j == 3] != want[j] {
				t.Fatalf("column sums[%s][%d] = %v, %v, want %v", levelName(l), j, acc[j], acc2[j], want[j])
			}
		}
	}
	for name, f := range map[string]func(){
		"ragged":    func() { MulColSum(make([]float32, 10), make([]float32, 10), make([]float32, 10), 3, 1, nil) },
		"short acc": func() { ColSum(make([]float64, 2), make([]float32, 9), 3) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// TestFMA32 checks fma32, the fused multiply-add of the Go and generic
// sine kernels, against a·b + c computed exactly (math/big) and rounded
// once to float32: on random operands of mixed magnitudes and signs, on
// sums that cancel, and on sums within 2⁻³⁶ ulp of a float32 midpoint —
// where rounding to float64 first and then to float32 goes wrong (half
// of those draws fail without the round-to-odd step).
func TestFMA32(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	draw := func() float32 {
		m := float32(rng.Float64()*2 - 1)
		return m * float32(math.Ldexp(1, rng.IntN(60)-30))
	}
	exact := func(a, b, c float32) float32 {
		p := new(big.Float).SetPrec(200).SetFloat64(float64(a))
		p.Mul(p, new(big.Float).SetFloat64(float64(b)))
		p.Add(p, new(big.Float).SetFloat64(float64(c)))
		f, _ := p.Float32()
		return f
	}
	for i := range 1 << 18 {
		a, b, c := draw(), draw(), draw()
		switch i % 3 {
		case 1:
			// c near −a·b: the exact sum has many more bits than float32
			c = -float32(float64(a)*float64(b)) + float32(math.Ldexp(float64(draw()), -24))
		case 2:
			// a·b = ±(u/2)·(1 − 2⁻³⁶), u the spacing above |c|: c + a·b
			// lies just inside a midpoint, which float64 cannot resolve
			u := float64(math.Nextafter32(float32(math.Abs(float64(c))), float32(math.Inf(1)))) - math.Abs(float64(c))
			a = float32(u / 2 * (1 + 0x1p-18))
			b = float32(1 - 0x1p-18)
			if rng.IntN(2) == 0 {
				a = -a
			}
		}
		if got, want := fma32(a, b, c), exact(a, b, c); math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("fma32(%g, %g, %g) = %g, want %g", a, b, c, got, want)
		}
	}
}

// TestSum checks Sum against its definition (sixteen partial sums over
// the residues mod 16, folded in halves, then the tail) for every length
// up to 80 and a long one, on every kernel level, and its error against
// an exact sum.
func TestSum(t *testing.T) {
	var xs []float32
	for _, v := range samples(1<<16+13, 1e3, false) {
		if !math.IsInf(float64(v), 0) && v == v {
			xs = append(xs, v)
		}
	}
	ref := func(x []float32) float64 {
		var s [16]float64
		n := len(x) / 16 * 16
		for i := range n {
			s[i%16] += float64(x[i])
		}
		for _, w := range []int{8, 4, 2, 1} {
			for l := range w {
				s[l] += s[l+w]
			}
		}
		r := s[0]
		for _, v := range x[n:] {
			r += float64(v)
		}
		return r
	}
	lengths := []int{len(xs)}
	for n := range 81 {
		lengths = append(lengths, n)
	}
	for _, l := range levels() {
		for _, n := range lengths {
			var got float64
			withLevel(l, func() { got = Sum(xs[:n]) })
			if want := ref(xs[:n]); math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("Sum[%s] of %d elements = %v, want %v", levelName(l), n, got, want)
			}
		}
	}
	var exact, abs big.Float
	exact.SetPrec(2000)
	for _, v := range xs {
		exact.Add(&exact, big.NewFloat(float64(v)))
		abs.Add(&abs, big.NewFloat(math.Abs(float64(v))))
	}
	e, _ := exact.Float64()
	a, _ := abs.Float64()
	if d := math.Abs(Sum(xs) - e); d > 1e-12*a {
		t.Errorf("Sum error %g, Σ|x| = %g", d, a)
	}
}

// TestStridedRows checks GatherRows and ScatterAddRows against their
// definitions on every kernel level, for steps 1–3 and row lengths around
// the vector widths, and that nothing outside the positions they own is
// read into or written (guard values in the gaps and past the end).
func TestStridedRows(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, l := range levels() {
		for _, step := range []int{1, 2, 3} {
			for _, n := range []int{1, 5, 15, 16, 17, 31, 32, 33, 43, 85} {
				rows := 1 + r.IntN(5)
				ss, ds := (n-1)*step+1+r.IntN(4), n+r.IntN(4) // gather: strided source
				src := make([]float32, (rows-1)*ss+(n-1)*step+1+7)
				for i := range src {
					src[i] = r.Float32()
				}
				dst := make([]float32, (rows-1)*ds+n+7)
				for i := range dst {
					dst[i] = -1
				}
				withLevel(l, func() { GatherRows(dst, src, rows, n, ds, ss, step) })
				owned := map[int]bool{}
				for i := range rows {
					for j := range n {
						owned[i*ds+j] = true
						if got, want := dst[i*ds+j], src[i*ss+j*step]; got != want {
							t.Fatalf("GatherRows[%s] step %d n %d: d[%d, %d] = %v, want %v", levelName(l), step, n, i, j, got, want)
						}
					}
				}
				for i, v := range dst {
					if !owned[i] && v != -1 {
						t.Fatalf("GatherRows[%s] step %d n %d wrote d[%d]", levelName(l), step, n, i)
					}
				}
				// The adjoint: the strided side is the destination now.
				big := make([]float32, len(src))
				want := make([]float32, len(src))
				for i := range big {
					big[i] = float32(i%5) - 2
					want[i] = big[i]
				}
				small := dst[:(rows-1)*ds+n]
				for i := range rows {
					for j := range n {
						want[i*ss+j*step] += small[i*ds+j]
					}
				}
				withLevel(l, func() { ScatterAddRows(big, small, rows, n, ss, ds, step) })
				for i := range big {
					if math.Float32bits(big[i]) != math.Float32bits(want[i]) {
						t.Fatalf("ScatterAddRows[%s] step %d n %d rows %d: d[%d] = %v, want %v", levelName(l), step, n, rows, i, big[i], want[i])
					}
				}
			}
		}
	}
}
