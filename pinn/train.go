package pinn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

func netParams(net Net) []*tensor.Tensor { return nn.Params(net) }

// Config holds the training hyperparameters.
type Config struct {
	// Collocation is the number of interior points (default: the points
	// of a Grid sampler with sizes, else 10,000).
	Collocation int `json:"collocation"`
	// Sampler draws them (default LHS). Not serialised.
	Sampler Sampler `json:"-"`
	// Resample redraws the collocation points every that many Adam steps
	// (0: never).
	Resample int `json:"resample"`
	// ResidualWeight multiplies the residual term (0 means 1).
	ResidualWeight float64 `json:"residual_weight"`
	// AdamSteps Adam iterations with Adam's configuration, then
	// LBFGSIters L-BFGS iterations (one nn.LBFGS.Step per LBFGS.MaxIter).
	AdamSteps int           `json:"adam_steps"`
	Adam      nn.AdamConfig `json:"adam"`
	// Schedule, when set, gives Adam's learning rate at each Adam step
	// (nn.ConstantLR, nn.ExponentialLR, …; nil: Adam.LR throughout). Not
	// serialised.
	Schedule   nn.Schedule `json:"-"`
	LBFGSIters int         `json:"lbfgs_iters"`
	// LBFGS: zero fields take the PINN defaults (strong Wolfe, 50 iterations
	// per step, history 50, tolerances 1e-12/1e-14, and the relative
	// curvature test CurvatureEps = the machine epsilon of the net's dtype).
	LBFGS nn.LBFGSConfig `json:"lbfgs"`
	// Mode selects the derivative path (Auto: Taylor where possible).
	Mode Mode `json:"mode"`
	// Seed of the collocation sampler.
	Seed uint64 `json:"seed"`
	// LogEvery logs progress every that many steps (0: 1000).
	LogEvery int `json:"log_every"`
	// Checkpoint, when set, is written every CheckpointEvery steps (and at
	// the end of each phase).
	Checkpoint      string `json:"checkpoint"`
	CheckpointEvery int    `json:"checkpoint_every"`
	// Causal enables causal weighting of the residual (time-dependent
	// problems); Balance gradient-norm balancing of the condition weights
	// during Adam; Adaptive residual-based refinement (RAR/RAD) of the
	// collocation points during Adam.
	Causal   *Causal   `json:"causal,omitempty"`
	Balance  *Balance  `json:"balance,omitempty"`
	Adaptive *Adaptive `json:"adaptive,omitempty"`
}

// Trainer trains a network on a Problem: Adam, then L-BFGS (strong Wolfe).
type Trainer struct {
	Problem *Problem
	Net     Net
	Config  Config
	// Logger receives progress lines (default slog.Default()).
	Logger *slog.Logger
	// Metric, when set, is evaluated at each log line and at the end (e.g.
	// the relative L2 error against a reference) and logged as "metric".
	Metric func(net Net) float64

	// Step counts optimizer steps (Adam steps, then L-BFGS iterations).
	Step int64
	// LastLoss is the most recent loss value.
	LastLoss float64

	rng      *rand.Rand
	balanced []float64 // condition weights under gradient-norm balancing
	pcg      *rand.PCG
	xr       *tensor.Tensor
	adam     *nn.Adam
	lbfgs    *nn.LBFGS
	arena    *tensor.Arena
}

// NewTrainer returns a Trainer with defaults filled in and the first
// collocation points drawn.
func NewTrainer(p *Problem, net Net, cfg Config) *Trainer {
	if g, ok := cfg.Sampler.(Grid); ok && cfg.Collocation == 0 {
		cfg.Collocation = g.Points()
	}
	if cfg.Collocation == 0 {
		cfg.Collocation = 10000
	}
	if cfg.Sampler == nil {
		cfg.Sampler = LHS{}
	}
	if cfg.LogEvery == 0 {
		cfg.LogEvery = 1000
	}
	if cfg.LBFGS.LineSearch == "" {
		cfg.LBFGS.LineSearch = "strong_wolfe"
	}
	if cfg.LBFGS.MaxIter == 0 {
		cfg.LBFGS.MaxIter = 50
	}
	if cfg.LBFGS.MaxEval == 0 {
		cfg.LBFGS.MaxEval = cfg.LBFGS.MaxIter * 5 / 4
	}
	if cfg.LBFGS.HistorySize == 0 {
		cfg.LBFGS.HistorySize = 50
	}
	if cfg.LBFGS.ToleranceGrad == 0 {
		cfg.LBFGS.ToleranceGrad = 1e-12
	}
	if cfg.LBFGS.ToleranceChange == 0 {
		cfg.LBFGS.ToleranceChange = 1e-14
	}
	if cfg.LBFGS.CurvatureEps == 0 {
		// PINN losses end near 1e-6 and below, where PyTorch's absolute
		// yᵀs > 1e-10 rejects every pair: use L-BFGS-B's relative test.
		cfg.LBFGS.CurvatureEps = 0x1p-52
		if ps := netParams(net); len(ps) > 0 && ps[0].DType() == tensor.Float32 {
			cfg.LBFGS.CurvatureEps = 0x1p-23
		}
	}
	pcg := rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15)
	t := &Trainer{Problem: p, Net: net, Config: cfg, pcg: pcg, rng: rand.New(pcg), arena: tensor.NewArena()}
	t.resample()
	params := t.params()
	t.adam = nn.NewAdam(params, cfg.Adam)
	t.lbfgs = nn.NewLBFGS(params, cfg.LBFGS)
	return t
}

func (t *Trainer) params() []*tensor.Tensor {
	return append(netParams(t.Net), t.Problem.Params...)
}

func (t *Trainer) resample() {
	x := t.Problem.Domain.Sample(t.Config.Collocation, t.Config.Sampler, t.rng)
	t.xr = castTo(x, paramDType(t.Net))
}

// Collocation returns the current collocation points.
func (t *Trainer) Collocation() *tensor.Tensor { return t.xr }

// SetCollocation replaces the collocation points ([N, In], float64).
func (t *Trainer) SetCollocation(x *tensor.Tensor) { t.xr = castTo(x, paramDType(t.Net)) }

// Loss returns the total loss at the current collocation points and the
// unweighted value of each term ("residual" and the condition names).
func (t *Trainer) Loss() (*tensor.Tensor, map[string]float64) {
	names, terms := t.lossTerms(t.xr.In(t.arena))
	w := t.termWeights()
	vals := map[string]float64{}
	var total *tensor.Tensor
	for i, l := range terms {
		vals[names[i]] = l.Item()
		if w[i] != 1 {
			l = tensor.Scale(l, w[i])
		}
		if total == nil {
			total = l
		} else {
			total = tensor.Add(total, l)
		}
	}
	return total, vals
}

// ProblemLoss is mean(residual²) + Σ_c w_c·loss_c at the collocation
// points x (static weights: Condition.Weight), with the unweighted terms.
func ProblemLoss(p *Problem, net Net, x *tensor.Tensor, mode Mode) (*tensor.Tensor, map[string]float64) {
	t := &Trainer{Problem: p, Net: net, Config: Config{Mode: mode}}
	names, terms := t.lossTerms(x)
	w := t.termWeights()
	vals := map[string]float64{}
	var total *tensor.Tensor
	for i, l := range terms {
		vals[names[i]] = l.Item()
		l = tensor.Scale(l, w[i])
		if total == nil {
			total = l
		} else {
			total = tensor.Add(total, l)
		}
	}
	return total, vals
}

func (t *Trainer) evalGrad() float64 {
	t.arena.Reset()
	l, _ := t.Loss()
	l.Backward()
	v := l.Item()
	t.arena.Reset()
	t.LastLoss = v
	return v
}

func (t *Trainer) log(phase string) {
	lg := t.Logger
	if lg == nil {
		lg = slog.Default()
	}
	args := []any{"phase", phase, "step", t.Step, "loss", t.LastLoss}
	if t.Metric != nil {
		args = append(args, "metric", t.Metric(t.Net))
	}
	lg.Info("pinn", args...)
}

// Run trains: the remaining Adam steps, then the remaining L-BFGS
// iterations, stopping early (with a checkpoint when configured) when ctx
// is cancelled. A resumed Trainer continues where the checkpoint stopped.
func (t *Trainer) Run(ctx context.Context) error {
	cfg := t.Config
	for t.Step < int64(cfg.AdamSteps) {
		if err := ctx.Err(); err != nil {
			return t.stop(err)
		}
		if cfg.Resample > 0 && t.Step > 0 && t.Step%int64(cfg.Resample) == 0 {
			t.resample()
		}
		if a := cfg.Adaptive; a != nil && a.Every > 0 && t.Step > 0 && t.Step%int64(a.Every) == 0 {
			if err := t.adapt(); err != nil {
				return err
			}
		}
		if b := cfg.Balance; b != nil && t.Step%int64(max(b.Every, 1)) == 0 {
			t.rebalance()
		}
		if cfg.Schedule != nil {
			nn.ApplySchedule(t.adam, cfg.Schedule, int(t.Step))
		}
		t.StepAdam()
		if err := t.periodic("adam"); err != nil {
			return err
		}
	}
	total := int64(cfg.AdamSteps + cfg.LBFGSIters)
	for t.Step < total {
		if err := ctx.Err(); err != nil {
			return t.stop(err)
		}
		before, evals := t.lbfgs.Iterations(), t.lbfgs.Evaluations()
		t.lbfgs.Step(func() float64 {
			t.lbfgs.ZeroGrad()
			return t.evalGrad()
		})
		done := t.lbfgs.Iterations() - before
		if done == 0 {
			done = 1
		}
		prev := t.Step
		t.Step += done // may pass total: the last Step runs whole
		if t.Step/int64(cfg.LogEvery) != prev/int64(cfg.LogEvery) || t.Step == total {
			t.log("lbfgs")
		}
		if cfg.Checkpoint != "" && cfg.CheckpointEvery > 0 && t.Step/int64(cfg.CheckpointEvery) != prev/int64(cfg.CheckpointEvery) {
			if err := t.Save(cfg.Checkpoint); err != nil {
				return err
			}
		}
		if done < int64(cfg.LBFGS.MaxIter) && t.lbfgs.Evaluations()-evals < int64(cfg.LBFGS.MaxEval) && t.Step < total {
			// stopped by a tolerance (converged or stalled), not by the
			// evaluation budget: further Steps would do nothing
			t.Step = total
			t.log("lbfgs-converged")
		}
		if math.IsNaN(t.LastLoss) {
			return errors.New("pinn: loss is NaN")
		}
	}
	if cfg.Checkpoint != "" {
		return t.Save(cfg.Checkpoint)
	}
	return nil
}

// StepAdam takes one Adam step on the loss at the current collocation
// points and returns the loss before it.
func (t *Trainer) StepAdam() float64 {
	t.adam.ZeroGrad()
	v := t.evalGrad()
	t.adam.Step()
	t.Step++
	return v
}

func (t *Trainer) periodic(phase string) error {
	if t.Step%int64(t.Config.LogEvery) == 0 || t.Step == int64(t.Config.AdamSteps) {
		t.log(phase)
	}
	if t.Config.Checkpoint != "" && t.Config.CheckpointEvery > 0 && t.Step%int64(t.Config.CheckpointEvery) == 0 {
		return t.Save(t.Config.Checkpoint)
	}
	if math.IsNaN(t.LastLoss) {
		return errors.New("pinn: loss is NaN")
	}
	return nil
}

func (t *Trainer) stop(err error) error {
	if t.Config.Checkpoint != "" {
		if e := t.Save(t.Config.Checkpoint); e != nil {
			return errors.Join(err, e)
		}
	}
	return err
}

// checkpoint builds the checkpoint of the current state.
func (t *Trainer) checkpoint() (*nn.Checkpoint, error) {
	rng, err := t.pcg.MarshalBinary()
	if err != nil {
		return nil, err
	}
	opt := t.adam.State()
	phase := "adam"
	if t.lbfgs.Iterations() > 0 {
		opt = t.lbfgs.State()
		phase = "lbfgs"
	}
	extra := map[string]*tensor.Tensor{"collocation": t.xr}
	for i, p := range t.Problem.Params {
		extra[fmt.Sprintf("pde_param.%d", i)] = p
	}
	if t.balanced != nil {
		extra["condition_weights"] = tensor.New(slices.Clone(t.balanced), len(t.balanced))
	}
	cfg, err := json.Marshal(t.Config)
	if err != nil {
		return nil, err
	}
	return &nn.Checkpoint{
		Model:  nn.StateDict(t.Net),
		Extra:  extra,
		Optim:  opt,
		Config: cfg,
		RNG:    map[string][]byte{"sampler": rng},
		Step:   t.Step,
		Meta:   map[string]string{"phase": phase},
	}, nil
}

// Save writes a checkpoint (atomically, see nn.SaveCheckpoint) from which
// Resume continues the run exactly, L-BFGS history included.
func (t *Trainer) Save(path string) error {
	ck, err := t.checkpoint()
	if err != nil {
		return fmt.Errorf("pinn: checkpoint: %w", err)
	}
	return nn.SaveCheckpoint(path, ck)
}

// Resume restores the state saved by Save into t (built with the same
// problem, network architecture and config).
func (t *Trainer) Resume(path string) error {
	ck, err := nn.LoadCheckpoint(path)
	if err != nil {
		return err
	}
	if err := nn.LoadStateDict(t.Net, ck.Model); err != nil {
		return fmt.Errorf("pinn: resume %s: %w", path, err)
	}
	for i, p := range t.Problem.Params {
		v, ok := ck.Extra[fmt.Sprintf("pde_param.%d", i)]
		if !ok {
			return fmt.Errorf("pinn: resume %s: missing PDE parameter %d", path, i)
		}
		p.CopyFrom(v)
	}
	if w, ok := ck.Extra["condition_weights"]; ok {
		t.balanced = w.ToFloat64s()
	}
	if x, ok := ck.Extra["collocation"]; ok {
		t.xr = x.Clone()
	}
	if b, ok := ck.RNG["sampler"]; ok {
		if err := t.pcg.UnmarshalBinary(b); err != nil {
			return fmt.Errorf("pinn: resume %s: %w", path, err)
		}
	}
	t.Step = ck.Step
	if ck.Optim != nil {
		switch ck.Meta["phase"] {
		case "adam":
			err = t.adam.LoadState(ck.Optim)
		case "lbfgs":
			err = t.lbfgs.LoadState(ck.Optim)
		}
		if err != nil {
			return fmt.Errorf("pinn: resume %s: %w", path, err)
		}
	}
	return nil
}
