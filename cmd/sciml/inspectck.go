package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sciml-go/sciml/experiments"
	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/operator"
)

// checkpointReport is what `sciml inspect` shows of a checkpoint and the
// metrics.jsonl beside it.
type checkpointReport struct {
	Path     string            `json:"path"`
	Bytes    int64             `json:"bytes"`
	Modified time.Time         `json:"modified"`
	Name     string            `json:"experiment,omitempty"`
	Profile  string            `json:"profile,omitempty"`
	Model    string            `json:"model_type,omitempty"`
	Status   string            `json:"status,omitempty"`
	Epoch    int64             `json:"epoch"`
	Epochs   int               `json:"epochs,omitempty"`
	Batch    int               `json:"batch,omitempty"`
	Step     int64             `json:"step"`
	Tensors  int               `json:"model_tensors"`
	Values   int               `json:"model_values"`
	DTypes   []string          `json:"dtypes"`
	Optim    string            `json:"optimizer,omitempty"`
	Extra    map[string][]int  `json:"extra,omitempty"`
	Meta     map[string]string `json:"meta,omitempty"`
	// Last and Best are from metrics.jsonl (Best: the lowest relative L2
	// of the first test set).
	Last *operator.EpochRecord `json:"last_epoch,omitempty"`
	Best *operator.EpochRecord `json:"best_epoch,omitempty"`
	// BestSet names the test set Best is chosen on.
	BestSet string `json:"best_set,omitempty"`
	// LastStep and BestStep are from the metrics.jsonl of a run logged by
	// steps (PINNs; Best: the lowest relative L2).
	LastStep *stepRecord `json:"last_step,omitempty"`
	BestStep *stepRecord `json:"best_step,omitempty"`
	// Evaluations are the evaluation journals in the run directory: an
	// evaluation under way, or interrupted (run the same command again).
	Evaluations []evalInProgress `json:"evaluations,omitempty"`
}

// evalInProgress is one evaluation journal of a run directory.
type evalInProgress struct {
	Journal string                        `json:"journal"`
	Rows    []experiments.JournalProgress `json:"rows,omitempty"`
	Error   string                        `json:"error,omitempty"`
}

// evalJournals reads the evaluation journals in dir: that of `sciml run`'s
// final evaluation and those of `sciml eval -o <table>.md`.
func evalJournals(dir string) []evalInProgress {
	paths, _ := filepath.Glob(filepath.Join(dir, "*.journal.json"))
	if _, err := os.Stat(filepath.Join(dir, experiments.EvalJournalFile)); err == nil {
		paths = append([]string{filepath.Join(dir, experiments.EvalJournalFile)}, paths...)
	}
	var out []evalInProgress
	for _, p := range paths {
		e := evalInProgress{Journal: p}
		rows, err := experiments.ReadJournalProgress(p)
		if err != nil {
			e.Error = err.Error()
		}
		e.Rows = rows
		out = append(out, e)
	}
	return out
}

// progressText describes a journal row: "421×421: 3 of 20 samples, 31m0s".
func progressText(r experiments.JournalProgress) string {
	of := ""
	if r.Samples > 0 {
		of = fmt.Sprintf(" of %d", r.Samples)
	}
	state := ""
	if r.Done {
		state = ", done"
	}
	return fmt.Sprintf("%s: %d%s samples%s, %s", r.Name, r.Evaluated, of, state, (time.Duration(r.Seconds) * time.Second).String())
}

// pendingText is the first unfinished evaluation of the journals, for the
// one-line view ("" when there is none).
func pendingText(evals []evalInProgress) string {
	for _, e := range evals {
		for _, r := range e.Rows {
			if !r.Done {
				s := fmt.Sprintf("evaluating %s: %d", r.Name, r.Evaluated)
				if r.Samples > 0 {
					s += fmt.Sprintf("/%d", r.Samples)
				}
				return s + " samples"
			}
		}
	}
	return ""
}

// stepRecord is a metrics.jsonl line of a run logged by steps.
type stepRecord struct {
	Step    int64   `json:"step"`
	Phase   string  `json:"phase"`
	Loss    float64 `json:"loss"`
	RelL2   float64 `json:"rel_l2"`
	Seconds float64 `json:"time_s"`
}

// isCheckpoint reports whether path is a checkpoint or a run directory
// holding one (and returns the checkpoint's path).
func isCheckpoint(path string) (string, bool) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		ck := filepath.Join(path, operator.CheckpointFile)
		_, err := os.Stat(ck)
		return ck, err == nil
	}
	return path, strings.HasSuffix(path, ".safetensors")
}

// inspectCheckpoint reads the checkpoint at path and the run's metrics.
func inspectCheckpoint(path string) (*checkpointReport, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	ck, err := nn.LoadCheckpoint(path)
	if err != nil {
		return nil, err
	}
	r := &checkpointReport{Path: path, Bytes: st.Size(), Modified: st.ModTime().UTC(), Epoch: ck.Epoch, Step: ck.Step,
		Extra: map[string][]int{}, Meta: map[string]string{}}
	var cfg struct {
		Name    string `json:"name"`
		Profile string `json:"profile"`
		Model   struct {
			Type string `json:"type"`
		} `json:"model"`
		Train struct {
			Epochs int `json:"epochs"`
		} `json:"train"`
	}
	if len(ck.Config) > 0 {
		json.Unmarshal(ck.Config, &cfg) // a config of another shape leaves these empty
	}
	r.Name, r.Profile, r.Model, r.Epochs = cfg.Name, cfg.Profile, cfg.Model.Type, cfg.Train.Epochs
	for k, v := range ck.Meta {
		switch k {
		case "status":
			r.Status = v
		case "batch":
			r.Batch, _ = strconv.Atoi(v)
		case "experiment", "profile", "model_type", "loss_sum", "samples":
		default:
			r.Meta[k] = v
		}
	}
	dtypes := map[string]bool{}
	for _, t := range ck.Model {
		r.Tensors++
		r.Values += t.Numel()
		if t.DType().IsComplex() {
			r.Values += t.Numel()
		}
		dtypes[t.DType().String()] = true
	}
	r.DTypes = slices.Sorted(maps.Keys(dtypes))
	for k, t := range ck.Extra {
		r.Extra[k] = t.Shape()
	}
	if ck.Optim != nil {
		r.Optim = fmt.Sprintf("%s, %d state tensors", ck.Optim.Kind, len(ck.Optim.Tensors))
	}
	mpath := filepath.Join(filepath.Dir(path), operator.MetricsFile)
	recs, err := operator.ReadMetrics(mpath)
	if err == nil && len(recs) > 0 && recs[len(recs)-1].Epoch == 0 {
		r.LastStep, r.BestStep = readSteps(mpath) // not an epoch log
		recs = nil
	}
	r.Evaluations = evalJournals(filepath.Dir(path))
	if err == nil && len(recs) > 0 {
		r.Last = &recs[len(recs)-1]
		for i := range recs {
			rec := &recs[i]
			if r.BestSet == "" {
				for name := range rec.Test {
					if r.BestSet == "" || name < r.BestSet {
						r.BestSet = name
					}
				}
			}
			m, ok := rec.Test[r.BestSet]
			if ok && m.Samples > 0 && (r.Best == nil || m.RelL2 < r.Best.Test[r.BestSet].RelL2) {
				r.Best = rec
			}
		}
	}
	return r, nil
}

// WriteText prints the report.
func (r *checkpointReport) WriteText(w io.Writer) error {
	var b strings.Builder
	row := func(k, f string, a ...any) { fmt.Fprintf(&b, "%-12s %s\n", k, fmt.Sprintf(f, a...)) }
	row("checkpoint", "%s (%.1f MB, written %s)", r.Path, float64(r.Bytes)/1e6, r.Modified.Format("2006-01-02 15:04:05 MST"))
	if r.Name != "" {
		s := r.Name
		if r.Profile != "" {
			s += ", profile " + r.Profile
		}
		if r.Model != "" {
			s += ", model " + r.Model
		}
		row("experiment", "%s", s)
	}
	of := ""
	if r.Epochs > 0 {
		of = fmt.Sprintf(" of %d", r.Epochs)
	}
	switch r.Status {
	case "interrupted":
		row("status", "interrupted in epoch %d%s after %d batches; %s optimizer steps (resume: sciml run … --resume)", r.Epoch+1, of, r.Batch, thousands(int(r.Step)))
	case "":
		row("status", "epoch %d%s, %s optimizer steps", r.Epoch, of, thousands(int(r.Step)))
	default:
		row("status", "%s: %d%s epochs, %s optimizer steps", r.Status, r.Epoch, of, thousands(int(r.Step)))
	}
	row("model", "%d tensors, %s values (%s)", r.Tensors, thousands(r.Values), strings.Join(r.DTypes, ", "))
	if r.Optim != "" {
		row("optimizer", "%s", r.Optim)
	}
	var groups []string // input_norm: eps [1], mean [1 85 85], …
	for _, k := range slices.Sorted(maps.Keys(r.Extra)) {
		prefix, name, ok := strings.Cut(k, ".")
		if n := len(groups); ok && n > 0 && strings.HasPrefix(groups[n-1], prefix+":") {
			groups[n-1] += fmt.Sprintf(", %s %v", name, r.Extra[k])
		} else if ok {
			groups = append(groups, fmt.Sprintf("%s: %s %v", prefix, name, r.Extra[k]))
		} else {
			groups = append(groups, fmt.Sprintf("%s %v", k, r.Extra[k]))
		}
	}
	for _, g := range groups {
		row("extra", "%s", g)
	}
	for _, k := range slices.Sorted(maps.Keys(r.Meta)) {
		row("meta", "%s = %s", k, r.Meta[k])
	}
	epoch := func(e *operator.EpochRecord) string {
		s := fmt.Sprintf("epoch %d: train %.5g", e.Epoch, e.TrainLoss)
		for _, name := range slices.Sorted(maps.Keys(e.Test)) {
			m := e.Test[name]
			s += fmt.Sprintf(", test[%s] %.5g", name, m.RelL2)
			if m.H1 != 0 {
				s += fmt.Sprintf(" (H1 %.5g)", m.H1)
			}
		}
		return s + fmt.Sprintf(", lr %.3g, %.1f s", e.LR, e.Seconds)
	}
	if r.Last != nil {
		row("last", "%s", epoch(r.Last))
	}
	if r.Best != nil {
		row("best", "%s (lowest test[%s])", epoch(r.Best), r.BestSet)
	}
	step := func(s *stepRecord) string {
		return fmt.Sprintf("step %d (%s): loss %.4g, relative L2 %.4g, %.1f s", s.Step, s.Phase, s.Loss, s.RelL2, s.Seconds)
	}
	if r.LastStep != nil {
		row("last", "%s", step(r.LastStep))
	}
	if r.BestStep != nil {
		row("best", "%s (lowest relative L2)", step(r.BestStep))
	}
	for _, e := range r.Evaluations {
		if e.Error != "" {
			row("evaluation", "%s", e.Error)
			continue
		}
		for _, p := range e.Rows {
			row("evaluation", "%s (%s)", progressText(p), filepath.Base(e.Journal))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// readSteps returns the last line of a metrics.jsonl logged by steps and
// the one with the lowest relative L2 (nil, nil when there is none).
func readSteps(path string) (last, best *stepRecord) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil
	}
	for _, line := range strings.Split(string(b), "\n") {
		var s stepRecord
		if json.Unmarshal([]byte(line), &s) != nil || (s.Step == 0 && s.Phase == "") {
			continue
		}
		last = &s
		if s.RelL2 > 0 && (best == nil || s.RelL2 < best.RelL2) {
			best = &s
		}
	}
	return last, best
}

// thousands writes n with commas: 593,613.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// runDirs lists the subdirectories of dir that hold a checkpoint (an error
// when dir is not a directory).
func runDirs(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var runs []string
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		if ck, ok := isCheckpoint(filepath.Join(dir, e.Name())); ok {
			runs = append(runs, ck)
		}
	}
	return runs, nil
}

// inspectRuns prints one line per checkpoint: run, status, epochs, the
// last and the best test error.
func inspectRuns(w io.Writer, cks []string, asJSON bool) error {
	var b strings.Builder
	if !asJSON {
		fmt.Fprintf(&b, "%-28s %-12s %-10s %-10s %-22s %s\n", "run", "status", "epochs", "model", "last test", "best test")
	}
	enc := json.NewEncoder(w)
	for _, ck := range cks {
		r, err := inspectCheckpoint(ck)
		if err != nil {
			fmt.Fprintf(&b, "%-28s %v\n", filepath.Base(filepath.Dir(ck)), err)
			continue
		}
		if asJSON {
			if err := enc.Encode(r); err != nil {
				return err
			}
			continue
		}
		epochs := strconv.FormatInt(r.Epoch, 10)
		if r.Epochs > 0 {
			epochs += "/" + strconv.Itoa(r.Epochs)
		}
		last, best := "", ""
		if r.Last != nil {
			if m, ok := r.Last.Test[r.BestSet]; ok {
				last = fmt.Sprintf("%.4g [%s]", m.RelL2, r.BestSet)
			}
		}
		if r.Best != nil {
			best = fmt.Sprintf("%.4g at epoch %d", r.Best.Test[r.BestSet].RelL2, r.Best.Epoch)
		}
		if r.LastStep != nil {
			last = fmt.Sprintf("%.4g [step %d]", r.LastStep.RelL2, r.LastStep.Step)
		}
		if r.BestStep != nil {
			best = fmt.Sprintf("%.4g at step %d", r.BestStep.RelL2, r.BestStep.Step)
		}
		if p := pendingText(r.Evaluations); p != "" {
			best += "  (" + p + ")"
		}
		fmt.Fprintf(&b, "%-28s %-12s %-10s %-10s %-22s %s\n", filepath.Base(filepath.Dir(ck)), r.Status, epochs, r.Model, last, best)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
