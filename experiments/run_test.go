package experiments

import (
	"bytes"
	"context"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sciml-go/sciml/data"
	"github.com/sciml-go/sciml/fno"
	"github.com/sciml-go/sciml/internal/atomicfile"
	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/operator"
)

// runTiny runs a test config end to end in a temporary directory.
func runTiny(t *testing.T, name, profile string) (*Result, Options) {
	t.Helper()
	cfg, err := Load(filepath.Join("testdata", name+".yaml"), profile)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	opts := Options{Dir: filepath.Join(t.TempDir(), "run"), DataDir: filepath.Join(t.TempDir(), "data"), Workers: 2, Progress: &out}
	res, err := Run(context.Background(), cfg, opts)
	if err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out.String())
	}
	t.Logf("%s %q: %+v", name, profile, res.Timing)
	return res, opts
}

// TestTinyBurgersRun runs a small Burgers experiment end to end and checks
// the stated error is reached, the files of the run, the flatness of the
// error across resolutions, evaluation from the checkpoint, and that a
// resumed run of a finished one changes nothing.
func TestTinyBurgersRun(t *testing.T) {
	res, opts := runTiny(t, "tiny-burgers", "")
	if res.Expect == nil || !res.Expect.Met {
		t.Errorf("stated error not reached: %+v", res.Expect)
	}
	for _, f := range []string{ConfigFile, operator.MetricsFile, operator.CheckpointFile, EvalFile, ReportFile,
		"plots/loss.png", "plots/resolution.png", "plots/samples.png"} {
		if st, err := os.Stat(filepath.Join(res.Dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	report, _ := os.ReadFile(res.Report)
	for _, want := range []string{"# tiny-burgers", "| 64 | 12 |", "| 64 → 256 | 12 |", "**met**", "## Config", "![", "## Timings"} {
		if !bytes.Contains(report, []byte(want)) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	// Discretization invariance: the error at 32…256 stays near the one at
	// the training resolution 64; super-resolution matches the 256 row.
	e64, _ := res.TestError(64)
	for _, r := range res.Eval {
		t.Logf("%d → %d: relative L2 %.4f, H1 %.4f", r.InputResolution, r.Resolution, r.RelL2, r.H1)
		if r.Samples != 12 || !(r.RelL2 < 1.25*e64) || !(r.H1 > 0) {
			t.Errorf("%d → %d: %+v (error at 64: %.4f)", r.InputResolution, r.Resolution, r.Metrics, e64)
		}
	}
	// The checkpoint alone rebuilds the model and gives the same numbers.
	ev, err := EvalCheckpoint(context.Background(), EvalRequest{Checkpoint: filepath.Join(res.Dir, operator.CheckpointFile),
		DataDir: opts.DataDir, Resolutions: []int{64, 256}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Dim != 1 || len(ev.Results) != 2 {
		t.Fatalf("evaluation %+v", ev)
	}
	for _, r := range ev.Results {
		want, _ := res.TestError(r.Resolution)
		if r.RelL2 != want {
			t.Errorf("eval from the checkpoint at %d: %v, run: %v", r.Resolution, r.RelL2, want)
		}
	}
	// The errors do not depend on the evaluation batch (which shrinks at
	// finer grids, evalBatch): batches of 1 give the same bits.
	ev, err = EvalCheckpoint(context.Background(), EvalRequest{Checkpoint: filepath.Join(res.Dir, operator.CheckpointFile),
		DataDir: opts.DataDir, Resolutions: []int{64, 256}, BatchSize: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range ev.Results {
		if want, _ := res.TestError(r.Resolution); r.RelL2 != want {
			t.Errorf("eval in batches of 1 at %d: %v, run: %v", r.Resolution, r.RelL2, want)
		}
	}
	// Via the training grid (64) from a coarser and a finer grid: rows of
	// their own, near the error at 64.
	ev, err = EvalCheckpoint(context.Background(), EvalRequest{Checkpoint: filepath.Join(res.Dir, operator.CheckpointFile),
		DataDir: opts.DataDir, ViaTrainingGrid: []int{32, 128}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if e64, _ := res.TestError(64); len(ev.Results) != 2 || ev.Results[0].Via != 64 || ev.Results[1].Resolution != 128 ||
		!(ev.Results[0].RelL2 < 1.25*e64) || !(ev.Results[1].RelL2 < 1.25*e64) {
		t.Errorf("eval via the training grid: %+v (error at 64: %v)", ev.Results, e64)
	}
	for _, r := range ev.Results {
		t.Logf("%d via %d: relative L2 %.4f", r.Resolution, r.Via, r.RelL2)
	}
	// --set changes the rebuilt model (here its activation, which has no
	// parameters); a wrong key is named as a --set.
	ev, err = EvalCheckpoint(context.Background(), EvalRequest{Checkpoint: filepath.Join(res.Dir, operator.CheckpointFile),
		DataDir: opts.DataDir, Resolutions: []int{64}, Sets: []string{"model.activation=tanh"}}, nil)
	if want, _ := res.TestError(64); err != nil || ev.Results[0].RelL2 == want || ev.Config.Model.Spec.(fno.Config).Activation != "tanh" {
		t.Errorf("eval with --set model.activation=tanh: %+v, %v (run's error %v)", ev, err, want)
	}
	if _, err := EvalCheckpoint(context.Background(), EvalRequest{Checkpoint: filepath.Join(res.Dir, operator.CheckpointFile),
		DataDir: opts.DataDir, Sets: []string{"model.widht=3"}}, nil); err == nil || !strings.Contains(err.Error(), "--set") {
		t.Errorf("eval with a misspelt --set: %v", err)
	}
	// On other samples of the file (training ones here), given as --data.
	ev, err = EvalCheckpoint(context.Background(), EvalRequest{Checkpoint: filepath.Join(res.Dir, operator.CheckpointFile),
		Data: res.DataPath, Start: 0, End: 10, Resolutions: []int{128}}, nil)
	if err != nil || ev.Results[0].Samples != 10 {
		t.Fatalf("eval on --data: %+v, %v", ev, err)
	}
	// A range of the run's own test samples (no --data): the last ones
	// of the file, as the run evaluated; past them is an error.
	ev, err = EvalCheckpoint(context.Background(), EvalRequest{Checkpoint: filepath.Join(res.Dir, operator.CheckpointFile),
		DataDir: opts.DataDir, Start: 1, End: 3, Resolutions: []int{128}}, nil)
	if err != nil || ev.Results[0].Samples != 2 {
		t.Fatalf("eval of test samples 1:3: %+v, %v", ev, err)
	}
	if _, err := EvalCheckpoint(context.Background(), EvalRequest{Checkpoint: filepath.Join(res.Dir, operator.CheckpointFile),
		DataDir: opts.DataDir, Start: 0, End: 1000, Resolutions: []int{128}}, nil); err == nil || !strings.Contains(err.Error(), "test samples") {
		t.Fatalf("eval of 1000 test samples of a run with fewer: %v", err)
	}

	// Evaluations interrupted and resumed from their journal.
	checkEvalResume(t, res, opts)

	// A directory with another run is not overwritten without
	// --resume/--force.
	other := *res.Config
	other.Train.Epochs++
	if _, err := Run(context.Background(), &other, opts); err == nil || !strings.Contains(err.Error(), "--resume") {
		t.Errorf("another run in the same directory: %v", err)
	}
	// Running a finished run again, or resuming it, trains no more and
	// reproduces the numbers.
	for _, resume := range []bool{false, true} {
		opts.Resume = resume
		again, err := Run(context.Background(), res.Config, opts)
		if err != nil {
			t.Fatal(err)
		}
		checkSame(t, res, again)
	}
	// Resumed with more epochs, it trains them and says what changed
	// (and only that: the config decoded from the checkpoint has the same
	// defaults).
	var out bytes.Buffer
	opts.Resume, opts.Progress = true, &out
	more, err := Run(context.Background(), &other, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(more.Train.History) != other.Train.Epochs ||
		!strings.Contains(out.String(), "with settings changed since its checkpoint:\n  train.epochs: 25 → 26\n") {
		t.Errorf("resumed with another epoch: %d epochs\n%s", len(more.Train.History), out.String())
	}
}

func checkSame(t *testing.T, res, again *Result) {
	t.Helper()
	if len(again.Train.History) != res.Config.Train.Epochs || again.Train.Steps != res.Train.Steps {
		t.Errorf("resumed finished run: %d epochs, %d steps", len(again.Train.History), again.Train.Steps)
	}
	for i, r := range again.Eval {
		if r.Metrics != res.Eval[i].Metrics {
			t.Errorf("resumed finished run: %+v, was %+v", r.Metrics, res.Eval[i].Metrics)
		}
	}
}

// TestTinyDarcyRun checks a 2-D run with pointwise normalisers evaluated
// on a finer grid than the training one (the statistics interpolated) and
// by zero-shot super-resolution, and its stated error.
func TestTinyDarcyRun(t *testing.T) {
	res, opts := runTiny(t, "tiny-darcy", "")
	if res.Expect == nil || !res.Expect.Met {
		t.Errorf("stated error not reached: %+v", res.Expect)
	}
	e29, _ := res.TestError(29)
	// Via the training grid: at 29 the model itself (same bits), at 57
	// a row of its own (Via 29) beside the direct one.
	var via []operator.ResolutionResult
	for _, r := range res.Eval {
		if r.Via != 0 {
			via = append(via, r)
		}
	}
	if len(via) != 2 || via[0].Via != 29 || via[0].Resolution != 29 || via[0].RelL2 != e29 || via[1].Resolution != 57 {
		t.Errorf("evaluations via the training grid: %+v (direct at 29: %v)", via, e29)
	}
	if b, err := os.ReadFile(res.Report); err != nil || !strings.Contains(string(b), "| 57×57 via 29×29 |") {
		t.Errorf("report.md lacks the row via the training grid (%v)", err)
	}
	for _, r := range res.Eval {
		t.Logf("%d → %d (via %d): relative L2 %.4f, H1 %.4f", r.InputResolution, r.Resolution, r.Via, r.RelL2, r.H1)
		if !(r.RelL2 < 1.5*e29) {
			t.Errorf("%d → %d: relative L2 %.4f vs %.4f at the training resolution", r.InputResolution, r.Resolution, r.RelL2, e29)
		}
	}
	ck, err := nn.LoadCheckpoint(filepath.Join(res.Dir, operator.CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	if m := ck.Extra["input_norm.mean"]; m == nil || m.NDim() != 3 || m.Dim(2) != 29 {
		t.Errorf("checkpoint's input normaliser: %v", ck.Extra)
	}
	checkSurrogate(t, res, opts)
	checkFileModes(t, res.Dir)
}

// checkFileModes checks that every file of a run directory is as readable
// as os.WriteFile makes a file (0666 less the umask): the checkpoint and
// the other files written atomically through a temporary file as well.
func checkFileModes(t *testing.T, dir string) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		n++
		if fi.Mode().Perm() != atomicfile.Perm {
			t.Errorf("%s: mode %v, want %v", path, fi.Mode().Perm(), atomicfile.Perm)
		}
		return nil
	})
	if err != nil || n < 5 {
		t.Errorf("run directory %s: %d files (%v)", dir, n, err)
	}
}

// TestTinyNavierStokesTasks runs the rollout (FNO-2D) and space-time
// (FNO-3D) tasks on a few short trajectories.
func TestTinyNavierStokesTasks(t *testing.T) {
	for _, profile := range []string{"", "space_time"} {
		res, opts := runTiny(t, "tiny-ns", profile)
		last := res.Train.Final()
		if last.Epoch != 3 || math.IsNaN(last.TrainLoss) {
			t.Errorf("%q: final epoch %+v", profile, last)
		}
		for _, r := range res.Eval {
			if r.Samples != 2 || !(r.RelL2 > 0 && r.RelL2 < 2) {
				t.Errorf("%q: %d → %d: %+v", profile, r.InputResolution, r.Resolution, r.Metrics)
			}
		}
		if profile == "space_time" && len(res.Eval) != 3 {
			t.Errorf("space-time evaluations %+v", res.Eval)
		}
		// The trained model as a Surrogate (the rollout, or the space-time
		// field) predicts the test trajectories with the run's error.
		r := res.Eval[0]
		pr, err := PredictFile(context.Background(), PredictRequest{Checkpoint: filepath.Join(res.Dir, operator.CheckpointFile),
			DataDir: opts.DataDir, Resolution: r.Resolution, Output: filepath.Join(t.TempDir(), "p.h5")}, nil)
		if err != nil || pr.RelL2 != r.RelL2 {
			t.Errorf("%q: predictions at %d: %+v, %v; the run's error %v", profile, r.Resolution, pr, err, r.RelL2)
		}
	}
}

// TestOtherModelType runs the Darcy test with an MgNO (a profile switching
// the model type): the runner is not tied to the FNO.
func TestOtherModelType(t *testing.T) {
	res, _ := runTiny(t, "tiny-darcy", "mgno")
	if res.Config.Model.Type != "mgno" || len(res.Train.History) != 3 || len(res.Eval) != 3 || res.Eval[2].Via != 29 {
		t.Errorf("mgno run: %s, %d epochs, %d evaluations", res.Config.Model.Type, len(res.Train.History), len(res.Eval))
	}
	for _, r := range res.Eval {
		if !(r.RelL2 > 0 && r.RelL2 < 1) {
			t.Errorf("%d → %d: %+v", r.InputResolution, r.Resolution, r.Metrics)
		}
	}
}

// TestTinyNIORun runs the inverse problem (the Darcy coefficient from the
// solutions for 3 sources, FNO∘DeepONet) end to end: the recovered a is
// within the stated error, at most 0.7 of the error of the best constant
// guess (the training samples' pointwise mean of a), and as good at the
// finer test grid.
func TestTinyNIORun(t *testing.T) {
	res, opts := runTiny(t, "tiny-nio", "")
	if res.Expect == nil || !res.Expect.Met {
		t.Errorf("stated error not reached: %+v", res.Expect)
	}
	e15, _ := res.TestError(15)
	e29, _ := res.TestError(29)
	if !(e29 < 1.1*e15) {
		t.Errorf("relative L2 %.4f at 29 vs %.4f at the training resolution", e29, e15)
	}
	// The constant guess: the mean of a over the training samples, on the
	// stored grid (29).
	g := res.Config.Data.Generate.GenerateSpec
	ds, err := data.Open(DataPath(opts.DataDir, g))
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	mean := make([]float64, g.Resolution*g.Resolution)
	for i := range res.Config.Data.NTrain {
		a, err := ds.ReadSample(data.Input, i)
		if err != nil {
			t.Fatal(err)
		}
		for j, v := range a {
			mean[j] += v / float64(res.Config.Data.NTrain)
		}
	}
	var base float64
	for i := res.Config.Data.NTrain; i < g.N; i++ {
		a, _ := ds.ReadSample(data.Input, i)
		var d2, n2 float64
		for j, v := range a {
			d2 += (v - mean[j]) * (v - mean[j])
			n2 += v * v
		}
		base += math.Sqrt(d2/n2) / float64(g.N-res.Config.Data.NTrain)
	}
	t.Logf("relative L2 of a: %.4f at 15, %.4f at 29; constant guess %.4f", e15, e29, base)
	if !(e29 < 0.7*base) {
		t.Errorf("relative L2 %.4f at 29, not below 0.7 × the constant guess's %.4f", e29, base)
	}
}

// TestEvalBatch checks the evaluation batch against the resolution: the
// configured size at the training grid and coarser ones, shrunk by the
// ratio of grid points at finer ones (at least 1); a space-time model's
// time axis does not count.
func TestEvalBatch(t *testing.T) {
	for _, c := range []struct {
		batch, trainRes, dim int
		task                 string
		res, want            int
	}{
		{0, 85, 2, "", 85, 20},
		{0, 85, 2, "", 43, 20},
		{0, 85, 2, "", 141, 7}, // 20 · (85/141)² = 7.3
		{0, 85, 2, "", 211, 3}, // 3.2
		{0, 85, 2, "", 421, 1}, // 0.82
		{8, 85, 2, "", 141, 2}, // 2.9
		{0, 256, 1, "", 1024, 5},
		{10, 32, 3, "space_time", 64, 2}, // 10 · (32/64)², not ³
		{10, 32, 3, "", 64, 1},
	} {
		cfg := &Config{}
		cfg.Eval.BatchSize = c.batch
		cfg.Data.Task.Kind = c.task
		p := &pipeline{cfg: cfg, trainRes: c.trainRes, dim: c.dim}
		if got := p.evalBatch(c.res); got != c.want {
			t.Errorf("batch %d trained at %d (%d axes, task %q), evaluated at %d: %d, want %d", c.batch, c.trainRes, c.dim, c.task, c.res, got, c.want)
		}
	}
}
