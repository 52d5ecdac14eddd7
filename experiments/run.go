package experiments

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/sciml-go/sciml/data"
	"github.com/sciml-go/sciml/internal/atomicfile"
	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/operator"
)

// Options control a run; none of them changes its numbers.
type Options struct {
	// Dir is the run directory (default runs/<name>-<profile>).
	Dir string
	// DataDir is where generated datasets are cached (default
	// DefaultDataDir()).
	DataDir string
	// Resume continues from Dir/model.safetensors. Without it an existing
	// checkpoint there is an error, unless Force is set or it is the end
	// of the same run (which is then evaluated again).
	Resume bool
	// Force starts over in a directory that holds a previous run.
	Force bool
	// Workers is the number of samples generated at once (default
	// GOMAXPROCS).
	Workers int
	// Progress receives progress bars (on a terminal) and per-epoch lines
	// (nil: silent).
	Progress io.Writer
	// Log receives notes (nil: none).
	Log *slog.Logger
	// Command is the command line, for the report.
	Command string
}

// Timing is the wall time of a run's phases, in seconds.
type Timing struct {
	Data   float64 `json:"data"`
	Train  float64 `json:"train"`
	Eval   float64 `json:"eval"`
	Report float64 `json:"report"`
	Total  float64 `json:"total"`
}

// Outcome compares a run's error with its config's expectation.
type Outcome struct {
	Resolution int     `json:"resolution"`
	Want       float64 `json:"want"`
	Got        float64 `json:"got"`
	Met        bool    `json:"met"`
}

// Result is what a run did.
type Result struct {
	Config   *Config
	Dir      string
	DataPath string
	// Params is the model's parameter count (complex weights as two).
	Params int
	// Dim is the number of spatial axes of the data.
	Dim int
	// Train is the trainer's result.
	Train *operator.Result
	// Eval holds the evaluations after training, in the configured order.
	Eval []operator.ResolutionResult
	// Expect is the comparison with Config.Expect (nil without one).
	Expect *Outcome
	Timing Timing
	// Report is the path of report.md ("" for Train).
	Report string
}

// TestError returns the mean relative L2 test error at resolution res
// (input and output), and whether it was evaluated.
func (r *Result) TestError(res int) (float64, bool) {
	for _, e := range r.Eval {
		if e.Resolution == res && e.InputResolution == res && e.Via == 0 {
			return e.RelL2, true
		}
	}
	return 0, false
}

// Files a run writes in its directory, besides the trainer's.
const (
	ConfigFile = "config.yaml"
	EvalFile   = "eval.json"
	ReportFile = "report.md"
	PlotsDir   = "plots"
)

// EnsureData returns the path of the experiment's dataset, generating it
// first when it is not in dataDir (an interrupted generation resumes).
// Data.Path, when set, is returned as is.
func EnsureData(ctx context.Context, cfg *Config, dataDir string, workers int, progress io.Writer, log *slog.Logger) (string, error) {
	if cfg.Data.Path != "" {
		return cfg.Data.Path, nil
	}
	if dataDir == "" {
		dataDir = DefaultDataDir()
	}
	spec := cfg.Data.Generate.GenerateSpec
	path := DataPath(dataDir, spec)
	if _, err := os.Stat(path); err == nil {
		if log != nil {
			log.Info("dataset cached", "path", path)
		}
		return path, nil
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return "", err
	}
	if progress != nil {
		fmt.Fprintf(progress, "generating %d %s samples at %d points per axis into %s\n", spec.N, spec.PDE, spec.Resolution, path)
	}
	var bar *progressbar.ProgressBar
	opts := data.Options{Workers: workers, Resume: true, Overwrite: true, CommandLine: "sciml run " + cfg.Name}
	switch {
	case progress != nil && isTerminal(progress):
		opts.Progress = func(pr data.Progress) {
			if bar == nil {
				bar = progressbar.NewOptions(pr.TotalUnits, progressbar.OptionSetWriter(progress),
					progressbar.OptionSetDescription("generating "+pr.Unit+"s"), progressbar.OptionShowCount(),
					progressbar.OptionSetPredictTime(true), progressbar.OptionClearOnFinish(), progressbar.OptionSetWidth(30),
					progressbar.OptionThrottle(100*time.Millisecond))
			}
			bar.Set(pr.Units)
		}
	case progress != nil:
		// A line at every tenth of the work.
		t0, next := time.Now(), 1
		opts.Progress = func(pr data.Progress) {
			if pr.TotalUnits > 0 && pr.Units*10 >= next*pr.TotalUnits {
				for pr.Units*10 >= next*pr.TotalUnits {
					next++
				}
				fmt.Fprintf(progress, "generated %d of %d %ss (%.0f s)\n", pr.Units, pr.TotalUnits, pr.Unit, time.Since(t0).Seconds())
			}
		}
	}
	err := data.Generate(ctx, spec, path, opts)
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		return "", err
	}
	return path, nil
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

// Train generates the data if needed and trains the model, evaluating at
// the training resolution each epoch: what `sciml train` does. The run
// directory gets config.yaml, metrics.jsonl and model.safetensors.
func Train(ctx context.Context, cfg *Config, opts Options) (*Result, error) {
	res, p, err := train(ctx, cfg, opts)
	if p != nil {
		p.close()
	}
	return res, err
}

func train(ctx context.Context, cfg *Config, opts Options) (_ *Result, p *pipeline, err error) {
	start := time.Now()
	res := &Result{Config: cfg, Dir: opts.Dir}
	if res.Dir == "" {
		res.Dir = cfg.runDir()
	}
	unlock, err := lockRunDir(res.Dir)
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		if p == nil { // otherwise p.close unlocks
			unlock()
		}
	}()
	ck := filepath.Join(res.Dir, operator.CheckpointFile)
	resume := ""
	cont, err := previousRun(res.Dir, opts, []string{EvalFile, EvalJournalFile}, func() bool { return finished(ck, cfg) })
	if err != nil {
		return nil, nil, err
	}
	if cont {
		resume = ck
		changes, err := configChanges(ck, cfg)
		if err != nil {
			return nil, nil, fmt.Errorf("resume: %w", err)
		}
		if len(changes) > 0 && opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "resuming %s with settings changed since its checkpoint:\n  %s\n", res.Dir, strings.Join(changes, "\n  "))
		}
	}
	if err := os.MkdirAll(res.Dir, 0o755); err != nil {
		return nil, nil, err
	}
	y, err := cfg.YAML()
	if err != nil {
		return nil, nil, err
	}
	if err := atomicfile.WriteFile(filepath.Join(res.Dir, ConfigFile), y); err != nil {
		return nil, nil, err
	}

	res.DataPath, err = EnsureData(ctx, cfg, opts.DataDir, opts.Workers, opts.Progress, opts.Log)
	if err != nil {
		return nil, nil, err
	}
	res.Timing.Data = time.Since(start).Seconds()

	np, err := newPipeline(cfg)
	if err != nil {
		return nil, nil, err
	}
	p, np.unlock = np, unlock
	testPath, testStart, testEnd := res.DataPath, cfg.Data.Generate.N-cfg.Data.NTest, 0
	if cfg.Data.Path != "" {
		testStart = -cfg.Data.NTest // counted from the end once the file is open
	}
	if cfg.Data.TestPath != "" {
		testPath, testStart, testEnd = cfg.Data.TestPath, 0, cfg.Data.NTest
	}
	if testStart < 0 {
		n, err := fileLen(testPath)
		if err != nil {
			return nil, p, err
		}
		testStart, testEnd = n+testStart, n
	} else if testEnd == 0 {
		testEnd = testStart + cfg.Data.NTest
	}
	if err := p.open(res.DataPath, testPath, testStart, testEnd); err != nil {
		return nil, p, err
	}
	res.Params = nn.CountParams(p.base)
	res.Dim = p.test.SpatialRank()
	trainL, err := p.trainLoader()
	if err != nil {
		return nil, p, fmt.Errorf("training data: %w", err)
	}
	testL, err := p.testLoader(p.trainRes, p.trainRes, 0)
	if err != nil {
		return nil, p, fmt.Errorf("test data: %w", err)
	}
	if resume == "" {
		if err := p.fitNormalizers(); err != nil {
			return nil, p, err
		}
	} else if err := p.resumeNormalizers(resume); err != nil {
		return nil, p, err
	}
	rc, err := cfg.JSON()
	if err != nil {
		return nil, p, err
	}
	tr := &operator.Trainer{
		Model: p.model, Config: cfg.Train, Train: trainL,
		Test:      []operator.EvalSet{{Name: fmt.Sprintf("s=%d", p.trainRes), Data: testL}},
		InputNorm: p.inNorm, OutputNorm: p.outNorm,
		Grid: p.grid, H1: cfg.Eval.H1 && cfg.Data.Task.Kind != "space_time",
		Dir: res.Dir, Resume: resume, RunConfig: rc,
		Meta:     p.gridMeta(map[string]string{"experiment": cfg.Name, "profile": cfg.Profile, "model_type": cfg.Model.Type}),
		Progress: opts.Progress, Log: opts.Log,
	}
	t0 := time.Now()
	res.Train, err = tr.Run(ctx)
	res.Timing.Train = time.Since(t0).Seconds()
	res.Timing.Total = time.Since(start).Seconds()
	return res, p, err
}

// previousRun decides what to do with a run directory: when it holds a
// checkpoint, continue from it (opts.Resume, or finishedSame reports the
// same run, finished: it is then evaluated and reported again), or delete
// the checkpoint, metrics, report and the kind's other result files
// (opts.Force); otherwise it is an error, so that a run is never
// overwritten by accident. finishedSame may be nil.
func previousRun(dir string, opts Options, results []string, finishedSame func() bool) (resume bool, err error) {
	ck := filepath.Join(dir, operator.CheckpointFile)
	if _, err := os.Stat(ck); err != nil {
		if opts.Resume && opts.Log != nil {
			opts.Log.Info("nothing to resume; starting afresh", "dir", dir)
		}
		return false, nil
	}
	switch {
	case opts.Resume:
		return true, nil
	case opts.Force:
		for _, f := range append([]string{operator.CheckpointFile, operator.MetricsFile, ReportFile}, results...) {
			os.Remove(filepath.Join(dir, f))
		}
		return false, nil
	case finishedSame != nil && finishedSame():
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "%s holds this run, finished; evaluating it again (--force trains anew)\n", dir)
		}
		return true, nil
	}
	return false, fmt.Errorf("%s holds a previous run (%s): resume it (--resume), start over (--force) or choose another directory (-o)", dir, ck)
}

// finished reports whether the checkpoint ck is the end of a run of cfg.
func finished(ck string, cfg *Config) bool {
	c, err := nn.LoadCheckpoint(ck)
	if err != nil || c.Meta["status"] != "done" {
		return false
	}
	j, err := cfg.JSON()
	return err == nil && bytes.Equal(j, c.Config)
}

// resumeNormalizers restores the normalisers' kinds from a checkpoint
// (the trainer loads their statistics).
func (p *pipeline) resumeNormalizers(ck string) error {
	c, err := nn.LoadCheckpoint(ck)
	if err != nil {
		return err
	}
	return p.loadNormalizers(c.Extra)
}

func fileLen(path string) (int, error) {
	ds, err := data.Open(path)
	if err != nil {
		return 0, err
	}
	defer ds.Close()
	return ds.Len(), nil
}

// Run runs an experiment end to end: generates the data if missing,
// trains, evaluates at every configured resolution (and zero-shot
// super-resolution), and writes eval.json, report.md and plots/*.png in
// the run directory. An interrupted run (Ctrl-C) leaves a checkpoint,
// and an interrupted evaluation its per-sample errors so far
// (EvalJournalFile); rerun with Resume to continue.
func Run(ctx context.Context, cfg *Config, opts Options) (*Result, error) {
	start := time.Now()
	res, p, err := train(ctx, cfg, opts)
	if p != nil {
		defer p.close()
	}
	if err != nil {
		return res, err
	}
	t0 := time.Now()
	key, err := p.journalKey()
	if err != nil {
		return res, err
	}
	j, err := openJournal(filepath.Join(res.Dir, EvalJournalFile), key, opts.Progress)
	if err != nil {
		return res, err
	}
	if res.Eval, err = p.evaluateAll(ctx, opts.Progress, j); err != nil {
		return res, err
	}
	res.Timing.Eval = time.Since(t0).Seconds()
	if e := cfg.Expect; e != nil {
		r := e.Resolution
		if r == 0 {
			r = p.trainRes
		}
		got, ok := res.TestError(r)
		if !ok {
			if got, err = p.evaluateOne(ctx, r); err != nil {
				return res, fmt.Errorf("expect: %w", err)
			}
		}
		res.Expect = &Outcome{Resolution: r, Want: e.RelL2, Got: got, Met: got <= e.RelL2}
	}
	t0 = time.Now()
	b, _ := json.MarshalIndent(struct {
		Params int                         `json:"params"`
		Eval   []operator.ResolutionResult `json:"eval"`
		Expect *Outcome                    `json:"expect,omitempty"`
		Timing Timing                      `json:"timing"`
	}{res.Params, res.Eval, res.Expect, res.Timing}, "", "  ")
	if err := atomicfile.WriteFile(filepath.Join(res.Dir, EvalFile), append(b, '\n')); err != nil {
		return res, err
	}
	res.Timing.Report = time.Since(t0).Seconds()
	res.Timing.Total = time.Since(start).Seconds()
	if err := writeReport(res, p, opts); err != nil {
		return res, fmt.Errorf("report: %w", err)
	}
	j.remove()
	res.Timing.Report = time.Since(t0).Seconds()
	res.Timing.Total = time.Since(start).Seconds()
	return res, nil
}

// evaluateOne evaluates at one resolution.
func (p *pipeline) evaluateOne(ctx context.Context, res int) (float64, error) {
	e, err := p.evaluate(ctx, res, res, false, 0, nil)
	return e.Metrics().RelL2, err
}

// evalProgressEvery is how often a long evaluation says how far it is.
var evalProgressEvery = 30 * time.Second

// evaluateAll runs the configured evaluations. With a journal (not nil)
// the per-sample errors are recorded as they come, and evaluations the
// journal holds are continued, or taken from it when complete.
func (p *pipeline) evaluateAll(ctx context.Context, progress io.Writer, j *evalJournal) ([]operator.ResolutionResult, error) {
	var out []operator.ResolutionResult
	n := p.testEnd - p.testStart
	run := func(in, o, via int) error {
		t := time.Now()
		name := label(in, o, p.dim)
		averaged := via != 0 && p.cfg.averageRestriction()
		if via != 0 {
			name += " via " + label(via, via, p.dim)
			if averaged {
				name += ", averaged"
			}
		}
		row := &journalRow{Name: name}
		if j != nil {
			row = j.row(name)
		}
		row.Samples = n
		prior, from := row.Seconds, ""
		if done := len(row.RelL2); row.Done {
			from = ", from the journal"
		} else {
			if done > 0 && progress != nil {
				fmt.Fprintf(progress, "test %s: %d of %d samples in the journal %s; going on\n", name, done, n, j.path)
			}
			count, last := done, time.Now()
			onBatch := func(b operator.SampleErrors) error {
				count += len(b.RelL2)
				if progress != nil && time.Since(last) >= evalProgressEvery && count < n {
					el := time.Since(t)
					left := time.Duration(float64(el) / float64(count-done) * float64(n-count))
					fmt.Fprintf(progress, "test %s: %d of %d samples, %s, ≈ %s left\n", name, count, n,
						el.Round(time.Second), left.Round(time.Second))
					last = time.Now()
				}
				if j == nil {
					return nil
				}
				row.Append(b)
				row.Seconds = prior + time.Since(t).Seconds()
				return j.save()
			}
			if done < n {
				e, err := p.evaluate(ctx, in, o, via != 0, done, onBatch)
				if err != nil && j != nil && ctx.Err() != nil {
					return fmt.Errorf("evaluation at %s interrupted after %d of %d samples, whose errors are kept in %s "+
						"(the same command, with --resume for sciml run, goes on from them): %w", name, len(row.RelL2), n, j.path, err)
				}
				if err != nil {
					return fmt.Errorf("evaluate at %s: %w", name, err)
				}
				if j == nil {
					row.SampleErrors = e
				}
			}
			row.Done, row.Seconds = true, prior+time.Since(t).Seconds()
			if j != nil {
				if err := j.save(); err != nil {
					return err
				}
			}
		}
		m := row.Metrics()
		r := operator.ResolutionResult{Resolution: o, InputResolution: in, Via: via, Averaged: averaged, Metrics: m, Seconds: row.Seconds}
		out = append(out, r)
		if progress != nil {
			fmt.Fprintf(progress, "test %-22s relative L2 %.5f", name, m.RelL2)
			if m.H1 != 0 {
				fmt.Fprintf(progress, "  H1 %.5f", m.H1)
			}
			fmt.Fprintf(progress, "  (%d samples, %.1fs%s)\n", m.Samples, r.Seconds, from)
		}
		return nil
	}
	for _, r := range p.evalResolutions() {
		if err := run(r, r, 0); err != nil {
			return out, err
		}
	}
	for _, s := range p.cfg.Eval.SuperResolution {
		if err := run(s.Input, s.Output, 0); err != nil {
			return out, err
		}
	}
	for _, r := range p.cfg.Eval.ViaTrainingGrid {
		if err := run(r, r, p.trainRes); err != nil {
			return out, err
		}
	}
	return out, nil
}

// label names an evaluation grid.
func label(in, out, dim int) string {
	d := dim
	if d > 2 {
		d = 2 // space-time: the spatial axes
	}
	l := operator.GridLabel(out, d)
	if in != out {
		l = operator.GridLabel(in, d) + " → " + l
	}
	return l
}

// EvalRequest is an evaluation of a trained model (`sciml eval`).
type EvalRequest struct {
	// Checkpoint is the model.safetensors of a run.
	Checkpoint string
	// Data is the test file; empty: the run's own test samples (its
	// dataset found in DataDir, or its data.path).
	Data string
	// Start and End select samples [Start, End) of Data, or without Data
	// of the run's own test samples (End 0: all).
	Start, End int
	// Resolutions to evaluate at, SuperResolution pairs and resolutions
	// to evaluate at ViaTrainingGrid (all nil: the run's configured
	// evaluations; otherwise only these).
	Resolutions     []int
	SuperResolution []SuperResolution
	ViaTrainingGrid []int
	// H1 adds the relative H¹ error.
	H1 bool
	// DataDir is where the run's generated dataset is cached.
	DataDir string
	// BatchSize of the evaluation (default 20).
	BatchSize int
	// Journal, when set, is where the per-sample errors are recorded as
	// the evaluation goes (JournalPath): an interrupted evaluation started
	// again with the same checkpoint, data and settings continues from it.
	// The caller removes it once the results are written. While the
	// evaluation runs it holds Journal+".lock": a second evaluation with
	// the same Journal is refused, naming the first.
	Journal string
	// Sets override keys of the run's config before the model is rebuilt
	// ("key.path=value", as ApplySets), for settings that change no
	// parameter: model.eval_partitions of a subsampled GNO, say.
	Sets []string
}

// Evaluation is the result of EvalCheckpoint.
type Evaluation struct {
	// Config is the run's config, as the checkpoint holds it.
	Config *Config
	// Dim is the number of spatial axes of the data.
	Dim int
	// Results holds one row per evaluation.
	Results []operator.ResolutionResult
}

// EvalCheckpoint evaluates the model of a checkpoint written by a run,
// rebuilt from the config the checkpoint holds. progress, when not nil,
// gets a line per evaluation.
func EvalCheckpoint(ctx context.Context, req EvalRequest, progress io.Writer) (*Evaluation, error) {
	ev, err := evalCheckpoint(ctx, req, progress)
	if err != nil {
		return nil, fmt.Errorf("eval %s: %w", req.Checkpoint, err)
	}
	return ev, nil
}

func evalCheckpoint(ctx context.Context, req EvalRequest, progress io.Writer) (*Evaluation, error) {
	ck, cfg, err := loadRunCheckpoint(req.Checkpoint, req.Sets)
	if err != nil {
		return nil, err
	}
	path, start, end, err := samplesOf(cfg, req.Data, req.DataDir, req.Start, req.End)
	if err != nil {
		return nil, err
	}
	if req.Resolutions != nil || req.SuperResolution != nil || req.ViaTrainingGrid != nil {
		cfg.Eval.Resolutions, cfg.Eval.SuperResolution, cfg.Eval.ViaTrainingGrid = req.Resolutions, req.SuperResolution, req.ViaTrainingGrid
		if req.Resolutions == nil {
			cfg.Eval.Resolutions = []int{} // only the other evaluations
		}
	}
	if msg := cfg.viaTaskProblem(); msg != "" {
		return nil, fmt.Errorf("--via-training-grid: %s", msg)
	}
	cfg.Eval.H1 = cfg.Eval.H1 || req.H1
	if req.BatchSize > 0 {
		cfg.Eval.BatchSize = req.BatchSize
	}
	p, err := newPipeline(cfg)
	if err != nil {
		return nil, err
	}
	defer p.close()
	if err := p.open("", path, start, end); err != nil {
		return nil, err
	}
	if err := nn.LoadStateDict(p.base, ck.Model); err != nil {
		return nil, err
	}
	if err := p.loadNormalizers(ck.Extra); err != nil {
		return nil, err
	}
	var j *evalJournal
	if req.Journal != "" {
		unlock, err := lockJournal(req.Journal)
		if err != nil {
			return nil, err
		}
		defer unlock()
		key, err := p.journalKey()
		if err != nil {
			return nil, err
		}
		if j, err = openJournal(req.Journal, key, progress); err != nil {
			return nil, err
		}
	}
	out, err := p.evaluateAll(ctx, progress, j)
	if err != nil {
		return nil, err
	}
	return &Evaluation{Config: cfg, Dim: p.test.SpatialRank(), Results: out}, nil
}

// loadRunCheckpoint reads a checkpoint written by a run and the run's
// config it holds, with the overrides sets applied.
func loadRunCheckpoint(path string, sets []string) (*nn.Checkpoint, *Config, error) {
	ck, err := nn.LoadCheckpoint(path)
	if err != nil {
		return nil, nil, err
	}
	if len(ck.Config) == 0 {
		return nil, nil, fmt.Errorf("%s holds no experiment config; it was not written by sciml run/train", path)
	}
	src, err := ApplySets(ck.Config, sets)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := Decode(src, path+" (config)", "")
	if err != nil {
		return nil, nil, err
	}
	return ck, cfg, nil
}

// samplesOf returns the file and range of the samples [start, end) of
// path, or without path of the run's test samples (end 0: all of them).
func samplesOf(cfg *Config, path, dataDir string, start, end int) (string, int, int, error) {
	if path != "" {
		return path, start, end, nil
	}
	path, s, e, err := runTestData(cfg, dataDir)
	if err != nil || end == 0 {
		return path, s, e, err
	}
	if start < 0 || end <= start || end > e-s {
		return "", 0, 0, fmt.Errorf("samples %d:%d: the run has %d test samples", start, end, e-s)
	}
	return path, s + start, s + end, nil
}

// runTestData returns the file and the sample range [start, end) of a
// run's test samples: its test_path, the end of its data.path, or the end
// of its generated dataset in dataDir (default DefaultDataDir).
func runTestData(cfg *Config, dataDir string) (path string, start, end int, err error) {
	switch {
	case cfg.Data.TestPath != "":
		return cfg.Data.TestPath, 0, cfg.Data.NTest, nil
	case cfg.Data.Path != "":
		n, err := fileLen(cfg.Data.Path)
		if err != nil {
			return "", 0, 0, err
		}
		return cfg.Data.Path, n - cfg.Data.NTest, n, nil
	}
	if dataDir == "" {
		dataDir = DefaultDataDir()
	}
	path = DataPath(dataDir, cfg.Data.Generate.GenerateSpec)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return "", 0, 0, fmt.Errorf("the run's dataset %s is not there; give the test data (--data)", path)
	}
	return path, cfg.Data.Generate.N - cfg.Data.NTest, cfg.Data.Generate.N, nil
}

// threadsNote describes the parallelism for reports.
func threadsNote() string {
	return fmt.Sprintf("GOMAXPROCS %d, %d CPUs, %s/%s", runtime.GOMAXPROCS(0), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
}
