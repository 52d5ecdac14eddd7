package nn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unsafe"

	"github.com/sciml-go/sciml/tensor"
)

// Optimizer updates a fixed list of parameters in place from their
// accumulated gradients. SGD and Adam are Optimizers; LBFGS, which needs to
// re-evaluate the loss, has Step(closure) instead of Step().
//
// A training step is
//
//	opt.ZeroGrad()
//	loss := lossOf(model, batch)
//	loss.Backward()
//	opt.Step()
//
// A parameter whose Grad is nil (never reached by a Backward) is skipped,
// as PyTorch skips parameters whose .grad is None. ZeroGrad zeroes
// gradients in place instead of dropping them (PyTorch's set_to_none=False),
// so steady-state steps allocate nothing; a parameter with a zeroed
// gradient is then updated with a zero gradient (momentum still moves it).
type Optimizer interface {
	// Step updates every parameter that has a gradient.
	Step()
	// ZeroGrad zeroes the accumulated gradient of every parameter in place.
	ZeroGrad()
	// LR returns the current learning rate.
	LR() float64
	// SetLR sets the learning rate for the following steps (schedules call it).
	SetLR(lr float64)
	// State returns the optimizer's hyperparameters and per-parameter state
	// for a checkpoint. Its tensors share storage with the optimizer.
	State() *OptimState
	// LoadState restores what State returned (hyperparameters included) for
	// the same list of parameters, copying the tensors.
	LoadState(s *OptimState) error
}

// MomentumSetter is implemented by optimizers with a momentum that a
// schedule can cycle (OneCycleLR): SGD's momentum and Adam's β₁.
type MomentumSetter interface {
	SetMomentum(m float64)
}

// OptimState is an optimizer's state in the form a checkpoint stores: its
// kind, its hyperparameters as JSON, integer counters and tensors. Tensors
// of per-parameter state are named "<i>.<name>" after the parameter's index
// i in the optimizer's list ("0.exp_avg", "3.momentum_buffer"), as
// PyTorch's optimizer state_dict numbers them; floating-point scalars are
// 0-d Float64 tensors, so they survive a checkpoint bit for bit.
type OptimState struct {
	Kind    string                    // "sgd", "adam", "adamw" or "lbfgs"
	Hyper   json.RawMessage           // the optimizer's config as JSON
	Ints    map[string]int64          // counters ("<i>.step", "n_iter", …)
	Tensors map[string]*tensor.Tensor // state tensors by name
}

// checkParams panics unless params are distinct non-nil leaf tensors.
func checkParams(who string, params []*tensor.Tensor) {
	seen := make(map[*tensor.Tensor]int, len(params))
	for i, p := range params {
		if p == nil {
			panic(fmt.Sprintf("nn.%s: parameter %d is nil", who, i))
		}
		if !p.IsLeaf() {
			panic(fmt.Sprintf("nn.%s: parameter %d (%v%v) is not a leaf tensor (produced by %s)", who, i, p.DType(), p.Shape(), p.Op()))
		}
		if j, ok := seen[p]; ok {
			panic(fmt.Sprintf("nn.%s: parameters %d and %d are the same tensor", who, j, i))
		}
		seen[p] = i
	}
}

// gradOf returns p's gradient, or nil; it panics when the gradient does not
// match the parameter.
func gradOf(who string, i int, p *tensor.Tensor) *tensor.Tensor {
	g := p.Grad()
	if g == nil {
		return nil
	}
	if g.DType() != p.DType() || g.Numel() != p.Numel() {
		panic(fmt.Sprintf("nn.%s: parameter %d is %v%v but its gradient is %v%v", who, i, p.DType(), p.Shape(), g.DType(), g.Shape()))
	}
	return g
}

// reals32 returns the storage of a Float32 or Complex64 tensor as float32s
// (a complex number is its real part followed by its imaginary part, the
// layout of PyTorch's view_as_real). It shares storage and allocates
// nothing.
func reals32(t *tensor.Tensor) []float32 {
	switch t.DType() {
	case tensor.Float32:
		return t.Float32s()
	case tensor.Complex64:
		c := t.Complex64s()
		if len(c) == 0 {
			return nil
		}
		return unsafe.Slice((*float32)(unsafe.Pointer(&c[0])), 2*len(c))
	}
	panic(fmt.Sprintf("nn: reals32 of a %v tensor", t.DType()))
}

// reals64 is reals32 for Float64 and Complex128 tensors.
func reals64(t *tensor.Tensor) []float64 {
	switch t.DType() {
	case tensor.Float64:
		return t.Float64s()
	case tensor.Complex128:
		c := t.Complex128s()
		if len(c) == 0 {
			return nil
		}
		return unsafe.Slice((*float64)(unsafe.Pointer(&c[0])), 2*len(c))
	}
	panic(fmt.Sprintf("nn: reals64 of a %v tensor", t.DType()))
}

// numReal is the number of real components of t.
func numReal(t *tensor.Tensor) int {
	if t.DType().IsComplex() {
		return 2 * t.Numel()
	}
	return t.Numel()
}

func stateKey(i int, name string) string { return strconv.Itoa(i) + "." + name }

// decodeHyper decodes the JSON hyperparameters of a state strictly.
func decodeHyper(kind string, raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s hyperparameters: %w", kind, err)
	}
	return nil
}

// stateLoader checks the tensors and counters of an OptimState against the
// parameters and remembers which names were used, so that unknown names can
// be reported.
type stateLoader struct {
	s    *OptimState
	used map[string]bool
	errs []error
}

func newStateLoader(who, kind string, s *OptimState) (*stateLoader, error) {
	if s == nil {
		return nil, fmt.Errorf("nn.%s.LoadState: nil state", who)
	}
	if s.Kind != kind {
		return nil, fmt.Errorf("nn.%s.LoadState: state of a %q optimizer, want %q", who, s.Kind, kind)
	}
	return &stateLoader{s: s, used: map[string]bool{}}, nil
}

func (l *stateLoader) int(name string) (int64, bool) {
	v, ok := l.s.Ints[name]
	if ok {
		l.used["#"+name] = true
	}
	return v, ok
}

// tensor returns the state tensor name, checking its dtype and shape.
func (l *stateLoader) tensor(name string, d tensor.DType, shape []int) *tensor.Tensor {
	t, ok := l.s.Tensors[name]
	if !ok || t == nil {
		l.errs = append(l.errs, fmt.Errorf("missing tensor %q (%v%v)", name, d, shape))
		return nil
	}
	l.used[name] = true
	if t.DType() != d || !slices.Equal(t.Shape(), shape) {
		l.errs = append(l.errs, fmt.Errorf("tensor %q is %v%v, want %v%v", name, t.DType(), t.Shape(), d, shape))
		return nil
	}
	return t
}

// scalar returns a 0-d Float64 state tensor's value.
func (l *stateLoader) scalar(name string) float64 {
	t := l.tensor(name, tensor.Float64, []int{})
	if t == nil {
		return 0
	}
	return t.Float64s()[0]
}

// finish reports problems and unknown names.
func (l *stateLoader) finish(who string) error {
	var unknown []string
	for k := range l.s.Tensors {
		if !l.used[k] {
			unknown = append(unknown, fmt.Sprintf("tensor %q", k))
		}
	}
	for k := range l.s.Ints {
		if !l.used["#"+k] {
			unknown = append(unknown, fmt.Sprintf("counter %q", k))
		}
	}
	slices.Sort(unknown)
	for _, u := range unknown {
		l.errs = append(l.errs, errors.New("unexpected "+u))
	}
	if len(l.errs) > 0 {
		return fmt.Errorf("nn.%s.LoadState: %w", who, errors.Join(l.errs...))
	}
	return nil
}

// ---------------------------------------------------------------------------
// SGD

// SGDConfig holds the hyperparameters of SGD. Zero fields take PyTorch's
// defaults (LR 1e-3; no momentum, dampening or weight decay).
type SGDConfig struct {
	LR          float64 `json:"lr"`
	Momentum    float64 `json:"momentum"`     // μ
	Dampening   float64 `json:"dampening"`    // τ
	Nesterov    bool    `json:"nesterov"`     // Nesterov momentum (needs μ > 0, τ = 0)
	WeightDecay float64 `json:"weight_decay"` // λ, coupled (L2 added to the gradient)
}

func (c SGDConfig) withDefaults() SGDConfig {
	if c.LR == 0 {
		c.LR = 1e-3
	}
	return c
}

// Validate reports invalid hyperparameters.
func (c SGDConfig) Validate() error {
	c = c.withDefaults()
	switch {
	case !(c.LR > 0) || math.IsInf(c.LR, 0):
		return fmt.Errorf("sgd: lr %v must be positive and finite", c.LR)
	case !(c.Momentum >= 0 && c.Momentum < 1):
		return fmt.Errorf("sgd: momentum %v must be in [0, 1)", c.Momentum)
	case !(c.Dampening >= 0 && c.Dampening <= 1):
		return fmt.Errorf("sgd: dampening %v must be in [0, 1]", c.Dampening)
	case !(c.WeightDecay >= 0) || math.IsInf(c.WeightDecay, 0):
		return fmt.Errorf("sgd: weight_decay %v must be non-negative and finite", c.WeightDecay)
	case c.Nesterov && (c.Momentum == 0 || c.Dampening != 0):
		return fmt.Errorf("sgd: Nesterov momentum needs momentum > 0 and dampening 0 (have %v, %v)", c.Momentum, c.Dampening)
	}
	return nil
}

// SGD is stochastic gradient descent with momentum, PyTorch's
// torch.optim.SGD. With gradient g, parameter θ and momentum buffer b:
//
//	g ← g + λθ                       (weight decay, when λ ≠ 0)
//	b ← g at the first step, else b ← μb + (1−τ)g
//	g ← g + μb (Nesterov) or g ← b   (when μ ≠ 0)
//	θ ← θ − ηg
//
// Complex parameters are updated as pairs of reals; float32 parameters keep
// a float32 buffer.
type SGD struct {
	cfg    SGDConfig
	params []*tensor.Tensor
	buf    []*tensor.Tensor // momentum buffers, nil until the first step with a gradient
}

// NewSGD returns SGD over params. It panics on invalid hyperparameters
// (check user configs with Validate first).
func NewSGD(params []*tensor.Tensor, cfg SGDConfig) *SGD {
	checkParams("NewSGD", params)
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		panic("nn.NewSGD: " + err.Error())
	}
	return &SGD{cfg: cfg, params: slices.Clone(params), buf: make([]*tensor.Tensor, len(params))}
}

// Config returns the hyperparameters (LR is the current learning rate).
func (o *SGD) Config() SGDConfig { return o.cfg }

// LR returns the learning rate.
func (o *SGD) LR() float64 { return o.cfg.LR }

// SetLR sets the learning rate.
func (o *SGD) SetLR(lr float64) { o.cfg.LR = lr }

// SetMomentum sets μ (OneCycleLR's momentum cycling).
func (o *SGD) SetMomentum(m float64) { o.cfg.Momentum = m }

// ZeroGrad zeroes the gradients in place.
func (o *SGD) ZeroGrad() { zeroGrads(o.params) }

func zeroGrads(params []*tensor.Tensor) {
	for _, p := range params {
		p.ZeroGrad()
	}
}

// Step applies one update.
func (o *SGD) Step() {
	c := o.cfg
	for i, p := range o.params {
		g := gradOf("SGD", i, p)
		if g == nil {
			continue
		}
		first := false
		if c.Momentum != 0 && o.buf[i] == nil {
			o.buf[i] = tensor.Zeros(p.DType(), p.Shape()...)
			first = true
		}
		if p.DType().Real() == tensor.Float32 {
			var b []float32
			if o.buf[i] != nil {
				b = reals32(o.buf[i])
			}
			sgdUpdate(reals32(p), reals32(g), b, first, c)
		} else {
			var b []float64
			if o.buf[i] != nil {
				b = reals64(o.buf[i])
			}
			sgdUpdate(reals64(p), reals64(g), b, first, c)
		}
	}
}

// sgdUpdate is one SGD step on real components; each scalar is rounded to
// T, as in PyTorch's kernels for a parameter of dtype T.
func sgdUpdate[T tensor.Float](p, g, b []T, first bool, c SGDConfig) {
	wd, mu, damp, lr := T(c.WeightDecay), T(c.Momentum), T(1-c.Dampening), T(c.LR)
	for i := range p {
		d := g[i]
		if c.WeightDecay != 0 {
			d = d + wd*p[i]
		}
		if c.Momentum != 0 {
			if first {
				b[i] = d
			} else {
				b[i] = mu*b[i] + damp*d
			}
			if c.Nesterov {
				d = d + mu*b[i]
			} else {
				d = b[i]
			}
		}
		p[i] = p[i] - lr*d
	}
}

// State returns the hyperparameters and momentum buffers ("<i>.momentum_buffer").
func (o *SGD) State() *OptimState {
	h, _ := json.Marshal(o.cfg)
	s := &OptimState{Kind: "sgd", Hyper: h, Ints: map[string]int64{}, Tensors: map[string]*tensor.Tensor{}}
	for i, b := range o.buf {
		if b != nil {
			s.Tensors[stateKey(i, "momentum_buffer")] = b.Detach()
		}
	}
	return s
}

// LoadState restores a State of an SGD over parameters of the same shapes.
func (o *SGD) LoadState(s *OptimState) error {
	l, err := newStateLoader("SGD", "sgd", s)
	if err != nil {
		return err
	}
	var cfg SGDConfig
	if err := decodeHyper("sgd", s.Hyper, &cfg); err != nil {
		return fmt.Errorf("nn.SGD.LoadState: %w", err)
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("nn.SGD.LoadState: %w", err)
	}
	cfg = cfg.withDefaults()
	bufs := make([]*tensor.Tensor, len(o.params))
	for i, p := range o.params {
		if _, ok := s.Tensors[stateKey(i, "momentum_buffer")]; ok {
			bufs[i] = l.tensor(stateKey(i, "momentum_buffer"), p.DType(), p.Shape())
		}
	}
	if err := l.finish("SGD"); err != nil {
		return err
	}
	o.cfg = cfg
	for i, b := range bufs {
		o.buf[i] = cloneInto(o.buf[i], b)
	}
	return nil
}

// cloneInto copies src into dst (allocated when nil) and returns dst; a nil
// src returns nil.
func cloneInto(dst, src *tensor.Tensor) *tensor.Tensor {
	if src == nil {
		return nil
	}
	if dst == nil {
		return src.Clone()
	}
	dst.CopyFrom(src)
	return dst
}

// ---------------------------------------------------------------------------
// Adam and AdamW

// AdamConfig holds the hyperparameters of Adam and AdamW. Zero fields take
// PyTorch's defaults: LR 1e-3, Betas (0.9, 0.999) (when both are zero),
// Eps 1e-8, WeightDecay 0 for Adam and 1e-2 for AdamW.
type AdamConfig struct {
	LR          float64    `json:"lr"`
	Betas       [2]float64 `json:"betas"` // β₁, β₂
	Eps         float64    `json:"eps"`   // ε
	WeightDecay float64    `json:"weight_decay"`
	// Decoupled selects AdamW's decoupled weight decay θ ← θ(1 − ηλ)
	// instead of the L2 term g ← g + λθ of Adam (and of the FNO scripts).
	Decoupled bool `json:"decoupled"`
}

func (c AdamConfig) withDefaults() AdamConfig {
	if c.LR == 0 {
		c.LR = 1e-3
	}
	if c.Betas == [2]float64{} {
		c.Betas = [2]float64{0.9, 0.999}
	}
	if c.Eps == 0 {
		c.Eps = 1e-8
	}
	if c.Decoupled && c.WeightDecay == 0 {
		c.WeightDecay = 1e-2
	}
	return c
}

// Validate reports invalid hyperparameters.
func (c AdamConfig) Validate() error {
	c = c.withDefaults()
	switch {
	case !(c.LR > 0) || math.IsInf(c.LR, 0):
		return fmt.Errorf("adam: lr %v must be positive and finite", c.LR)
	case !(c.Betas[0] >= 0 && c.Betas[0] < 1) || !(c.Betas[1] >= 0 && c.Betas[1] < 1):
		return fmt.Errorf("adam: betas %v must be in [0, 1)", c.Betas)
	case !(c.Eps > 0) || math.IsInf(c.Eps, 0):
		return fmt.Errorf("adam: eps %v must be positive and finite", c.Eps)
	case !(c.WeightDecay >= 0) || math.IsInf(c.WeightDecay, 0):
		return fmt.Errorf("adam: weight_decay %v must be non-negative and finite", c.WeightDecay)
	}
	return nil
}

// Adam is PyTorch's torch.optim.Adam (and AdamW with Decoupled). With
// gradient g, parameter θ, step count t (per parameter), moments m and v:
//
//	θ ← θ(1 − ηλ)                       (AdamW)   or   g ← g + λθ   (Adam, λ ≠ 0)
//	m ← m + (1−β₁)(g − m)
//	v ← β₂v + (1−β₂)g²
//	θ ← θ − η/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)
//
// Complex parameters are updated as pairs of reals, so v holds a second
// moment per real and per imaginary part (PyTorch's view_as_real
// treatment). Float32 parameters keep float32 moments and round every
// operation to float32, as PyTorch does.
type Adam struct {
	cfg    AdamConfig
	params []*tensor.Tensor
	steps  []int64
	m, v   []*tensor.Tensor // nil until the parameter's first step
}

// NewAdam returns Adam over params (Decoupled as given in cfg). It panics on
// invalid hyperparameters (check user configs with Validate first).
func NewAdam(params []*tensor.Tensor, cfg AdamConfig) *Adam {
	checkParams("NewAdam", params)
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		panic("nn.NewAdam: " + err.Error())
	}
	n := len(params)
	return &Adam{cfg: cfg, params: slices.Clone(params), steps: make([]int64, n),
		m: make([]*tensor.Tensor, n), v: make([]*tensor.Tensor, n)}
}

// NewAdamW returns AdamW (Adam with decoupled weight decay, default
// WeightDecay 1e-2) over params.
func NewAdamW(params []*tensor.Tensor, cfg AdamConfig) *Adam {
	cfg.Decoupled = true
	return NewAdam(params, cfg)
}

// Config returns the hyperparameters (LR is the current learning rate).
func (o *Adam) Config() AdamConfig { return o.cfg }

// LR returns the learning rate.
func (o *Adam) LR() float64 { return o.cfg.LR }

// SetLR sets the learning rate.
func (o *Adam) SetLR(lr float64) { o.cfg.LR = lr }

// SetMomentum sets β₁ (OneCycleLR's momentum cycling, as in PyTorch).
func (o *Adam) SetMomentum(m float64) { o.cfg.Betas[0] = m }

// ZeroGrad zeroes the gradients in place.
func (o *Adam) ZeroGrad() { zeroGrads(o.params) }

func (o *Adam) kind() string {
	if o.cfg.Decoupled {
		return "adamw"
	}
	return "adam"
}

// Step applies one update.
func (o *Adam) Step() {
	for i, p := range o.params {
		g := gradOf("Adam", i, p)
		if g == nil {
			continue
		}
		if o.m[i] == nil {
			o.m[i] = tensor.Zeros(p.DType(), p.Shape()...)
			o.v[i] = tensor.Zeros(p.DType(), p.Shape()...)
		}
		o.steps[i]++
		k := adamScalars(o.cfg, o.steps[i])
		if p.DType().Real() == tensor.Float32 {
			adamUpdate(reals32(p), reals32(g), reals32(o.m[i]), reals32(o.v[i]), k)
		} else {
			adamUpdate(reals64(p), reals64(g), reals64(o.m[i]), reals64(o.v[i]), k)
		}
	}
}

// adamK holds the per-step scalars of an Adam update, computed in float64
// as PyTorch computes them in Python.
type adamK struct {
	decay      float64 // λ for the L2 term (0 when decoupled)
	shrink     float64 // 1 − ηλ for the decoupled decay (1 otherwise)
	w1         float64 // 1 − β₁, the lerp weight
	beta2, w2  float64 // β₂, 1 − β₂
	stepSize   float64 // η/(1 − β₁ᵗ)
	bc2sqrt    float64 // √(1 − β₂ᵗ)
	eps        float64
	decoupled  bool
	hasL2Decay bool
}

func adamScalars(c AdamConfig, step int64) adamK {
	t := float64(step)
	k := adamK{w1: 1 - c.Betas[0], beta2: c.Betas[1], w2: 1 - c.Betas[1], eps: c.Eps, shrink: 1,
		stepSize: c.LR / (1 - math.Pow(c.Betas[0], t)), bc2sqrt: math.Sqrt(1 - math.Pow(c.Betas[1], t))}
	if c.WeightDecay != 0 {
		if c.Decoupled {
			k.decoupled, k.shrink = true, 1-c.LR*c.WeightDecay
		} else {
			k.hasL2Decay, k.decay = true, c.WeightDecay
		}
	}
	return k
}

// adamUpdate is one Adam step on real components, operation by operation as
// PyTorch's single-tensor Adam (lerp for m, addcmul for v, addcdiv for θ),
// each result rounded to T.
func adamUpdate[T tensor.Float](p, g, m, v []T, k adamK) {
	decay, shrink := T(k.decay), T(k.shrink)
	w1, w1c := T(k.w1), T(1-k.w1)
	beta2, w2 := T(k.beta2), T(k.w2)
	bc2, eps, step := T(k.bc2sqrt), T(k.eps), T(-k.stepSize)
	lerpLow := k.w1 < 0.5
	for i := range p {
		gi := g[i]
		if k.hasL2Decay {
			gi = gi + decay*p[i]
		}
		if k.decoupled {
			p[i] = p[i] * shrink
		}
		// torch.lerp(m, g, w): m + w(g − m) for w < ½, g − (g − m)(1 − w) otherwise.
		if lerpLow {
			m[i] = m[i] + w1*(gi-m[i])
		} else {
			m[i] = gi - (gi-m[i])*w1c
		}
		v[i] = v[i]*beta2 + w2*(gi*gi)
		denom := T(math.Sqrt(float64(v[i])))/bc2 + eps
		p[i] = p[i] + step*(m[i]/denom)
	}
}

// State returns the hyperparameters, the step counts ("<i>.step") and the
// moments ("<i>.exp_avg", "<i>.exp_avg_sq") of the parameters stepped so far.
func (o *Adam) State() *OptimState {
	h, _ := json.Marshal(o.cfg)
	s := &OptimState{Kind: o.kind(), Hyper: h, Ints: map[string]int64{}, Tensors: map[string]*tensor.Tensor{}}
	for i := range o.params {
		if o.m[i] == nil {
			continue
		}
		s.Ints[stateKey(i, "step")] = o.steps[i]
		s.Tensors[stateKey(i, "exp_avg")] = o.m[i].Detach()
		s.Tensors[stateKey(i, "exp_avg_sq")] = o.v[i].Detach()
	}
	return s
}

// LoadState restores a State of an Adam (or AdamW, matching this one) over
// parameters of the same shapes.
func (o *Adam) LoadState(s *OptimState) error {
	who := "Adam"
	l, err := newStateLoader(who, o.kind(), s)
	if err != nil {
		return err
	}
	var cfg AdamConfig
	if err := decodeHyper(s.Kind, s.Hyper, &cfg); err != nil {
		return fmt.Errorf("nn.Adam.LoadState: %w", err)
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("nn.Adam.LoadState: %w", err)
	}
	cfg = cfg.withDefaults()
	if cfg.Decoupled != o.cfg.Decoupled {
		return fmt.Errorf("nn.Adam.LoadState: %s state with decoupled = %v", s.Kind, cfg.Decoupled)
	}
	n := len(o.params)
	steps := make([]int64, n)
	ms, vs := make([]*tensor.Tensor, n), make([]*tensor.Tensor, n)
	for i, p := range o.params {
		st, ok := l.int(stateKey(i, "step"))
		if !ok {
			continue
		}
		if st <= 0 {
			l.errs = append(l.errs, fmt.Errorf("counter %q = %d, want > 0", stateKey(i, "step"), st))
		}
		steps[i] = st
		ms[i] = l.tensor(stateKey(i, "exp_avg"), p.DType(), p.Shape())
		vs[i] = l.tensor(stateKey(i, "exp_avg_sq"), p.DType(), p.Shape())
	}
	if err := l.finish(who); err != nil {
		return err
	}
	o.cfg = cfg
	for i := range o.params {
		o.steps[i] = steps[i]
		if ms[i] == nil {
			o.m[i], o.v[i] = nil, nil
			continue
		}
		o.m[i] = cloneInto(o.m[i], ms[i])
		o.v[i] = cloneInto(o.v[i], vs[i])
	}
	return nil
}
