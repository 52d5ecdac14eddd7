package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestEvalAndInspectRun runs a tiny experiment and evaluates its checkpoint:
// the table is written and the journal of the evaluation removed (the
// errors and their resumption are tested in experiments); inspect shows
// the run.
func TestEvalAndInspectRun(t *testing.T) {
	dir := t.TempDir()
	run := func(args ...string) string {
		t.Helper()
		root := &cobra.Command{Use: "sciml", SilenceUsage: true, SilenceErrors: true}
		root.AddCommand(runCmd(), evalCmd(), inspectCmd(), predictCmd())
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&out)
		root.SetArgs(args)
		if err := root.ExecuteContext(context.Background()); err != nil {
			t.Fatalf("sciml %s: %v\n%s", strings.Join(args, " "), err, out.String())
		}
		return out.String()
	}
	run("run", "../../experiments/testdata/tiny-burgers.yaml", "-o", filepath.Join(dir, "run"),
		"--data-dir", filepath.Join(dir, "data"), "--set", "train.epochs=2")
	table := filepath.Join(dir, "eval-128.md")
	out := run("eval", "--checkpoint", filepath.Join(dir, "run", "model.safetensors"), "--data-dir", filepath.Join(dir, "data"),
		"--resolutions", "128", "--batch", "5", "-o", table)
	if b, err := os.ReadFile(table); err != nil || !strings.Contains(string(b), "| 128 | 12 |") {
		t.Errorf("table %s: %s, %v\n%s", table, b, err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "eval-128.journal.json")); err == nil {
		t.Error("the journal is left after the evaluation")
	}

	// predict writes input, prediction and target, which inspect lists.
	pred := filepath.Join(dir, "pred.h5")
	out = run("predict", "--checkpoint", filepath.Join(dir, "run", "model.safetensors"), "--data-dir", filepath.Join(dir, "data"),
		"--resolution", "128", "--samples", "2:7", "-o", pred)
	if !regexp.MustCompile(`^predicted 5 samples at 128 in [0-9.]+ s: relative L2 [0-9.]+ against the targets \(max [0-9.]+\); written to `).MatchString(out) {
		t.Errorf("predict printed:\n%s", out)
	}
	out = run("inspect", pred)
	for _, want := range []string{"predictions layout, 5 samples (sciml predict)", "/prediction  float32  (5, 1, 128)", "/target", "samples           [50 55]"} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect of the predictions lacks %q:\n%s", want, out)
		}
	}
	os.Remove(pred)

	// inspect shows the run from its directory or its checkpoint.
	out = run("inspect", filepath.Join(dir, "run"))
	for _, want := range []string{"experiment   tiny-burgers, model fno\n", "status       done: 2 of 2 epochs, ",
		"extra        output_norm: eps [1], mean [1], std [1]\n", "last         epoch 2: train ", "best         epoch "} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect lacks %q:\n%s", want, out)
		}
	}
	// An evaluation under way (or interrupted) shows with its journal:
	// rows of the journal format (experiments.ReadJournalProgress).
	jr := filepath.Join(dir, "run", "eval-421.journal.json")
	os.WriteFile(jr, []byte(`{"key":"k","rows":[{"name":"85×85","rel_l2":[0.1,0.2],"samples":2,"seconds":3,"done":true},`+
		`{"name":"421×421","rel_l2":[0.1,0.2,0.3],"samples":20,"seconds":1860,"done":false}]}`), 0o644)
	out = run("inspect", filepath.Join(dir, "run"))
	for _, want := range []string{"evaluation   85×85: 2 of 2 samples, done, 3s (eval-421.journal.json)\n",
		"evaluation   421×421: 3 of 20 samples, 31m0s (eval-421.journal.json)\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect lacks %q:\n%s", want, out)
		}
	}
	if out = run("inspect", dir); !strings.Contains(out, " at epoch 1  (evaluating 421×421: 3/20 samples)\n") &&
		!strings.Contains(out, " at epoch 2  (evaluating 421×421: 3/20 samples)\n") {
		t.Errorf("inspect of a directory of runs with an evaluation under way:\n%s", out)
	}
	os.Remove(jr)

	// A run logged by steps (a PINN's metrics.jsonl).
	pinn := filepath.Join(dir, "pinn")
	os.MkdirAll(pinn, 0o755)
	ck, _ := os.ReadFile(filepath.Join(dir, "run", "model.safetensors"))
	os.WriteFile(filepath.Join(pinn, "model.safetensors"), ck, 0o644)
	os.WriteFile(filepath.Join(pinn, "metrics.jsonl"), []byte(`{"step":100,"phase":"adam","loss":0.5,"rel_l2":0.2,"time_s":1}
{"step":200,"phase":"adam","loss":0.1,"rel_l2":0.05,"time_s":2}
{"step":250,"phase":"lbfgs","loss":0.2,"rel_l2":0.07,"time_s":3}
`), 0o644)
	out = run("inspect", pinn)
	if !strings.Contains(out, "last         step 250 (lbfgs): loss 0.2, relative L2 0.07, 3.0 s\n") ||
		!strings.Contains(out, "best         step 200 (adam): loss 0.1, relative L2 0.05, 2.0 s (lowest relative L2)\n") ||
		strings.Contains(out, "epoch 0") {
		t.Errorf("inspect of a run logged by steps:\n%s", out)
	}
	os.RemoveAll(pinn)

	// A directory of runs: one line each.
	out = run("inspect", dir)
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 ||
		!regexp.MustCompile(`^run +done +2/2 +fno +[0-9.]+ \[s=64\] +[0-9.]+ at epoch [12]$`).MatchString(lines[1]) {
		t.Errorf("inspect of a directory of runs:\n%s", out)
	}
	var r checkpointReport
	out = run("inspect", "--json", filepath.Join(dir, "run", "model.safetensors"))
	if err := json.Unmarshal([]byte(out), &r); err != nil || r.Epoch != 2 || r.Epochs != 2 || r.Status != "done" ||
		r.Last == nil || r.Last.Epoch != 2 || r.Best == nil || r.BestSet != "s=64" || r.Values == 0 {
		t.Errorf("inspect --json: %+v, %v\n%s", r, err, out)
	}
}
