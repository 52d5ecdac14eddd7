package experiments

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sciml-go/sciml/inr"
	"github.com/sciml-go/sciml/nn"
)

func TestINRDecodeErrors(t *testing.T) {
	const ok = "kind: inr\nname: t\ntargets:\n  - {source: test-image, size: 16}\nmodels: [siren]\n"
	if _, err := DecodeINR([]byte(ok), "ok.yaml", ""); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	for _, c := range []struct{ name, src, profile string }{
		{"unknown key", "kind: inr\nname: t\ntargets:\n  - {source: test-image}\nmodels: [siren]\nfit:\n  stpes: 3\n", ""},
		{"unknown model", "kind: inr\nname: t\ntargets:\n  - {source: test-image}\nmodels:\n  - siren\n  - sirne\n", ""},
		{"unknown source", "kind: inr\nname: t\ntargets:\n  - source: lena\nmodels: [siren]\n", ""},
		{"png without path", "kind: inr\nname: t\ntargets:\n  - source: png\nmodels: [siren]\n", ""},
		{"bad task", "kind: inr\nname: t\ntask: divergence\ntargets:\n  - {source: test-image}\nmodels: [siren]\n", ""},
		{"negative steps", "kind: inr\nname: t\ntargets:\n  - {source: test-image}\nmodels: [siren]\nfit:\n  steps: -3\n", ""},
		{"fractional steps", "kind: inr\nname: t\ntargets:\n  - {source: test-image}\nmodels: [siren]\nfit:\n  steps: 2.5\n", ""},
		{"override of another model", "kind: inr\nname: t\ntargets:\n  - {source: test-image}\nmodels: [siren]\noverrides:\n  wire: {lr: 0.01}\n", ""},
		{"budget too small", "kind: inr\nname: t\ntargets:\n  - {source: test-image}\nmodels: [siren]\nbudget: 3\n", ""},
		{"expect unknown target", "kind: inr\nname: t\ntargets:\n  - {source: test-image}\nmodels: [siren]\nexpect: {psnr: 30, target: ns}\n", ""},
		{"duplicate target", "kind: inr\nname: t\ntargets:\n  - {source: test-image}\n  - {source: test-image}\nmodels: [siren]\n", ""},
		{"no profile", ok, "paper"},
	} {
		_, err := DecodeINR([]byte(c.src), "bad.yaml", c.profile)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		want := map[string]string{
			"unknown key":               "bad.yaml:7: unknown key \"stpes\"",
			"unknown model":             "bad.yaml:7: models[1]: unknown model \"sirne\"",
			"unknown source":            "bad.yaml:4: targets[0].source: \"lena\"",
			"png without path":          "bad.yaml:4: targets[0].path: missing",
			"bad task":                  "bad.yaml:3: task: \"divergence\"",
			"negative steps":            "bad.yaml:7: fit.steps: -3",
			"fractional steps":          "bad.yaml:7: fit.steps: 2.5 is not an integer",
			"override of another model": "bad.yaml:7: overrides.wire",
			"budget too small":          "bad.yaml:5: models: siren: inr: siren: budget 3",
			"expect unknown target":     "bad.yaml:6: expect.target",
			"duplicate target":          "targets[1].name: \"test-image\" used twice",
			"no profile":                "no profile \"paper\"",
		}[c.name]
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %q lacks %q", c.name, err, want)
		}
	}
	// An operator config is not an inr config.
	src, _ := Source("burgers-fno")
	if _, err := DecodeINR(src, "burgers-fno.yaml", ""); err == nil {
		t.Error("burgers-fno decoded as an inr experiment")
	}
}

// TestINREmbeddedConfigs checks that the inr experiments resolve with
// every profile and that the paper setups are the stated ones: 256×256
// targets, 2,000 steps, every model at the SIREN 3×256 budget (within
// 1.5% of it), the Poisson reconstruction with its 30 dB target.
func TestINREmbeddedConfigs(t *testing.T) {
	for _, name := range []string{"inr-fit", "inr-poisson"} {
		src, err := Source(name)
		if err != nil {
			t.Fatal(err)
		}
		if k, err := KindOf(src, name); err != nil || k != KindINR {
			t.Fatalf("%s: kind %q, %v", name, k, err)
		}
		kind, _ := LookupKind(KindINR)
		for _, p := range append([]string{""}, ProfileNames(src)...) {
			y, err := kind.Resolve(src, name, p)
			if err != nil {
				t.Fatalf("%s %q: %v", name, p, err)
			}
			// The resolved YAML decodes to the same config.
			if _, err := DecodeINR(y, "resolved", ""); err != nil {
				t.Fatalf("%s %q: resolved config: %v\n%s", name, p, err, y)
			}
		}
	}
	c, err := DecodeINR(mustSource(t, "inr-fit"), "inr-fit", "paper")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Models, inr.Names()) || len(c.Targets) != 2 || c.Budget != 198401 {
		t.Fatalf("inr-fit paper: models %v, %d targets, budget %d", c.Models, len(c.Targets), c.Budget)
	}
	for _, tg := range c.Targets {
		if tg.size() != 256 {
			t.Errorf("inr-fit paper: target %s at %d", tg.label(), tg.size())
		}
	}
	for _, m := range c.Models {
		if f := c.fitConfig(m); f.Steps != 2000 {
			t.Errorf("%s: %d steps", m, f.Steps)
		}
		mc, err := c.modelConfig(m, 2, 1)
		if err != nil {
			t.Fatal(err)
		}
		model, err := inr.New(mc)
		if err != nil {
			t.Fatal(err)
		}
		if n := nn.CountParams(model); n > c.Budget || float64(n) < 0.985*float64(c.Budget) {
			t.Errorf("%s: %d parameters at budget %d", m, n, c.Budget)
		}
	}
	p, err := DecodeINR(mustSource(t, "inr-poisson"), "inr-poisson", "paper")
	if err != nil {
		t.Fatal(err)
	}
	if p.Task != "gradient" || p.Targets[0].size() != 256 || p.Expect == nil || p.Expect.PSNR != 30 || !slices.Equal(p.Models, []string{"siren"}) {
		t.Fatalf("inr-poisson paper: %+v", p)
	}
}

func mustSource(t *testing.T, name string) []byte {
	t.Helper()
	src, err := Source(name)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// TestINRQuickRun runs the tiny config end to end through the kind's
// runner and checks the numbers and the files.
func TestINRQuickRun(t *testing.T) {
	src, err := os.ReadFile("testdata/tiny-inr.yaml")
	if err != nil {
		t.Fatal(err)
	}
	kind, ok := LookupKind(KindINR)
	if !ok {
		t.Fatal("kind inr not registered")
	}
	dir := t.TempDir()
	summary, err := kind.Run(context.Background(), src, "tiny-inr.yaml", "", Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(summary, "(met)") || !strings.Contains(summary, "| image | siren |") {
		t.Errorf("summary:\n%s", summary)
	}
	var rows []INRRow
	b, err := os.ReadFile(filepath.Join(dir, INRResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Model != "siren" || rows[1].Model != "relu_pe" {
		t.Fatalf("rows %+v", rows)
	}
	// A 24×24 image at 60 steps: SIREN (≈36 dB) far ahead of ReLU+PE
	// (≈15 dB), as SIREN fits fine detail quickly.
	s, r := rows[0], rows[1]
	if s.PSNR < 30 || s.SSIM < 0.95 || s.RelL2 > 0.05 {
		t.Errorf("siren: PSNR %.2f SSIM %.4f relL2 %.3e", s.PSNR, s.SSIM, s.RelL2)
	}
	if r.PSNR < 12 || r.PSNR > s.PSNR-10 {
		t.Errorf("relu_pe: PSNR %.2f (siren %.2f)", r.PSNR, s.PSNR)
	}
	for _, row := range rows {
		if row.Params > 3000 || row.Params < 2500 || row.Steps != 60 {
			t.Errorf("%s: %d parameters, %d steps", row.Model, row.Params, row.Steps)
		}
	}
	for _, f := range []string{ConfigFile, ReportFile, inrMetricsFile, "image-siren.safetensors", "image-relu_pe.safetensors",
		"plots/image-siren.png", "plots/image-relu_pe.png", "plots/image-psnr.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	// The checkpoint reproduces the reported PSNR.
	m, _, err := inr.Load(filepath.Join(dir, "image-siren.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	target := inr.TestImage(24)
	pred := inr.Render(m, 1, 24, 24)
	if got := inr.PSNR(pred.Data, target.Data, target.Range()); got != s.PSNR {
		t.Errorf("checkpoint PSNR %v, reported %v", got, s.PSNR)
	}
	// A second run needs --resume (which keeps the finished fits) or --force.
	if _, err := kind.Run(context.Background(), src, "tiny-inr.yaml", "", Options{Dir: dir}); err == nil || !strings.Contains(err.Error(), "--resume") {
		t.Errorf("rerun without resume: %v", err)
	}
	again, err := kind.Run(context.Background(), src, "tiny-inr.yaml", "", Options{Dir: dir, Resume: true})
	if err != nil || again != summary {
		t.Errorf("resume: %v\n%s\nwant\n%s", err, again, summary)
	}
}

// cancelAfter cancels a context at the first progress line that contains
// b once a line has contained a.
type cancelAfter struct {
	a, b    string
	started bool
	cancel  func()
}

func (c *cancelAfter) Write(p []byte) (int, error) {
	s := string(p)
	c.started = c.started || strings.Contains(s, c.a)
	if c.started && strings.Contains(s, c.b) {
		c.cancel()
	}
	return len(p), nil
}

// TestINRResumeInsideAFit interrupts the second fit of the tiny run after
// its step-20 report and resumes it: the table equals that of the
// uninterrupted run, each step is reported once, and no state file is left.
func TestINRResumeInsideAFit(t *testing.T) {
	src, err := os.ReadFile("testdata/tiny-inr.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := DecodeINR(src, "tiny-inr.yaml", "")
	if err != nil {
		t.Fatal(err)
	}
	whole, err := RunINR(context.Background(), c, Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	_, err = RunINR(ctx, c, Options{Dir: dir, Progress: &cancelAfter{a: "relu_pe on image", b: "step    20", cancel: cancel}})
	if err == nil || !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "--resume") {
		t.Fatalf("interrupted run: %v", err)
	}
	state := filepath.Join(dir, "image-relu_pe"+inrStateSuffix)
	if _, err := os.Stat(state); err != nil {
		t.Fatalf("no state after the interruption: %v", err)
	}
	if _, err := RunINR(context.Background(), c, Options{Dir: dir}); err == nil || !strings.Contains(err.Error(), "--resume") {
		t.Errorf("rerun without resume: %v", err)
	}
	var log strings.Builder
	res, err := RunINR(context.Background(), c, Options{Dir: dir, Resume: true, Progress: &log})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(log.String(), "siren on image") || !strings.Contains(log.String(), "step    40") || strings.Contains(log.String(), "step    20") ||
		!strings.Contains(log.String(), "continuing from "+state+" (step 20)") {
		t.Errorf("resumed run's progress:\n%s", log.String())
	}
	if len(res.Rows) != 2 {
		t.Fatalf("rows %+v", res.Rows)
	}
	for i, r := range res.Rows {
		w := whole.Rows[i]
		if r.Model != w.Model || r.PSNR != w.PSNR || r.SSIM != w.SSIM || r.RelL2 != w.RelL2 || r.Seconds <= 0 {
			t.Errorf("resumed row %+v, uninterrupted %+v", r, w)
		}
	}
	curves, err := readINRMetrics(filepath.Join(dir, inrMetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	var steps []int
	for _, s := range curves["image"]["relu_pe"] {
		steps = append(steps, s.Step)
	}
	if !slices.Equal(steps, []int{1, 20, 40, 60}) {
		t.Errorf("relu_pe reports steps %v", steps)
	}
	if _, err := os.Stat(state); !os.IsNotExist(err) {
		t.Errorf("state file left after the fit: %v", err)
	}
}
