package pinn

import (
	"fmt"
	"math"
	"slices"

	"github.com/sciml-go/sciml/tensor"
)

// Causal is causal weighting for time-dependent problems (Wang, Sankaran &
// Perdikaris 2022): the collocation points are split by their time
// coordinate into Bins equal slabs with residual losses L_1 … L_M, and the
// residual term becomes (1/M) Σ_i w_i L_i with w_i = exp(−ε Σ_{k<i} L_k)
// (the weights are constants for the gradient), so later times only count
// once earlier ones are resolved.
type Causal struct {
	Axis    int     `json:"axis"`    // the time axis
	Bins    int     `json:"bins"`    // M (default 32)
	Epsilon float64 `json:"epsilon"` // ε (default 1)
}

// Balance is gradient-norm loss balancing ("learning-rate annealing",
// Wang, Teng & Perdikaris 2021): every Every Adam steps each condition's
// weight moves toward max|∇_θ L_r| / mean|∇_θ L_c|,
// λ_c ← (1 − Alpha)λ_c + Alpha·λ̂_c.
type Balance struct {
	Every int     `json:"every"` // default 100
	Alpha float64 `json:"alpha"` // default 0.1
}

// Adaptive is residual-based refinement of the collocation points every
// Every Adam steps, judged on Pool fresh candidates from the sampler
// (uniform ones when the sampler is a Grid):
// "rar" (residual-based adaptive refinement, Lu et al. 2021) adds the Add
// candidates with the largest residual; "rad" (residual-based adaptive
// distribution, Wu et al. 2023) redraws all collocation points from the
// candidates with probability ∝ |r|^K/mean|r|^K + C.
type Adaptive struct {
	Method string  `json:"method"` // "rar" or "rad"
	Every  int     `json:"every"`
	Pool   int     `json:"pool"` // default 10·Collocation for rad, Collocation for rar
	Add    int     `json:"add"`  // rar: points added per round (default 10)
	K      float64 `json:"k"`    // rad exponent (default 1)
	C      float64 `json:"c"`    // rad offset (default 1)
}

// ResidualSquares returns Σ_components r(x_n)², [N].
func ResidualSquares(p *Problem, net Net, x *tensor.Tensor, mode Mode) *tensor.Tensor {
	f := Eval(net, x, p.Needs, mode)
	var s *tensor.Tensor
	for _, r := range p.Residual(f) {
		q := tensor.Square(r)
		if s == nil {
			s = q
		} else {
			s = tensor.Add(s, q)
		}
	}
	return s
}

// lossTerms returns the names and the unweighted loss terms: the residual
// (causally weighted when configured), then each condition; a
// *PINNsFormer has its own (PINNsFormer.LossTerms: every pseudo-timestep).
func (t *Trainer) lossTerms(x *tensor.Tensor) ([]string, []*tensor.Tensor) {
	if pf, ok := t.Net.(*PINNsFormer); ok {
		return pf.LossTerms(t.Problem, x, t.Config.Causal)
	}
	var names []string
	var terms []*tensor.Tensor
	if p := t.Problem; p.Residual != nil {
		r2 := ResidualSquares(p, t.Net, x, t.Config.Mode)
		var l *tensor.Tensor
		if c := t.Config.Causal; c != nil {
			l = causalLoss(r2, x, c)
		} else {
			l = tensor.Mean(r2)
		}
		names, terms = append(names, "residual"), append(terms, l)
	}
	for _, c := range t.Problem.Conditions {
		names, terms = append(names, c.Name), append(terms, c.Loss(t.Net, t.Config.Mode))
	}
	return names, terms
}

func causalLoss(r2, x *tensor.Tensor, c *Causal) *tensor.Tensor {
	bins, eps := c.Bins, c.Epsilon
	if bins == 0 {
		bins = 32
	}
	if eps == 0 {
		eps = 1
	}
	n, d := x.Dim(0), x.Dim(1)
	xs := x.ToFloat64s()
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range n {
		lo, hi = min(lo, xs[i*d+c.Axis]), max(hi, xs[i*d+c.Axis])
	}
	idx := make([][]int, bins)
	for i := range n {
		b := 0
		if hi > lo {
			b = min(bins-1, int(float64(bins)*(xs[i*d+c.Axis]-lo)/(hi-lo)))
		}
		idx[b] = append(idx[b], i)
	}
	var total *tensor.Tensor
	cum := 0.0
	used := 0
	for _, ix := range idx {
		if len(ix) == 0 {
			continue
		}
		li := tensor.Mean(tensor.IndexSelect(r2, 0, ix))
		w := math.Exp(-eps * cum)
		cum += li.Item()
		used++
		l := tensor.Scale(li, w)
		if total == nil {
			total = l
		} else {
			total = tensor.Add(total, l)
		}
	}
	return tensor.Scale(total, 1/float64(used))
}

// termWeights returns the current weight of each loss term.
func (t *Trainer) termWeights() []float64 {
	var w []float64
	if t.Problem.Residual != nil {
		rw := t.Config.ResidualWeight
		if rw == 0 {
			rw = 1
		}
		w = append(w, rw)
	}
	for i, c := range t.Problem.Conditions {
		if t.balanced != nil {
			w = append(w, t.balanced[i])
		} else {
			w = append(w, c.weight())
		}
	}
	return w
}

// Weights returns the current condition weights (those of gradient-norm
// balancing when configured), in the order of Problem.Conditions.
func (t *Trainer) Weights() []float64 {
	w := t.termWeights()
	if t.Problem.Residual != nil {
		w = w[1:]
	}
	return w
}

// rebalance updates the condition weights from the gradient norms.
func (t *Trainer) rebalance() {
	if t.Problem.Residual == nil || len(t.Problem.Conditions) == 0 {
		return
	}
	b := t.Config.Balance
	alpha := b.Alpha
	if alpha == 0 {
		alpha = 0.1
	}
	if t.balanced == nil {
		for _, c := range t.Problem.Conditions {
			t.balanced = append(t.balanced, c.weight())
		}
	}
	t.arena.Reset()
	defer t.arena.Reset()
	_, terms := t.lossTerms(t.xr.In(t.arena))
	params := netParams(t.Net)
	gr := tensor.Grad(terms[:1], params, nil, false)
	maxR := 0.0
	for _, g := range gr {
		for _, v := range g.ToFloat64s() {
			maxR = max(maxR, math.Abs(v))
		}
	}
	for i, l := range terms[1:] {
		gc := tensor.Grad([]*tensor.Tensor{l}, params, nil, false)
		sum, n := 0.0, 0
		for _, g := range gc {
			for _, v := range g.ToFloat64s() {
				sum += math.Abs(v)
				n++
			}
		}
		if sum == 0 {
			continue
		}
		t.balanced[i] = (1-alpha)*t.balanced[i] + alpha*maxR/(sum/float64(n))
	}
}

// adapt refines the collocation points (RAR or RAD).
func (t *Trainer) adapt() error {
	a := t.Config.Adaptive
	pool := a.Pool
	n := t.xr.Dim(0)
	switch a.Method {
	case "rar":
		if pool == 0 {
			pool = t.Config.Collocation
		}
	case "rad":
		if pool == 0 {
			pool = 10 * t.Config.Collocation
		}
	default:
		return fmt.Errorf("pinn: adaptive method %q (want rar or rad)", a.Method)
	}
	var smp Sampler = t.Config.Sampler
	if _, ok := smp.(Grid); ok {
		smp = Uniform{} // a grid would offer the same candidates every time
	}
	cand := castTo(t.Problem.Domain.Sample(pool, smp, t.rng), paramDType(t.Net))
	t.arena.Reset()
	r := ResidualSquares(t.Problem, t.Net, cand.In(t.arena), t.Config.Mode).ToFloat64s()
	t.arena.Reset()
	d := cand.Dim(1)
	cd := cand.ToFloat64s()
	var rows []int
	if a.Method == "rar" {
		add := a.Add
		if add == 0 {
			add = 10
		}
		order := make([]int, pool)
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(i, j int) int {
			switch {
			case r[i] > r[j]:
				return -1
			case r[i] < r[j]:
				return 1
			}
			return 0
		})
		rows = order[:min(add, pool)]
		old := t.xr.ToFloat64s()
		for _, i := range rows {
			old = append(old, cd[i*d:(i+1)*d]...)
		}
		t.xr = castTo(tensor.New(old, n+len(rows), d), paramDType(t.Net))
		return nil
	}
	k, c := a.K, a.C
	if k == 0 {
		k = 1
	}
	if c == 0 {
		c = 1
	}
	p := make([]float64, pool)
	mean := 0.0
	for i, v := range r {
		p[i] = math.Pow(math.Sqrt(v), k)
		mean += p[i]
	}
	mean /= float64(pool)
	cdf := make([]float64, pool)
	acc := 0.0
	for i := range p {
		acc += p[i]/mean + c
		cdf[i] = acc
	}
	out := make([]float64, 0, n*d)
	for range n {
		u := t.rng.Float64() * acc
		i, _ := slices.BinarySearch(cdf, u)
		i = min(i, pool-1)
		out = append(out, cd[i*d:(i+1)*d]...)
	}
	t.xr = castTo(tensor.New(out, n, d), paramDType(t.Net))
	return nil
}
