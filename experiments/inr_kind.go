package experiments

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gopkg.in/yaml.v3"

	"github.com/sciml-go/sciml/inr"
	"github.com/sciml-go/sciml/internal/atomicfile"
	"github.com/sciml-go/sciml/internal/blas"
	"github.com/sciml-go/sciml/nn"
)

// KindINR is the kind of the implicit-neural-representation experiments
// (`kind: inr`): fit one or more fields with one or more inr models at an
// equal parameter budget — or reconstruct them from their derivatives —
// and tabulate PSNR, SSIM, relative L2 and time.
const KindINR = "inr"

func init() {
	RegisterKind(Kind{Name: KindINR,
		Describe: "implicit neural representations: fit fields (or reconstruct them from derivatives) with inr models",
		Resolve:  resolveINR, Run: runINRKind})
}

// INRConfig is the config of an inr experiment. Zero fields take the
// defaults of inr.Config and inr.FitConfig.
type INRConfig struct {
	Kind        string `yaml:"kind"`
	Name        string `yaml:"name"`
	Description string `yaml:"description,omitempty"`
	// Profile is the applied profile (set by decoding).
	Profile string `yaml:"profile,omitempty"`
	// Task is "fit" (the values, the default), "gradient" or "laplacian"
	// (inr.FitDerivative: the field is reconstructed from that
	// derivative and compared with the original).
	Task string `yaml:"task,omitempty"`
	// Targets are the fields to fit, each with every model.
	Targets []INRTarget `yaml:"targets"`
	// Models are inr model names (inr.Names).
	Models []string `yaml:"models"`
	// Budget sizes every model to at most this many parameters
	// (inr.WithBudget; 0: the widths of Net).
	Budget int `yaml:"budget,omitempty"`
	// Net holds the architecture settings every model shares.
	Net INRNet `yaml:"net,omitempty"`
	// Fit is the optimisation (steps, lr, log_every, data_range).
	Fit inr.FitConfig `yaml:"fit"`
	// Overrides change settings per model name.
	Overrides map[string]INROverride `yaml:"overrides,omitempty"`
	// Expect is the result the run should reach (nil: none).
	Expect *INRExpect `yaml:"expect,omitempty"`

	label string
	lines map[string]int
}

// INRTarget is a field to fit.
type INRTarget struct {
	// Name labels the target in tables and file names (default: the source).
	Name string `yaml:"name,omitempty"`
	// Source is "test-image" (inr.TestImage, procedural), "navier-stokes"
	// (inr.NavierStokesSnapshot, our solver) or "png" (Path).
	Source string `yaml:"source"`
	// Size is the grid size n of an n×n generated target (default 256).
	Size int `yaml:"size,omitempty"`
	// Time is the final time of the Navier–Stokes snapshot (default 10)
	// and Seed the draw of its initial vorticity.
	Time float64 `yaml:"time,omitempty"`
	Seed uint64  `yaml:"seed,omitempty"`
	// Path is the PNG file of source png (relative to the working directory).
	Path string `yaml:"path,omitempty"`
	// Normalize maps the target affinely onto [−1, 1] for training (as
	// SIREN's image fitting); metrics are computed back in the field's
	// units (PSNR and SSIM do not change, relative L2 does).
	Normalize bool `yaml:"normalize,omitempty"`
}

// INRNet are the architecture settings of inr.Config shared by the models.
type INRNet struct {
	Hidden      int     `yaml:"hidden,omitempty"`
	Layers      int     `yaml:"layers,omitempty"`
	Omega0      float64 `yaml:"omega0,omitempty"`
	Scale       float64 `yaml:"scale,omitempty"`
	Frequencies int     `yaml:"frequencies,omitempty"`
	Seed        uint64  `yaml:"seed,omitempty"`
}

// INROverride changes the settings of one model.
type INROverride struct {
	LR          float64 `yaml:"lr,omitempty"`
	Steps       int     `yaml:"steps,omitempty"`
	Omega0      float64 `yaml:"omega0,omitempty"`
	Scale       float64 `yaml:"scale,omitempty"`
	Frequencies int     `yaml:"frequencies,omitempty"`
}

// INRExpect is the PSNR a run should reach: every (target, model) pair
// selected (Model and Target empty: all) must reach at least PSNR dB.
type INRExpect struct {
	PSNR   float64 `yaml:"psnr"`
	Model  string  `yaml:"model,omitempty"`
	Target string  `yaml:"target,omitempty"`
}

// INRRow is one (target, model) result of an inr experiment.
type INRRow struct {
	Target string  `json:"target"`
	Model  string  `json:"model"`
	Params int     `json:"params"`
	Hidden int     `json:"hidden"`
	Steps  int     `json:"steps"`
	LR     float64 `json:"lr"`
	PSNR   float64 `json:"psnr"`
	SSIM   float64 `json:"ssim"`
	RelL2  float64 `json:"rel_l2"`
	// Seconds is the wall time of the fit, StepMs its mean per step.
	Seconds float64 `json:"seconds"`
	StepMs  float64 `json:"step_ms"`
}

// INR result files in the run directory, besides config.yaml, report.md,
// metrics.jsonl and plots/.
const (
	INRResultsFile = "results.json"
	inrMetricsFile = "metrics.jsonl"
	inrStateSuffix = ".state.safetensors"
)

// DecodeINR decodes an inr experiment strictly (DecodeStrict) with the
// profile applied and validates it; errors name label, line and key.
func DecodeINR(src []byte, label, profile string) (*INRConfig, error) {
	var c INRConfig
	lines, err := DecodeStrict(src, label, profile, &c)
	if err != nil {
		return nil, err
	}
	c.label, c.lines = label, lines
	if profile != "" {
		c.Profile = profile
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Validate reports every invalid field, named by file, line and key.
func (c *INRConfig) Validate() error {
	var errs []string
	bad := func(key, format string, args ...any) {
		errs = append(errs, Where(c.label, c.lines, key)+key+": "+fmt.Sprintf(format, args...))
	}
	if c.Kind != KindINR {
		bad("kind", "%q: want %q", c.Kind, KindINR)
	}
	if c.Name == "" {
		bad("name", "missing")
	}
	switch c.Task {
	case "", "fit", string(inr.FromGradient), string(inr.FromLaplacian):
	default:
		bad("task", "%q: want fit, gradient or laplacian", c.Task)
	}
	if len(c.Targets) == 0 {
		bad("targets", "give at least one target")
	}
	seen := map[string]bool{}
	for i, t := range c.Targets {
		key := fmt.Sprintf("targets[%d]", i)
		switch t.Source {
		case "test-image", "navier-stokes":
			if t.Path != "" {
				bad(key+".path", "only for source png")
			}
		case "png":
			if t.Path == "" {
				bad(key+".path", "missing (the PNG file)")
			}
		default:
			bad(key+".source", "%q: want test-image, navier-stokes or png", t.Source)
		}
		if t.Size < 0 || t.Size == 1 {
			bad(key+".size", "%d: want at least 2", t.Size)
		}
		if t.Time < 0 || math.IsNaN(t.Time) || math.IsInf(t.Time, 0) {
			bad(key+".time", "%v: want a positive final time", t.Time)
		}
		name := t.label()
		if seen[name] {
			bad(key+".name", "%q used twice", name)
		}
		seen[name] = true
	}
	if len(c.Models) == 0 {
		bad("models", "give at least one of %s", strings.Join(inr.Names(), ", "))
	}
	for i, m := range c.Models {
		if !slices.Contains(inr.Names(), m) {
			bad(fmt.Sprintf("models[%d]", i), "unknown model %q (known: %s)", m, strings.Join(inr.Names(), ", "))
		} else if slices.Index(c.Models, m) != i {
			bad(fmt.Sprintf("models[%d]", i), "%q listed twice", m)
		}
	}
	for m, o := range c.Overrides {
		key := "overrides." + m
		if !slices.Contains(c.Models, m) {
			bad(key, "%q is not among the models", m)
		}
		if o.LR < 0 || o.Steps < 0 || o.Omega0 < 0 || o.Scale < 0 || o.Frequencies < 0 {
			bad(key, "values must be positive")
		}
	}
	if c.Budget < 0 {
		bad("budget", "%d: want a positive parameter count (or 0: none)", c.Budget)
	}
	n := c.Net
	if n.Hidden < 0 || n.Layers < 0 || n.Omega0 < 0 || n.Scale < 0 || n.Frequencies < 0 {
		bad("net", "sizes and frequencies must be positive")
	}
	f := c.Fit
	if f.Steps < 0 {
		bad("fit.steps", "%d: want a positive count", f.Steps)
	}
	if f.LR < 0 || math.IsNaN(f.LR) || math.IsInf(f.LR, 0) {
		bad("fit.lr", "%v: want a positive learning rate", f.LR)
	}
	if f.LogEvery < 0 {
		bad("fit.log_every", "%d: want a positive interval", f.LogEvery)
	}
	if f.DataRange < 0 {
		bad("fit.data_range", "%v: want a positive range (or 0: the target's)", f.DataRange)
	}
	if e := c.Expect; e != nil {
		if !(e.PSNR > 0) {
			bad("expect.psnr", "%v: want a positive PSNR in dB", e.PSNR)
		}
		if e.Model != "" && !slices.Contains(c.Models, e.Model) {
			bad("expect.model", "%q is not among the models", e.Model)
		}
		if e.Target != "" && !seen[e.Target] {
			bad("expect.target", "%q is not among the targets", e.Target)
		}
	}
	// Model configs (sizes, budgets) are checked by inr itself.
	if len(errs) == 0 {
		for _, m := range c.Models {
			if _, err := c.modelConfig(m, 2, 1); err != nil {
				bad("models", "%s: %v", m, err)
			}
		}
	}
	if len(errs) > 0 {
		return errors.New("experiment: " + strings.Join(errs, "\n"))
	}
	return nil
}

func (t INRTarget) label() string { return cmp.Or(t.Name, t.Source) }

func (t INRTarget) size() int { return cmp.Or(t.Size, 256) }

// modelConfig returns the inr config of model m for fields of inDim axes
// and outDim channels, sized to the budget.
func (c *INRConfig) modelConfig(m string, inDim, outDim int) (inr.Config, error) {
	n, o := c.Net, c.Overrides[m]
	cfg := inr.Config{Model: m, InDim: inDim, OutDim: outDim, Hidden: n.Hidden, Layers: n.Layers,
		Omega0: cmp.Or(o.Omega0, n.Omega0), Scale: cmp.Or(o.Scale, n.Scale), Frequencies: cmp.Or(o.Frequencies, n.Frequencies), Seed: n.Seed}
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	if c.Budget > 0 {
		return inr.WithBudget(cfg, c.Budget)
	}
	return cfg, nil
}

// fitConfig returns the fit settings of model m.
func (c *INRConfig) fitConfig(m string) inr.FitConfig {
	f, o := c.Fit, c.Overrides[m]
	f.LR = cmp.Or(o.LR, f.LR, 1e-4)
	f.Steps = cmp.Or(o.Steps, f.Steps, 2000)
	if f.LogEvery == 0 || f.LogEvery > f.Steps {
		f.LogEvery = max(f.Steps/20, 1)
	}
	return f
}

func (c *INRConfig) task() string { return cmp.Or(c.Task, "fit") }

func (c *INRConfig) runDir() string {
	return filepath.Join("runs", c.Name+"-"+cmp.Or(c.Profile, "default"))
}

func resolveINR(src []byte, label, profile string) ([]byte, error) {
	c, err := DecodeINR(src, label, profile)
	if err != nil {
		return nil, err
	}
	return yaml.Marshal(c)
}

func runINRKind(ctx context.Context, src []byte, label, profile string, opts Options) (string, error) {
	c, err := DecodeINR(src, label, profile)
	if err != nil {
		return "", err
	}
	res, err := RunINR(ctx, c, opts)
	if err != nil {
		return "", err
	}
	return res.Summary(), nil
}

// INRResult is what an inr run did.
type INRResult struct {
	Config *INRConfig
	Dir    string
	Rows   []INRRow
	// Met is whether Config.Expect is met (true without one), and
	// Expectation says so in words ("" without one).
	Met         bool
	Expectation string
	Report      string

	targets []string // descriptions, for the report
}

// Summary is the table, the expectation and the report's path.
func (r *INRResult) Summary() string {
	var b strings.Builder
	writeINRTable(&b, r.Rows)
	if r.Expectation != "" {
		fmt.Fprintf(&b, "\n%s\n", r.Expectation)
	}
	fmt.Fprintf(&b, "\nreport: %s\n", r.Report)
	return b.String()
}

// RunINR fits every model to every target (targets outer, in the config's
// order) and writes config.yaml, metrics.jsonl (one line per report of
// every fit), results.json (the table, rewritten after each fit),
// model checkpoints <target>-<model>.safetensors, plots/<target>-<model>.png
// (target, fit, error, |∇f|, Δf), plots/<target>-psnr.png (PSNR against
// step) and report.md under opts.Dir (default runs/<name>-<profile>).
// Each fit keeps its state in <target>-<model>.state.safetensors until it
// is done. With opts.Resume the pairs already in results.json are kept and
// not fitted again, and an interrupted fit continues from its state;
// otherwise a directory with results or states needs opts.Force.
// Fits stop between steps when ctx is cancelled.
func RunINR(ctx context.Context, c *INRConfig, opts Options) (*INRResult, error) {
	res := &INRResult{Config: c, Dir: cmp.Or(opts.Dir, c.runDir()), Met: true}
	unlock, err := lockRunDir(res.Dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := os.MkdirAll(filepath.Join(res.Dir, PlotsDir), 0o755); err != nil {
		return nil, err
	}
	resultsPath := filepath.Join(res.Dir, INRResultsFile)
	states, _ := filepath.Glob(filepath.Join(res.Dir, "*"+inrStateSuffix))
	b, err := os.ReadFile(resultsPath)
	if err == nil || len(states) > 0 {
		switch {
		case opts.Resume:
			if err == nil {
				if err := json.Unmarshal(b, &res.Rows); err != nil {
					return nil, fmt.Errorf("experiment %s: %s: %w", c.Name, resultsPath, err)
				}
			}
		case opts.Force:
			os.Remove(resultsPath)
			os.Remove(filepath.Join(res.Dir, inrMetricsFile))
			for _, p := range states {
				os.Remove(p)
			}
		default:
			return nil, fmt.Errorf("experiment %s: %s holds a previous run (use --resume to continue it or --force to start over)", c.Name, res.Dir)
		}
	}
	y, err := yaml.Marshal(c)
	if err != nil {
		return nil, err
	}
	if err := atomicfile.WriteFile(filepath.Join(res.Dir, ConfigFile), y); err != nil {
		return nil, err
	}
	metrics, err := os.OpenFile(filepath.Join(res.Dir, inrMetricsFile), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	defer metrics.Close()
	for _, t := range c.Targets {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		target, desc, err := loadINRTarget(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("experiment %s: target %s: %w", c.Name, t.label(), err)
		}
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "target %s: %s\n", t.label(), desc)
		}
		res.targets = append(res.targets, t.label()+": "+desc)
		for _, m := range c.Models {
			if slices.ContainsFunc(res.Rows, func(r INRRow) bool { return r.Target == t.label() && r.Model == m }) {
				continue
			}
			row, err := c.fitOne(ctx, t, target, m, res.Dir, metrics, opts)
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return nil, fmt.Errorf("experiment %s: %s on %s interrupted; its state is in %s (continue with --resume): %w",
					c.Name, m, t.label(), filepath.Join(res.Dir, t.label()+"-"+m+inrStateSuffix), err)
			}
			if err != nil {
				return nil, fmt.Errorf("experiment %s: %s on %s: %w", c.Name, m, t.label(), err)
			}
			res.Rows = append(res.Rows, row)
			b, _ := json.MarshalIndent(res.Rows, "", "  ")
			if err := atomicfile.WriteFile(resultsPath, b); err != nil {
				return nil, err
			}
		}
	}
	res.checkExpect()
	curves, err := readINRMetrics(filepath.Join(res.Dir, inrMetricsFile))
	if err != nil {
		return nil, err
	}
	if err := res.writeReport(curves, opts); err != nil {
		return nil, err
	}
	return res, nil
}

// loadINRTarget builds a target field and describes it.
func loadINRTarget(ctx context.Context, t INRTarget) (inr.Field, string, error) {
	n := t.size()
	switch t.Source {
	case "test-image":
		return inr.TestImage(n), fmt.Sprintf("procedural test image %d×%d (inr.TestImage)", n, n), nil
	case "navier-stokes":
		f, err := inr.NavierStokesSnapshot(ctx, n, t.Time, t.Seed)
		return f, fmt.Sprintf("Navier–Stokes vorticity %d×%d at T = %g (ν = 1e-3, seed %d; our solver)", n, n, cmp.Or(t.Time, 10), t.Seed), err
	default:
		f, err := inr.LoadPNG(t.Path)
		return f, "image " + t.Path, err
	}
}

// fitOne fits model m to target and evaluates the result in the target's
// units.
func (c *INRConfig) fitOne(ctx context.Context, t INRTarget, target inr.Field, m, dir string, metrics *os.File, opts Options) (INRRow, error) {
	train := target
	scale, shift := 1.0, 0.0
	if t.Normalize {
		lo, hi := slices.Min(target.Data), slices.Max(target.Data)
		if hi > lo {
			scale, shift = (hi-lo)/2, (hi+lo)/2
		}
		train = inr.Field{Shape: target.Shape, Channels: target.Channels, Data: make([]float64, len(target.Data))}
		for i, v := range target.Data {
			train.Data[i] = (v - shift) / scale
		}
	}
	outDim := target.Channels
	if c.task() != "fit" {
		outDim = 1
	}
	mc, err := c.modelConfig(m, len(target.Shape), outDim)
	if err != nil {
		return INRRow{}, err
	}
	model, err := inr.New(mc)
	if err != nil {
		return INRRow{}, err
	}
	if _, err := inr.PlaceAtoms(model, train, mc.Seed); err != nil {
		return INRRow{}, err
	}
	fc := c.fitConfig(m)
	if fc.DataRange != 0 {
		fc.DataRange /= scale
	}
	params := nn.CountParams(model)
	name := t.label() + "-" + m
	// The fit's state is kept (every report and on interruption) so that a
	// run resumed with --resume continues the pair where it stopped.
	key, err := json.Marshal(struct {
		Target INRTarget
		Model  inr.Config
		Task   string
	}{t, mc, c.task()})
	if err != nil {
		return INRRow{}, err
	}
	fc.StatePath, fc.StateKey = filepath.Join(dir, name+inrStateSuffix), string(key)
	if !opts.Resume {
		os.Remove(fc.StatePath)
	}
	if opts.Progress != nil {
		fmt.Fprintf(opts.Progress, "%s on %s: %d parameters (width %d), %d steps, lr %g\n", m, t.label(), params, cmp.Or(mc.Hidden, 256), fc.Steps, fc.LR)
		if ck, err := nn.LoadCheckpoint(fc.StatePath); err == nil {
			fmt.Fprintf(opts.Progress, "  continuing from %s (step %d)\n", fc.StatePath, ck.Step)
		}
	}
	report := func(s inr.StepStats) {
		line := inrMetric{t.label(), m, s}
		b, _ := json.Marshal(line)
		metrics.Write(append(b, '\n'))
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "  step %5d  loss %.4e  PSNR %6.2f dB  SSIM %.4f  relL2 %.3e  %v\n", s.Step, s.Loss, s.PSNR, s.SSIM, s.RelL2, s.Elapsed.Round(time.Second))
		}
	}
	var last inr.StepStats
	if c.task() == "fit" {
		last, err = inr.Fit(ctx, model, train, fc, report)
	} else {
		last, err = inr.FitDerivative(ctx, model, train, inr.Derivative(c.task()), fc, report)
	}
	if err != nil {
		return INRRow{}, err
	}
	secs := last.Elapsed.Seconds()
	// Final metrics of the trained model, in the target's units.
	pred := inr.Render(model, outDim, target.Shape...)
	for i := range pred.Data {
		pred.Data[i] = pred.Data[i]*scale + shift
	}
	if c.task() != "fit" {
		var d float64
		for i := range pred.Data {
			d += target.Data[i] - pred.Data[i]
		}
		d /= float64(len(pred.Data))
		for i := range pred.Data {
			pred.Data[i] += d
		}
	}
	r := cmp.Or(c.Fit.DataRange, target.Range())
	row := INRRow{Target: t.label(), Model: m, Params: params, Hidden: cmp.Or(mc.Hidden, 256), Steps: fc.Steps, LR: fc.LR,
		PSNR: inr.PSNR(pred.Data, target.Data, r), SSIM: target.SSIM(pred.Data, r), RelL2: inr.RelL2(pred.Data, target.Data),
		Seconds: secs, StepMs: 1000 * secs / float64(fc.Steps)}
	if err := inr.Save(filepath.Join(dir, name+".safetensors"), model, mc, fc.Steps); err != nil {
		return INRRow{}, err
	}
	if err := inr.SaveFitFigure(filepath.Join(dir, PlotsDir, name+".png"), model, train, c.task() != "fit"); err != nil {
		return INRRow{}, err
	}
	os.Remove(fc.StatePath)
	return row, nil
}

// inrMetric is a line of metrics.jsonl.
type inrMetric struct {
	Target string `json:"target"`
	Model  string `json:"model"`
	inr.StepStats
}

// readINRMetrics returns the reports of metrics.jsonl per target and
// model; when a fit reports a step again (it started anew, or resumed
// from a state older than its last reports) the later reports win.
func readINRMetrics(path string) (map[string]map[string][]inr.StepStats, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string][]inr.StepStats{}
	for _, l := range bytes.Split(b, []byte("\n")) {
		var m inrMetric
		if len(bytes.TrimSpace(l)) == 0 || json.Unmarshal(l, &m) != nil {
			continue // a line cut short by an interruption
		}
		if out[m.Target] == nil {
			out[m.Target] = map[string][]inr.StepStats{}
		}
		// A fit started again drops what it reports anew: everything for a
		// fresh start, the reports after its last saved state for a
		// resumed one.
		h := out[m.Target][m.Model]
		if i := slices.IndexFunc(h, func(s inr.StepStats) bool { return s.Step >= m.Step }); i >= 0 {
			h = h[:i]
		}
		out[m.Target][m.Model] = append(h, m.StepStats)
	}
	return out, nil
}

// checkExpect compares the rows with Config.Expect.
func (r *INRResult) checkExpect() {
	e := r.Config.Expect
	if e == nil {
		return
	}
	var got []string
	for _, row := range r.Rows {
		if (e.Model != "" && row.Model != e.Model) || (e.Target != "" && row.Target != e.Target) {
			continue
		}
		if row.PSNR < e.PSNR {
			r.Met = false
		}
		got = append(got, fmt.Sprintf("%s on %s %.2f dB", row.Model, row.Target, row.PSNR))
	}
	if len(got) == 0 {
		r.Met = false
	}
	verdict := "met"
	if !r.Met {
		verdict = "NOT met"
	}
	r.Expectation = fmt.Sprintf("expected PSNR ≥ %g dB: %s (%s)", e.PSNR, strings.Join(got, ", "), verdict)
}

func writeINRTable(b io.Writer, rows []INRRow) {
	io.WriteString(b, "| target | model | params | width | steps | lr | PSNR (dB) | SSIM | rel. L2 | time (s) | ms/step |\n")
	io.WriteString(b, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		fmt.Fprintf(b, "| %s | %s | %d | %d | %d | %g | %.2f | %.4f | %.3e | %.0f | %.0f |\n",
			r.Target, r.Model, r.Params, r.Hidden, r.Steps, r.LR, r.PSNR, r.SSIM, r.RelL2, r.Seconds, r.StepMs)
	}
}

// writeReport writes report.md and the PSNR curves.
func (r *INRResult) writeReport(curves map[string]map[string][]inr.StepStats, opts Options) error {
	c := r.Config
	var b bytes.Buffer
	title := c.Name
	if c.Profile != "" {
		title += " (" + c.Profile + " profile)"
	}
	fmt.Fprintf(&b, "# %s\n\n", title)
	if c.Description != "" {
		fmt.Fprintf(&b, "%s\n\n", strings.TrimSpace(c.Description))
	}
	task := "fit the values (mean squared error)"
	if c.task() != "fit" {
		task = "reconstruct the field from its " + c.task() + " (inr.FitDerivative; the fit is shifted to the target's mean)"
	}
	rows := [][2]string{
		{"task", task},
		{"targets", strings.Join(r.targets, "; ")},
		{"budget", fmt.Sprintf("%d parameters per model", c.Budget)},
		{"optimiser", "full-batch Adam (per-model lr and steps in the table)"},
		{"machine", fmt.Sprintf("%s; %s", threadsNote(), blas.Backend())},
		{"date", time.Now().UTC().Format("2006-01-02 15:04 UTC")},
	}
	if c.Budget == 0 {
		rows[1][1] = "none (the widths of net)"
	}
	if opts.Command != "" {
		rows = append(rows, [2]string{"command", "`" + opts.Command + "`"})
	}
	b.WriteString("| | |\n|---|---|\n")
	for _, row := range rows {
		fmt.Fprintf(&b, "| %s | %s |\n", row[0], strings.ReplaceAll(row[1], "|", "\\|"))
	}
	b.WriteString("\n## Results\n\n")
	writeINRTable(&b, r.Rows)
	b.WriteString("\nPSNR = 10·log10(R²/MSE) with R the target's range, SSIM with an 11×11 Gaussian window (σ = 1.5), rel. L2 = ‖f − y‖₂/‖y‖₂, all of the trained model rendered on the target's grid, in the target's units.\n")
	if r.Expectation != "" {
		fmt.Fprintf(&b, "\n%s.\n", r.Expectation)
	}
	b.WriteString("\n## Plots\n\n")
	for _, t := range c.Targets {
		name := t.label() + "-psnr.png"
		if err := plotPSNR(curves[t.label()], c.Models, filepath.Join(r.Dir, PlotsDir, name)); err == nil {
			fmt.Fprintf(&b, "![PSNR on %s](%s/%s)\n\n*PSNR against step, %s*\n\n", t.label(), PlotsDir, name, t.label())
		}
		for _, m := range c.Models {
			f := t.label() + "-" + m + ".png"
			if _, err := os.Stat(filepath.Join(r.Dir, PlotsDir, f)); err == nil {
				fmt.Fprintf(&b, "![%s on %s](%s/%s)\n\n*%s on %s: target, fit, error, |∇f|, Δf*\n\n", m, t.label(), PlotsDir, f, m, t.label())
			}
		}
	}
	y, err := yaml.Marshal(c)
	if err != nil {
		return err
	}
	fmt.Fprintf(&b, "## Config\n\n```yaml\n%s```\n", y)
	r.Report = filepath.Join(r.Dir, ReportFile)
	return atomicfile.WriteFile(r.Report, b.Bytes())
}

// inrColors are ten distinguishable line colours (Tableau 10).
var inrColors = []color.Color{
	color.RGBA{31, 119, 180, 255}, color.RGBA{255, 127, 14, 255}, color.RGBA{44, 160, 44, 255},
	color.RGBA{214, 39, 40, 255}, color.RGBA{148, 103, 189, 255}, color.RGBA{140, 86, 75, 255},
	color.RGBA{227, 119, 194, 255}, color.RGBA{127, 127, 127, 255}, color.RGBA{188, 189, 34, 255},
	color.RGBA{23, 190, 207, 255},
}

// plotPSNR draws PSNR against step for each model fitted in this session.
func plotPSNR(curves map[string][]inr.StepStats, models []string, path string) error {
	p := plot.New()
	p.X.Label.Text = "step"
	p.Y.Label.Text = "PSNR (dB)"
	n := 0
	for i, m := range models {
		h := curves[m]
		if len(h) == 0 {
			continue
		}
		pts := make(plotter.XYs, len(h))
		for j, s := range h {
			pts[j].X, pts[j].Y = float64(s.Step), s.PSNR
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return err
		}
		l.Color = inrColors[i%len(inrColors)]
		l.Dashes = plotutil.Dashes(i / len(inrColors))
		p.Add(l)
		p.Legend.Add(m, l)
		n++
	}
	if n == 0 {
		return errors.New("no curves")
	}
	p.Legend.Top, p.Legend.Left = false, false
	return savePlot(p, 6*vg.Inch, 4*vg.Inch, path)
}
