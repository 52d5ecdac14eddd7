package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/sciml-go/sciml/data"
)

// TestMain lets a test run the real command in a child process (to kill
// it): with SCIML_TEST_MAIN=1 the test binary is sciml.
func TestMain(m *testing.M) {
	if os.Getenv("SCIML_TEST_MAIN") == "1" {
		os.Args = append([]string{"sciml"}, os.Args[1:]...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// run executes sciml with args in-process and returns its standard output.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := &cobra.Command{Use: "sciml", SilenceUsage: true, SilenceErrors: true}
	root.AddCommand(generateCmd(), inspectCmd(), mergeCmd())
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, err := run(t, args...)
	if err != nil {
		t.Fatalf("sciml %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// small are the flags of a quick Burgers dataset.
var small = []string{"generate", "burgers", "--n", "6", "--resolution", "32", "--solve-resolution", "64",
	"--final-time", "0.1", "--seed", "3", "-q"}

func readAll(t *testing.T, path string) (in, out []float64) {
	t.Helper()
	d, err := data.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for i := 0; i < d.Len(); i++ {
		a, err := d.ReadSample(data.Input, i)
		if err != nil {
			t.Fatal(err)
		}
		b, err := d.ReadSample(data.Output, i)
		if err != nil {
			t.Fatal(err)
		}
		in, out = append(in, a...), append(out, b...)
	}
	return in, out
}

func sameValues(t *testing.T, a, b string) {
	t.Helper()
	ai, ao := readAll(t, a)
	bi, bo := readAll(t, b)
	if len(ai) != len(bi) || len(ao) != len(bo) {
		t.Fatalf("%s and %s differ in size", a, b)
	}
	for k := range ai {
		if math.Float64bits(ai[k]) != math.Float64bits(bi[k]) {
			t.Fatalf("input differs between %s and %s at %d", a, b, k)
		}
	}
	for k := range ao {
		if math.Float64bits(ao[k]) != math.Float64bits(bo[k]) {
			t.Fatalf("output differs between %s and %s at %d", a, b, k)
		}
	}
}

// generate, shards from the environment, merge and inspect --json.
func TestGenerateShardsMergeInspect(t *testing.T) {
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.h5")
	mustRun(t, append(small, "-o", whole)...)
	if out := mustRun(t, append(small[:len(small)-1], "-o", whole)...); !strings.Contains(out, "up to date") {
		t.Errorf("second run: %q", out)
	}

	// Kubernetes Indexed Job: the index comes from JOB_COMPLETION_INDEX.
	pattern := filepath.Join(dir, "part-{shard}.h5")
	for _, i := range []string{"0", "1", "2"} {
		t.Setenv("JOB_COMPLETION_INDEX", i)
		mustRun(t, append(small, "--shard", "3", "-o", pattern)...)
	}
	t.Setenv("JOB_COMPLETION_INDEX", "")
	parts, _ := filepath.Glob(filepath.Join(dir, "part-*.h5"))
	if len(parts) != 3 {
		t.Fatalf("shard files %v", parts)
	}
	merged := filepath.Join(dir, "merged.h5")
	if out := mustRun(t, append([]string{"merge", "-o", merged}, parts...)...); !strings.Contains(out, "6 samples from 3 files") {
		t.Errorf("merge printed %q", out)
	}
	sameValues(t, whole, merged)

	// A shard with another parameter is refused.
	odd := filepath.Join(dir, "odd.h5")
	mustRun(t, append(small, "--shard", "1/3", "--viscosity", "0.2", "-o", odd)...)
	if _, err := run(t, "merge", "-o", filepath.Join(dir, "bad.h5"), parts[0], odd, parts[2]); err == nil || !strings.Contains(err.Error(), "viscosity") {
		t.Errorf("merge of mismatched shards: %v", err)
	}

	var r data.Report
	out := mustRun(t, "inspect", "--json", merged)
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("inspect --json: %v\n%s", err, out)
	}
	if r.Samples != 6 || !r.Complete || r.Attributes["pde"] != "burgers" || r.Attributes["seed"] != 3.0 {
		t.Errorf("report %+v", r)
	}
	found := false
	for _, d := range r.Datasets {
		if d.Name == "output" {
			found = true
			if d.Stats == nil || d.Stats.Count != 6*32 || d.Stats.Mean == nil || d.Shape[0] != 6 || d.Deflate != 4 {
				t.Errorf("output report %+v", d)
			}
		}
	}
	if !found {
		t.Error("no output dataset in the report")
	}
	text := mustRun(t, "inspect", merged)
	for _, w := range []string{"6 samples, complete", "/input", "shuffle+deflate(4)", "viscosity"} {
		if !strings.Contains(text, w) {
			t.Errorf("inspect text lacks %q", w)
		}
	}
}

// Flags override the config file; errors name the flag or the config line.
func TestGenerateConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "b.yaml")
	os.WriteFile(cfg, []byte("pde: burgers\nn: 4\nresolution: 32\nburgers:\n  solve_resolution: 64\n  viscosity: 0.05\n  final_time: 0.1\n"), 0o644)
	path := filepath.Join(dir, "b.h5")
	mustRun(t, "generate", "burgers", "--config", cfg, "--n", "5", "-q", "-o", path)
	d, err := data.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := d.Spec()
	d.Close()
	if s.N != 5 || s.Burgers.Viscosity != 0.05 || s.Resolution != 32 || s.Burgers.Sigma != 25 {
		t.Errorf("spec %+v %+v", s, *s.Burgers)
	}
	if !strings.Contains(s.PDE, "burgers") {
		t.Errorf("pde %q", s.PDE)
	}

	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("n: 4\nburgers:\n  viscosity: -1\n  finaltime: 2\n"), 0o644)
	if _, err := run(t, "generate", "burgers", "--config", bad, "-o", path); err == nil || !strings.Contains(err.Error(), "bad.yaml:4") ||
		!strings.Contains(err.Error(), `"finaltime"`) {
		t.Errorf("unknown key: %v", err)
	}
	os.WriteFile(bad, []byte("n: 4\nburgers:\n  viscosity: -1\n"), 0o644)
	_, err = run(t, "generate", "burgers", "--config", bad, "--resolution", "33", "-o", path)
	for _, w := range []string{"bad.yaml:3: burgers.viscosity: must be positive", "--resolution: "} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("validation error %v lacks %q", err, w)
		}
	}
	if _, err := run(t, "generate", "darcy", "--config", cfg, "-o", path); err == nil || !strings.Contains(err.Error(), `pde is "burgers"`) {
		t.Errorf("config of another PDE: %v", err)
	}
	if _, err := run(t, append(small, "--shard", "2", "-o", path)...); err == nil || !strings.Contains(err.Error(), "SLURM_ARRAY_TASK_ID") {
		t.Errorf("--shard n without an index: %v", err)
	}
}

// A generator killed with SIGKILL leaves a readable partial file holding
// every sample of its last commit, bitwise equal to an uninterrupted run's;
// a resumed run keeps them and continues.
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a child process")
	}
	dir := t.TempDir()
	// Far more samples than the child can finish before it is killed.
	args := []string{"generate", "burgers", "--n", "100000", "--resolution", "64", "--solve-resolution", "128",
		"--final-time", "0.05", "--workers", "2", "-q"}
	path := filepath.Join(dir, "killed.h5")
	partial := path + data.PartialSuffix
	prev := 0
	for attempt := 0; attempt < 3; attempt++ {
		cargs := append(args, "-o", path)
		if attempt > 0 {
			cargs = append(cargs, "--resume") // kill the resumed run too
		}
		cmd := exec.Command(os.Args[0], cargs...)
		cmd.Env = append(os.Environ(), "SCIML_TEST_MAIN=1")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill once the file has grown (samples are being written), at a
		// moment unrelated to the commits.
		var size0 int64 = -1
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			if st, err := os.Stat(partial); err == nil {
				if size0 < 0 {
					size0 = st.Size()
				} else if st.Size() > size0+64<<10 {
					break
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(time.Duration(150+350*attempt) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("child was not killed (%v): %s", err, stderr.String())
		}
		if _, err := os.Stat(path); err == nil {
			t.Fatal("final file exists after a kill")
		}
		d, err := data.Open(partial)
		if err != nil {
			t.Fatalf("partial file after SIGKILL: %v", err)
		}
		n := d.Len()
		d.Close()
		t.Logf("killed with %d complete samples on disk", n)
		if n < prev {
			t.Fatalf("the resumed run lost samples: %d, had %d", n, prev)
		}
		prev = n
	}
	if prev == 0 {
		t.Fatal("no kill left samples on disk")
	}
	// The kept samples equal those of an uninterrupted run (sample i depends
	// only on the seed and i, so a shorter reference dataset will do).
	ref := filepath.Join(dir, "ref.h5")
	refArgs := append([]string(nil), args...)
	refArgs[3] = strconv.Itoa(prev)
	mustRun(t, append(refArgs, "-o", ref)...)
	ri, ro := readAll(t, ref)
	ki, ko := readAll(t, partial)
	for k := range ri {
		if math.Float64bits(ri[k]) != math.Float64bits(ki[k]) {
			t.Fatalf("input value %d differs from an uninterrupted run", k)
		}
	}
	for k := range ro {
		if math.Float64bits(ro[k]) != math.Float64bits(ko[k]) {
			t.Fatalf("output value %d differs from an uninterrupted run", k)
		}
	}
	if _, err := run(t, append(args, "-o", path)...); err == nil || !strings.Contains(err.Error(), "--resume") {
		t.Errorf("rerun without --resume: %v", err)
	}
}

func TestCommandLine(t *testing.T) {
	got := commandLine([]string{"sciml", "generate", "-o", "a b.h5", "--x=it's"})
	if want := `sciml generate -o 'a b.h5' '--x=it'\''s'`; got != want {
		t.Errorf("commandLine = %s, want %s", got, want)
	}
}
