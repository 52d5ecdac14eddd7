package nn

import (
	"math"
	"testing"

	"github.com/sciml-go/sciml/tensor"
)

// evalRecorder is a closure over one Float64 parameter that evaluates f,
// writes its gradient and records every point.
type evalRecorder struct {
	p      *tensor.Tensor
	f      func(x, g []float64) float64
	points [][]float64
	losses []float64
}

func (r *evalRecorder) closure() float64 {
	r.p.ZeroGrad()
	f := r.f(r.p.Float64s(), r.p.Grad().Float64s())
	r.points = append(r.points, append([]float64(nil), r.p.Float64s()...))
	r.losses = append(r.losses, f)
	return f
}

// relClose reports |a − b| ≤ tol·max(1, |b|).
func relClose(a, b, tol float64) bool { return math.Abs(a-b) <= tol*max(1, math.Abs(b)) }

// TestLBFGSRosenbrock: with the strong-Wolfe line search L-BFGS converges on
// the 2-D Rosenbrock function from (−1.2, 1) in float64 in fewer than 100
// iterations to 1e-8 in x, and every closure evaluation matches PyTorch's.
func TestLBFGSRosenbrock(t *testing.T) {
	p := optParam(-1.2, 1)
	rec := &evalRecorder{p: p, f: rosenbrock}
	o := NewLBFGS([]*tensor.Tensor{p}, LBFGSConfig{LineSearch: "strong_wolfe", MaxIter: 100, ToleranceGrad: 1e-12, ToleranceChange: 1e-20})
	loss0 := o.Step(rec.closure)
	if loss0 != 24.199999999999996 {
		t.Errorf("Step returned %v, want the initial loss 24.2", loss0)
	}
	if it := o.Iterations(); it >= 100 {
		t.Errorf("%d iterations, want < 100", it)
	}
	if d := maxDiff(p.Float64s(), []float64{1, 1}); d > 1e-8 {
		t.Errorf("x = %v, |x − 1|∞ = %.3g > 1e-8", p.Float64s(), d)
	}
	t.Logf("%d iterations, %d evaluations, |x − 1|∞ = %.3g", o.Iterations(), o.Evaluations(), maxDiff(p.Float64s(), []float64{1, 1}))
	if o.Iterations() != 39 || o.Evaluations() != 47 || len(rec.points) != len(torchRosenbrock) {
		t.Errorf("%d iterations, %d evaluations (%d recorded); PyTorch takes 39 and 47", o.Iterations(), o.Evaluations(), len(rec.points))
	}
	worst := 0.0
	for i := range min(len(rec.points), len(torchRosenbrock)) {
		w := torchRosenbrock[i]
		x := rec.points[i]
		for j := range 2 {
			worst = max(worst, math.Abs(x[j]-w[j])/max(1, math.Abs(w[j])))
		}
		// The last evaluations sit within 1e-11 of the minimum, where
		// PyTorch's BLAS dot products and ours differ in the last bits.
		if !relClose(x[0], w[0], 1e-10) || !relClose(x[1], w[1], 1e-10) || !relClose(rec.losses[i], w[2], 1e-10) {
			t.Errorf("evaluation %d at (%.17g, %.17g) f = %.17g; PyTorch (%.17g, %.17g) f = %.17g", i, x[0], x[1], rec.losses[i], w[0], w[1], w[2])
		}
	}
	t.Logf("largest relative deviation from PyTorch's evaluation points: %.3g", worst)
}

var (
	quadA = []float64{1, 2, 0.5, 3, -1, 2, 0, 1, 1, 2, 2, -1}
	quadB = []float64{1, -2, 0.5, 3}
)

func quad(x, g []float64) float64 {
	clear(g)
	f := 0.0
	for i := range 4 {
		r := -quadB[i]
		for j := range 3 {
			r += quadA[3*i+j] * x[j]
		}
		f += r * r / 2
		for j := range 3 {
			g[j] += quadA[3*i+j] * r
		}
	}
	return f
}

// TestLBFGSFixedStep matches PyTorch without a line search (fixed step lr,
// history of 2, the last iteration not evaluated).
func TestLBFGSFixedStep(t *testing.T) {
	p := optParam(0, 0, 0)
	rec := &evalRecorder{p: p, f: quad}
	o := NewLBFGS([]*tensor.Tensor{p}, LBFGSConfig{LR: 0.5, MaxIter: 12, HistorySize: 2})
	o.Step(rec.closure)
	if len(rec.points) != len(torchQuad) || o.Iterations() != 12 {
		t.Fatalf("%d evaluations in %d iterations; PyTorch: %d in 12", len(rec.points), o.Iterations(), len(torchQuad))
	}
	for i, w := range torchQuad {
		x := rec.points[i]
		for j := range 3 {
			if !relClose(x[j], w[j], 1e-12) {
				t.Errorf("evaluation %d at %v; PyTorch %v", i, x, w[:3])
				break
			}
		}
	}
	if k := o.State().Tensors["ro"].Dim(0); k != 2 {
		t.Errorf("history holds %d pairs, want history_size 2", k)
	}
}

// TestLBFGSRosenbrock10 runs the 10-D Rosenbrock function with a short
// history, split over several Steps and tensors of both precisions' worth
// of layout (two Float64 parameters).
func TestLBFGSRosenbrock10(t *testing.T) {
	a := optParam(-1.2, 1, -1.2, 1, -1.2, 1)
	b := optParam(-1.2, 1, -1.2, 1)
	x, g := make([]float64, 10), make([]float64, 10)
	o := NewLBFGS([]*tensor.Tensor{a, b}, LBFGSConfig{LineSearch: "strong_wolfe", MaxIter: 50, HistorySize: 5, ToleranceGrad: 1e-12, ToleranceChange: 1e-20})
	closure := func() float64 {
		copy(x, a.Float64s())
		copy(x[6:], b.Float64s())
		f := rosenbrock(x, g)
		copy(a.Grad().Float64s(), g[:6])
		copy(b.Grad().Float64s(), g[6:])
		return f
	}
	for range 6 {
		o.Step(closure)
	}
	copy(x, a.Float64s())
	copy(x[6:], b.Float64s())
	ones := []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	if d := maxDiff(x, ones); d > 1e-8 || o.Iterations() > 200 {
		t.Errorf("10-D Rosenbrock: %d iterations, |x − 1|∞ = %.3g", o.Iterations(), d)
	}
	t.Logf("10-D Rosenbrock: %d iterations, %d evaluations (PyTorch: 110, 129 in one Step), |x − 1|∞ = %.3g", o.Iterations(), o.Evaluations(), maxDiff(x, ones))
}

// TestLBFGSFloat32AndComplex: float32 and complex parameters are optimised
// as their real components (least squares spread over three tensors).
func TestLBFGSFloat32AndComplex(t *testing.T) {
	ls := newLS(7, 30, 6)
	want := ls.solve(0)
	a := tensor.Zeros(tensor.Float32, 2).SetRequiresGrad(true)   // x₀, x₁
	c := tensor.Zeros(tensor.Complex64, 1).SetRequiresGrad(true) // x₂ + i x₃
	d := tensor.Zeros(tensor.Float64, 2).SetRequiresGrad(true)   // x₄, x₅
	x, g := make([]float64, 6), make([]float64, 6)
	closure := func() float64 {
		x[0], x[1] = float64(a.Float32s()[0]), float64(a.Float32s()[1])
		z := c.Complex64s()[0]
		x[2], x[3] = float64(real(z)), float64(imag(z))
		x[4], x[5] = d.Float64s()[0], d.Float64s()[1]
		f := ls.grad(x, g)
		a.SetGrad(tensor.New([]float32{float32(g[0]), float32(g[1])}, 2))
		c.SetGrad(tensor.New([]complex64{complex(float32(g[2]), float32(g[3]))}, 1))
		d.SetGrad(tensor.New([]float64{g[4], g[5]}, 2))
		return f
	}
	o := NewLBFGS([]*tensor.Tensor{a, c, d}, LBFGSConfig{LineSearch: "strong_wolfe", MaxIter: 100, ToleranceGrad: 1e-9, ToleranceChange: 1e-20})
	o.Step(closure)
	closure()
	t.Logf("float32/complex least squares: %d iterations, |x − x*|∞ = %.3g", o.Iterations(), maxDiff(x, want))
	if dd := maxDiff(x, want); dd > 2e-7 { // a few float32 ulps
		t.Errorf("float32/complex least squares: x = %v, want %v (|Δ|∞ = %.3g)", x, want, dd)
	}
}

// TestLBFGSStops checks the stopping rules.
func TestLBFGSStops(t *testing.T) {
	// At a stationary point: one evaluation, no iteration.
	p := optParam(1, 1)
	rec := &evalRecorder{p: p, f: rosenbrock}
	o := NewLBFGS([]*tensor.Tensor{p}, LBFGSConfig{})
	o.Step(rec.closure)
	if len(rec.points) != 1 || o.Iterations() != 0 {
		t.Errorf("at the minimum: %d evaluations, %d iterations", len(rec.points), o.Iterations())
	}
	if len(o.State().Tensors) != 0 {
		t.Errorf("state before any iteration has tensors %v", o.State().Tensors)
	}
	// MaxEval bounds the evaluations of one Step (the line search may
	// finish its current search first, as in PyTorch).
	p = optParam(-1.2, 1)
	rec = &evalRecorder{p: p, f: rosenbrock}
	o = NewLBFGS([]*tensor.Tensor{p}, LBFGSConfig{LineSearch: "strong_wolfe", MaxIter: 100, MaxEval: 10})
	o.Step(rec.closure)
	if n := len(rec.points); n < 10 || n > 10+25 || o.Evaluations() != int64(n) {
		t.Errorf("MaxEval 10: %d evaluations (counted %d)", n, o.Evaluations())
	}
	// The default tolerance_change (1e-9) stops earlier than a tight one.
	p = optParam(-1.2, 1)
	rec = &evalRecorder{p: p, f: rosenbrock}
	o = NewLBFGS([]*tensor.Tensor{p}, LBFGSConfig{LineSearch: "strong_wolfe", MaxIter: 100})
	o.Step(rec.closure)
	if o.Iterations() != 35 || o.Evaluations() != 43 {
		t.Errorf("default tolerances: %d iterations, %d evaluations; PyTorch: 35, 43", o.Iterations(), o.Evaluations())
	}
}

// TestCubicInterpolate: the minimiser of a cubic is found exactly, and
// bounds clamp it.
func TestCubicInterpolate(t *testing.T) {
	// c(x) = (x − 1)³/3 − 4(x − 1) has its local minimum at x = 3.
	c := func(x float64) float64 { return math.Pow(x-1, 3)/3 - 4*(x-1) }
	dc := func(x float64) float64 { return (x-1)*(x-1) - 4 }
	for _, pts := range [][3]float64{{1.5, 4, 3}, {4, 1.5, 3}, {2, 2.5, 2.5}, {3.5, 5, 3.5}} {
		x1, x2 := pts[0], pts[1]
		got := cubicInterpolate(x1, c(x1), dc(x1), x2, c(x2), dc(x2), false, 0, 0)
		if math.Abs(got-pts[2]) > 1e-12 {
			t.Errorf("cubic through x = %v, %v: minimiser %v, want %v", x1, x2, got, pts[2])
		}
	}
	if got := cubicInterpolate(1.5, c(1.5), dc(1.5), 4, c(4), dc(4), true, 0, 2.5); got != 2.5 {
		t.Errorf("clamped minimiser %v, want 2.5", got)
	}
	// No real minimiser (d₂² < 0): the midpoint of the bounds.
	if got := cubicInterpolate(0, 0, 3, 1, 2, 3, false, 0, 0); got != 0.5 {
		t.Errorf("no minimiser: %v, want 0.5", got)
	}
}

// TestLBFGSNoAllocs: after the first Step, Steps allocate nothing beyond
// what the closure does (here nothing).
func TestLBFGSNoAllocs(t *testing.T) {
	p := optParam(-1.2, 1, 0.5, 2)
	closure := func() float64 { return rosenbrock(p.Float64s(), p.Grad().Float64s()) }
	o := NewLBFGS([]*tensor.Tensor{p}, LBFGSConfig{LineSearch: "strong_wolfe", MaxIter: 3, HistorySize: 4})
	for range 6 {
		o.Step(closure) // fill the history
	}
	if n := testing.AllocsPerRun(5, func() { o.Step(closure) }); n != 0 {
		t.Errorf("LBFGS.Step allocates %v times", n)
	}
}

// TestLBFGSStateResume: splitting a run over Steps with the state moved
// into a fresh optimizer reproduces the uninterrupted run bit for bit.
func TestLBFGSStateResume(t *testing.T) {
	cfg := LBFGSConfig{LineSearch: "strong_wolfe", MaxIter: 4, HistorySize: 3}
	run := func(split int) ([]float64, *LBFGS) {
		p := optParam(-1.2, 1, -1.2, 1)
		closure := func() float64 { return rosenbrock(p.Float64s(), p.Grad().Float64s()) }
		o := NewLBFGS([]*tensor.Tensor{p}, cfg)
		for i := range 6 {
			if i == split {
				fresh := NewLBFGS([]*tensor.Tensor{p}, LBFGSConfig{})
				if err := fresh.LoadState(o.State()); err != nil {
					t.Fatal(err)
				}
				o = fresh
			}
			o.Step(closure)
		}
		return p.Float64s(), o
	}
	want, ow := run(-1)
	for _, split := range []int{1, 3, 5} {
		got, og := run(split)
		for i := range want {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("resumed at Step %d: x = %v, uninterrupted %v", split, got, want)
			}
		}
		if og.Iterations() != ow.Iterations() || og.Evaluations() != ow.Evaluations() || og.Config() != ow.Config() {
			t.Errorf("resumed counters/config %d %d %+v, want %d %d %+v", og.Iterations(), og.Evaluations(), og.Config(), ow.Iterations(), ow.Evaluations(), ow.Config())
		}
	}
	// Errors: wrong number of reals, history longer than history_size.
	s := ow.State()
	other := NewLBFGS([]*tensor.Tensor{optParam(1, 2, 3)}, LBFGSConfig{})
	if err := other.LoadState(s); err == nil {
		t.Error("LoadState into 3 reals of a 4-real state succeeded")
	}
	s.Hyper = []byte(`{"lr":1,"max_iter":4,"max_eval":5,"tolerance_grad":1e-7,"tolerance_change":1e-9,"history_size":1,"line_search_fn":"strong_wolfe"}`)
	if err := NewLBFGS([]*tensor.Tensor{optParam(1, 2, 3, 4)}, LBFGSConfig{}).LoadState(s); err == nil {
		t.Error("LoadState of 3 pairs with history_size 1 succeeded")
	}
}

// torchRosenbrock is every closure evaluation (x, y, f) of PyTorch 1.13's
// torch.optim.LBFGS([x], line_search_fn="strong_wolfe", max_iter=100,
// tolerance_grad=1e-12, tolerance_change=1e-20) on the 2-D Rosenbrock
// function from (−1.2, 1) in float64, one Step: 39 iterations, 47 evaluations.
var torchRosenbrock = [][3]float64{
	{-1.2, 1.0, 24.199999999999996},
	{-0.4898550724637681, 1.289855072463768, 112.44805608969924},
	{-1.0245319303460325, 1.0716196202669255, 4.146927102567213},
	{-1.0284565745562346, 1.068187455748677, 4.125586713674038},
	{-1.0288795348319695, 1.0655029516848564, 4.121126775765638},
	{-1.0276177663827242, 1.0584120782656612, 4.111816451757751},
	{-1.0203084803940978, 1.0352769866467468, 4.084955376327375},
	{-0.9970310351680055, 0.9755913846740084, 4.02228214897995},
	{-0.9431278012083242, 0.8529662725410918, 3.9091442795206377},
	{-0.8802131649658734, 0.7274772060719978, 3.758911717937623},
	{-0.7745797354515831, 0.5476256792320806, 3.423165462292753},
	{-0.6657084570888959, 0.41398308319536115, 2.859759140731463},
	{-0.5160277728852024, 0.2265458257902353, 2.456257721580502},
	{-0.34877876200144664, 0.12519507039453415, 1.8204632954233833},
	{0.1889124468569, -0.3849059597353517, 18.347783561572328},
	{-0.21053348161068666, -0.005956525123739687, 1.7182079190372601},
	{-0.2560895768966468, 0.03726198161622369, 1.6579626408971875},
	{-0.17113560906029426, -0.006111200392020753, 1.4968646823354919},
	{-0.04619019171258308, -0.01801156636469505, 1.135096423342255},
	{0.06629731136778556, -0.017627359722663875, 0.9203006124131852},
	{0.21682779600948238, 0.06691881400560815, 0.6529776962626517},
	{1.2117314341613201, 0.32428599542248837, 130.92004853327737},
	{0.5096423098016859, 0.14266569360557238, 1.6109795624436396},
	{0.34184236067537654, 0.09925827373850052, 0.4641401774955063},
	{0.38062264334648777, 0.12491013187293636, 0.4234823024380289},
	{0.5136224431368508, 0.2558152810317753, 0.24295150600035212},
	{0.6161737966679104, 0.3544950575966924, 0.21070107053603426},
	{0.6803460312870351, 0.46120580018830387, 0.10245585627376125},
	{0.8082251033140458, 0.6242428640991566, 0.12079036410003295},
	{0.7460759093292195, 0.5450068956869687, 0.07798538481346325},
	{0.7887038200403467, 0.6122685417325051, 0.05422103871344081},
	{0.8342517656821654, 0.6981152654335759, 0.02793011918352065},
	{0.9656686308834154, 0.9071052328335358, 0.06574886723490064},
	{0.8926077474569865, 0.7909177737724866, 0.014932938650694064},
	{0.9160713624543694, 0.8342473675852569, 0.009483757280975853},
	{0.9452890215102754, 0.8950994053215234, 0.0032267913062585377},
	{1.005544166946681, 1.0047505102286531, 0.004086595283720683},
	{0.9768773674819872, 0.9525832436377473, 0.0008257500503591216},
	{0.9866961395800236, 0.9724067870330666, 0.000312129799852444},
	{0.9949244301959199, 0.9900103526083556, 2.760369405142492e-05},
	{1.0014241818074148, 1.0026291765163013, 6.92191880177776e-06},
	{0.9998139520065257, 0.9996256094716882, 3.515635227925487e-08},
	{0.9999814210791366, 0.9999619651810989, 4.221457511263308e-10},
	{1.0000000014508728, 0.9999999739512782, 8.381506104909829e-14},
	{1.000000003286162, 1.0000000058407632, 6.431698290549263e-17},
	{1.000000000100408, 1.00000000017865, 5.921412583013655e-20},
	{1.000000000003047, 1.000000000005421, 5.454890743360224e-23},
}

// torchQuad is every closure evaluation (x₀, x₁, x₂, f) of PyTorch 1.13's
// torch.optim.LBFGS([x], lr=0.5, max_iter=12, history_size=2) (no line
// search) on f(x) = ½‖Ax − b‖² (quadA, quadB) from 0 in float64, one Step.
var torchQuad = [][4]float64{
	{0.0, 0.0, 0.0, 7.125},
	{0.02857142857142857, 0.3, -0.17142857142857143, 3.5719387755102048},
	{0.029038764334379515, 0.6144878871478958, -0.41189062120228964, 1.10245457235546},
	{0.06342964169319913, 0.7652478517135974, -0.5430099063117857, 0.4677291937554613},
	{0.07722693245210462, 0.8309155102469616, -0.6303588282520456, 0.2975779174255452},
	{0.09803664085289288, 0.858659404548519, -0.6842785766229881, 0.2481524974786719},
	{0.10980717788587332, 0.8658863689543617, -0.7247823678437667, 0.23174478465449452},
	{0.12595661058914512, 0.8638997911397159, -0.7526630417550053, 0.225384294337503},
	{0.13188822141985274, 0.8547782400124162, -0.7769168172057066, 0.22297019122168985},
	{0.14321826969906376, 0.8494967842898663, -0.7868278998748209, 0.22229337157819914},
	{0.14383148949124372, 0.8487678932092072, -0.7898148812597415, 0.22223863981231146},
	{0.14413944475824106, 0.848482038352215, -0.7912035850893002, 0.22222632053043065},
}

// TestLBFGSCurvatureEps: on the 10-D Rosenbrock function scaled by 1e-12
// (the loss scale of a PINN late in training) PyTorch's absolute test
// yᵀs > 1e-10 rejects every pair, so L-BFGS degrades to scaled steepest
// descent and is nowhere near the minimum after 300 iterations; with the
// scale-invariant test yᵀs > ε·yᵀy it converges as on the unscaled function.
func TestLBFGSCurvatureEps(t *testing.T) {
	const scale = 1e-12
	run := func(eps float64) (float64, int64) {
		a := optParam(-1.2, 1, -1.2, 1, -1.2, 1, -1.2, 1, -1.2, 1)
		o := NewLBFGS([]*tensor.Tensor{a}, LBFGSConfig{LineSearch: "strong_wolfe", MaxIter: 50, HistorySize: 5,
			ToleranceGrad: 1e-300, ToleranceChange: 1e-300, CurvatureEps: eps})
		closure := func() float64 {
			g := a.Grad().Float64s()
			f := rosenbrock(a.Float64s(), g)
			for i := range g {
				g[i] *= scale
			}
			return f * scale
		}
		for range 6 {
			o.Step(closure)
		}
		return maxDiff(a.Float64s(), []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}), o.Iterations()
	}
	dRel, itRel := run(0x1p-52)
	dAbs, itAbs := run(0)
	t.Logf("scaled 10-D Rosenbrock: relative test |x − 1|∞ = %.3g after %d iterations, PyTorch's absolute test %.3g after %d",
		dRel, itRel, dAbs, itAbs)
	if dRel > 1e-8 {
		t.Errorf("relative curvature test: |x − 1|∞ = %.3g after %d iterations, want ≤ 1e-8", dRel, itRel)
	}
	if dAbs < 1e-3 {
		t.Errorf("absolute curvature test: |x − 1|∞ = %.3g after %d iterations; expected it to stall (all pairs rejected)", dAbs, itAbs)
	}
	if err := (LBFGSConfig{CurvatureEps: -1}).Validate(); err == nil {
		t.Error("negative curvature_eps validated")
	}
}
