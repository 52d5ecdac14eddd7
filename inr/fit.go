package inr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"strconv"
	"time"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// FitConfig sets up a fit. Zero fields take the defaults.
type FitConfig struct {
	// Steps of full-batch Adam. Default 2000.
	Steps int `json:"steps" yaml:"steps"`
	// LR is Adam's learning rate. Default 1e-4 (SIREN's image fitting).
	LR float64 `json:"lr" yaml:"lr"`
	// LogEvery is the interval between reports (with SSIM, the costly
	// metric). Default Steps/20 (at least 1); the last step always reports.
	LogEvery int `json:"log_every" yaml:"log_every"`
	// DataRange is R of PSNR and SSIM. Default: max − min of the target.
	DataRange float64 `json:"data_range" yaml:"data_range"`
	// StatePath, when set, makes the fit resumable: the model, Adam's
	// state, the step and the time spent are written there (atomically,
	// as an nn checkpoint) after every report and when the context stops
	// the fit, and a fit that finds the file continues from it, bit for
	// bit as if it had not stopped. The file is left in place at the end.
	StatePath string `json:"-" yaml:"-"`
	// StateKey identifies the fit (the caller's model config, say): a
	// state file written under another key, or with other Steps or LR, is
	// an error rather than a silent restart.
	StateKey string `json:"-" yaml:"-"`
}

func (c FitConfig) withDefaults(target Field) FitConfig {
	if c.Steps == 0 {
		c.Steps = 2000
	}
	if c.LR == 0 {
		c.LR = 1e-4
	}
	if c.LogEvery == 0 {
		c.LogEvery = max(c.Steps/20, 1)
	}
	if c.DataRange == 0 {
		c.DataRange = target.Range()
	}
	return c
}

// StepStats are the metrics of one step, measured on the prediction the
// step's forward pass made (before its update). Elapsed is the time spent
// on the fit when the step (update and metrics included) was done,
// counting the time before a resumed fit's interruption.
type StepStats struct {
	Step    int           `json:"step"`
	Loss    float64       `json:"loss"`
	PSNR    float64       `json:"psnr"`
	SSIM    float64       `json:"ssim"`
	RelL2   float64       `json:"rel_l2"`
	Elapsed time.Duration `json:"elapsed_ns"`
}

// Fit trains m to reproduce target at its grid points (coordinates
// GridCoords) by full-batch Adam on the mean squared error, calling report
// (when not nil) every LogEvery steps and at the last step with PSNR, SSIM
// (2-D and 3-D fields) and relative L2. It returns the last report. The
// context stops the fit between steps.
func Fit(ctx context.Context, m Model, target Field, cfg FitConfig, report func(StepStats)) (StepStats, error) {
	if err := target.Check(); err != nil {
		return StepStats{}, err
	}
	cfg = cfg.withDefaults(target)
	d := paramDType(m)
	x := target.Coords(d)
	y := target.Values(d)
	loss := func(xa *tensor.Tensor, wantPred bool) (l, pred *tensor.Tensor) {
		l, pred = mse(m, xa, y)
		if wantPred && pred == nil {
			// The fused SIREN step makes no prediction: an inference pass
			// (recording nothing) for the report, so that the training
			// does not depend on how often it reports.
			ar := tensor.NewArena()
			ar.SetGrad(false)
			pred = m.Forward(xa.Detach().In(ar))
		}
		return l, pred
	}
	return train(ctx, m, target, cfg, x, loss, func(pred *tensor.Tensor) []float64 { return pred.ToFloat64s() }, report)
}

// train is the loop shared by Fit and FitDerivative: lossFn returns the loss
// and the field prediction it made; field maps that prediction to values
// comparable with target.
func train(ctx context.Context, m Model, target Field, cfg FitConfig, x *tensor.Tensor,
	lossFn func(x *tensor.Tensor, wantPred bool) (l, pred *tensor.Tensor), field func(pred *tensor.Tensor) []float64,
	report func(StepStats)) (StepStats, error) {
	params := nn.TrainableParams(m)
	opt := nn.NewAdam(params, nn.AdamConfig{LR: cfg.LR})
	first, spent := 1, time.Duration(0)
	if cfg.StatePath != "" {
		done, elapsed, err := loadFitState(cfg, m, opt)
		if err != nil {
			return StepStats{}, err
		}
		first, spent = done+1, elapsed
	}
	ar := tensor.NewArena()
	start := time.Now()
	// A fit resumed after its last step reports that step and the time it
	// took (the metrics of a report need a forward pass: zero here).
	last := StepStats{Step: first - 1, Elapsed: spent}
	save := func(done int) error {
		if cfg.StatePath == "" {
			return nil
		}
		return saveFitState(cfg, m, opt, done, spent+time.Since(start))
	}
	for step := first; step <= cfg.Steps; step++ {
		if err := ctx.Err(); err != nil {
			if serr := save(step - 1); serr != nil {
				return last, errors.Join(err, serr)
			}
			return last, err
		}
		logged := step%cfg.LogEvery == 0 || step == cfg.Steps || step == 1
		l, pred := lossFn(x.In(ar), logged)
		lv := l.Item()
		if math.IsNaN(lv) {
			return last, fmt.Errorf("inr: loss is NaN at step %d", step)
		}
		var stats StepStats
		if logged {
			v := field(pred)
			stats = StepStats{Step: step, Loss: lv, PSNR: PSNR(v, target.Data, cfg.DataRange),
				SSIM: target.SSIM(v, cfg.DataRange), RelL2: RelL2(v, target.Data)}
		}
		l.Backward()
		opt.Step()
		opt.ZeroGrad()
		ar.Reset()
		if logged {
			stats.Elapsed = spent + time.Since(start)
			last = stats
			if report != nil {
				report(last)
			}
			if err := save(step); err != nil {
				return last, err
			}
		}
	}
	return last, nil
}

// fitStateMeta is the Config of a fit's state checkpoint.
type fitStateMeta struct {
	Key   string  `json:"key"`
	Steps int     `json:"steps"`
	LR    float64 `json:"lr"`
}

// saveFitState writes the state of a fit after done steps.
func saveFitState(cfg FitConfig, m Model, opt *nn.Adam, done int, elapsed time.Duration) error {
	raw, err := json.Marshal(fitStateMeta{cfg.StateKey, cfg.Steps, cfg.LR})
	if err != nil {
		return err
	}
	return nn.SaveCheckpoint(cfg.StatePath, &nn.Checkpoint{Model: nn.StateDict(m), Optim: opt.State(),
		Config: raw, Step: int64(done), Meta: map[string]string{"elapsed_ns": strconv.FormatInt(int64(elapsed), 10)}})
}

// loadFitState restores the state at cfg.StatePath into m and opt and
// returns the steps done and the time spent; no file means a fresh fit.
func loadFitState(cfg FitConfig, m Model, opt *nn.Adam) (done int, elapsed time.Duration, err error) {
	if _, err := os.Stat(cfg.StatePath); errors.Is(err, fs.ErrNotExist) {
		return 0, 0, nil
	}
	ck, err := nn.LoadCheckpoint(cfg.StatePath)
	if err != nil {
		return 0, 0, fmt.Errorf("inr: fit state: %w", err)
	}
	var meta fitStateMeta
	if err := json.Unmarshal(ck.Config, &meta); err != nil {
		return 0, 0, fmt.Errorf("inr: fit state %s: config: %w", cfg.StatePath, err)
	}
	if want := (fitStateMeta{cfg.StateKey, cfg.Steps, cfg.LR}); meta != want {
		return 0, 0, fmt.Errorf("inr: fit state %s belongs to another fit (%+v, this one is %+v); delete it to start over", cfg.StatePath, meta, want)
	}
	if ck.Step < 0 || ck.Step > int64(cfg.Steps) {
		return 0, 0, fmt.Errorf("inr: fit state %s: step %d outside [0, %d]", cfg.StatePath, ck.Step, cfg.Steps)
	}
	ns, err := strconv.ParseInt(ck.Meta["elapsed_ns"], 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("inr: fit state %s: elapsed_ns: %w", cfg.StatePath, err)
	}
	if err := nn.LoadStateDict(m, ck.Model); err != nil {
		return 0, 0, fmt.Errorf("inr: fit state %s: %w", cfg.StatePath, err)
	}
	if ck.Step > 0 {
		if err := opt.LoadState(ck.Optim); err != nil {
			return 0, 0, fmt.Errorf("inr: fit state %s: %w", cfg.StatePath, err)
		}
	}
	return int(ck.Step), time.Duration(ns), nil
}

func paramDType(m Model) tensor.DType {
	if ps := nn.Params(m); len(ps) > 0 {
		return ps[0].DType()
	}
	return tensor.Float32
}

// Derivative names the derivative data FitDerivative fits.
type Derivative string

// The derivatives FitDerivative fits.
const (
	FromGradient  Derivative = "gradient"
	FromLaplacian Derivative = "laplacian"
)

// FitDerivative reconstructs a one-channel field from its derivatives (the
// SIREN Poisson experiment): it fits m so that ∇m (FromGradient) or Δm
// (FromLaplacian), taken by autodiff, matches the finite-difference
// derivative of target (Field.Gradient, Field.Laplacian) at the grid
// points, by full-batch Adam on the mean squared difference. Derivative
// data fix the field only up to a constant (and, for the Laplacian, a
// harmonic function), so the reported metrics compare the prediction
// shifted to the target's mean.
func FitDerivative(ctx context.Context, m Model, target Field, kind Derivative, cfg FitConfig, report func(StepStats)) (StepStats, error) {
	if err := target.Check(); err != nil {
		return StepStats{}, err
	}
	if target.Channels != 1 {
		return StepStats{}, fmt.Errorf("inr: derivative fitting needs a one-channel field, got %d channels", target.Channels)
	}
	cfg = cfg.withDefaults(target)
	d := paramDType(m)
	var want Field
	switch kind {
	case FromGradient:
		want = target.Gradient()
	case FromLaplacian:
		want = target.Laplacian()
	default:
		return StepStats{}, fmt.Errorf("inr: derivative %q: want %q or %q", kind, FromGradient, FromLaplacian)
	}
	y := want.Values(d)
	var mean float64
	for _, v := range target.Data {
		mean += v
	}
	mean /= float64(len(target.Data))
	x := target.Coords(d)
	lossFn := func(xa *tensor.Tensor, _ bool) (l, pred *tensor.Tensor) {
		xa = xa.Detach().SetRequiresGrad(true)
		pred = m.Forward(xa)
		var dv *tensor.Tensor
		if kind == FromGradient {
			dv = tensor.Grad1(pred, xa, true)
		} else {
			dv = laplacian(pred, xa, true)
		}
		return tensor.Mean(tensor.Square(tensor.Sub(dv, y))), pred
	}
	field := func(pred *tensor.Tensor) []float64 {
		v := pred.ToFloat64s()
		var s float64
		for _, p := range v {
			s += p
		}
		shift := mean - s/float64(len(v))
		for i := range v {
			v[i] += shift
		}
		return v
	}
	return train(ctx, m, target, cfg, x, lossFn, field, report)
}

// laplacian returns Σ_a ∂²u/∂x_a² [N, 1] for u [N, 1] computed from x [N, d].
func laplacian(u, x *tensor.Tensor, createGraph bool) *tensor.Tensor {
	g := tensor.Grad1(u, x, true)
	var sum *tensor.Tensor
	for a := range x.Dim(1) {
		ga := tensor.Narrow(g, 1, a, 1)
		gaa := tensor.Narrow(tensor.Grad1(ga, x, createGraph), 1, a, 1)
		if sum == nil {
			sum = gaa
		} else {
			sum = tensor.Add(sum, gaa)
		}
	}
	return sum
}

// chunk is the number of points evaluated at once when rendering.
const chunk = 1 << 16

// derivChunk is the number of points whose derivatives are taken at once:
// the graph of a Laplacian holds tens of activations of the network's
// width per layer and point (the wavelet INR's at 256² in one chunk went
// past 24 GB), so Derivatives goes by smaller chunks than Render.
const derivChunk = 1 << 12

// Render evaluates m on the grid of the given sizes (any resolution: the
// coordinates span −1…1 whatever the sizes), without recording gradients.
func Render(m Model, outDim int, sizes ...int) Field {
	x := GridCoords(paramDType(m), sizes...)
	n := x.Dim(0)
	f := Field{Shape: sizes, Channels: outDim, Data: make([]float64, 0, n*outDim)}
	ar := tensor.NewArena()
	ar.SetGrad(false)
	for lo := 0; lo < n; lo += chunk {
		xc := tensor.Narrow(x, 0, lo, min(chunk, n-lo)).Detach().In(ar)
		f.Data = append(f.Data, m.Forward(xc).ToFloat64s()...)
		ar.Reset()
	}
	return f
}

// Derivatives evaluates the gradient (len(sizes) channels) and the
// Laplacian (one channel) of output channel 0 of m by autodiff on the grid
// of the given sizes.
func Derivatives(m Model, sizes ...int) (grad, lap Field) {
	x := GridCoords(paramDType(m), sizes...)
	n, nd := x.Dim(0), len(sizes)
	grad = Field{Shape: sizes, Channels: nd, Data: make([]float64, 0, n*nd)}
	lap = Field{Shape: sizes, Channels: 1, Data: make([]float64, 0, n)}
	ar := tensor.NewArena()
	for lo := 0; lo < n; lo += derivChunk {
		xc := tensor.Narrow(x, 0, lo, min(derivChunk, n-lo)).Detach().In(ar).SetRequiresGrad(true)
		u := tensor.Narrow(m.Forward(xc), 1, 0, 1)
		g := tensor.Grad1(u, xc, true)
		grad.Data = append(grad.Data, g.ToFloat64s()...)
		var sum *tensor.Tensor
		for a := range nd {
			gaa := tensor.Narrow(tensor.Grad1(tensor.Narrow(g, 1, a, 1), xc, false), 1, a, 1)
			if sum == nil {
				sum = gaa
			} else {
				sum = tensor.Add(sum, gaa)
			}
		}
		lap.Data = append(lap.Data, sum.ToFloat64s()...)
		ar.Reset()
	}
	return grad, lap
}

// Save writes m and its config to a checkpoint file (nn.SaveCheckpoint).
func Save(path string, m Model, cfg Config, step int) error {
	raw, err := json.Marshal(savedConfig{Config: cfg, DType: cfg.withDefaults().DType.String()})
	if err != nil {
		return err
	}
	return nn.SaveCheckpoint(path, &nn.Checkpoint{Model: nn.StateDict(m), Config: raw, Step: int64(step)})
}

type savedConfig struct {
	Config
	DType string `json:"dtype"`
}

// Load reads a model written by Save.
func Load(path string) (Model, Config, error) {
	ck, err := nn.LoadCheckpoint(path)
	if err != nil {
		return nil, Config{}, err
	}
	var sc savedConfig
	if err := json.Unmarshal(ck.Config, &sc); err != nil {
		return nil, Config{}, fmt.Errorf("inr: %s: config: %w", path, err)
	}
	cfg := sc.Config
	if cfg.DType, err = tensor.ParseDType(sc.DType); err != nil {
		return nil, Config{}, fmt.Errorf("inr: %s: %w", path, err)
	}
	m, err := New(cfg)
	if err != nil {
		return nil, Config{}, fmt.Errorf("inr: %s: %w", path, err)
	}
	if err := nn.LoadStateDict(m, ck.Model); err != nil {
		return nil, Config{}, fmt.Errorf("inr: %s: %w", path, err)
	}
	return m, cfg, nil
}
