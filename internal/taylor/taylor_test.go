package taylor

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// testNet returns a network with widths that exercise every tile of the
// products (8-, 4- and 1-column remainders) and small random parameters.
func testNet(act Act, widths []int, seed uint64) Net {
	r := rand.New(rand.NewPCG(seed, 1))
	p := make([]float64, NumParams(widths))
	for i := range p {
		p[i] = 0.6 * r.NormFloat64()
	}
	return Net{Widths: widths, Params: p, Act: act}
}

// inputStreams returns Taylor input streams for n points of dimension in:
// the points, the unit vectors of the first len(first) axes, zeros.
func inputStreams(st Streams, first []int, n, in int, seed uint64) ([]float64, []float64) {
	r := rand.New(rand.NewPCG(seed, 2))
	x := make([]float64, n*in)
	for i := range x {
		x[i] = 2*r.Float64() - 1
	}
	s := make([]float64, st.K()*n*in)
	copy(s, x)
	for i, a := range first {
		for j := range n {
			s[(1+i)*n*in+j*in+a] = 1
		}
	}
	return s, x
}

// testConfigs are the networks and streams the tests run: one whose
// stream counts have one-pass tanh kernels (F = 2, P = 3) and one that
// takes the general activation loops (F = 4).
var testConfigs = []struct {
	widths, first []int
	st            Streams
}{
	{[]int{3, 13, 20, 9, 2}, []int{0, 2}, Streams{First: 2, Pairs: [][2]int{{0, 0}, {0, 1}, {1, 1}}}},
	{[]int{5, 12, 7, 1}, []int{0, 1, 3, 4}, Streams{First: 4, Pairs: [][2]int{{0, 0}, {1, 3}, {2, 2}, {3, 3}}}},
}

// The derivative streams of Forward are the derivatives of the value
// stream: central first and second differences of the network in x.
func TestForwardDerivatives(t *testing.T) {
	for _, c := range testConfigs {
		testWidths, testFirst, testSt := c.widths, c.first, c.st
		for _, act := range []Act{Tanh, Sin} {
			net := testNet(act, testWidths, 1)
			n, in, out := 5, testWidths[0], testWidths[len(testWidths)-1]
			s0, x := inputStreams(testSt, testFirst, n, in, 3)
			got := make([]float64, testSt.K()*n*out)
			Forward(net, testSt, s0, n, got, nil)
			value := func(x []float64) []float64 {
				v := make([]float64, n*out)
				Forward(net, Streams{}, x, n, v, nil)
				return v
			}
			h := 1e-4
			shift := func(a, b int, da, db float64) []float64 {
				y := append([]float64(nil), x...)
				for j := range n {
					y[j*in+a] += da
					y[j*in+b] += db
				}
				return value(y)
			}
			u := value(x)
			for e := range u {
				if math.Abs(u[e]-got[e]) > 1e-15*(1+math.Abs(u[e])) {
					t.Fatalf("act %d: value %d: %g vs %g", act, e, got[e], u[e])
				}
			}
			for i, a := range testFirst {
				h1 := 1e-5
				p, m := shift(a, a, h1, 0), shift(a, a, -h1, 0)
				for e := range u {
					fd := (p[e] - m[e]) / (2 * h1)
					if g := got[(1+i)*n*out+e]; math.Abs(g-fd) > 1e-8*(1+math.Abs(fd)) {
						t.Errorf("act %d: d/dx%d entry %d: %g, finite difference %g", act, a, e, g, fd)
					}
				}
			}
			for q, pr := range testSt.Pairs {
				a, b := testFirst[pr[0]], testFirst[pr[1]]
				pp, pm, mp, mm := shift(a, b, h, h), shift(a, b, h, -h), shift(a, b, -h, h), shift(a, b, -h, -h)
				if a == b {
					pp, pm, mp, mm = shift(a, a, 2*h, 0), u, u, shift(a, a, -2*h, 0)
				}
				for e := range u {
					fd := (pp[e] - pm[e] - mp[e] + mm[e]) / (4 * h * h)
					if g := got[(1+testSt.First+q)*n*out+e]; math.Abs(g-fd) > 1e-5*(1+math.Abs(fd)) {
						t.Errorf("act %d: d²/dx%d dx%d entry %d: %g, finite difference %g", act, a, b, e, g, fd)
					}
				}
			}
		}
	}
}

// Backward is the gradient of Σ g·Forward: central differences in random
// parameters and input-stream entries.
func TestBackwardGradient(t *testing.T) {
	for _, c := range testConfigs {
		testWidths, testFirst, testSt := c.widths, c.first, c.st
		for _, act := range []Act{Tanh, Sin} {
			net := testNet(act, testWidths, 4)
			n, in, out := 70, testWidths[0], testWidths[len(testWidths)-1]
			s0, _ := inputStreams(testSt, testFirst, n, in, 5)
			r := rand.New(rand.NewPCG(6, 0))
			g := make([]float64, testSt.K()*n*out)
			for i := range g {
				g[i] = r.NormFloat64()
			}
			loss := func(net Net, s0 []float64) float64 {
				o := make([]float64, len(g))
				Forward(net, testSt, s0, n, o, nil)
				l := 0.0
				for i, v := range o {
					l += g[i] * v
				}
				return l
			}
			gp := make([]float64, len(net.Params))
			gs := make([]float64, len(s0))
			Backward(net, testSt, s0, n, g, gp, gs, nil)
			h := 1e-6
			for range 40 {
				j := r.IntN(len(gp))
				p := append([]float64(nil), net.Params...)
				p[j] += h
				lp := loss(Net{Widths: net.Widths, Params: p, Act: act}, s0)
				p[j] -= 2 * h
				lm := loss(Net{Widths: net.Widths, Params: p, Act: act}, s0)
				if fd := (lp - lm) / (2 * h); math.Abs(fd-gp[j]) > 1e-6*(1+math.Abs(fd)) {
					t.Errorf("act %d: parameter %d: gradient %g, finite difference %g", act, j, gp[j], fd)
				}
				k := r.IntN(len(s0))
				s := append([]float64(nil), s0...)
				s[k] += h
				lp = loss(net, s)
				s[k] -= 2 * h
				lm = loss(net, s)
				if fd := (lp - lm) / (2 * h); math.Abs(fd-gs[k]) > 1e-6*(1+math.Abs(fd)) {
					t.Errorf("act %d: input stream entry %d: gradient %g, finite difference %g", act, k, gs[k], fd)
				}
			}
		}
	}
}

// The C kernels (each level this CPU runs) agree with the Go twin to
// rounding.
func TestLevelsAgree(t *testing.T) {
	levels := []int{levelGo}
	if level >= levelGeneric {
		levels = append(levels, levelGeneric)
	}
	if level >= levelAVX2 {
		levels = append(levels, levelAVX2)
	}
	for _, c := range testConfigs {
		testWidths, testFirst, testSt := c.widths, c.first, c.st
		for _, act := range []Act{Tanh, Sin} {
			net := testNet(act, testWidths, 7)
			n, in, out := 101, testWidths[0], testWidths[len(testWidths)-1]
			s0, _ := inputStreams(testSt, testFirst, n, in, 8)
			g := make([]float64, testSt.K()*n*out)
			r := rand.New(rand.NewPCG(9, 0))
			for i := range g {
				g[i] = r.NormFloat64()
			}
			type result struct{ out, gp, gs []float64 }
			var res []result
			for _, lv := range levels {
				o := make([]float64, len(g))
				forwardLevel(lv, net, testSt, s0, n, o, nil)
				gp, gs := make([]float64, len(net.Params)), make([]float64, len(s0))
				backwardLevel(lv, net, testSt, s0, n, g, gp, gs, nil)
				res = append(res, result{o, gp, gs})
				// with the values Forward saves, the same results bitwise
				saved := make([]float64, SavedLen(net, n))
				o2 := make([]float64, len(g))
				forwardLevel(lv, net, testSt, s0, n, o2, saved)
				gp2, gs2 := make([]float64, len(net.Params)), make([]float64, len(s0))
				backwardLevel(lv, net, testSt, s0, n, g, gp2, gs2, saved)
				for _, pr := range [][2][]float64{{o, o2}, {gp, gp2}, {gs, gs2}} {
					for i := range pr[0] {
						if math.Float64bits(pr[0][i]) != math.Float64bits(pr[1][i]) {
							t.Fatalf("level %d act %d: with saved values entry %d is %.17g, without %.17g", lv, act, i, pr[1][i], pr[0][i])
						}
					}
				}
			}
			cmp := func(what string, a, b []float64) {
				scale := 0.0
				for _, v := range a {
					scale = max(scale, math.Abs(v))
				}
				for i := range a {
					if math.Abs(a[i]-b[i]) > 1e-13*scale {
						t.Fatalf("act %d: %s %d: Go %.17g, C %.17g", act, what, i, a[i], b[i])
					}
				}
			}
			for _, r := range res[1:] {
				cmp("output", res[0].out, r.out)
				cmp("parameter gradient", res[0].gp, r.gp)
				cmp("input gradient", res[0].gs, r.gs)
			}
		}
	}
}

// Results are bitwise the same for any GOMAXPROCS.
func TestDeterministic(t *testing.T) {
	net := testNet(Tanh, []int{2, 20, 20, 1}, 10)
	st := Streams{First: 2, Pairs: [][2]int{{0, 0}}}
	n := 3001
	s0, _ := inputStreams(st, []int{0, 1}, n, 2, 11)
	g := make([]float64, st.K()*n)
	for i := range g {
		g[i] = math.Sin(float64(i))
	}
	grad := func(procs int) []float64 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		gp := make([]float64, len(net.Params))
		Backward(net, st, s0, n, g, gp, nil, nil)
		return gp
	}
	want := grad(1)
	for _, p := range []int{2, 3, 7} {
		got := grad(p)
		for i := range want {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("GOMAXPROCS %d: gradient %d is %.17g, with 1 it is %.17g", p, i, got[i], want[i])
			}
		}
	}
}

// tanh of the C kernels is within 2 ulp of math.Tanh's value over the
// range where it matters (checked through a one-unit network: out = tanh(a)).
func TestTanhAccuracy(t *testing.T) {
	net := Net{Widths: []int{1, 1, 1}, Params: []float64{1, 0, 1, 0}, Act: Tanh}
	var xs []float64
	for x := -25.0; x <= 25; x += 0.0009765625 * 3.3 {
		xs = append(xs, x, 1e-9*x, 0.625+1e-3*x)
	}
	xs = append(xs, 0, 0.625, -0.625, math.Nextafter(0.625, 0), 1e-300)
	out := make([]float64, len(xs))
	Forward(net, Streams{}, xs, len(xs), out, nil)
	for i, x := range xs {
		want := math.Tanh(x)
		ulp := math.Abs(math.Nextafter(want, math.Inf(1)) - want)
		if d := math.Abs(out[i] - want); d > 2*ulp || math.Signbit(out[i]) != math.Signbit(want) {
			t.Fatalf("tanh(%g) = %.17g, math.Tanh %.17g (%g ulp)", x, out[i], want, d/ulp)
		}
	}
}
