package nn

import (
	"math"
	"testing"

	"github.com/sciml-go/sciml/tensor"
)

func vals(shape []int, v ...float64) *tensor.Tensor {
	return tensor.FromFloat64s(tensor.Float64, v, shape...)
}

func TestMSE(t *testing.T) {
	got := MSE(vals([]int{1, 3}, 1, 2, 3), vals([]int{1, 3}, 0, 2, 5)).Item()
	closeTo(t, "MSE", []float64{got}, []float64{5.0 / 3}, 1e-15)
	gradCheck(t, "MSE", func(xs []*tensor.Tensor) *tensor.Tensor { return MSE(xs[0], xs[1]) }, randT(1, 2, 3), randT(2, 2, 3))
	mustPanic(t, "shape mismatch", func() { MSE(randT(1, 4, 1), randT(1, 4)) })
	var l Loss = LossFunc(MSE)
	if l.Loss(vals([]int{1, 1}, 2), vals([]int{1, 1}, 0)).Item() != 4 {
		t.Error("LossFunc")
	}
}

func TestRelLpAndLp(t *testing.T) {
	pred := vals([]int{2, 2}, 1, 2, 0, 0)
	target := vals([]int{2, 2}, 1, 1, 3, 4)
	per := RelLp{Reduction: ReduceNone}.Loss(pred, target).Float64s()
	closeTo(t, "RelL2 per sample", per, []float64{1 / math.Sqrt2, 1}, 1e-15)
	closeTo(t, "RelL2 mean", []float64{RelLp{}.Loss(pred, target).Item()}, []float64{(1/math.Sqrt2 + 1) / 2}, 1e-15)
	closeTo(t, "RelL2 sum", []float64{RelLp{Reduction: ReduceSum}.Loss(pred, target).Item()}, []float64{1/math.Sqrt2 + 1}, 1e-15)
	closeTo(t, "RelL1", RelLp{P: 1, Reduction: ReduceNone}.Loss(pred, target).Float64s(), []float64{0.5, 1}, 1e-15)
	closeTo(t, "RelL3", RelLp{P: 3, Reduction: ReduceNone}.Loss(pred, target).Float64s(), []float64{math.Pow(0.5, 1.0/3), 1}, 1e-14)
	closeTo(t, "L2", Lp{Reduction: ReduceNone}.Loss(pred, target).Float64s(), []float64{1, 5}, 1e-15)
	// Channels and two spatial axes: the norm runs over all of them.
	p3, y3 := randT(3, 2, 3, 4, 5), randT(4, 2, 3, 4, 5)
	want := make([]float64, 2)
	for b := range 2 {
		var num, den float64
		for i := range 60 {
			d := p3.Float64s()[b*60+i] - y3.Float64s()[b*60+i]
			num += d * d
			den += y3.Float64s()[b*60+i] * y3.Float64s()[b*60+i]
		}
		want[b] = math.Sqrt(num / den)
	}
	closeTo(t, "RelL2 [B,C,H,W]", RelLp{Reduction: ReduceNone}.Loss(p3, y3).Float64s(), want, 1e-14)
	// Quadrature on a periodic grid: uniform weights cancel in RelLp, and
	// scale Lp by √h.
	g := &Grid{Lengths: []float64{2}, Periodic: true}
	closeTo(t, "RelL2 periodic grid", RelLp{Grid: g, Reduction: ReduceNone}.Loss(pred, target).Float64s(), per, 1e-15)
	closeTo(t, "L2 periodic grid", Lp{Grid: g, Reduction: ReduceNone}.Loss(pred, target).Float64s(), []float64{1, 5}, 1e-15)
	closeTo(t, "L2 periodic grid of length 8", Lp{Grid: &Grid{Lengths: []float64{8}, Periodic: true}, Reduction: ReduceNone}.Loss(pred, target).Float64s(), []float64{2, 10}, 1e-15)
	// Trapezoid on 3 points of [0,1]: weights ¼, ½, ¼.
	p1, y1 := vals([]int{1, 3}, 1, 2, 3), vals([]int{1, 3}, 0, 0, 1)
	tg := &Grid{}
	closeTo(t, "RelL2 trapezoid", []float64{RelLp{Grid: tg}.Loss(p1, y1).Item()}, []float64{math.Sqrt((0.25 + 2 + 1) / 0.25)}, 1e-15)
	for _, l := range []Loss{RelLp{}, RelLp{P: 1.5, Grid: tg}, Lp{Grid: tg}, Lp{P: 3}} {
		gradCheck(t, "RelLp/Lp", func(xs []*tensor.Tensor) *tensor.Tensor { return l.Loss(xs[0], xs[1]) }, randT(5, 3, 4), randT(6, 3, 4))
	}
	mustPanic(t, "p < 1", func() { RelLp{P: 0.5}.Loss(pred, target) })
	mustPanic(t, "no spatial axis", func() { RelLp{}.Loss(randT(1, 3), randT(2, 3)) })
}

func TestGridWeights(t *testing.T) {
	closeTo(t, "trapezoid", Grid{Lengths: []float64{1}}.Weights(tensor.Float64, 3).Float64s(), []float64{0.25, 0.5, 0.25}, 1e-16)
	closeTo(t, "periodic", Grid{Lengths: []float64{2}, Periodic: true}.Weights(tensor.Float64, 4).Float64s(), []float64{0.5, 0.5, 0.5, 0.5}, 1e-16)
	w := Grid{Lengths: []float64{2, 3}}.Weights(tensor.Float64, 3, 4)
	// h = (1, 1): rows (½,1,½) ⊗ (½,1,1,½).
	closeTo(t, "2-D trapezoid", w.Float64s(), []float64{0.25, 0.5, 0.5, 0.25, 0.5, 1, 1, 0.5, 0.25, 0.5, 0.5, 0.25}, 1e-16)
	if err := (Grid{Lengths: []float64{1, 0}}).Validate(); err == nil {
		t.Error("zero length accepted")
	}
}

func TestWeightedMSE(t *testing.T) {
	p, y := vals([]int{1, 3}, 1, 2, 3), vals([]int{1, 3}, 0, 0, 0)
	closeTo(t, "WeightedMSE trapezoid", []float64{WeightedMSE{}.Loss(p, y).Item()}, []float64{0.25 + 2 + 2.25}, 1e-15)
	// On a periodic grid it is MSE.
	a, b := randT(1, 2, 3, 8, 4), randT(2, 2, 3, 8, 4)
	l := WeightedMSE{Grid: Grid{Lengths: []float64{3, 0.5}, Periodic: true}}
	closeTo(t, "WeightedMSE periodic", []float64{l.Loss(a, b).Item()}, []float64{MSE(a, b).Item()}, 1e-14)
	gradCheck(t, "WeightedMSE", func(xs []*tensor.Tensor) *tensor.Tensor {
		return WeightedMSE{Grid: Grid{Lengths: []float64{2}}}.Loss(xs[0], xs[1])
	}, randT(3, 2, 5), randT(4, 2, 5))
}

// sample evaluates f at the grid points of [0,lx]×[0,ly] (n×n; endpoint
// excluded when periodic) as a [1, n, n] tensor.
func sample(f func(x, y float64) float64, n int, lx, ly float64, periodic bool) *tensor.Tensor {
	hx, hy := spacing(n, lx, periodic), spacing(n, ly, periodic)
	v := make([]float64, n*n)
	for i := range n {
		for j := range n {
			v[i*n+j] = f(float64(i)*hx, float64(j)*hy)
		}
	}
	return tensor.FromFloat64s(tensor.Float64, v, 1, n, n)
}

func TestDerivative(t *testing.T) {
	// Spectral derivatives of a band-limited function are exact, along
	// either axis.
	f := func(x, y float64) float64 { return math.Sin(2*math.Pi*x/2) * math.Cos(4*math.Pi*y) }
	fx := func(x, y float64) float64 { return math.Pi * math.Cos(math.Pi*x) * math.Cos(4*math.Pi*y) }
	fy := func(x, y float64) float64 { return -4 * math.Pi * math.Sin(math.Pi*x) * math.Sin(4*math.Pi*y) }
	for _, n := range []int{16, 17} {
		u := sample(f, n, 2, 1, true)
		closeTo(t, "spectral ∂x", derivative(u, 1, 2, true, DerivSpectral).Float64s(), sample(fx, n, 2, 1, true).Float64s(), 1e-12)
		closeTo(t, "spectral ∂y", derivative(u, 2, 1, true, DerivSpectral).Float64s(), sample(fy, n, 2, 1, true).Float64s(), 1e-12)
	}
	// float32 follows float64.
	u := sample(f, 16, 2, 1, true)
	u32 := tensor.FromFloat64s(tensor.Float32, u.Float64s(), u.Shape()...)
	closeTo(t, "spectral float32", derivative(u32, 2, 1, true, DerivAuto).ToFloat64s(), sample(fy, 16, 2, 1, true).Float64s(), 1e-5)
	// Finite differences are exact for quadratics, ends included.
	q := vals([]int{1, 5}, 0, 1, 4, 9, 16) // x² at x = 0…4 (L = 4)
	closeTo(t, "FD of x²", derivative(q, 1, 4, false, DerivFD).Float64s(), []float64{0, 2, 4, 6, 8}, 1e-14)
	closeTo(t, "FD n = 2", derivative(vals([]int{1, 2}, 1, 3), 1, 1, false, DerivFD).Float64s(), []float64{2, 2}, 1e-15)
	closeTo(t, "periodic FD", derivative(vals([]int{1, 4}, 1, 2, 5, 3), 1, 2, true, DerivFD).Float64s(), []float64{-1, 4, 1, -4}, 1e-15)
	// Gradients (the adjoints) and second derivatives.
	for _, c := range []struct {
		name     string
		periodic bool
		m        Deriv
		n        int
	}{{"spectral even", true, DerivSpectral, 8}, {"spectral odd", true, DerivSpectral, 7}, {"periodic FD", true, DerivFD, 6}, {"FD", false, DerivFD, 6}, {"FD n=3", false, DerivFD, 3}, {"FD n=2", false, DerivFD, 2}} {
		gradCheck(t, c.name, func(xs []*tensor.Tensor) *tensor.Tensor { return derivative(xs[0], 1, 1.5, c.periodic, c.m) }, randT(1, 2, c.n, 3))
		gradGradCheck(t, c.name, func(xs []*tensor.Tensor) *tensor.Tensor {
			return tensor.Square(derivative(xs[0], -1, 1.5, c.periodic, c.m))
		}, randT(2, 2, c.n))
	}
	mustPanic(t, "spectral on a non-periodic grid", func() { derivative(q, 1, 1, false, DerivSpectral) })
}

func TestH1(t *testing.T) {
	// ‖sin(2πkx)‖²_H¹ on the periodic [0,1) = ½ + ½(2πk)²; spectral
	// derivatives and the rectangle rule make it exact at any resolution.
	for _, n := range []int{16, 64} {
		for _, k := range []float64{1, 3} {
			u := make([]float64, n)
			for j := range u {
				u[j] = math.Sin(2 * math.Pi * k * float64(j) / float64(n))
			}
			x := tensor.FromFloat64s(tensor.Float64, u, 1, n)
			got := H1{Grid: Grid{Periodic: true}, Absolute: true}.Loss(x, tensor.ZerosLike(x)).Item()
			closeTo(t, "H1 of sin", []float64{got}, []float64{math.Sqrt(0.5 + 0.5*4*math.Pi*math.Pi*k*k)}, 1e-12)
		}
	}
	// e = x² on [0,1]: ‖e‖²_H¹ = 1/5 + 4/3; FD derivatives are exact and
	// the trapezoidal rule converges as h².
	n := 1001
	e := make([]float64, n)
	for j := range e {
		x := float64(j) / float64(n-1)
		e[j] = x * x
	}
	x := tensor.FromFloat64s(tensor.Float64, e, 1, n)
	got := H1{Absolute: true}.Loss(x, tensor.ZerosLike(x)).Item()
	closeTo(t, "H1 of x²", []float64{got}, []float64{math.Sqrt(1.0/5 + 4.0/3)}, 1e-6)

	// A hand computation on a tiny periodic grid with FD derivatives:
	// L = 1, n = 4, h = ¼, weights ¼.
	p, y := vals([]int{1, 4}, 1, 0, 0, 0), vals([]int{1, 4}, 0, 1, 0, 1)
	ev, yv := []float64{1, -1, 0, -1}, []float64{0, 1, 0, 1}
	d := func(v []float64) []float64 { // (v_{j+1} − v_{j−1})/(2h)
		out := make([]float64, 4)
		for j := range 4 {
			out[j] = (v[(j+1)%4] - v[(j+3)%4]) * 2
		}
		return out
	}
	norm2 := func(v []float64) float64 {
		s := 0.0
		for j, dv := range d(v) {
			s += 0.25 * (v[j]*v[j] + dv*dv)
		}
		return s
	}
	want := math.Sqrt(norm2(ev) / norm2(yv))
	closeTo(t, "H1 relative, periodic FD", []float64{H1{Grid: Grid{Periodic: true}, Method: DerivFD}.Loss(p, y).Item()}, []float64{want}, 1e-14)

	// Gradients, batched, with a channel axis and two spatial axes.
	for _, l := range []H1{
		{Grid: Grid{Lengths: []float64{1, 2}, Periodic: true}},
		{Grid: Grid{Lengths: []float64{1, 2}}},
		{Grid: Grid{Lengths: []float64{2, 1}, Periodic: true}, Method: DerivFD, Absolute: true, Reduction: ReduceSum},
	} {
		gradCheck(t, "H1", func(xs []*tensor.Tensor) *tensor.Tensor { return l.Loss(xs[0], xs[1]) }, randT(3, 2, 2, 4, 5), randT(4, 2, 2, 4, 5))
	}
	if err := (H1{Method: DerivSpectral}).Validate(); err == nil {
		t.Error("spectral H1 on a non-periodic grid validated")
	}
	mustPanic(t, "spectral H1 on a non-periodic grid", func() { H1{Method: DerivSpectral}.Loss(p, y) })
}

// TestResolutionInvariance evaluates the integrating losses on the same
// smooth functions at two resolutions: they must agree.
func TestResolutionInvariance(t *testing.T) {
	const lx, ly = 2.0, 1.0
	// Non-periodic: trapezoid weights and FD derivatives converge as h².
	yf := func(x, y float64) float64 { return math.Exp(0.5*x)*math.Sin(math.Pi*y) + x*y }
	pf := func(x, y float64) float64 { return yf(x, y) + 0.2*math.Cos(x*y+1) }
	g := Grid{Lengths: []float64{lx, ly}}
	losses := map[string]Loss{
		"RelL2": RelLp{Grid: &g}, "L2": Lp{Grid: &g}, "L1": Lp{P: 1, Grid: &g},
		"WeightedMSE": WeightedMSE{Grid: g}, "H1": H1{Grid: g}, "H1 abs": H1{Grid: g, Absolute: true},
	}
	for name, l := range losses {
		a := l.Loss(sample(pf, 129, lx, ly, false), sample(yf, 129, lx, ly, false)).Item()
		b := l.Loss(sample(pf, 257, lx, ly, false), sample(yf, 257, lx, ly, false)).Item()
		if math.Abs(a-b) > 1e-4*math.Abs(b) {
			t.Errorf("%s: %.8g at 129², %.8g at 257²", name, a, b)
		}
	}
	// Without quadrature the plain relative L2 on a non-periodic grid
	// drifts with the boundary samples' weight; the weighted one does not.
	plainA := RelLp{}.Loss(sample(pf, 9, lx, ly, false), sample(yf, 9, lx, ly, false)).Item()
	plainB := RelLp{}.Loss(sample(pf, 257, lx, ly, false), sample(yf, 257, lx, ly, false)).Item()
	wA := RelLp{Grid: &g}.Loss(sample(pf, 9, lx, ly, false), sample(yf, 9, lx, ly, false)).Item()
	if math.Abs(wA-plainB) > math.Abs(plainA-plainB) {
		t.Errorf("weighted RelL2 at 9² (%g) no closer to the fine value than the plain one (%g vs %g)", wA, plainA, plainB)
	}
	// Periodic and band-limited: spectral H1 and rectangle-rule losses
	// agree to rounding.
	ypf := func(x, y float64) float64 { return math.Sin(math.Pi*x) + math.Cos(2*math.Pi*y)*math.Sin(math.Pi*x) }
	ppf := func(x, y float64) float64 { return ypf(x, y) + 0.3*math.Cos(3*math.Pi*x+4*math.Pi*y) }
	gp := Grid{Lengths: []float64{lx, ly}, Periodic: true}
	for name, l := range map[string]Loss{"H1": H1{Grid: gp}, "WeightedMSE": WeightedMSE{Grid: gp}, "RelL2": RelLp{Grid: &gp}} {
		a := l.Loss(sample(ppf, 16, lx, ly, true), sample(ypf, 16, lx, ly, true)).Item()
		b := l.Loss(sample(ppf, 48, lx, ly, true), sample(ypf, 48, lx, ly, true)).Item()
		if math.Abs(a-b) > 1e-12 {
			t.Errorf("periodic %s: %.15g at 16², %.15g at 48²", name, a, b)
		}
	}
}
