package nn

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sciml-go/sciml/tensor"
	"gonum.org/v1/gonum/mat"
)

// rosenbrock returns f(x) = Σ (1 − xᵢ)² + 100(xᵢ₊₁ − xᵢ²)² and writes ∇f into g.
func rosenbrock(x, g []float64) float64 {
	f := 0.0
	clear(g)
	for i := 0; i+1 < len(x); i++ {
		a, b := 1-x[i], x[i+1]-x[i]*x[i]
		f += a*a + 100*b*b
		g[i] += -2*a - 400*x[i]*b
		g[i+1] += 200 * b
	}
	return f
}

// optParam returns a leaf float64 parameter with a zero gradient allocated.
func optParam(vals ...float64) *tensor.Tensor {
	p := tensor.FromFloat64s(tensor.Float64, vals, len(vals)).SetRequiresGrad(true)
	p.SetGrad(tensor.Zeros(tensor.Float64, len(vals)))
	return p
}

// lsProblem is min ½‖Ax − b‖²/m for a random tall A.
type lsProblem struct {
	a, b []float64
	m, n int
}

func newLS(seed uint64, m, n int) lsProblem {
	r := rand.New(rand.NewPCG(seed, 1))
	p := lsProblem{a: make([]float64, m*n), b: make([]float64, m), m: m, n: n}
	for i := range p.a {
		p.a[i] = r.NormFloat64()
	}
	for i := range p.b {
		p.b[i] = r.NormFloat64()
	}
	return p
}

// grad writes ∇ = Aᵀ(Ax − b)/m into g and returns the loss.
func (p lsProblem) grad(x, g []float64) float64 {
	clear(g)
	f := 0.0
	for i := range p.m {
		r := -p.b[i]
		for j := range p.n {
			r += p.a[i*p.n+j] * x[j]
		}
		f += r * r / 2
		for j := range p.n {
			g[j] += p.a[i*p.n+j] * r / float64(p.m)
		}
	}
	return f / float64(p.m)
}

// solve returns the minimiser of the loss plus (λ/2)‖x‖² (ridge; λ = 0 is
// least squares) by the normal equations (AᵀA/m + λI)x = Aᵀb/m.
func (p lsProblem) solve(lambda float64) []float64 {
	a := mat.NewDense(p.m, p.n, p.a)
	var ata mat.Dense
	ata.Mul(a.T(), a)
	ata.Scale(1/float64(p.m), &ata)
	for j := range p.n {
		ata.Set(j, j, ata.At(j, j)+lambda)
	}
	var atb mat.VecDense
	atb.MulVec(a.T(), mat.NewVecDense(p.m, p.b))
	atb.ScaleVec(1/float64(p.m), &atb)
	var x mat.VecDense
	if err := x.SolveVec(&ata, &atb); err != nil {
		panic(err)
	}
	return x.RawVector().Data
}

func maxDiff(a, b []float64) float64 {
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

func TestSGDMomentumRosenbrock(t *testing.T) {
	for _, nesterov := range []bool{false, true} {
		p := optParam(-1.2, 1)
		o := NewSGD([]*tensor.Tensor{p}, SGDConfig{LR: 1e-3, Momentum: 0.9, Nesterov: nesterov})
		for range 5000 {
			rosenbrock(p.Float64s(), p.Grad().Float64s())
			o.Step()
		}
		if d := maxDiff(p.Float64s(), []float64{1, 1}); d > 1e-8 {
			t.Errorf("SGD (nesterov %v) on Rosenbrock: x = %v, |x − 1|∞ = %.3g > 1e-8", nesterov, p.Float64s(), d)
		}
	}
}

func TestSGDLeastSquares(t *testing.T) {
	ls := newLS(1, 40, 6)
	want := ls.solve(0)
	for _, cfg := range []SGDConfig{
		{LR: 0.2},
		{LR: 0.05, Momentum: 0.9},
		{LR: 0.05, Momentum: 0.9, Dampening: 0.5},
	} {
		p := optParam(make([]float64, ls.n)...)
		o := NewSGD([]*tensor.Tensor{p}, cfg)
		for range 2000 {
			ls.grad(p.Float64s(), p.Grad().Float64s())
			o.Step()
		}
		if d := maxDiff(p.Float64s(), want); d > 1e-10 {
			t.Errorf("SGD %+v on least squares: |x − x*|∞ = %.3g > 1e-10", cfg, d)
		}
	}
	// Weight decay λ makes the fixed point the ridge solution.
	p := optParam(make([]float64, ls.n)...)
	o := NewSGD([]*tensor.Tensor{p}, SGDConfig{LR: 0.05, Momentum: 0.9, WeightDecay: 0.3})
	for range 2000 {
		ls.grad(p.Float64s(), p.Grad().Float64s())
		o.Step()
	}
	if d := maxDiff(p.Float64s(), ls.solve(0.3)); d > 1e-10 {
		t.Errorf("SGD with weight decay: |x − x_ridge|∞ = %.3g > 1e-10", d)
	}
}

// TestSGDByHand checks two momentum steps against the formulas.
func TestSGDByHand(t *testing.T) {
	p := optParam(1)
	o := NewSGD([]*tensor.Tensor{p}, SGDConfig{LR: 0.1, Momentum: 0.9, Dampening: 0.2, WeightDecay: 0.5, Nesterov: false})
	p.Grad().Float64s()[0] = 2
	o.Step()
	// d = 2 + 0.5·1 = 2.5; b = 2.5; θ = 1 − 0.25 = 0.75.
	if got := p.Float64s()[0]; got != 0.75 {
		t.Fatalf("step 1: θ = %v, want 0.75", got)
	}
	p.Grad().Float64s()[0] = -1
	o.Step()
	// d = −1 + 0.375 = −0.625; b = 0.9·2.5 + 0.8·(−0.625) = 1.75; θ = 0.75 − 0.175.
	if got, want := p.Float64s()[0], 0.75-0.1*(0.9*2.5+0.8*(-1+0.5*0.75)); math.Abs(got-want) > 1e-15 {
		t.Fatalf("step 2: θ = %v, want %v", got, want)
	}
}

// adamByHand is Adam written out for one scalar, independently of adamUpdate.
func adamByHand(theta float64, grads []float64, lr, wd float64, decoupled bool) []float64 {
	const b1, b2, eps = 0.9, 0.999, 1e-8
	m, v := 0.0, 0.0
	var out []float64
	for k, g := range grads {
		t := float64(k + 1)
		if decoupled {
			theta *= 1 - lr*wd
		} else {
			g += wd * theta
		}
		m = b1*m + (1-b1)*g
		v = b2*v + (1-b2)*g*g
		mhat := m / (1 - math.Pow(b1, t))
		vhat := v / (1 - math.Pow(b2, t))
		theta -= lr * mhat / (math.Sqrt(vhat) + eps)
		out = append(out, theta)
	}
	return out
}

// TestAdamFirstThreeSteps checks three Adam, Adam+L2 and AdamW steps
// against the formulas written out by hand and against PyTorch 1.13
// (torch.optim.Adam/AdamW, lr 0.1, weight_decay 0.1, the same gradients).
func TestAdamFirstThreeSteps(t *testing.T) {
	grads := [][2]float64{{0.5, -1}, {0.25, 0.5}, {-1, 2}}
	torch := map[string][3][2]float64{
		"adam":    {{0.900000002, -1.900000001}, {0.8067820404774624, -1.873366297370903}, {0.8274177428854115, -1.9190994760260234}},
		"adam_l2": {{0.9000000016666666, -1.9000000008333333}, {0.8050097658613199, -1.8537472646427609}, {0.8120982607786772, -1.88636311586399}},
		"adamw":   {{0.890000002, -1.880000001}, {0.7878820404574624, -1.8345662973609032}, {0.8006389224608368, -1.8619538130424145}},
	}
	torch32 := map[string][3][2]float64{
		"adam":    {{0.9000000357627869, -1.899999976158142}, {0.806782066822052, -1.8733662366867065}, {0.82741779088974, -1.9190994501113892}},
		"adam_l2": {{0.9000000357627869, -1.899999976158142}, {0.8050097823143005, -1.8537472486495972}, {0.8120982646942139, -1.88636314868927}},
		"adamw":   {{0.89000004529953, -1.8799999952316284}, {0.7878820896148682, -1.8345662355422974}, {0.8006389737129211, -1.861953854560852}},
	}
	cfgs := map[string]AdamConfig{
		"adam":    {LR: 0.1},
		"adam_l2": {LR: 0.1, WeightDecay: 0.1},
		"adamw":   {LR: 0.1, WeightDecay: 0.1, Decoupled: true},
	}
	// Step 1 by hand, Adam: m̂ = g, v̂ = g², θ = θ₀ − 0.1·g/(|g| + 1e-8).
	if got, want := adamByHand(1, []float64{0.5}, 0.1, 0, false)[0], 1-0.1*0.5/(0.5+1e-8); math.Abs(got-want) > 1e-15 {
		t.Fatalf("adamByHand step 1 = %v, want %v", got, want)
	}
	for name, cfg := range cfgs {
		for _, d := range []tensor.DType{tensor.Float64, tensor.Float32} {
			p := tensor.FromFloat64s(d, []float64{1, -2}, 2).SetRequiresGrad(true)
			o := NewAdam([]*tensor.Tensor{p}, cfg)
			var hand [2][]float64
			for j, th := range []float64{1, -2} {
				gs := []float64{grads[0][j], grads[1][j], grads[2][j]}
				hand[j] = adamByHand(th, gs, cfg.LR, cfg.WeightDecay, cfg.Decoupled)
			}
			for k, g := range grads {
				p.SetGrad(tensor.FromFloat64s(d, g[:], 2))
				o.Step()
				got := p.ToFloat64s()
				tol, ref := 1e-15, torch[name][k]
				if d == tensor.Float32 {
					tol, ref = 3e-7, torch32[name][k]
				}
				for j := range 2 {
					if math.Abs(got[j]-hand[j][k]) > tol*4 {
						t.Errorf("%s %v step %d: θ[%d] = %.17g, by hand %.17g", name, d, k+1, j, got[j], hand[j][k])
					}
					if math.Abs(got[j]-ref[j]) > tol {
						t.Errorf("%s %v step %d: θ[%d] = %.17g, PyTorch %.17g", name, d, k+1, j, got[j], ref[j])
					}
				}
			}
			if d == tensor.Float32 && o.State().Tensors["0.exp_avg"].DType() != tensor.Float32 {
				t.Errorf("float32 parameter has %v moments", o.State().Tensors["0.exp_avg"].DType())
			}
		}
	}
}

func TestAdamRosenbrock(t *testing.T) {
	for _, d := range []tensor.DType{tensor.Float64, tensor.Float32} {
		p := tensor.FromFloat64s(d, []float64{-1.2, 1}, 2).SetRequiresGrad(true)
		g64 := make([]float64, 2)
		o := NewAdam([]*tensor.Tensor{p}, AdamConfig{LR: 0.1})
		sched := CosineLR{Base: 0.1, Period: 5000}
		for k := range 5000 {
			ApplySchedule(o, sched, k)
			rosenbrock(p.ToFloat64s(), g64)
			p.SetGrad(tensor.FromFloat64s(d, g64, 2))
			o.Step()
		}
		tol := 1e-8
		if d == tensor.Float32 {
			tol = 1e-3
		}
		if dist := maxDiff(p.ToFloat64s(), []float64{1, 1}); dist > tol {
			t.Errorf("Adam %v on Rosenbrock: x = %v, |x − 1|∞ = %.3g > %g", d, p.ToFloat64s(), dist, tol)
		}
	}
}

// TestAdamWeightDecay: with a coupled L2 term Adam converges to the ridge
// solution of the least-squares problem; AdamW's decoupled decay has a
// different fixed point, m̂/(√v̂ + ε) = −λθ, which for a full-batch problem
// is within O(ελ) of the unregularised solution (reached slowly, as v̂
// forgets the early gradients).
func TestAdamWeightDecay(t *testing.T) {
	ls := newLS(2, 40, 5)
	const lambda, steps = 0.2, 20000
	run := func(cfg AdamConfig) []float64 {
		p := optParam(make([]float64, ls.n)...)
		o := NewAdam([]*tensor.Tensor{p}, cfg)
		sched := CosineLR{Base: cfg.LR, Period: steps}
		for k := range steps {
			ApplySchedule(o, sched, k)
			ls.grad(p.Float64s(), p.Grad().Float64s())
			o.Step()
		}
		return p.Float64s()
	}
	ridge, plain := ls.solve(lambda), ls.solve(0)
	if maxDiff(ridge, plain) < 0.05 {
		t.Fatalf("test problem too weakly regularised: ridge and least squares differ by %.3g", maxDiff(ridge, plain))
	}
	coupled := run(AdamConfig{LR: 0.01, WeightDecay: lambda})
	if d := maxDiff(coupled, ridge); d > 1e-8 {
		t.Errorf("Adam (L2) converged %.3g from the ridge solution", d)
	}
	decoupled := run(AdamConfig{LR: 0.01, WeightDecay: lambda, Decoupled: true})
	if d := maxDiff(decoupled, plain); d > 1e-6 {
		t.Errorf("AdamW converged %.3g from the least-squares solution", d)
	}
	if maxDiff(coupled, decoupled) < 0.05 {
		t.Errorf("coupled and decoupled weight decay reached the same point %v", coupled)
	}
	none := run(AdamConfig{LR: 0.01})
	if d := maxDiff(none, plain); d > 1e-8 {
		t.Errorf("Adam converged %.3g from the least-squares solution", d)
	}
}

// TestAdamComplex: a complex parameter is updated exactly like the real
// parameter holding its real and imaginary parts.
func TestAdamComplex(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for _, cd := range []tensor.DType{tensor.Complex128, tensor.Complex64} {
		z := tensor.RandN(r, cd, 3).SetRequiresGrad(true)
		x := tensor.Zeros(cd.Real(), 3, 2).SetRequiresGrad(true)
		if cd == tensor.Complex128 {
			copy(x.Float64s(), reals64(z))
		} else {
			copy(x.Float32s(), reals32(z))
		}
		oz := NewAdam([]*tensor.Tensor{z}, AdamConfig{LR: 0.05, WeightDecay: 0.01})
		ox := NewAdam([]*tensor.Tensor{x}, AdamConfig{LR: 0.05, WeightDecay: 0.01})
		for range 5 {
			gz := tensor.RandN(r, cd, 3)
			gx := tensor.Zeros(cd.Real(), 3, 2)
			if cd == tensor.Complex128 {
				copy(gx.Float64s(), reals64(gz))
			} else {
				copy(gx.Float32s(), reals32(gz))
			}
			z.SetGrad(gz)
			x.SetGrad(gx)
			oz.Step()
			ox.Step()
		}
		var zr, xr []float64
		if cd == tensor.Complex128 {
			zr, xr = reals64(z), x.Float64s()
		} else {
			zr, xr = tensor.New(append([]float32(nil), reals32(z)...), 6).ToFloat64s(), x.ToFloat64s()
		}
		for i := range zr {
			if zr[i] != xr[i] {
				t.Fatalf("%v: complex Adam %v differs from real Adam %v", cd, zr, xr)
			}
		}
		// The second moment is per real component: Re and Im of exp_avg_sq differ.
		v := oz.State().Tensors["0.exp_avg_sq"]
		if v.DType() != cd {
			t.Errorf("complex parameter has %v second moments", v.DType())
		}
	}
}

// TestOptimizerSkipsNilGrad: a parameter without a gradient is neither moved
// nor counted.
func TestOptimizerSkipsNilGrad(t *testing.T) {
	a, b := optParam(1, 2), tensor.FromFloat64s(tensor.Float64, []float64{3}, 1).SetRequiresGrad(true)
	a.Grad().Fill(1)
	for _, o := range []Optimizer{
		NewAdam([]*tensor.Tensor{a, b}, AdamConfig{}),
		NewSGD([]*tensor.Tensor{a, b}, SGDConfig{Momentum: 0.5}),
	} {
		o.Step()
		if b.Float64s()[0] != 3 {
			t.Errorf("%T moved a parameter without gradient", o)
		}
		s := o.State()
		for k := range s.Tensors {
			if strings.HasPrefix(k, "1.") {
				t.Errorf("%T holds state %q for a parameter without gradient", o, k)
			}
		}
	}
}

// TestOptimizerNoAllocs: after the first step, steps allocate nothing.
func TestOptimizerNoAllocs(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	params := []*tensor.Tensor{
		tensor.RandN(r, tensor.Float32, 64, 8).SetRequiresGrad(true),
		tensor.RandN(r, tensor.Float64, 16).SetRequiresGrad(true),
		tensor.RandN(r, tensor.Complex64, 4, 4).SetRequiresGrad(true),
	}
	for _, p := range params {
		p.SetGrad(tensor.RandN(r, p.DType(), p.Shape()...))
	}
	for _, o := range []Optimizer{
		NewAdam(params, AdamConfig{WeightDecay: 1e-4}),
		NewAdamW(params, AdamConfig{}),
		NewSGD(params, SGDConfig{Momentum: 0.9, Nesterov: true}),
	} {
		o.Step()
		if n := testing.AllocsPerRun(10, o.Step); n != 0 {
			t.Errorf("%T.Step allocates %v times per step", o, n)
		}
	}
	if n := testing.AllocsPerRun(10, func() { ClipGradNorm(params, 0.5) }); n != 0 {
		t.Errorf("ClipGradNorm allocates %v times", n)
	}
}

func TestOptimizerStateRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	mk := func() []*tensor.Tensor {
		rr := rand.New(rand.NewPCG(6, 6))
		return []*tensor.Tensor{
			tensor.RandN(rr, tensor.Float32, 3, 2).SetRequiresGrad(true),
			tensor.RandN(rr, tensor.Complex128, 2).SetRequiresGrad(true),
		}
	}
	grads := func(ps []*tensor.Tensor) {
		for _, p := range ps {
			p.SetGrad(tensor.RandN(r, p.DType(), p.Shape()...))
		}
	}
	for _, kind := range []string{"sgd", "adam", "adamw"} {
		newOpt := func(ps []*tensor.Tensor) Optimizer {
			switch kind {
			case "sgd":
				return NewSGD(ps, SGDConfig{LR: 0.1, Momentum: 0.9})
			case "adam":
				return NewAdam(ps, AdamConfig{LR: 0.01, WeightDecay: 1e-3})
			}
			return NewAdamW(ps, AdamConfig{LR: 0.01})
		}
		pa, pb := mk(), mk()
		a := newOpt(pa)
		for range 3 {
			grads(pa)
			a.Step()
		}
		a.SetLR(0.0123)
		b := newOpt(pb)
		for i := range pa {
			pb[i].CopyFrom(pa[i])
		}
		if err := b.LoadState(a.State()); err != nil {
			t.Fatalf("%s: LoadState: %v", kind, err)
		}
		if b.LR() != 0.0123 {
			t.Errorf("%s: LoadState did not restore the learning rate: %v", kind, b.LR())
		}
		for range 2 {
			grads(pa)
			for i := range pa {
				pb[i].SetGrad(pa[i].Grad().Clone())
			}
			a.Step()
			b.Step()
		}
		for i := range pa {
			x, y := pa[i].Clone(), pb[i]
			if !sameBits(x, y) {
				t.Errorf("%s: parameter %d differs after resuming", kind, i)
			}
		}
		// Mismatches are errors that say what is wrong.
		other := newOpt([]*tensor.Tensor{tensor.Zeros(tensor.Float32, 5).SetRequiresGrad(true), pb[1]})
		if err := other.LoadState(a.State()); err == nil || !strings.Contains(err.Error(), "want float32[5]") {
			t.Errorf("%s: LoadState into other shapes: %v", kind, err)
		}
		s := a.State()
		s.Tensors["7.bogus"] = tensor.Zeros(tensor.Float64, 1)
		if err := b.LoadState(s); err == nil || !strings.Contains(err.Error(), `unexpected tensor "7.bogus"`) {
			t.Errorf("%s: LoadState with an unknown tensor: %v", kind, err)
		}
		// Hand-written hyperparameters take the defaults for missing fields.
		s = a.State()
		s.Hyper = []byte(`{"lr": 0.5}`)
		if kind == "adamw" {
			s.Hyper = []byte(`{"lr": 0.5, "decoupled": true}`)
		}
		if err := b.LoadState(s); err != nil || b.LR() != 0.5 {
			t.Errorf("%s: LoadState with partial hyperparameters: %v, lr %v", kind, err, b.LR())
		} else if ad, ok := b.(*Adam); ok && (ad.Config().Betas != [2]float64{0.9, 0.999} || ad.Config().Eps != 1e-8) {
			t.Errorf("%s: partial hyperparameters gave %+v", kind, ad.Config())
		}
		s = a.State()
		s.Kind = "lbfgs"
		if err := b.LoadState(s); err == nil {
			t.Errorf("%s: LoadState of another kind succeeded", kind)
		}
		s = a.State()
		s.Hyper = []byte(`{"lr": 1, "nonsense": 2}`)
		if err := b.LoadState(s); err == nil || !strings.Contains(err.Error(), "nonsense") {
			t.Errorf("%s: LoadState with unknown hyperparameters: %v", kind, err)
		}
	}
}

// sameBits reports whether two tensors hold bitwise identical elements.
func sameBits(a, b *tensor.Tensor) bool {
	if a.DType() != b.DType() || a.Numel() != b.Numel() {
		return false
	}
	if a.DType().Real() == tensor.Float32 {
		x, y := reals32(a), reals32(b)
		for i := range x {
			if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
				return false
			}
		}
		return true
	}
	x, y := reals64(a), reals64(b)
	for i := range x {
		if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
			return false
		}
	}
	return true
}

func TestOptimizerValidate(t *testing.T) {
	bad := []interface{ Validate() error }{
		SGDConfig{LR: -1},
		SGDConfig{Momentum: 1},
		SGDConfig{Nesterov: true},
		SGDConfig{Momentum: 0.9, Dampening: 0.1, Nesterov: true},
		SGDConfig{WeightDecay: math.NaN()},
		AdamConfig{LR: math.Inf(1)},
		AdamConfig{Betas: [2]float64{0.9, 1}},
		AdamConfig{Eps: -1},
		AdamConfig{WeightDecay: -1},
		LBFGSConfig{LineSearch: "backtracking"},
		LBFGSConfig{MaxIter: -1},
	}
	for _, c := range bad {
		if c.Validate() == nil {
			t.Errorf("%+v validated", c)
		}
	}
	for _, c := range []interface{ Validate() error }{SGDConfig{}, AdamConfig{}, LBFGSConfig{}, AdamConfig{Betas: [2]float64{0, 0.99}}} {
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	if got := NewAdam([]*tensor.Tensor{optParam(1)}, AdamConfig{Betas: [2]float64{0, 0.99}}).Config().Betas; got != [2]float64{0, 0.99} {
		t.Errorf("betas (0, 0.99) became %v", got)
	}
	if got := NewAdamW([]*tensor.Tensor{optParam(1)}, AdamConfig{}).Config(); got.WeightDecay != 1e-2 || !got.Decoupled {
		t.Errorf("AdamW defaults %+v", got)
	}
	p := optParam(1)
	for name, f := range map[string]func(){
		"duplicate": func() { NewAdam([]*tensor.Tensor{p, p}, AdamConfig{}) },
		"nil":       func() { NewSGD([]*tensor.Tensor{nil}, SGDConfig{}) },
		"non-leaf":  func() { NewLBFGS([]*tensor.Tensor{tensor.Scale(p, 2)}, LBFGSConfig{}) },
		"bad cfg":   func() { NewSGD([]*tensor.Tensor{p}, SGDConfig{LR: -1}) },
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

func TestClipGradNorm(t *testing.T) {
	a := tensor.FromFloat64s(tensor.Float64, []float64{3, 0}, 2).SetRequiresGrad(true)
	b := tensor.New([]float32{0}, 1).SetRequiresGrad(true)
	c := tensor.New([]complex128{complex(0, 4)}, 1).SetRequiresGrad(true)
	d := tensor.FromFloat64s(tensor.Float64, []float64{7}, 1).SetRequiresGrad(true) // no gradient
	ps := []*tensor.Tensor{a, b, c, d}
	a.SetGrad(tensor.FromFloat64s(tensor.Float64, []float64{3, 0}, 2))
	b.SetGrad(tensor.New([]float32{12}, 1))
	c.SetGrad(tensor.New([]complex128{complex(0, 4)}, 1))
	// ‖g‖ = √(9 + 144 + 16) = 13.
	if got := GradNorm(ps); got != 13 {
		t.Fatalf("GradNorm = %v, want 13", got)
	}
	if got := ClipGradNorm(ps, 100); got != 13 || a.Grad().Float64s()[0] != 3 {
		t.Fatalf("ClipGradNorm(100) = %v changed the gradients to %v", got, a.Grad())
	}
	if got := ClipGradNorm(ps, 6.5); got != 13 {
		t.Fatalf("ClipGradNorm = %v, want 13", got)
	}
	norm, maxNorm := 13.0, 6.5
	coef := maxNorm / (norm + 1e-6) // at run time, as ClipGradNorm computes it
	if got := a.Grad().Float64s()[0]; got != 3*coef {
		t.Errorf("clipped a = %v, want %v", got, 3*coef)
	}
	if got := b.Grad().Float32s()[0]; got != 12*float32(coef) {
		t.Errorf("clipped b = %v, want %v", got, 12*float32(coef))
	}
	if got := imag(c.Grad().Complex128s()[0]); got != 4*coef {
		t.Errorf("clipped c = %v, want %v", got, 4*coef)
	}
	if got := GradNorm(ps); math.Abs(got-6.5) > 1e-6 {
		t.Errorf("norm after clipping = %v, want 6.5", got)
	}
	// No overflow for huge float64 gradients.
	a.SetGrad(tensor.FromFloat64s(tensor.Float64, []float64{3e200, 4e200}, 2))
	if got := GradNorm([]*tensor.Tensor{a}); math.Abs(got/5e200-1) > 1e-15 {
		t.Errorf("GradNorm of huge gradients = %v, want 5e200", got)
	}
	a.SetGrad(tensor.FromFloat64s(tensor.Float64, []float64{math.NaN(), 1}, 2))
	if got := ClipGradNorm([]*tensor.Tensor{a}, 1); !math.IsNaN(got) {
		t.Errorf("ClipGradNorm with NaN = %v", got)
	}
}

// benchParams returns, with gradients, parameters shaped like FNO-2D
// Darcy's (width 32, 12 modes: per layer two 32×32×12×12 complex spectral
// weights and a 32×32 skip; 2.37M reals in all).
func benchParams(d tensor.DType) []*tensor.Tensor {
	r := rand.New(rand.NewPCG(1, 1))
	var ps []*tensor.Tensor
	for range 4 {
		ps = append(ps, tensor.RandN(r, d.Complex(), 32, 32, 12, 12).SetRequiresGrad(true))
		ps = append(ps, tensor.RandN(r, d.Complex(), 32, 32, 12, 12).SetRequiresGrad(true))
		ps = append(ps, tensor.RandN(r, d, 32, 32).SetRequiresGrad(true), tensor.RandN(r, d, 32).SetRequiresGrad(true))
	}
	ps = append(ps, tensor.RandN(r, d, 128, 32).SetRequiresGrad(true), tensor.RandN(r, d, 1, 128).SetRequiresGrad(true))
	for _, p := range ps {
		p.SetGrad(tensor.RandN(r, p.DType(), p.Shape()...))
	}
	return ps
}

func BenchmarkAdamStep(b *testing.B) {
	for _, d := range []tensor.DType{tensor.Float32, tensor.Float64} {
		b.Run(d.String(), func(b *testing.B) {
			ps := benchParams(d)
			o := NewAdam(ps, AdamConfig{WeightDecay: 1e-4})
			o.Step()
			n := 0
			for _, p := range ps {
				n += numReal(p)
			}
			b.SetBytes(int64(n * d.Size() * 4))
			b.ResetTimer()
			for range b.N {
				o.Step()
			}
		})
	}
}
