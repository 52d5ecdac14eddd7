package data

import (
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"sync"

	"github.com/sciml-go/sciml/tensor"
)

// DefaultEps is the ε of the normalizers, (x − μ)/(σ + ε), as in the FNO
// scripts' UnitGaussianNormalizer.
const DefaultEps = 1e-5

// Normalizer maps batches [B, C, spatial...] to a normalized scale and
// back. Encode and Decode are built from differentiable tensor operations,
// so Decode can sit inside a loss. State exports the fitted statistics as
// named tensors, which model checkpoints save; LoadState restores them.
type Normalizer interface {
	Encode(x *tensor.Tensor) *tensor.Tensor
	Decode(x *tensor.Tensor) *tensor.Tensor
	State() map[string]*tensor.Tensor
	LoadState(state map[string]*tensor.Tensor) error
}

// Gaussian normalizes by a mean μ_c and standard deviation σ_c per channel
// (or one pair for all channels), taken over the batch and every grid
// point:
//
//	Encode(x) = (x − μ_c)/(σ_c + ε),   Decode(y) = y·(σ_c + ε) + μ_c.
//
// Since the statistics are averages over the grid, they do not depend on
// the resolution: a Gaussian fitted at one resolution applies at any other
// (the default for discretization-invariant models).
type Gaussian struct {
	// Mean and Std hold μ and σ (the unbiased sample standard deviation),
	// float64 tensors of shape [C], or [1] when shared by all channels.
	Mean, Std *tensor.Tensor
	// Eps is ε. Default DefaultEps.
	Eps float64

	consts constCache
}

// Pointwise normalizes every channel and grid point by its own mean and
// standard deviation over the samples (μ(c, x), σ(c, x) of shape
// [C, spatial...]), as the FNO Darcy script's UnitGaussianNormalizer did.
// It only applies at the resolution it was fitted at.
type Pointwise struct {
	// Mean and Std hold μ and σ (unbiased), float64 tensors [C, spatial...].
	Mean, Std *tensor.Tensor
	// Eps is ε. Default DefaultEps.
	Eps float64

	consts constCache
}

// moments accumulates means and sums of squared deviations at K positions,
// merging batches with Chan et al.'s pairwise update (exact to rounding for
// any number of samples, in a fixed order).
type moments struct {
	count float64
	mean  []float64
	m2    []float64
}

// add merges a batch whose position k has count values with mean bm[k]
// and squared-deviation sum bm2[k].
func (m *moments) add(count float64, bm, bm2 []float64) {
	if m.mean == nil {
		m.mean = make([]float64, len(bm))
		m.m2 = make([]float64, len(bm))
	}
	n := m.count + count
	for k := range bm {
		d := bm[k] - m.mean[k]
		m.mean[k] += d * count / n
		m.m2[k] += bm2[k] + d*d*m.count*count/n
	}
	m.count = n
}

// std returns the unbiased standard deviations.
func (m *moments) std() []float64 {
	s := make([]float64, len(m.m2))
	for k, v := range m.m2 {
		if m.count > 1 {
			s[k] = math.Sqrt(v / (m.count - 1))
		}
	}
	return s
}

// values returns the batch's values as float64.
func values(x *tensor.Tensor) []float64 {
	if x.DType() == tensor.Float64 {
		return x.Float64s()
	}
	return x.ToFloat64s()
}

// FitGaussian fits a Gaussian normalizer to batches [B, C, spatial...] (for
// example Loader.Field(Input) over the training range). perChannel keeps
// one (μ, σ) per channel; otherwise all channels share one.
func FitGaussian(batches iter.Seq2[*tensor.Tensor, error], perChannel bool) (*Gaussian, error) {
	var m moments
	channels := -1
	for x, err := range batches {
		if err != nil {
			return nil, err
		}
		if x.NDim() < 2 {
			return nil, fmt.Errorf("data: FitGaussian: batch of shape %v, want [B, C, ...]", x.Shape())
		}
		B, C := x.Dim(0), x.Dim(1)
		if channels >= 0 && C != channels {
			return nil, fmt.Errorf("data: FitGaussian: batches with %d and %d channels", channels, C)
		}
		channels = C
		per := x.Numel() / max(B*C, 1)
		v := values(x)
		groups := C
		if !perChannel {
			groups = 1
		}
		bm := make([]float64, groups)
		bm2 := make([]float64, groups)
		cnt := float64(B * C * per / groups)
		if cnt == 0 {
			continue
		}
		group := func(c int) int {
			if perChannel {
				return c
			}
			return 0
		}
		for b := 0; b < B; b++ {
			for c := 0; c < C; c++ {
				row := v[(b*C+c)*per : (b*C+c+1)*per]
				g := group(c)
				for _, e := range row {
					bm[g] += e
				}
			}
		}
		for g := range bm {
			bm[g] /= cnt
		}
		for b := 0; b < B; b++ {
			for c := 0; c < C; c++ {
				row := v[(b*C+c)*per : (b*C+c+1)*per]
				g := group(c)
				mu := bm[g]
				for _, e := range row {
					bm2[g] += (e - mu) * (e - mu)
				}
			}
		}
		m.add(cnt, bm, bm2)
	}
	if m.count < 2 {
		return nil, errors.New("data: FitGaussian: need at least two values")
	}
	n := len(m.mean)
	return &Gaussian{
		Mean: tensor.FromFloat64s(tensor.Float64, m.mean, n),
		Std:  tensor.FromFloat64s(tensor.Float64, m.std(), n),
		Eps:  DefaultEps,
	}, nil
}

// FitPointwise fits a per-point normalizer to batches [B, C, spatial...].
func FitPointwise(batches iter.Seq2[*tensor.Tensor, error]) (*Pointwise, error) {
	var m moments
	var shape []int
	for x, err := range batches {
		if err != nil {
			return nil, err
		}
		if x.NDim() < 2 {
			return nil, fmt.Errorf("data: FitPointwise: batch of shape %v, want [B, C, ...]", x.Shape())
		}
		if shape != nil && !slices.Equal(shape, x.Shape()[1:]) {
			return nil, fmt.Errorf("data: FitPointwise: batches of shapes %v and %v", shape, x.Shape()[1:])
		}
		shape = slices.Clone(x.Shape()[1:])
		B := x.Dim(0)
		if B == 0 {
			continue
		}
		K := x.Numel() / B
		v := values(x)
		bm := make([]float64, K)
		bm2 := make([]float64, K)
		for b := 0; b < B; b++ {
			for k, e := range v[b*K : (b+1)*K] {
				bm[k] += e
			}
		}
		for k := range bm {
			bm[k] /= float64(B)
		}
		for b := 0; b < B; b++ {
			for k, e := range v[b*K : (b+1)*K] {
				bm2[k] += (e - bm[k]) * (e - bm[k])
			}
		}
		m.add(float64(B), bm, bm2)
	}
	if m.count < 2 {
		return nil, errors.New("data: FitPointwise: need at least two samples")
	}
	return &Pointwise{
		Mean: tensor.FromFloat64s(tensor.Float64, m.mean, shape...),
		Std:  tensor.FromFloat64s(tensor.Float64, m.std(), shape...),
		Eps:  DefaultEps,
	}, nil
}

// constCache holds μ and σ+ε converted to a dtype and reshaped to
// broadcast against batches of a given rank.
type constCache struct {
	mu sync.Mutex
	m  map[[2]int][2]*tensor.Tensor
}

// get returns (μ, σ+ε) shaped by shape() for batches of x's dtype and rank.
func (c *constCache) get(x *tensor.Tensor, mean, std *tensor.Tensor, eps float64, shape []int) (*tensor.Tensor, *tensor.Tensor) {
	key := [2]int{int(x.DType()), x.NDim()}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.m[key]; ok {
		return v[0], v[1]
	}
	s := std.ToFloat64s()
	se := make([]float64, len(s))
	for i, v := range s {
		se[i] = v + eps
	}
	mu := tensor.FromFloat64s(x.DType(), mean.ToFloat64s(), shape...)
	sd := tensor.FromFloat64s(x.DType(), se, shape...)
	if c.m == nil {
		c.m = map[[2]int][2]*tensor.Tensor{}
	}
	c.m[key] = [2]*tensor.Tensor{mu, sd}
	return mu, sd
}

func (c *constCache) reset() {
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
}

func eps(e float64) float64 {
	if e == 0 {
		return DefaultEps
	}
	return e
}

// broadcastShape returns [1, C, 1, …] of rank r for a [C] statistic.
func (g *Gaussian) broadcastShape(x *tensor.Tensor) []int {
	if x.NDim() < 2 {
		panic(fmt.Sprintf("data: Gaussian normalizer applied to shape %v, want [B, C, ...]", x.Shape()))
	}
	c := g.Mean.Numel()
	if c != 1 && c != x.Dim(1) {
		panic(fmt.Sprintf("data: Gaussian normalizer of %d channels applied to shape %v", c, x.Shape()))
	}
	shape := make([]int, x.NDim())
	for i := range shape {
		shape[i] = 1
	}
	shape[1] = c
	return shape
}

// Encode returns (x − μ)/(σ + ε).
func (g *Gaussian) Encode(x *tensor.Tensor) *tensor.Tensor {
	mu, sd := g.consts.get(x, g.Mean, g.Std, eps(g.Eps), g.broadcastShape(x))
	return tensor.Div(tensor.Sub(x, mu), sd)
}

// Decode returns y(σ + ε) + μ.
func (g *Gaussian) Decode(y *tensor.Tensor) *tensor.Tensor {
	mu, sd := g.consts.get(y, g.Mean, g.Std, eps(g.Eps), g.broadcastShape(y))
	return tensor.Add(tensor.Mul(y, sd), mu)
}

// State returns {"mean", "std", "eps"} (float64; eps of shape [1]).
func (g *Gaussian) State() map[string]*tensor.Tensor {
	return map[string]*tensor.Tensor{
		"mean": g.Mean.Clone(), "std": g.Std.Clone(),
		"eps": tensor.FromFloat64s(tensor.Float64, []float64{eps(g.Eps)}, 1),
	}
}

// LoadState restores a state written by State.
func (g *Gaussian) LoadState(state map[string]*tensor.Tensor) error {
	mean, std, e, err := loadStats(state)
	if err != nil {
		return fmt.Errorf("data: Gaussian.LoadState: %w", err)
	}
	if mean.NDim() != 1 {
		return fmt.Errorf("data: Gaussian.LoadState: mean of shape %v, want [C] (a per-point state belongs to Pointwise)", mean.Shape())
	}
	g.Mean, g.Std, g.Eps = mean, std, e
	g.consts.reset()
	return nil
}

// Encode returns (x − μ(x))/(σ(x) + ε).
func (p *Pointwise) Encode(x *tensor.Tensor) *tensor.Tensor {
	mu, sd := p.consts.get(x, p.Mean, p.Std, eps(p.Eps), p.broadcastShape(x))
	return tensor.Div(tensor.Sub(x, mu), sd)
}

// Decode returns y(σ(x) + ε) + μ(x).
func (p *Pointwise) Decode(y *tensor.Tensor) *tensor.Tensor {
	mu, sd := p.consts.get(y, p.Mean, p.Std, eps(p.Eps), p.broadcastShape(y))
	return tensor.Add(tensor.Mul(y, sd), mu)
}

func (p *Pointwise) broadcastShape(x *tensor.Tensor) []int {
	if x.NDim() != p.Mean.NDim()+1 || !slices.Equal(x.Shape()[1:], p.Mean.Shape()) {
		panic(fmt.Sprintf("data: per-point normalizer fitted on samples of shape %v applied to a batch of shape %v "+
			"(per-point statistics only apply at the resolution they were fitted at; use Gaussian)", p.Mean.Shape(), x.Shape()))
	}
	return append([]int{1}, p.Mean.Shape()...)
}

// State returns {"mean", "std", "eps"} (float64; eps of shape [1]).
func (p *Pointwise) State() map[string]*tensor.Tensor {
	return map[string]*tensor.Tensor{
		"mean": p.Mean.Clone(), "std": p.Std.Clone(),
		"eps": tensor.FromFloat64s(tensor.Float64, []float64{eps(p.Eps)}, 1),
	}
}

// LoadState restores a state written by State.
func (p *Pointwise) LoadState(state map[string]*tensor.Tensor) error {
	mean, std, e, err := loadStats(state)
	if err != nil {
		return fmt.Errorf("data: Pointwise.LoadState: %w", err)
	}
	if mean.NDim() < 2 {
		return fmt.Errorf("data: Pointwise.LoadState: mean of shape %v, want [C, spatial...]", mean.Shape())
	}
	p.Mean, p.Std, p.Eps = mean, std, e
	p.consts.reset()
	return nil
}

// loadStats checks and copies the mean, std and eps of a state.
func loadStats(state map[string]*tensor.Tensor) (mean, std *tensor.Tensor, e float64, err error) {
	m, ok1 := state["mean"]
	s, ok2 := state["std"]
	if !ok1 || !ok2 || m == nil || s == nil {
		return nil, nil, 0, errors.New(`state lacks "mean" or "std"`)
	}
	if !slices.Equal(m.Shape(), s.Shape()) {
		return nil, nil, 0, fmt.Errorf("mean %v and std %v differ in shape", m.Shape(), s.Shape())
	}
	e = DefaultEps
	if t, ok := state["eps"]; ok && t != nil {
		if t.Numel() != 1 {
			return nil, nil, 0, fmt.Errorf("eps of shape %v, want one value", t.Shape())
		}
		e = t.ToFloat64s()[0]
	}
	for _, v := range s.ToFloat64s() {
		if !(v >= 0) || math.IsInf(v, 0) {
			return nil, nil, 0, fmt.Errorf("std holds %v", v)
		}
	}
	for _, v := range m.ToFloat64s() {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, nil, 0, fmt.Errorf("mean holds %v", v)
		}
	}
	mean = tensor.FromFloat64s(tensor.Float64, m.ToFloat64s(), m.Shape()...)
	std = tensor.FromFloat64s(tensor.Float64, s.ToFloat64s(), s.Shape()...)
	return mean, std, e, nil
}

// LoadNormalizer rebuilds the normalizer a State came from: Gaussian for a
// mean of shape [C], Pointwise for [C, spatial...].
func LoadNormalizer(state map[string]*tensor.Tensor) (Normalizer, error) {
	m, ok := state["mean"]
	if !ok || m == nil {
		return nil, errors.New(`data: LoadNormalizer: state lacks "mean"`)
	}
	var n Normalizer = &Gaussian{}
	if m.NDim() >= 2 {
		n = &Pointwise{}
	}
	if err := n.LoadState(state); err != nil {
		return nil, err
	}
	return n, nil
}
