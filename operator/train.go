package operator

import (
	"bufio"
	"bytes"
	"context"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/sciml-go/sciml/internal/atomicfile"
	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// ---------------------------------------------------------------------------
// Data the trainer consumes

// Batch is a batch of input functions and the target functions the
// operator should map them to, channel-first: [B, C, n_1, …, n_d].
type Batch struct {
	Input, Output *tensor.Tensor
}

// Loader yields the batches of an epoch. Batches(epoch) must yield the same
// batches in the same order every time it is called with the same epoch
// (shuffling seeded by the epoch), which is what makes resumed runs equal
// to uninterrupted ones. A data.Loader is one, through a small adapter.
type Loader interface {
	// Batches iterates over the batches of epoch (counted from 0); it
	// stops at the first error, which it yields.
	Batches(epoch int) iter.Seq2[Batch, error]
	// NumBatches returns the number of batches of an epoch.
	NumBatches() int
}

// Normalizer maps functions to a normalised scale and back, with
// differentiable tensor operations (data.Gaussian and data.Pointwise are
// Normalizers). State exports the fitted statistics for checkpoints.
type Normalizer interface {
	Encode(x *tensor.Tensor) *tensor.Tensor
	Decode(x *tensor.Tensor) *tensor.Tensor
	State() map[string]*tensor.Tensor
	LoadState(state map[string]*tensor.Tensor) error
}

// SliceLoader serves batches from tensors held in memory: Input and Output
// have the samples along axis 0. With Shuffle the order of an epoch is a
// permutation drawn from a PCG seeded with (Seed, epoch).
type SliceLoader struct {
	Input, Output *tensor.Tensor
	BatchSize     int // default 1
	Shuffle       bool
	Seed          uint64
}

// NumBatches returns ⌈N/BatchSize⌉.
func (l *SliceLoader) NumBatches() int {
	bs := max(l.BatchSize, 1)
	return (l.Input.Dim(0) + bs - 1) / bs
}

// Batches iterates over the batches of an epoch; the tensors are fresh
// copies.
func (l *SliceLoader) Batches(epoch int) iter.Seq2[Batch, error] {
	return func(yield func(Batch, error) bool) {
		n := l.Input.Dim(0)
		if l.Output.Dim(0) != n {
			yield(Batch{}, fmt.Errorf("operator: SliceLoader: %d inputs but %d outputs", n, l.Output.Dim(0)))
			return
		}
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		if l.Shuffle {
			r := rand.New(rand.NewPCG(l.Seed, uint64(epoch)))
			r.Shuffle(n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		}
		bs := max(l.BatchSize, 1)
		for s := 0; s < n; s += bs {
			rows := idx[s:min(s+bs, n)]
			b := Batch{Input: tensor.IndexSelect(l.Input.Detach(), 0, rows), Output: tensor.IndexSelect(l.Output.Detach(), 0, rows)}
			if !yield(b, nil) {
				return
			}
		}
	}
}

// ---------------------------------------------------------------------------
// Configuration

// TrainConfig is the training recipe: epochs, batch size, optimizer,
// learning-rate schedule, loss and checkpointing. Zero fields take the FNO
// paper's values (Adam, lr 1e-3, weight decay 1e-4 added to the gradient,
// batch 20, lr halved every 100 epochs, relative L2 loss summed over the
// batch, 500 epochs).
type TrainConfig struct {
	// Epochs is the number of passes over the training data (default 500).
	Epochs int `yaml:"epochs" json:"epochs"`
	// BatchSize is the number of samples per step (default 20). The
	// trainer takes batches as its Loader makes them; BatchSize is for
	// whoever builds the Loader.
	BatchSize int `yaml:"batch_size" json:"batch_size"`
	// Seed seeds the model's initial weights and the shuffling of the
	// training data (for whoever builds them).
	Seed uint64 `yaml:"seed" json:"seed"`
	// Optimizer configures the optimizer.
	Optimizer OptimizerConfig `yaml:"optimizer" json:"optimizer"`
	// Schedule configures the learning-rate schedule.
	Schedule ScheduleConfig `yaml:"schedule" json:"schedule"`
	// Loss configures the training loss.
	Loss LossConfig `yaml:"loss" json:"loss"`
	// ClipGradNorm, when positive, rescales the gradients to this joint
	// 2-norm at most before each step (nn.ClipGradNorm).
	ClipGradNorm float64 `yaml:"clip_grad_norm" json:"clip_grad_norm"`
	// CheckpointEvery is the number of epochs between checkpoints (default
	// 10); a checkpoint is also written at the end of the run and when it
	// is interrupted.
	CheckpointEvery int `yaml:"checkpoint_every" json:"checkpoint_every"`
	// EvalEvery is the number of epochs between evaluations of the test
	// sets (default 1: every epoch); the last epoch is always evaluated.
	EvalEvery int `yaml:"eval_every" json:"eval_every"`
}

// OptimizerConfig selects the optimizer and its hyperparameters.
type OptimizerConfig struct {
	// Name is "adam" (default; weight decay added to the gradient, as the
	// FNO scripts), "adamw" (decoupled weight decay) or "sgd".
	Name string `yaml:"name" json:"name"`
	// LR is the base learning rate (default 1e-3).
	LR float64 `yaml:"lr" json:"lr"`
	// WeightDecay is λ (nil: 1e-4, the FNO scripts'; 0 for none).
	WeightDecay *float64 `yaml:"weight_decay" json:"weight_decay"`
	// Betas are Adam's (β₁, β₂) (default 0.9, 0.999).
	Betas []float64 `yaml:"betas,omitempty" json:"betas,omitempty"`
	// Eps is Adam's ε (default 1e-8).
	Eps float64 `yaml:"eps,omitempty" json:"eps,omitempty"`
	// Momentum and Nesterov configure SGD.
	Momentum float64 `yaml:"momentum,omitempty" json:"momentum,omitempty"`
	Nesterov bool    `yaml:"nesterov,omitempty" json:"nesterov,omitempty"`
}

// ScheduleConfig selects the learning-rate schedule (see package nn's
// schedules). The schedule advances once per epoch (Per "epoch", the
// default, as the FNO scripts) or once per optimizer step (Per "step").
type ScheduleConfig struct {
	// Name is "step" (default: lr·Gamma^⌊k/StepSize⌋), "constant",
	// "exponential" (lr·Gammaᵏ), "cosine" (annealed to Min over the run)
	// or "one_cycle" (PyTorch's OneCycleLR with max_lr = lr over the run).
	Name string `yaml:"name" json:"name"`
	// Per is "epoch" (default) or "step".
	Per string `yaml:"per" json:"per"`
	// StepSize is the period of "step" in units of Per (default 100).
	StepSize int `yaml:"step_size,omitempty" json:"step_size,omitempty"`
	// Gamma is the factor of "step" (default 0.5) and "exponential".
	Gamma float64 `yaml:"gamma,omitempty" json:"gamma,omitempty"`
	// Min is the final rate of "cosine".
	Min float64 `yaml:"min,omitempty" json:"min,omitempty"`
	// PctStart, DivFactor and FinalDivFactor configure "one_cycle"
	// (defaults 0.3, 25, 1e4).
	PctStart       float64 `yaml:"pct_start,omitempty" json:"pct_start,omitempty"`
	DivFactor      float64 `yaml:"div_factor,omitempty" json:"div_factor,omitempty"`
	FinalDivFactor float64 `yaml:"final_div_factor,omitempty" json:"final_div_factor,omitempty"`
	// Warmup, when positive, ramps the rate up linearly over this many
	// units of Per first (PyTorch's LinearLR chained with the schedule).
	Warmup int `yaml:"warmup,omitempty" json:"warmup,omitempty"`
}

// LossConfig selects the training loss, computed on the model's output in
// the units of the data (after the output normaliser's Decode).
type LossConfig struct {
	// Name is "rel_l2" (default: per-sample ‖ŷ−y‖₂/‖y‖₂, the FNO papers'),
	// "rel_lp" (the same with order P), "h1" (per-sample relative H¹
	// error, derivatives on the trainer's Grid, the MgNO paper's) or "mse"
	// (per-sample mean squared error).
	Name string `yaml:"name" json:"name"`
	// P is the order of "rel_lp" (default 2).
	P float64 `yaml:"p,omitempty" json:"p,omitempty"`
	// Reduction combines the per-sample losses of a batch: "sum" (default,
	// as the FNO scripts, whose gradient then grows with the batch size)
	// or "mean". The reported training loss is the per-sample average
	// either way.
	Reduction string `yaml:"reduction" json:"reduction"`
}

// WithDefaults returns c with its zero fields set to the defaults.
func (c TrainConfig) WithDefaults() TrainConfig {
	if c.Epochs == 0 {
		c.Epochs = 500
	}
	if c.BatchSize == 0 {
		c.BatchSize = 20
	}
	if c.CheckpointEvery == 0 {
		c.CheckpointEvery = 10
	}
	if c.EvalEvery == 0 {
		c.EvalEvery = 1
	}
	o := &c.Optimizer
	if o.Name == "" {
		o.Name = "adam"
	}
	if o.LR == 0 {
		o.LR = 1e-3
	}
	if o.WeightDecay == nil {
		wd := 1e-4
		o.WeightDecay = &wd
	}
	s := &c.Schedule
	if s.Name == "" {
		s.Name = "step"
	}
	if s.Per == "" {
		s.Per = "epoch"
	}
	if s.Name == "step" && s.StepSize == 0 {
		s.StepSize = 100
	}
	if s.Name == "step" && s.Gamma == 0 {
		s.Gamma = 0.5
	}
	l := &c.Loss
	if l.Name == "" {
		l.Name = "rel_l2"
	}
	if l.Reduction == "" {
		l.Reduction = "sum"
	}
	return c
}

// Validate reports every invalid field, each named by its YAML key, one
// per line.
func (c TrainConfig) Validate() error {
	c = c.WithDefaults()
	var errs []string
	bad := func(key, format string, args ...any) {
		errs = append(errs, key+": "+fmt.Sprintf(format, args...))
	}
	if c.Epochs < 1 {
		bad("epochs", "%d: want ≥ 1", c.Epochs)
	}
	if c.BatchSize < 1 {
		bad("batch_size", "%d: want ≥ 1", c.BatchSize)
	}
	if c.CheckpointEvery < 0 {
		bad("checkpoint_every", "%d: want ≥ 0", c.CheckpointEvery)
	}
	if c.EvalEvery < 1 {
		bad("eval_every", "%d: want ≥ 1", c.EvalEvery)
	}
	if !(c.ClipGradNorm >= 0) || math.IsInf(c.ClipGradNorm, 0) {
		bad("clip_grad_norm", "%v: want ≥ 0 and finite", c.ClipGradNorm)
	}
	if _, err := c.Optimizer.build(nil); err != nil {
		bad("optimizer", "%v", err)
	}
	if _, err := c.Schedule.Build(c.Optimizer.LR, c.Epochs, 1); err != nil {
		bad("schedule", "%v", err)
	}
	if _, err := c.Loss.Build(nn.Grid{Periodic: true}); err != nil {
		bad("loss", "%v", err)
	}
	if len(errs) > 0 {
		return fmt.Errorf("train: %s", strings.Join(errs, "\n"))
	}
	return nil
}

// NewOptimizer returns the configured optimizer over params.
func (c OptimizerConfig) NewOptimizer(params []*tensor.Tensor) (nn.Optimizer, error) {
	return c.build(params)
}

// build checks c and, for a non-nil params, returns the optimizer.
func (c OptimizerConfig) build(params []*tensor.Tensor) (nn.Optimizer, error) {
	lr := c.LR
	if lr == 0 {
		lr = 1e-3
	}
	wd := 1e-4
	if c.WeightDecay != nil {
		wd = *c.WeightDecay
	}
	switch c.Name {
	case "", "adam", "adamw":
		ac := nn.AdamConfig{LR: lr, WeightDecay: wd, Eps: c.Eps, Decoupled: c.Name == "adamw"}
		switch len(c.Betas) {
		case 0:
		case 2:
			ac.Betas = [2]float64{c.Betas[0], c.Betas[1]}
		default:
			return nil, fmt.Errorf("betas %v: want two values", c.Betas)
		}
		if c.Momentum != 0 || c.Nesterov {
			return nil, fmt.Errorf("momentum and nesterov are SGD's, not %s's", c.Name)
		}
		if err := ac.Validate(); err != nil {
			return nil, err
		}
		if params == nil {
			return nil, nil
		}
		return nn.NewAdam(params, ac), nil
	case "sgd":
		sc := nn.SGDConfig{LR: lr, Momentum: c.Momentum, Nesterov: c.Nesterov, WeightDecay: wd}
		if len(c.Betas) > 0 || c.Eps != 0 {
			return nil, fmt.Errorf("betas and eps are Adam's, not sgd's")
		}
		if err := sc.Validate(); err != nil {
			return nil, err
		}
		if params == nil {
			return nil, nil
		}
		return nn.NewSGD(params, sc), nil
	}
	return nil, fmt.Errorf("name %q: want adam, adamw or sgd", c.Name)
}

// PerStep reports whether the schedule advances every optimizer step
// rather than every epoch.
func (c ScheduleConfig) PerStep() bool { return c.Per == "step" }

// Build returns the schedule for a run of epochs epochs of stepsPerEpoch
// optimizer steps with base rate lr (its steps are epochs or optimizer
// steps, as Per says).
func (c ScheduleConfig) Build(lr float64, epochs, stepsPerEpoch int) (nn.Schedule, error) {
	if lr == 0 {
		lr = 1e-3
	}
	total := epochs
	switch c.Per {
	case "", "epoch":
	case "step":
		total = epochs * max(stepsPerEpoch, 1)
	default:
		return nil, fmt.Errorf("per %q: want epoch or step", c.Per)
	}
	var s nn.Schedule
	switch c.Name {
	case "", "step":
		ss, g := c.StepSize, c.Gamma
		if ss == 0 {
			ss = 100
		}
		if g == 0 {
			g = 0.5
		}
		s = nn.StepLR{Base: lr, StepSize: ss, Gamma: g}
	case "constant":
		s = nn.ConstantLR{Base: lr}
	case "exponential":
		s = nn.ExponentialLR{Base: lr, Gamma: c.Gamma}
	case "cosine":
		s = nn.CosineLR{Base: lr, Min: c.Min, Period: total}
	case "one_cycle":
		s = nn.OneCycleLR{MaxLR: lr, TotalSteps: total, PctStart: c.PctStart, DivFactor: c.DivFactor, FinalDivFactor: c.FinalDivFactor}
	default:
		return nil, fmt.Errorf("name %q: want step, constant, exponential, cosine or one_cycle", c.Name)
	}
	if c.Warmup < 0 {
		return nil, fmt.Errorf("warmup %d: want ≥ 0", c.Warmup)
	}
	if c.Warmup > 0 {
		s = nn.Warmup{Steps: c.Warmup, Then: s}
	}
	if v, ok := s.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Build returns the configured loss; grid describes the spatial domain
// (the H¹ loss differentiates on it).
func (c LossConfig) Build(grid nn.Grid) (nn.Loss, error) {
	var red nn.Reduction
	switch c.Reduction {
	case "", "sum":
		red = nn.ReduceSum
	case "mean":
		red = nn.ReduceMean
	default:
		return nil, fmt.Errorf("reduction %q: want sum or mean", c.Reduction)
	}
	if c.P != 0 && c.Name != "rel_lp" {
		return nil, fmt.Errorf("p is the order of rel_lp, not of %s", c.Name)
	}
	switch c.Name {
	case "", "rel_l2":
		return nn.RelLp{P: 2, Reduction: red}, nil
	case "rel_lp":
		p := c.P
		if p == 0 {
			p = 2
		}
		if !(p >= 1) || math.IsInf(p, 0) {
			return nil, fmt.Errorf("p %v: want ≥ 1 and finite", c.P)
		}
		return nn.RelLp{P: p, Reduction: red}, nil
	case "h1":
		l := nn.H1{Grid: grid, Reduction: red}
		if err := l.Validate(); err != nil {
			return nil, err
		}
		return l, nil
	case "mse":
		return nn.LossFunc(func(pred, target *tensor.Tensor) *tensor.Tensor {
			axes := make([]int, pred.NDim()-1)
			for i := range axes {
				axes[i] = i + 1
			}
			per := tensor.MeanAxes(tensor.Square(tensor.Sub(pred, target)), axes, false)
			if red == nn.ReduceSum {
				return tensor.Sum(per)
			}
			return tensor.Mean(per)
		}), nil
	}
	return nil, fmt.Errorf("name %q: want rel_l2, rel_lp, h1 or mse", c.Name)
}

// ---------------------------------------------------------------------------
// Autoregressive rollout

// Rollout applies a model that maps the last Window = In channels (time
// snapshots) of a trajectory to the next Out ones autoregressively, as the
// FNO paper's recurrent FNO-2D for Navier–Stokes: with h₀ = x,
//
//	ŷ_k = Model(h_k),   h_{k+1} = (h_k without its first Out channels, ŷ_k),
//
// until Steps channels are predicted; Forward returns them concatenated
// along the channel axis, [B, Steps, …]. Gradients flow through the whole
// rollout (no teacher forcing). Its parameters are the model's, under the
// same names.
type Rollout struct {
	Model Operator
	// Steps is the number of channels (snapshots) to predict; a multiple
	// of the model's output channels.
	Steps int
}

// Visit declares the model's parameters.
func (r *Rollout) Visit(v *nn.Visitor) { r.Model.Visit(v) }

// Forward rolls the model out from x [B, Window, …] to [B, Steps, …].
func (r *Rollout) Forward(x *tensor.Tensor) *tensor.Tensor {
	var preds []*tensor.Tensor
	h := x
	done := 0
	for done < r.Steps {
		y := r.Model.Forward(h)
		out := y.Dim(1)
		if out < 1 || out > h.Dim(1) || r.Steps%out != 0 {
			panic(fmt.Sprintf("operator: Rollout: model maps %v to %v; want at most the input's channels, dividing Steps %d", h.Shape(), y.Shape(), r.Steps))
		}
		preds = append(preds, y)
		done += out
		if done < r.Steps {
			h = tensor.Concat(1, tensor.Narrow(h, 1, out, h.Dim(1)-out), y)
		}
	}
	if len(preds) == 1 {
		return preds[0]
	}
	return tensor.Concat(1, preds...)
}

// ---------------------------------------------------------------------------
// Trainer

// EvalSet is a test set evaluated during training: Name labels it in
// metrics ("s=256").
type EvalSet struct {
	Name string
	Data Loader
}

// EpochRecord is one line of metrics.jsonl: the state after Epoch epochs
// (counted from 1).
type EpochRecord struct {
	Epoch int   `json:"epoch"`
	Step  int64 `json:"step"`
	// TrainLoss is the per-sample average of the training loss over the
	// epoch (whatever the batch reduction).
	TrainLoss float64 `json:"train_loss"`
	// Test holds the metrics of each test set, by name (absent in epochs
	// without evaluation).
	Test map[string]Metrics `json:"test,omitempty"`
	// LR is the learning rate of the epoch's last step.
	LR float64 `json:"lr"`
	// Seconds is the wall time of the epoch (training and evaluation).
	Seconds float64 `json:"seconds"`
}

// Result sums up a finished run.
type Result struct {
	// History holds every epoch's record, resumed epochs included.
	History []EpochRecord
	// Steps is the number of optimizer steps taken in all.
	Steps int64
	// Seconds is the wall time of this call of Run.
	Seconds float64
	// Checkpoint is the path of the final checkpoint ("" without Dir).
	Checkpoint string
}

// Final returns the last epoch's record (zero if none).
func (r *Result) Final() EpochRecord {
	if len(r.History) == 0 {
		return EpochRecord{}
	}
	return r.History[len(r.History)-1]
}

// Files the trainer writes in its directory.
const (
	MetricsFile    = "metrics.jsonl"
	CheckpointFile = "model.safetensors"
)

// ErrInterrupted is wrapped by Run's error when its context is cancelled;
// the run's state is then in the checkpoint, ready to resume.
var ErrInterrupted = errors.New("training interrupted")

// NonFiniteError is returned when the training loss or the gradients are
// not finite: the run stops before the optimizer step, without writing a
// checkpoint, so the last checkpoint is the last good state.
type NonFiniteError struct {
	What       string  // "loss" or "gradient norm"
	Value      float64 // NaN or ±Inf
	Epoch      int     // counted from 1
	Batch      int     // counted from 1
	Step       int64   // optimizer steps taken before
	Checkpoint string  // the last good checkpoint ("" when none was written)
	GoodEpoch  int     // the epochs it holds
}

func (e *NonFiniteError) Error() string {
	s := fmt.Sprintf("training diverged: the %s is %v at epoch %d, batch %d (after %d steps); stopped without saving", e.What, e.Value, e.Epoch, e.Batch, e.Step)
	if e.Checkpoint != "" {
		return s + fmt.Sprintf("; the last good checkpoint is %s (%d epochs)", e.Checkpoint, e.GoodEpoch)
	}
	return s + "; no checkpoint had been written"
}

// RandState is a random source whose state a checkpoint can keep
// (math/rand/v2's PCG and ChaCha8).
type RandState interface {
	encoding.BinaryMarshaler
	encoding.BinaryUnmarshaler
}

// Trainer fits an operator to a training Loader. Each step encodes the
// input with InputNorm, runs the model, decodes the output with
// OutputNorm and takes the configured loss against the raw target:
//
//	loss = L(Decode(Model(Encode(x))), y)
//
// (the FNO Darcy script's y_normalizer.decode before the loss). A model
// that is a NodeSampler and draws nodes (a GNO with sample_nodes) is
// instead run on the nodes it draws for each sample, seeded by
// (Config.Seed, epoch, batch, sample), and the loss is taken at those
// nodes (the H1 loss, which needs whole grids, is refused). Every step
// runs in a tensor.Arena that is reset afterwards.
//
// After every epoch it evaluates the Test sets (relative L2, and H¹ when
// H1 is set), appends an EpochRecord to Dir/metrics.jsonl and, every
// CheckpointEvery epochs and at the end, writes Dir/model.safetensors
// atomically: the model, the optimizer, the schedule, the normalisers'
// statistics (Extra "input_norm.*", "output_norm.*"), RunConfig (JSON),
// the RNG states and the position in the run. Resume continues from such
// a checkpoint bit for bit: a run interrupted and resumed ends with the
// same weights as one that was not.
//
// Cancelling ctx (Ctrl-C) stops the run between two steps, writes the
// checkpoint (with the position inside the epoch) and returns an error
// wrapping ErrInterrupted. A non-finite loss or gradient stops the run
// with a *NonFiniteError and leaves the last checkpoint untouched.
type Trainer struct {
	Model  Operator
	Config TrainConfig
	// Train yields the training batches.
	Train Loader
	// Test lists the sets evaluated after every EvalEvery epochs.
	Test []EvalSet
	// InputNorm and OutputNorm are the optional normalisers.
	InputNorm, OutputNorm Normalizer
	// Grid describes the spatial domain: the H¹ loss and metric
	// differentiate on it.
	Grid nn.Grid
	// H1 adds the relative H¹ error to the test metrics.
	H1 bool
	// Dir is the run directory for metrics.jsonl and model.safetensors
	// ("" writes nothing).
	Dir string
	// Resume is a checkpoint to continue from ("" starts afresh).
	Resume string
	// RunConfig is stored (as JSON) in the checkpoint's Config, so that
	// the checkpoint alone can rebuild the model; nil stores Config.
	RunConfig any
	// Meta is stored in the checkpoint's Meta.
	Meta map[string]string
	// RNG lists random sources to save in checkpoints and restore on
	// resume (for example a model's dropout source).
	RNG map[string]RandState
	// Progress receives a progress bar with the loss and the ETA when it
	// is a terminal, and one summary line per epoch (nil: silent).
	Progress io.Writer
	// Log receives notes on checkpoints and resumes (nil: none).
	Log *slog.Logger
	// OnEpoch, when set, is called after each epoch's record is written.
	OnEpoch func(EpochRecord)

	recent []float64 // the last epochs' seconds, for the time left
}

// trainState is the position of a run.
type trainState struct {
	epoch   int   // completed epochs
	step    int64 // optimizer steps taken
	batch   int   // batches done in epoch `epoch` (interrupted runs)
	lossSum float64
	samples int
}

func (t *Trainer) logf(msg string, args ...any) {
	if t.Log != nil {
		t.Log.Info(msg, args...)
	}
}

// Run trains until Config.Epochs epochs are done (counting resumed ones).
func (t *Trainer) Run(ctx context.Context) (*Result, error) {
	start := time.Now()
	if t.Model == nil || t.Train == nil {
		return nil, errors.New("operator: Trainer needs a Model and a Train loader")
	}
	if err := t.Config.Validate(); err != nil {
		return nil, err
	}
	cfg := t.Config.WithDefaults()
	nb := t.Train.NumBatches()
	if nb < 1 {
		return nil, errors.New("operator: the training loader has no batches")
	}
	params := nn.TrainableParams(t.Model)
	if len(params) == 0 {
		return nil, errors.New("operator: the model has no trainable parameters")
	}
	opt, err := cfg.Optimizer.NewOptimizer(params)
	if err != nil {
		return nil, fmt.Errorf("train: optimizer: %w", err)
	}
	sched, err := cfg.Schedule.Build(cfg.Optimizer.LR, cfg.Epochs, nb)
	if err != nil {
		return nil, fmt.Errorf("train: schedule: %w", err)
	}
	lossFn, err := cfg.Loss.Build(t.Grid)
	if err != nil {
		return nil, fmt.Errorf("train: loss: %w", err)
	}
	sampler, _ := t.Model.(NodeSampler)
	if sampler != nil && sampler.SampleNodes(1, 0, 0, 0, 0) == nil {
		sampler = nil // trains on whole grids
	}
	if sampler != nil && cfg.Loss.Name == "h1" {
		return nil, errors.New("train: loss h1 needs whole grids; the model trains on subsampled nodes (sample_nodes): use rel_l2, rel_lp or mse")
	}
	sumReduced := cfg.Loss.Reduction == "sum"
	perStep := cfg.Schedule.PerStep()

	res := &Result{}
	var st trainState
	lastGood := "" // the last checkpoint written or resumed from
	lastGoodEpoch := 0
	if t.Resume != "" {
		if st, err = t.restore(t.Resume, opt); err != nil {
			return nil, err
		}
		lastGood, lastGoodEpoch = t.Resume, st.epoch
		t.logf("resumed", "checkpoint", t.Resume, "epoch", st.epoch, "step", st.step, "batch", st.batch)
	}
	var metrics *os.File
	ckPath := ""
	if t.Dir != "" {
		if err := os.MkdirAll(t.Dir, 0o755); err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
		ckPath = filepath.Join(t.Dir, CheckpointFile)
		res.Checkpoint = ckPath
		if res.History, err = t.prepareMetrics(st.epoch); err != nil {
			return nil, err
		}
		metrics, err = os.OpenFile(filepath.Join(t.Dir, MetricsFile), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
		defer metrics.Close()
	}
	save := func(s trainState, status string) error {
		if ckPath == "" {
			return nil
		}
		if err := t.save(ckPath, opt, sched, s, status); err != nil {
			return err
		}
		lastGood, lastGoodEpoch = ckPath, s.epoch
		return nil
	}

	bar := t.newBar(int64((cfg.Epochs-st.epoch)*nb - st.batch))
	defer bar.finish()
	ar := tensor.NewArena()
	lr := opt.LR()
	for st.epoch < cfg.Epochs {
		epochStart := time.Now()
		epoch := st.epoch
		nn.SetTraining(t.Model, true)
		if !perStep {
			nn.ApplySchedule(opt, sched, epoch)
		}
		skip := st.batch
		b := 0
		for batch, err := range t.Train.Batches(epoch) {
			if err != nil {
				return res, fmt.Errorf("train: epoch %d: reading batch %d: %w", epoch+1, b+1, err)
			}
			if b < skip {
				b++
				continue
			}
			if ctx.Err() != nil {
				bar.clear()
				if err := save(st, "interrupted"); err != nil {
					return res, fmt.Errorf("train: interrupted, and saving failed: %w", err)
				}
				where := "no checkpoint written (no run directory)"
				if ckPath != "" {
					where = "state saved to " + ckPath + "; resume to continue"
				}
				return res, fmt.Errorf("%w at epoch %d, batch %d of %d: %s: %w", ErrInterrupted, epoch+1, b+1, nb, where, context.Cause(ctx))
			}
			if perStep {
				nn.ApplySchedule(opt, sched, int(st.step))
			}
			lr = opt.LR()
			opt.ZeroGrad()
			x, y := batch.Input.In(ar), batch.Output.In(ar)
			var pred *tensor.Tensor
			if sampler != nil {
				pred, y = t.forwardNodes(sampler, x, y, cfg.Seed, epoch, b)
			} else {
				pred = t.forward(x)
			}
			loss := lossFn.Loss(pred, y)
			lv := loss.Item()
			if math.IsNaN(lv) || math.IsInf(lv, 0) {
				ar.Reset()
				return res, &NonFiniteError{What: "loss", Value: lv, Epoch: epoch + 1, Batch: b + 1, Step: st.step, Checkpoint: lastGood, GoodEpoch: lastGoodEpoch}
			}
			loss.Backward()
			var gn float64
			if cfg.ClipGradNorm > 0 {
				gn = nn.ClipGradNorm(params, cfg.ClipGradNorm)
			} else {
				gn = nn.GradNorm(params)
			}
			if math.IsNaN(gn) || math.IsInf(gn, 0) {
				ar.Reset()
				return res, &NonFiniteError{What: "gradient norm", Value: gn, Epoch: epoch + 1, Batch: b + 1, Step: st.step, Checkpoint: lastGood, GoodEpoch: lastGoodEpoch}
			}
			opt.Step()
			bsz := batch.Input.Dim(0)
			// The graphs of drawn nodes have other numbers of edges every
			// step; the arena's size classes absorb that.
			ar.Reset()
			if !sumReduced {
				lv *= float64(bsz)
			}
			st.lossSum += lv
			st.samples += bsz
			st.step++
			st.batch++
			b++
			bar.add(epoch+1, cfg.Epochs, st.lossSum/float64(st.samples))
		}
		if st.samples == 0 {
			return res, fmt.Errorf("train: epoch %d: the training loader yielded no samples", epoch+1)
		}
		rec := EpochRecord{Epoch: epoch + 1, Step: st.step, TrainLoss: st.lossSum / float64(st.samples), LR: lr}
		st = trainState{epoch: epoch + 1, step: st.step}
		if len(t.Test) > 0 && (rec.Epoch%cfg.EvalEvery == 0 || rec.Epoch == cfg.Epochs) {
			rec.Test = map[string]Metrics{}
			for _, ts := range t.Test {
				m, err := Evaluate(context.WithoutCancel(ctx), t.Model, ts.Data.Batches(0), EvalOptions{
					InputNorm: t.InputNorm, OutputNorm: t.OutputNorm, Grid: t.h1Grid()})
				if err != nil {
					return res, fmt.Errorf("train: epoch %d: evaluating %s: %w", rec.Epoch, ts.Name, err)
				}
				rec.Test[ts.Name] = m
			}
		}
		rec.Seconds = time.Since(epochStart).Seconds()
		res.History = append(res.History, rec)
		if metrics != nil {
			line, _ := json.Marshal(rec)
			if _, err := metrics.Write(append(line, '\n')); err != nil {
				return res, fmt.Errorf("train: %w", err)
			}
		}
		bar.clear()
		t.printEpoch(rec, cfg.Epochs)
		if t.OnEpoch != nil {
			t.OnEpoch(rec)
		}
		if rec.Epoch == cfg.Epochs || (cfg.CheckpointEvery > 0 && rec.Epoch%cfg.CheckpointEvery == 0) {
			status := "running"
			if rec.Epoch == cfg.Epochs {
				status = "done"
			}
			if err := save(st, status); err != nil {
				return res, err
			}
			t.logf("checkpoint", "path", ckPath, "epoch", rec.Epoch)
		}
	}
	res.Steps = st.step
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// forward is Decode(Model(Encode(x))).
func (t *Trainer) forward(x *tensor.Tensor) *tensor.Tensor {
	if t.InputNorm != nil {
		x = t.InputNorm.Encode(x)
	}
	y := t.Model.Forward(x)
	if t.OutputNorm != nil {
		y = t.OutputNorm.Decode(y)
	}
	return y
}

// forwardNodes is forward on the nodes the model draws for each sample
// of batch b of epoch (Nyström subsampling): it returns the prediction
// and the target y at those nodes, [B, Out, m]. The output normaliser
// decodes the prediction pointwise on the grid, zero off the nodes.
func (t *Trainer) forwardNodes(s NodeSampler, x, y *tensor.Tensor, seed uint64, epoch, b int) (pred, target *tensor.Tensor) {
	sizes := x.Shape()[2:]
	n := 1
	for _, k := range sizes {
		n *= k
	}
	nodes := make([][]int, x.Dim(0))
	for i := range nodes {
		nodes[i] = s.SampleNodes(n, seed, epoch, b, i)
	}
	if t.InputNorm != nil {
		x = t.InputNorm.Encode(x)
	}
	pred = s.ForwardNodes(x, nodes)
	if t.OutputNorm != nil {
		pred = GatherNodes(t.OutputNorm.Decode(ScatterNodes(pred, nodes, sizes)), nodes)
	}
	return pred, GatherNodes(y, nodes)
}

func (t *Trainer) h1Grid() *nn.Grid {
	if !t.H1 {
		return nil
	}
	g := t.Grid
	return &g
}

// printEpoch writes the epoch's summary line to Progress.
func (t *Trainer) printEpoch(rec EpochRecord, epochs int) {
	if t.Progress == nil {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "epoch %*d/%d  train %.5f", len(strconv.Itoa(epochs)), rec.Epoch, epochs, rec.TrainLoss)
	names := make([]string, 0, len(rec.Test))
	for n := range rec.Test {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		m := rec.Test[n]
		fmt.Fprintf(&b, "  test[%s] %.5f", n, m.RelL2)
		if m.H1 != 0 {
			fmt.Fprintf(&b, " (H1 %.5f)", m.H1)
		}
	}
	fmt.Fprintf(&b, "  lr %.3g  %.1fs", rec.LR, rec.Seconds)
	if t.recent = append(t.recent, rec.Seconds); len(t.recent) > 10 {
		t.recent = t.recent[1:]
	}
	if left := epochs - rec.Epoch; left > 0 && len(t.recent) >= 2 {
		sorted := slices.Sorted(slices.Values(t.recent))
		fmt.Fprintf(&b, "  (≈ %s left)", roughDuration(float64(left)*sorted[len(sorted)/2]))
	}
	b.WriteByte('\n')
	io.WriteString(t.Progress, b.String())
}

// roughDuration writes a duration in seconds to two figures: 45 s,
// 12 min, 5.4 h.
func roughDuration(sec float64) string {
	switch {
	case sec < 90:
		return fmt.Sprintf("%.0f s", sec)
	case sec < 90*60:
		return fmt.Sprintf("%.0f min", sec/60)
	default:
		return fmt.Sprintf("%.1f h", sec/3600)
	}
}

// save writes the checkpoint of state s.
func (t *Trainer) save(path string, opt nn.Optimizer, sched nn.Schedule, s trainState, status string) error {
	ck := &nn.Checkpoint{
		Model: nn.StateDict(t.Model),
		Extra: map[string]*tensor.Tensor{},
		Optim: opt.State(),
		Step:  s.step,
		Epoch: int64(s.epoch),
		Meta:  map[string]string{},
		RNG:   map[string][]byte{},
	}
	for k, v := range t.Meta {
		ck.Meta[k] = v
	}
	ck.Meta["status"] = status
	ck.Meta["batch"] = strconv.Itoa(s.batch)
	ck.Meta["loss_sum"] = strconv.FormatFloat(s.lossSum, 'g', -1, 64)
	ck.Meta["samples"] = strconv.Itoa(s.samples)
	for prefix, n := range map[string]Normalizer{"input_norm.": t.InputNorm, "output_norm.": t.OutputNorm} {
		if n == nil {
			continue
		}
		for k, v := range n.State() {
			ck.Extra[prefix+k] = v
		}
	}
	var err error
	if ck.Schedule, err = nn.MarshalSchedule(sched); err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	rc := t.RunConfig
	if rc == nil {
		rc = t.Config
	}
	if ck.Config, err = json.Marshal(rc); err != nil {
		return fmt.Errorf("train: checkpoint: config: %w", err)
	}
	for name, r := range t.RNG {
		if ck.RNG[name], err = r.MarshalBinary(); err != nil {
			return fmt.Errorf("train: checkpoint: rng %s: %w", name, err)
		}
	}
	return nn.SaveCheckpoint(path, ck)
}

// restore loads a checkpoint into the model, the optimizer, the
// normalisers and the RNGs, and returns the position it holds.
func (t *Trainer) restore(path string, opt nn.Optimizer) (trainState, error) {
	var st trainState
	ck, err := nn.LoadCheckpoint(path)
	if err != nil {
		return st, fmt.Errorf("train: resume: %w", err)
	}
	fail := func(format string, args ...any) (trainState, error) {
		return st, fmt.Errorf("train: resume from %s: %s", path, fmt.Sprintf(format, args...))
	}
	if err := nn.LoadStateDict(t.Model, ck.Model); err != nil {
		return fail("%v", err)
	}
	if ck.Optim == nil {
		return fail("the checkpoint holds no optimizer state")
	}
	if err := opt.LoadState(ck.Optim); err != nil {
		return fail("%v", err)
	}
	for prefix, n := range map[string]Normalizer{"input_norm.": t.InputNorm, "output_norm.": t.OutputNorm} {
		if n == nil {
			continue
		}
		state := ExtraWithPrefix(ck.Extra, prefix)
		if len(state) == 0 {
			return fail("the checkpoint holds no %s statistics", strings.TrimSuffix(prefix, "."))
		}
		if err := n.LoadState(state); err != nil {
			return fail("%s: %v", strings.TrimSuffix(prefix, "."), err)
		}
	}
	for name, r := range t.RNG {
		b, ok := ck.RNG[name]
		if !ok {
			return fail("the checkpoint holds no state of the random source %q", name)
		}
		if err := r.UnmarshalBinary(b); err != nil {
			return fail("rng %s: %v", name, err)
		}
	}
	st.epoch, st.step = int(ck.Epoch), ck.Step
	if v, ok := ck.Meta["batch"]; ok {
		if st.batch, err = strconv.Atoi(v); err != nil || st.batch < 0 {
			return fail("bad batch %q", v)
		}
	}
	if v, ok := ck.Meta["loss_sum"]; ok {
		if st.lossSum, err = strconv.ParseFloat(v, 64); err != nil {
			return fail("bad loss_sum %q", v)
		}
	}
	if v, ok := ck.Meta["samples"]; ok {
		if st.samples, err = strconv.Atoi(v); err != nil || st.samples < 0 {
			return fail("bad samples %q", v)
		}
	}
	if st.batch > 0 && st.batch >= t.Train.NumBatches() {
		return fail("it stopped after batch %d of an epoch, but the loader has %d batches", st.batch, t.Train.NumBatches())
	}
	return st, nil
}

// ExtraWithPrefix returns the tensors of extra whose names start with
// prefix, with the prefix removed (a normaliser's state from a checkpoint).
func ExtraWithPrefix(extra map[string]*tensor.Tensor, prefix string) map[string]*tensor.Tensor {
	out := map[string]*tensor.Tensor{}
	for k, v := range extra {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			out[rest] = v
		}
	}
	return out
}

// prepareMetrics keeps the records of the first epochs epochs of an
// existing metrics.jsonl (a resumed run drops what came after its
// checkpoint) and returns them.
func (t *Trainer) prepareMetrics(epochs int) ([]EpochRecord, error) {
	path := filepath.Join(t.Dir, MetricsFile)
	recs, err := ReadMetrics(path)
	if errors.Is(err, os.ErrNotExist) {
		recs, err = nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	var keep []EpochRecord
	for _, r := range recs {
		if r.Epoch <= epochs {
			keep = append(keep, r)
		}
	}
	if epochs == 0 && len(recs) == 0 {
		return nil, os.WriteFile(path, nil, 0o644)
	}
	var buf bytes.Buffer
	for _, r := range keep {
		line, _ := json.Marshal(r)
		buf.Write(line)
		buf.WriteByte('\n')
	}
	if err := atomicfile.WriteFile(path, buf.Bytes()); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	return keep, nil
}

// ReadMetrics reads a metrics.jsonl file.
func ReadMetrics(path string) ([]EpochRecord, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var recs []EpochRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<24)
	line := 0
	for sc.Scan() {
		line++
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var r EpochRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		recs = append(recs, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return recs, nil
}

// ---------------------------------------------------------------------------
// Progress

// trainBar is the progress display: a bar on a terminal, nothing
// otherwise (the epoch lines are written either way).
type trainBar struct {
	bar *progressbar.ProgressBar
}

// isTerminal reports whether w is a character device.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (t *Trainer) newBar(steps int64) *trainBar {
	if t.Progress == nil || !isTerminal(t.Progress) || steps <= 0 {
		return &trainBar{}
	}
	return &trainBar{bar: progressbar.NewOptions64(steps,
		progressbar.OptionSetWriter(t.Progress),
		progressbar.OptionSetWidth(30),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetDescription("training"),
	)}
}

func (b *trainBar) add(epoch, epochs int, loss float64) {
	if b.bar == nil {
		return
	}
	b.bar.Describe(fmt.Sprintf("epoch %d/%d loss %.5f", epoch, epochs, loss))
	b.bar.Add(1)
}

func (b *trainBar) clear() {
	if b.bar != nil {
		b.bar.Clear()
	}
}

func (b *trainBar) finish() {
	if b.bar != nil {
		b.bar.Finish()
	}
}
