package nn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
)

// A Schedule gives the learning rate at each step (or epoch: the caller
// decides what a step is), counted from 0. Schedules are pure functions of
// the step, written in PyTorch's closed forms, so their whole state is
// their parameters plus the step a checkpoint records; MarshalSchedule
// stores them. Apply one before each step (or epoch):
//
//	sched := nn.StepLR{Base: 1e-3, StepSize: 100, Gamma: 0.5}
//	for epoch := start; epoch < epochs; epoch++ {
//		nn.ApplySchedule(opt, sched, epoch)
//		… train one epoch …
//	}
type Schedule interface {
	LR(step int) float64
}

// ApplySchedule sets opt's learning rate to s.LR(step), and its momentum
// (SGD's μ, Adam's β₁) to s's when s cycles momentum (OneCycleLR with
// CycleMomentum) and opt has one.
func ApplySchedule(opt interface{ SetLR(float64) }, s Schedule, step int) {
	opt.SetLR(s.LR(step))
	if ms, ok := s.(interface{ Momentum(int) (float64, bool) }); ok {
		if m, ok := ms.Momentum(step); ok {
			if o, ok := opt.(MomentumSetter); ok {
				o.SetMomentum(m)
			}
		}
	}
}

// ConstantLR is a fixed learning rate.
type ConstantLR struct {
	Base float64 `json:"base"`
}

// LR returns Base.
func (s ConstantLR) LR(int) float64 { return s.Base }

// Validate reports invalid parameters.
func (s ConstantLR) Validate() error { return checkBase("constant", "base", s.Base) }

func checkBase(kind, name string, v float64) error {
	if !(v >= 0) || math.IsInf(v, 0) {
		return fmt.Errorf("%s schedule: %s %v must be non-negative and finite", kind, name, v)
	}
	return nil
}

// StepLR multiplies the rate by Gamma every StepSize steps (PyTorch's
// StepLR): η(k) = Base·Gamma^⌊k/StepSize⌋. Gamma 0 means ½, halving as in
// the FNO recipes (lr 1e-3 halved every 50 or 100 epochs).
type StepLR struct {
	Base     float64 `json:"base"`
	StepSize int     `json:"step_size"`
	Gamma    float64 `json:"gamma"`
}

func (s StepLR) gamma() float64 {
	if s.Gamma == 0 {
		return 0.5
	}
	return s.Gamma
}

// LR returns Base·Gamma^⌊step/StepSize⌋.
func (s StepLR) LR(step int) float64 {
	return s.Base * math.Pow(s.gamma(), float64(max(step, 0)/max(s.StepSize, 1)))
}

// Validate reports invalid parameters.
func (s StepLR) Validate() error {
	if err := checkBase("step", "base", s.Base); err != nil {
		return err
	}
	if s.StepSize <= 0 {
		return fmt.Errorf("step schedule: step_size %d must be positive", s.StepSize)
	}
	if g := s.gamma(); !(g > 0) || math.IsInf(g, 0) {
		return fmt.Errorf("step schedule: gamma %v must be positive and finite", s.Gamma)
	}
	return nil
}

// ExponentialLR multiplies the rate by Gamma every step (PyTorch's
// ExponentialLR): η(k) = Base·Gammaᵏ.
type ExponentialLR struct {
	Base  float64 `json:"base"`
	Gamma float64 `json:"gamma"`
}

// LR returns Base·Gamma^step.
func (s ExponentialLR) LR(step int) float64 {
	return s.Base * math.Pow(s.Gamma, float64(max(step, 0)))
}

// Validate reports invalid parameters.
func (s ExponentialLR) Validate() error {
	if err := checkBase("exponential", "base", s.Base); err != nil {
		return err
	}
	if !(s.Gamma > 0) || math.IsInf(s.Gamma, 0) {
		return fmt.Errorf("exponential schedule: gamma %v must be positive and finite", s.Gamma)
	}
	return nil
}

// CosineLR is cosine annealing from Base to Min over Period steps (PyTorch's
// CosineAnnealingLR in its closed form, without restarts):
//
//	η(k) = Min + (Base − Min)(1 + cos(πk/Period))/2.
//
// Like PyTorch's closed form it keeps following the cosine past Period
// (rising again); set Period to the length of the run.
type CosineLR struct {
	Base   float64 `json:"base"`
	Min    float64 `json:"min"` // η_min
	Period int     `json:"period"`
}

// LR returns the annealed rate.
func (s CosineLR) LR(step int) float64 {
	return s.Min + (s.Base-s.Min)*(1+math.Cos(math.Pi*float64(step)/float64(max(s.Period, 1))))/2
}

// Validate reports invalid parameters.
func (s CosineLR) Validate() error {
	if err := checkBase("cosine", "base", s.Base); err != nil {
		return err
	}
	if err := checkBase("cosine", "min", s.Min); err != nil {
		return err
	}
	if s.Period <= 0 {
		return fmt.Errorf("cosine schedule: period %d must be positive", s.Period)
	}
	return nil
}

// OneCycleLR is the one-cycle policy of PyTorch's OneCycleLR (used by
// MgNO): the rate rises from MaxLR/DivFactor to MaxLR over the first
// PctStart of TotalSteps, then falls to MaxLR/(DivFactor·FinalDivFactor)
// at step TotalSteps−1, each phase annealed by a half cosine
//
//	anneal(a, b, p) = b + (a − b)(1 + cos πp)/2,  p ∈ [0, 1]
//
// (or linearly). Phase i ends at step e₁ = PctStart·TotalSteps − 1 and
// e₂ = TotalSteps − 1, and p = (k − e_{i−1})/(e_i − e_{i−1}) with e₀ = 0.
// ThreePhase adds PyTorch's symmetric descent back to the initial rate at
// 2·PctStart·TotalSteps − 2 before the final annealing. Zero fields take
// PyTorch's defaults: PctStart 0.3, DivFactor 25, FinalDivFactor 1e4,
// BaseMomentum 0.85, MaxMomentum 0.95. Steps past TotalSteps−1 keep the
// final rate (PyTorch raises an error there).
//
// With CycleMomentum, Momentum cycles inversely between MaxMomentum and
// BaseMomentum and ApplySchedule sets it as SGD's μ or Adam's β₁. PyTorch
// cycles momentum by default; set CycleMomentum to reproduce that.
type OneCycleLR struct {
	MaxLR          float64 `json:"max_lr"`
	TotalSteps     int     `json:"total_steps"`
	PctStart       float64 `json:"pct_start"`
	DivFactor      float64 `json:"div_factor"`
	FinalDivFactor float64 `json:"final_div_factor"`
	Anneal         string  `json:"anneal_strategy"` // "cos" (or "") or "linear"
	ThreePhase     bool    `json:"three_phase"`
	CycleMomentum  bool    `json:"cycle_momentum"`
	BaseMomentum   float64 `json:"base_momentum"`
	MaxMomentum    float64 `json:"max_momentum"`
}

func (s OneCycleLR) withDefaults() OneCycleLR {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&s.PctStart, 0.3)
	def(&s.DivFactor, 25)
	def(&s.FinalDivFactor, 1e4)
	def(&s.BaseMomentum, 0.85)
	def(&s.MaxMomentum, 0.95)
	return s
}

// Validate reports invalid parameters.
func (s OneCycleLR) Validate() error {
	s = s.withDefaults()
	switch {
	case !(s.MaxLR > 0) || math.IsInf(s.MaxLR, 0):
		return fmt.Errorf("one-cycle schedule: max_lr %v must be positive and finite", s.MaxLR)
	case s.TotalSteps <= 0:
		return fmt.Errorf("one-cycle schedule: total_steps %d must be positive", s.TotalSteps)
	case !(s.PctStart > 0 && s.PctStart < 1):
		return fmt.Errorf("one-cycle schedule: pct_start %v must be in (0, 1)", s.PctStart)
	case !(s.DivFactor > 0) || !(s.FinalDivFactor > 0):
		return fmt.Errorf("one-cycle schedule: div_factor %v and final_div_factor %v must be positive", s.DivFactor, s.FinalDivFactor)
	case s.Anneal != "" && s.Anneal != "cos" && s.Anneal != "linear":
		return fmt.Errorf("one-cycle schedule: anneal_strategy %q is not \"cos\" or \"linear\"", s.Anneal)
	case !(s.BaseMomentum >= 0 && s.BaseMomentum < 1 && s.MaxMomentum >= 0 && s.MaxMomentum < 1):
		return fmt.Errorf("one-cycle schedule: momenta %v, %v must be in [0, 1)", s.BaseMomentum, s.MaxMomentum)
	}
	return nil
}

// oneCyclePhase is one phase: its end step and the indices of its start and
// end values in [initial, max, min] (rates) or [max, base] (momenta).
type oneCyclePhase struct {
	end        float64
	lr0, lr1   int
	mom0, mom1 int
}

// at returns the learning rate and momentum at step.
func (s OneCycleLR) at(step int) (lr, mom float64) {
	s = s.withDefaults()
	total := float64(s.TotalSteps)
	initial := s.MaxLR / s.DivFactor
	lrs := [3]float64{initial, s.MaxLR, initial / s.FinalDivFactor}
	moms := [2]float64{s.MaxMomentum, s.BaseMomentum}
	var phases []oneCyclePhase
	if s.ThreePhase {
		phases = []oneCyclePhase{
			{s.PctStart*total - 1, 0, 1, 0, 1},
			{2*s.PctStart*total - 2, 1, 0, 1, 0},
			{total - 1, 0, 2, 0, 0},
		}
	} else {
		phases = []oneCyclePhase{
			{s.PctStart*total - 1, 0, 1, 0, 1},
			{total - 1, 1, 2, 1, 0},
		}
	}
	k := float64(min(max(step, 0), s.TotalSteps-1))
	anneal := func(a, b, p float64) float64 { return b + (a-b)/2*(math.Cos(math.Pi*p)+1) }
	if s.Anneal == "linear" {
		anneal = func(a, b, p float64) float64 { return (b-a)*p + a }
	}
	start := 0.0
	for i, ph := range phases {
		if k <= ph.end || i == len(phases)-1 {
			p := (k - start) / (ph.end - start)
			return anneal(lrs[ph.lr0], lrs[ph.lr1], p), anneal(moms[ph.mom0], moms[ph.mom1], p)
		}
		start = ph.end
	}
	panic("unreachable")
}

// LR returns the one-cycle rate at step.
func (s OneCycleLR) LR(step int) float64 {
	lr, _ := s.at(step)
	return lr
}

// Momentum returns the cycled momentum at step, and whether CycleMomentum
// is on.
func (s OneCycleLR) Momentum(step int) (float64, bool) {
	if !s.CycleMomentum {
		return 0, false
	}
	_, m := s.at(step)
	return m, true
}

// Warmup ramps the rate of Then up linearly over the first Steps steps,
// from StartFactor times the rate to the full rate (PyTorch's LinearLR with
// end_factor 1): the factor is
//
//	w(k) = StartFactor + (1 − StartFactor)·min(k, Steps)/Steps.
//
// By default it multiplies: η(k) = w(k)·Then.LR(k) (PyTorch's
// ChainedScheduler of LinearLR and Then). With Sequential, Then starts
// after the warm-up: η(k) = w(k)·Then.LR(0) for k < Steps and
// Then.LR(k − Steps) afterwards (PyTorch's SequentialLR with milestone
// Steps). StartFactor 0 means PyTorch's default ⅓.
type Warmup struct {
	Steps       int      `json:"steps"`
	StartFactor float64  `json:"start_factor"`
	Sequential  bool     `json:"sequential"`
	Then        Schedule `json:"-"`
}

func (s Warmup) factor(step int) float64 {
	f := s.StartFactor
	if f == 0 {
		f = 1.0 / 3
	}
	n := max(s.Steps, 1)
	return f + (1-f)*float64(min(max(step, 0), n))/float64(n)
}

// LR returns the warmed-up rate.
func (s Warmup) LR(step int) float64 {
	if s.Sequential {
		if step < s.Steps {
			return s.factor(step) * s.Then.LR(0)
		}
		return s.Then.LR(step - s.Steps)
	}
	return s.factor(step) * s.Then.LR(step)
}

// Validate reports invalid parameters (Then's included).
func (s Warmup) Validate() error {
	if s.Steps <= 0 {
		return fmt.Errorf("warm-up schedule: steps %d must be positive", s.Steps)
	}
	if !(s.StartFactor >= 0 && s.StartFactor <= 1) {
		return fmt.Errorf("warm-up schedule: start_factor %v must be in [0, 1] (0 means ⅓)", s.StartFactor)
	}
	if s.Then == nil {
		return fmt.Errorf("warm-up schedule: no schedule to warm up (Then is nil)")
	}
	if v, ok := s.Then.(interface{ Validate() error }); ok {
		return v.Validate()
	}
	return nil
}

// scheduleKinds names the schedule types for MarshalSchedule.
func scheduleKind(s Schedule) (string, error) {
	switch s.(type) {
	case ConstantLR:
		return "constant", nil
	case StepLR:
		return "step", nil
	case ExponentialLR:
		return "exponential", nil
	case CosineLR:
		return "cosine", nil
	case OneCycleLR:
		return "one_cycle", nil
	case Warmup:
		return "warmup", nil
	}
	return "", fmt.Errorf("nn.MarshalSchedule: cannot store a schedule of type %T", s)
}

// MarshalSchedule encodes a schedule of this package (by value) as a JSON
// object with a "kind" ("constant", "step", "exponential", "cosine",
// "one_cycle", "warmup") and its fields under their JSON names; a Warmup
// holds the schedule it warms up under "then". Checkpoints store it.
func MarshalSchedule(s Schedule) ([]byte, error) {
	kind, err := scheduleKind(s)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("nn.MarshalSchedule: %w", err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"kind":%q`, kind)
	if w, ok := s.(Warmup); ok {
		if w.Then == nil {
			return nil, fmt.Errorf("nn.MarshalSchedule: warm-up of a nil schedule")
		}
		then, err := MarshalSchedule(w.Then)
		if err != nil {
			return nil, err
		}
		b.WriteString(`,"then":`)
		b.Write(then)
	}
	if len(body) > 2 {
		b.WriteByte(',')
		b.Write(body[1 : len(body)-1])
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalSchedule decodes what MarshalSchedule wrote; unknown kinds and
// fields are errors.
func UnmarshalSchedule(data []byte) (Schedule, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return nil, fmt.Errorf("nn.UnmarshalSchedule: %w", err)
	}
	var kind string
	if err := json.Unmarshal(fields["kind"], &kind); err != nil {
		return nil, fmt.Errorf("nn.UnmarshalSchedule: missing or bad \"kind\": %w", err)
	}
	then := fields["then"]
	delete(fields, "kind")
	delete(fields, "then")
	body, _ := json.Marshal(fields)
	if then != nil && kind != "warmup" {
		return nil, fmt.Errorf("nn.UnmarshalSchedule: %s schedule: unknown field \"then\"", kind)
	}
	switch kind {
	case "constant":
		return decodeSchedule[ConstantLR](kind, body)
	case "step":
		return decodeSchedule[StepLR](kind, body)
	case "exponential":
		return decodeSchedule[ExponentialLR](kind, body)
	case "cosine":
		return decodeSchedule[CosineLR](kind, body)
	case "one_cycle":
		return decodeSchedule[OneCycleLR](kind, body)
	case "warmup":
		s, err := decodeSchedule[Warmup](kind, body)
		if err != nil {
			return nil, err
		}
		if then == nil {
			return nil, fmt.Errorf("nn.UnmarshalSchedule: warmup schedule without \"then\"")
		}
		w := s.(Warmup)
		if w.Then, err = UnmarshalSchedule(then); err != nil {
			return nil, err
		}
		return w, nil
	}
	return nil, fmt.Errorf("nn.UnmarshalSchedule: unknown schedule kind %q", kind)
}

func decodeSchedule[S Schedule](kind string, body []byte) (Schedule, error) {
	var v S
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("nn.UnmarshalSchedule: %s schedule: %w", kind, err)
	}
	return v, nil
}
