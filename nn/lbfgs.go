package nn

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/sciml-go/sciml/tensor"
)

// LBFGSConfig holds the hyperparameters of LBFGS, with PyTorch's names.
// Zero fields take PyTorch's defaults: LR 1, MaxIter 20, MaxEval
// MaxIter·5/4, ToleranceGrad 1e-7, ToleranceChange 1e-9, HistorySize 100.
// A negative tolerance means 0 (the test only passes on exact equality).
type LBFGSConfig struct {
	LR              float64 `json:"lr"`
	MaxIter         int     `json:"max_iter"`         // iterations per Step
	MaxEval         int     `json:"max_eval"`         // loss evaluations per Step
	ToleranceGrad   float64 `json:"tolerance_grad"`   // stop when max|g| ≤ this
	ToleranceChange float64 `json:"tolerance_change"` // stop when a step or loss change is below this
	HistorySize     int     `json:"history_size"`     // m, the number of (s, y) pairs kept
	// CurvatureEps, when positive, keeps a pair (s, y) only when
	// yᵀs > CurvatureEps·yᵀy: the scale-invariant test of L-BFGS-B
	// (Byrd, Lu, Nocedal & Zhu 1995; SciPy's, with the machine epsilon).
	// Zero keeps PyTorch's absolute test yᵀs > 1e-10, which discards every
	// pair once the loss is small — a PINN at a loss of 1e-6 then stops
	// updating its history and creeps on with stale curvature.
	CurvatureEps float64 `json:"curvature_eps,omitempty"`
	// LineSearch is "" (fixed step LR) or "strong_wolfe" (PyTorch's cubic
	// interpolation line search, c₁ = 1e-4, c₂ = 0.9, at most 25
	// evaluations); PINN training wants "strong_wolfe".
	LineSearch string `json:"line_search_fn"`
}

func (c LBFGSConfig) withDefaults() LBFGSConfig {
	if c.LR == 0 {
		c.LR = 1
	}
	if c.MaxIter == 0 {
		c.MaxIter = 20
	}
	if c.MaxEval == 0 {
		c.MaxEval = c.MaxIter * 5 / 4
	}
	if c.ToleranceGrad == 0 {
		c.ToleranceGrad = 1e-7
	}
	if c.ToleranceChange == 0 {
		c.ToleranceChange = 1e-9
	}
	c.ToleranceGrad = max(c.ToleranceGrad, 0)
	c.ToleranceChange = max(c.ToleranceChange, 0)
	if c.HistorySize == 0 {
		c.HistorySize = 100
	}
	return c
}

// Validate reports invalid hyperparameters.
func (c LBFGSConfig) Validate() error {
	c = c.withDefaults()
	switch {
	case !(c.LR > 0) || math.IsInf(c.LR, 0):
		return fmt.Errorf("lbfgs: lr %v must be positive and finite", c.LR)
	case c.MaxIter < 0 || c.MaxEval < 0 || c.HistorySize < 0:
		return fmt.Errorf("lbfgs: max_iter %d, max_eval %d and history_size %d must be positive", c.MaxIter, c.MaxEval, c.HistorySize)
	case math.IsNaN(c.ToleranceGrad) || math.IsNaN(c.ToleranceChange):
		return fmt.Errorf("lbfgs: NaN tolerance")
	case !(c.CurvatureEps >= 0) || c.CurvatureEps >= 1:
		return fmt.Errorf("lbfgs: curvature_eps %v must be in [0, 1)", c.CurvatureEps)
	case c.LineSearch != "" && c.LineSearch != "strong_wolfe":
		return fmt.Errorf("lbfgs: line search %q is not \"\" or \"strong_wolfe\"", c.LineSearch)
	}
	return nil
}

// LBFGS is the limited-memory BFGS method, following PyTorch's
// torch.optim.LBFGS step for step: each Step(closure) runs up to MaxIter
// iterations, each one a two-loop recursion over the last HistorySize
// pairs (s, y) with initial Hessian scale H₀ = sᵀy/yᵀy, a step of length
// min(1, 1/‖g‖₁)·LR on the very first iteration and LR afterwards, refined
// by the strong-Wolfe line search when configured. Pairs with yᵀs ≤ 1e-10
// are skipped (see CurvatureEps for a scale-invariant test). A Step stops early when max|g| ≤ ToleranceGrad, gᵀd >
// −ToleranceChange, max|t·d| ≤ ToleranceChange, |Δloss| < ToleranceChange
// or MaxEval evaluations are spent. The history persists across Steps (and
// across a checkpoint, see State), so repeated Steps continue one run.
//
// The closure zeroes the gradients, evaluates the loss, calls Backward and
// returns the loss:
//
//	opt := nn.NewLBFGS(params, nn.LBFGSConfig{LineSearch: "strong_wolfe", MaxIter: 500})
//	loss := opt.Step(func() float64 {
//		opt.ZeroGrad()
//		l := pinnLoss(net)
//		l.Backward()
//		return l.Item()
//	})
//
// Differences from PyTorch: the flat vectors (directions, gradients,
// history) are float64 whatever the parameter dtype — for float64
// parameters this is PyTorch's arithmetic, for float32 parameters it is
// more accurate (the parameters themselves stay float32); complex
// parameters are flattened as pairs of reals, as PyTorch does (and, as
// there, a parameter without a gradient contributes zeros). Dot products
// and sums run in a fixed order, so results are bitwise reproducible (but
// differ from PyTorch's BLAS in the last bits: on the Rosenbrock function
// every evaluation point agrees with PyTorch's to about 1e-11). As in
// PyTorch, the line search's own interval tolerance is 1e-9 whatever
// ToleranceChange is, and a Step's evaluations may exceed MaxEval by the
// line search in progress.
type LBFGS struct {
	cfg    LBFGSConfig
	params []*tensor.Tensor
	n      int // number of real components

	// Persistent state (PyTorch's state dict).
	nIter, funcEvals int64
	started          bool      // d, t, prevFlatGrad, prevLoss hold values
	d                []float64 // last direction
	t                float64   // last step length
	hDiag            float64
	prevFlatGrad     []float64
	prevLoss         float64
	dirs, stps       [][]float64 // ring buffer of y and s, oldest at head
	ro               []float64
	head, count      int

	// Scratch.
	flatGrad, q, al, x0 []float64
	lsG, lsPrev, lsB0   []float64 // line search gradients
	lsB1                []float64
}

// NewLBFGS returns L-BFGS over params. It panics on invalid hyperparameters
// (check user configs with Validate first).
func NewLBFGS(params []*tensor.Tensor, cfg LBFGSConfig) *LBFGS {
	checkParams("NewLBFGS", params)
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		panic("nn.NewLBFGS: " + err.Error())
	}
	n := 0
	for _, p := range params {
		n += numReal(p)
	}
	return &LBFGS{cfg: cfg, params: slices.Clone(params), n: n}
}

// Config returns the hyperparameters.
func (o *LBFGS) Config() LBFGSConfig { return o.cfg }

// LR returns the learning rate (the initial step length).
func (o *LBFGS) LR() float64 { return o.cfg.LR }

// SetLR sets the learning rate.
func (o *LBFGS) SetLR(lr float64) { o.cfg.LR = lr }

// ZeroGrad zeroes the gradients in place.
func (o *LBFGS) ZeroGrad() { zeroGrads(o.params) }

// Iterations returns the number of iterations run so far (PyTorch's n_iter).
func (o *LBFGS) Iterations() int64 { return o.nIter }

// Evaluations returns the number of closure calls so far (func_evals).
func (o *LBFGS) Evaluations() int64 { return o.funcEvals }

func (o *LBFGS) alloc() {
	if o.flatGrad != nil {
		return
	}
	n, m := o.n, o.cfg.HistorySize
	buf := make([]float64, 10*n)
	next := func() []float64 { v := buf[:n:n]; buf = buf[n:]; return v }
	o.flatGrad, o.q, o.x0 = next(), next(), next()
	o.lsG, o.lsPrev, o.lsB0, o.lsB1 = next(), next(), next(), next()
	if o.d == nil {
		o.d, o.prevFlatGrad = next(), next()
	}
	o.al = make([]float64, m)
	if o.dirs == nil {
		o.dirs, o.stps, o.ro = make([][]float64, m), make([][]float64, m), make([]float64, m)
	}
}

// gather copies the parameters' gradients into g (zeros for a nil gradient).
func (o *LBFGS) gather(g []float64) {
	off := 0
	for i, p := range o.params {
		k := numReal(p)
		dst := g[off : off+k]
		off += k
		gt := gradOf("LBFGS", i, p)
		if gt == nil {
			clear(dst)
			continue
		}
		if p.DType().Real() == tensor.Float32 {
			for j, v := range reals32(gt) {
				dst[j] = float64(v)
			}
		} else {
			copy(dst, reals64(gt))
		}
	}
}

// saveParams copies the parameters into x.
func (o *LBFGS) saveParams(x []float64) {
	off := 0
	for _, p := range o.params {
		if p.DType().Real() == tensor.Float32 {
			for j, v := range reals32(p) {
				x[off+j] = float64(v)
			}
		} else {
			copy(x[off:], reals64(p))
		}
		off += numReal(p)
	}
}

// setParams sets the parameters to x + t·d (one rounding, a fused
// multiply-add, as PyTorch's vectorised add with alpha); d == nil sets them
// to x.
func (o *LBFGS) setParams(x []float64, t float64, d []float64) {
	off := 0
	for _, p := range o.params {
		if p.DType().Real() == tensor.Float32 {
			ps := reals32(p)
			for j := range ps {
				v := x[off+j]
				if d != nil {
					v = math.FMA(t, d[off+j], v)
				}
				ps[j] = float32(v)
			}
		} else {
			ps := reals64(p)
			for j := range ps {
				v := x[off+j]
				if d != nil {
					v = math.FMA(t, d[off+j], v)
				}
				ps[j] = v
			}
		}
		off += numReal(p)
	}
}

// addToParams adds t·d to the parameters in place (PyTorch's _add_grad).
func (o *LBFGS) addToParams(t float64, d []float64) {
	off := 0
	for _, p := range o.params {
		if p.DType().Real() == tensor.Float32 {
			ps := reals32(p)
			for j := range ps {
				ps[j] = float32(math.FMA(t, d[off+j], float64(ps[j])))
			}
			off += len(ps)
		} else {
			ps := reals64(p)
			for j := range ps {
				ps[j] = math.FMA(t, d[off+j], ps[j])
			}
			off += len(ps)
		}
	}
}

func dot(a, b []float64) float64 {
	var s0, s1, s2, s3 float64
	n := len(a)
	b = b[:n]
	i := 0
	for ; i+4 <= n; i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < n; i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// axpy sets y ← y + a·x.
func axpy(a float64, x, y []float64) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += a * v
	}
}

func absMax(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		if a := math.Abs(v); a > m || math.IsNaN(a) {
			m = a
		}
	}
	return m
}

func absSum(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += math.Abs(v)
	}
	return s
}

// Step runs up to MaxIter L-BFGS iterations and returns the loss of the
// first closure evaluation (the loss before the step), as PyTorch does.
func (o *LBFGS) Step(closure func() float64) float64 {
	o.alloc()
	c := o.cfg
	origLoss := closure()
	loss := origLoss
	currentEvals := 1
	o.funcEvals++
	g := o.flatGrad
	o.gather(g)
	if absMax(g) <= c.ToleranceGrad {
		return origLoss
	}
	d := o.d
	for nIter := 1; nIter <= c.MaxIter; nIter++ {
		o.nIter++
		if o.nIter == 1 {
			for i, v := range g {
				d[i] = -v
			}
			o.head, o.count = 0, 0
			o.hDiag = 1
		} else {
			o.update(g)
			o.direction(g, d)
		}
		copy(o.prevFlatGrad, g)
		o.prevLoss = loss
		o.started = true
		// Step length.
		if o.nIter == 1 {
			o.t = pyMin(1, 1/absSum(g)) * c.LR
		} else {
			o.t = c.LR
		}
		gtd := dot(g, d)
		if gtd > -c.ToleranceChange {
			break
		}
		lsEvals := 0
		if c.LineSearch == "strong_wolfe" {
			o.saveParams(o.x0)
			var t float64
			loss, t, lsEvals = o.strongWolfe(closure, o.t, d, loss, g, gtd)
			o.t = t
			o.setParams(o.x0, t, d)
		} else {
			o.addToParams(o.t, d)
			if nIter != c.MaxIter {
				loss = closure()
				o.gather(g)
				lsEvals = 1
			}
		}
		optCond := absMax(g) <= c.ToleranceGrad
		currentEvals += lsEvals
		o.funcEvals += int64(lsEvals)
		if nIter == c.MaxIter || currentEvals >= c.MaxEval || optCond {
			break
		}
		if math.Abs(o.t)*absMax(d) <= c.ToleranceChange {
			break
		}
		if math.Abs(loss-o.prevLoss) < c.ToleranceChange {
			break
		}
	}
	return origLoss
}

// update adds the pair y = g − g_prev, s = t·d to the history when yᵀs > 1e-10
// (or yᵀs > CurvatureEps·yᵀy when that is set).
func (o *LBFGS) update(g []float64) {
	m := o.cfg.HistorySize
	if m == 0 {
		return
	}
	// Compute y into q and s into al-free scratch (lsG is free between steps).
	y, s := o.q, o.lsG
	for i := range g {
		y[i] = g[i] - o.prevFlatGrad[i]
		s[i] = o.d[i] * o.t
	}
	ys := dot(y, s)
	if eps := o.cfg.CurvatureEps; eps > 0 {
		if ys <= eps*dot(y, y) {
			return
		}
	} else if ys <= 1e-10 {
		return
	}
	var slot int
	if o.count == m {
		slot = o.head
		o.head = (o.head + 1) % m
	} else {
		slot = (o.head + o.count) % m
		o.count++
	}
	if o.dirs[slot] == nil {
		o.dirs[slot], o.stps[slot] = make([]float64, o.n), make([]float64, o.n)
	}
	copy(o.dirs[slot], y)
	copy(o.stps[slot], s)
	o.ro[slot] = 1 / ys
	o.hDiag = ys / dot(y, y)
}

// direction computes d = −H·g by the two-loop recursion.
func (o *LBFGS) direction(g, d []float64) {
	m := o.cfg.HistorySize
	q := o.q
	for i, v := range g {
		q[i] = -v
	}
	for k := o.count - 1; k >= 0; k-- {
		j := (o.head + k) % m
		o.al[k] = dot(o.stps[j], q) * o.ro[j]
		axpy(-o.al[k], o.dirs[j], q)
	}
	for i, v := range q {
		d[i] = v * o.hDiag
	}
	for k := 0; k < o.count; k++ {
		j := (o.head + k) % m
		be := dot(o.dirs[j], d) * o.ro[j]
		axpy(o.al[k]-be, o.stps[j], d)
	}
}

// evalAt sets the parameters to x0 + t·d, evaluates the closure, gathers the
// gradient into g and restores x0 (PyTorch's _directional_evaluate).
func (o *LBFGS) evalAt(closure func() float64, t float64, d, g []float64) float64 {
	o.setParams(o.x0, t, d)
	f := closure()
	o.gather(g)
	o.setParams(o.x0, 0, nil)
	return f
}

// cubicInterpolate returns the minimiser of the cubic through (x1, f1, g1)
// and (x2, f2, g2), clamped to [lo, hi] (the interval between x1 and x2 when
// bounds is false); the midpoint when the cubic has no minimum.
func cubicInterpolate(x1, f1, g1, x2, f2, g2 float64, bounds bool, lo, hi float64) float64 {
	if !bounds {
		lo, hi = x1, x2
		if x1 > x2 {
			lo, hi = x2, x1
		}
	}
	d1 := g1 + g2 - 3*(f1-f2)/(x1-x2)
	d2sq := d1*d1 - g1*g2
	if d2sq >= 0 {
		d2 := math.Sqrt(d2sq)
		var minPos float64
		if x1 <= x2 {
			minPos = x2 - (x2-x1)*((g2+d2-d1)/(g2-g1+2*d2))
		} else {
			minPos = x1 - (x1-x2)*((g1+d2-d1)/(g1-g2+2*d2))
		}
		return pyMin(pyMax(minPos, lo), hi)
	}
	return (lo + hi) / 2
}

// pyMin and pyMax are Python's min and max of two floats (the first
// argument wins ties and NaN comparisons), which PyTorch's line search uses.
func pyMin(a, b float64) float64 {
	if b < a {
		return b
	}
	return a
}

func pyMax(a, b float64) float64 {
	if b > a {
		return b
	}
	return a
}

// strongWolfe is PyTorch's _strong_wolfe: a bracketing phase that expands
// the step by cubic extrapolation (within [t + 0.01(t − t_prev), 10t]) until
// the sufficient-decrease condition f(t) ≤ f + c₁t·gᵀd fails or the
// curvature condition |g(t)ᵀd| ≤ −c₂gᵀd holds, then a zoom phase of cubic
// interpolation safeguarded to stay 10% of the bracket away from its ends.
// On return the best gradient is in g; it returns the loss there, the step
// and the number of evaluations. The parameters are left at x0.
func (o *LBFGS) strongWolfe(closure func() float64, t float64, d []float64, f float64, g []float64, gtd float64) (float64, float64, int) {
	const (
		c1       = 1e-4
		c2       = 0.9
		tolChing = 1e-9 // PyTorch calls _strong_wolfe with its default tolerance_change
		maxLS    = 25
	)
	dNorm := absMax(d)
	gNew, gPrev := o.lsG, o.lsPrev
	copy(gPrev, g) // g_prev = g (the clone of the starting gradient)
	fNew := o.evalAt(closure, t, d, gNew)
	evals := 1
	gtdNew := dot(gNew, d)

	tPrev, fPrev, gtdPrev := 0.0, f, gtd
	done := false
	lsIter := 0
	// Bracket: positions, values, directional derivatives and gradients.
	var bt, bf, bgtd [2]float64
	bg := [2][]float64{o.lsB0, o.lsB1}
	nb := 0
	for lsIter < maxLS {
		if fNew > f+c1*t*gtd || (lsIter > 1 && fNew >= fPrev) {
			bt, bf, bgtd = [2]float64{tPrev, t}, [2]float64{fPrev, fNew}, [2]float64{gtdPrev, gtdNew}
			copy(bg[0], gPrev)
			copy(bg[1], gNew)
			nb = 2
			break
		}
		if math.Abs(gtdNew) <= -c2*gtd {
			bt[0], bf[0] = t, fNew
			copy(bg[0], gNew)
			nb = 1
			done = true
			break
		}
		if gtdNew >= 0 {
			bt, bf, bgtd = [2]float64{tPrev, t}, [2]float64{fPrev, fNew}, [2]float64{gtdPrev, gtdNew}
			copy(bg[0], gPrev)
			copy(bg[1], gNew)
			nb = 2
			break
		}
		minStep := t + 0.01*(t-tPrev)
		maxStep := t * 10
		tmp := t
		t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, true, minStep, maxStep)
		tPrev, fPrev, gtdPrev = tmp, fNew, gtdNew
		copy(gPrev, gNew)
		fNew = o.evalAt(closure, t, d, gNew)
		evals++
		gtdNew = dot(gNew, d)
		lsIter++
	}
	if lsIter == maxLS {
		bt, bf = [2]float64{0, t}, [2]float64{f, fNew}
		copy(bg[0], g)
		copy(bg[1], gNew)
		nb = 2
	}

	// Zoom.
	insufProgress := false
	low, high := 0, 1
	if nb == 1 || bf[0] <= bf[1] {
		low, high = 0, 1
	} else {
		low, high = 1, 0
	}
	for !done && lsIter < maxLS {
		if math.Abs(bt[1]-bt[0])*dNorm < tolChing {
			break
		}
		t = cubicInterpolate(bt[0], bf[0], bgtd[0], bt[1], bf[1], bgtd[1], false, 0, 0)
		bmax, bmin := pyMax(bt[0], bt[1]), pyMin(bt[0], bt[1])
		eps := 0.1 * (bmax - bmin)
		if pyMin(bmax-t, t-bmin) < eps {
			if insufProgress || t >= bmax || t <= bmin {
				if math.Abs(t-bmax) < math.Abs(t-bmin) {
					t = bmax - eps
				} else {
					t = bmin + eps
				}
				insufProgress = false
			} else {
				insufProgress = true
			}
		} else {
			insufProgress = false
		}
		fNew = o.evalAt(closure, t, d, gNew)
		evals++
		gtdNew = dot(gNew, d)
		lsIter++
		if fNew > f+c1*t*gtd || fNew >= bf[low] {
			bt[high], bf[high], bgtd[high] = t, fNew, gtdNew
			copy(bg[high], gNew)
			if bf[0] <= bf[1] {
				low, high = 0, 1
			} else {
				low, high = 1, 0
			}
		} else {
			if math.Abs(gtdNew) <= -c2*gtd {
				done = true
			} else if gtdNew*(bt[high]-bt[low]) >= 0 {
				bt[high], bf[high], bgtd[high] = bt[low], bf[low], bgtd[low]
				copy(bg[high], bg[low])
			}
			bt[low], bf[low], bgtd[low] = t, fNew, gtdNew
			copy(bg[low], gNew)
		}
	}
	copy(g, bg[low])
	return bf[low], bt[low], evals
}

// State returns the hyperparameters and the L-BFGS state: counters
// "n_iter" and "func_evals"; once a step has run, the last direction "d"
// [n], step "t", "H_diag", "prev_flat_grad" [n] and "prev_loss" (0-d
// Float64 tensors), and the history "old_dirs" (the y's) and "old_stps"
// (the s's), [k, n] oldest first, with "ro" [k] (1/yᵀs). n is the number of
// real components of all parameters; everything is Float64. The tensors
// are copies.
func (o *LBFGS) State() *OptimState {
	h, _ := json.Marshal(o.cfg)
	s := &OptimState{Kind: "lbfgs", Hyper: h,
		Ints:    map[string]int64{"n_iter": o.nIter, "func_evals": o.funcEvals},
		Tensors: map[string]*tensor.Tensor{}}
	if !o.started {
		return s
	}
	vec := func(v []float64) *tensor.Tensor { return tensor.New(slices.Clone(v), len(v)) }
	sc := func(v float64) *tensor.Tensor { return tensor.New([]float64{v}) }
	s.Tensors["d"] = vec(o.d)
	s.Tensors["prev_flat_grad"] = vec(o.prevFlatGrad)
	s.Tensors["t"] = sc(o.t)
	s.Tensors["H_diag"] = sc(o.hDiag)
	s.Tensors["prev_loss"] = sc(o.prevLoss)
	k := o.count
	dirs, stps, ro := make([]float64, k*o.n), make([]float64, k*o.n), make([]float64, k)
	for i := range k {
		j := (o.head + i) % o.cfg.HistorySize
		copy(dirs[i*o.n:], o.dirs[j])
		copy(stps[i*o.n:], o.stps[j])
		ro[i] = o.ro[j]
	}
	s.Tensors["old_dirs"] = tensor.New(dirs, k, o.n)
	s.Tensors["old_stps"] = tensor.New(stps, k, o.n)
	s.Tensors["ro"] = tensor.New(ro, k)
	return s
}

// LoadState restores a State of an LBFGS over parameters with the same
// total number of real components. The history may be at most the
// restored HistorySize long.
func (o *LBFGS) LoadState(s *OptimState) error {
	l, err := newStateLoader("LBFGS", "lbfgs", s)
	if err != nil {
		return err
	}
	var cfg LBFGSConfig
	if err := decodeHyper("lbfgs", s.Hyper, &cfg); err != nil {
		return fmt.Errorf("nn.LBFGS.LoadState: %w", err)
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("nn.LBFGS.LoadState: %w", err)
	}
	cfg = cfg.withDefaults()
	nIter, ok1 := l.int("n_iter")
	funcEvals, ok2 := l.int("func_evals")
	if !ok1 || !ok2 || nIter < 0 || funcEvals < 0 {
		l.errs = append(l.errs, fmt.Errorf("counters n_iter and func_evals must be present and non-negative"))
	}
	_, started := s.Tensors["d"]
	var d, pg, dirs, stps, ro *tensor.Tensor
	var t, hDiag, prevLoss float64
	k := 0
	if started {
		n := []int{o.n}
		d = l.tensor("d", tensor.Float64, n)
		pg = l.tensor("prev_flat_grad", tensor.Float64, n)
		t, hDiag, prevLoss = l.scalar("t"), l.scalar("H_diag"), l.scalar("prev_loss")
		if r, ok := s.Tensors["ro"]; ok && r != nil && r.NDim() == 1 {
			k = r.Dim(0)
		}
		if k > cfg.HistorySize {
			l.errs = append(l.errs, fmt.Errorf("history of %d pairs exceeds history_size %d", k, cfg.HistorySize))
			k = 0
		}
		dirs = l.tensor("old_dirs", tensor.Float64, []int{k, o.n})
		stps = l.tensor("old_stps", tensor.Float64, []int{k, o.n})
		ro = l.tensor("ro", tensor.Float64, []int{k})
	}
	if err := l.finish("LBFGS"); err != nil {
		return err
	}
	o.cfg = cfg
	o.nIter, o.funcEvals = nIter, funcEvals
	o.flatGrad, o.d, o.dirs = nil, nil, nil
	o.started = false
	o.alloc()
	if !started {
		return nil
	}
	o.started = true
	copy(o.d, d.Float64s())
	copy(o.prevFlatGrad, pg.Float64s())
	o.t, o.hDiag, o.prevLoss = t, hDiag, prevLoss
	o.head, o.count = 0, k
	for i := range k {
		o.dirs[i] = slices.Clone(dirs.Float64s()[i*o.n : (i+1)*o.n])
		o.stps[i] = slices.Clone(stps.Float64s()[i*o.n : (i+1)*o.n])
		o.ro[i] = ro.Float64s()[i]
	}
	return nil
}
