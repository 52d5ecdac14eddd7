package experiments

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/sciml-go/sciml/fno"
	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/operator"
)

// TestEmbeddedConfigs checks that every embedded experiment and profile
// loads, and that the paper profiles are the paper's setup: its models
// (with the published parameter counts), data sizes and training recipe.
func TestEmbeddedConfigs(t *testing.T) {
	want := map[string]struct {
		params, batch, step, nTrain, nTest, res int
		rel                                     float64
	}{
		"burgers-fno": {549569, 20, 50, 1000, 100, 1024, 0.016},
		"darcy-fno":   {2368001, 20, 100, 1000, 100, 85, 0.0108},
		"ns-fno2d":    {414517, 20, 100, 1000, 200, 64, 0.0128},
		"ns-fno3d":    {6558537, 10, 100, 1000, 200, 64, 0.0086},
	}
	names := Names()
	for name := range want {
		if !slices.Contains(names, name) {
			t.Fatalf("embedded experiments %v lack %s", names, name)
		}
	}
	// Every embedded experiment loads and builds with each of its profiles.
	for _, name := range names {
		src, _ := Source(name)
		if k, _ := KindOf(src, name); k != KindOperator {
			continue // other kinds have their own tests
		}
		for _, profile := range append([]string{""}, ProfileNames(src)...) {
			cfg, err := Load(name, profile)
			if err != nil {
				t.Fatalf("%s %q: %v", name, profile, err)
			}
			if _, err := cfg.Model.Build(rand.New(rand.NewPCG(1, 2))); err != nil {
				t.Fatalf("%s %q: %v", name, profile, err)
			}
		}
	}
	// The FNO experiments reproduce the paper's setups exactly.
	for name := range want {
		src, _ := Source(name)
		profiles := []string{"paper", "quick"}
		if name == "darcy-fno" {
			profiles = []string{"paper", "paper_h1", "quick"} // paper_h1: MgNO's recipe
		}
		if strings.HasPrefix(name, "burgers") || strings.HasPrefix(name, "darcy") {
			profiles = append(profiles, "compare") // the model comparison's reduced budget
		}
		if got := ProfileNames(src); !slices.Equal(got, profiles) {
			t.Errorf("%s: profiles %v, want %v", name, got, profiles)
		}
		for _, profile := range []string{"", "paper", "quick"} {
			cfg, err := Load(name, profile)
			if err != nil {
				t.Fatalf("%s %q: %v", name, profile, err)
			}
			if cfg.Expect == nil {
				t.Errorf("%s %q: no stated error", name, profile)
			}
			m, err := cfg.Model.Build(rand.New(rand.NewPCG(1, 2)))
			if err != nil {
				t.Fatalf("%s %q: %v", name, profile, err)
			}
			if profile == "quick" {
				continue
			}
			w := want[name]
			tc := cfg.Train.WithDefaults()
			if n := nn.CountParams(m); n != w.params {
				t.Errorf("%s %q: %d parameters, want %d", name, profile, n, w.params)
			}
			if tc.Epochs != 500 || tc.BatchSize != w.batch || tc.Optimizer.Name != "adam" || tc.Optimizer.LR != 1e-3 ||
				*tc.Optimizer.WeightDecay != 1e-4 || tc.Schedule.Name != "step" || tc.Schedule.StepSize != w.step ||
				tc.Schedule.Gamma != 0.5 || tc.Loss.Name != "rel_l2" || tc.Loss.Reduction != "sum" {
				t.Errorf("%s %q: training recipe %+v", name, profile, tc)
			}
			if cfg.Data.NTrain != w.nTrain || cfg.Data.NTest != w.nTest || cfg.Data.Resolution != w.res {
				t.Errorf("%s %q: %d/%d samples at %d", name, profile, cfg.Data.NTrain, cfg.Data.NTest, cfg.Data.Resolution)
			}
			if cfg.Expect.RelL2 != w.rel {
				t.Errorf("%s %q: expected error %v, want the paper's %v", name, profile, cfg.Expect.RelL2, w.rel)
			}
		}
	}
	// darcy-fno paper_h1 is the paper profile with MgNO's loss and
	// schedule, nothing else.
	p, err := Load("darcy-fno", "paper")
	if err != nil {
		t.Fatal(err)
	}
	h, err := Load("darcy-fno", "paper_h1")
	if err != nil {
		t.Fatal(err)
	}
	if h.Train.Loss.Name != "h1" || h.Train.Schedule.Name != "one_cycle" {
		t.Errorf("darcy-fno paper_h1: loss %q, schedule %q", h.Train.Loss.Name, h.Train.Schedule.Name)
	}
	h.Train.Loss.Name, h.Train.Schedule.Name, h.Profile = p.Train.Loss.Name, p.Train.Schedule.Name, p.Profile
	pj, _ := p.JSON()
	hj, _ := h.JSON()
	if !bytes.Equal(pj, hj) {
		t.Errorf("darcy-fno paper_h1 differs from paper in more than loss and schedule:\n%s\n%s", pj, hj)
	}
}

func TestProfileMerge(t *testing.T) {
	cfg, err := Load("burgers-fno", "quick")
	if err != nil {
		t.Fatal(err)
	}
	g := cfg.Data.Generate
	// Overridden by the profile.
	if g.N != 250 || g.Resolution != 1024 || g.Burgers.SolveResolution != 1024 || cfg.Data.Resolution != 256 || cfg.Profile != "quick" {
		t.Errorf("profile values: %+v %+v", g, cfg.Data)
	}
	// Kept from the document (siblings of overridden keys) and defaults.
	spec := cfg.Model.Spec.(fno.Config)
	if g.Burgers.Viscosity != 0.1 || g.Burgers.Sigma != 25 || spec.Layers != 4 || spec.Grid != "periodic" ||
		cfg.Train.Schedule.Gamma != 0.5 || cfg.Train.Optimizer.WeightDecay == nil || *cfg.Train.Optimizer.WeightDecay != 1e-4 {
		t.Errorf("kept values: %+v %+v %+v", g.Burgers, spec, cfg.Train)
	}
}

func TestStrictDecodingErrors(t *testing.T) {
	base := `name: x
data:
  generate: {pde: burgers, n: 10, resolution: 64, burgers: {solve_resolution: 64}}
  n_train: 8
  n_test: 2
model:
  type: fno
  dim: 1
  in: 1
  out: 1
  width: 4
  modes: [2]
train:
  epochs: 2
`
	cases := []struct {
		name, src, profile string
		want               []string
	}{
		{"ok", base, "", nil},
		{"unknown top key", base + "trian: {}\n", "", []string{"f.yaml:15", `unknown key "trian" in the config`}},
		{"unknown train key", strings.Replace(base, "epochs: 2", "epoch: 2", 1), "", []string{"f.yaml:14", `unknown key "epoch" in train`}},
		{"unknown nested key", base + "  optimizer: {lrr: 1}\n", "", []string{"f.yaml:15", `"lrr" in train.optimizer`}},
		{"unknown model key", strings.Replace(base, "width: 4", "widht: 4", 1), "", []string{"f.yaml:11", `"widht" in model`}},
		{"unknown generate key", strings.Replace(base, "n: 10,", "m: 10,", 1), "", []string{"f.yaml:3", `"m" in data.generate`}},
		{"unknown model type", strings.Replace(base, "type: fno", "type: nope", 1), "", []string{"f.yaml:7", `unknown type "nope"`}},
		{"wrong type", strings.Replace(base, "epochs: 2", "epochs: two", 1), "", []string{"f.yaml:14", "two"}},
		{"wrong type names the key", strings.Replace(base, "width: 4", "width: abc", 1), "", []string{"f.yaml:11: model.width: want an integer, got \"abc\""}},
		{"list for a number", base + "  optimizer: {lr: [1, 2]}\n", "", []string{"f.yaml:15: train.optimizer.lr: want a number, got a list"}},
		{"string for a section", base + "eval: fast\n", "", []string{"f.yaml:15: eval: want a mapping, got \"fast\""}},
		{"invalid value", strings.Replace(base, "epochs: 2", "epochs: -2", 1), "", []string{"f.yaml:14", "train.epochs"}},
		{"invalid generate value", strings.Replace(base, "n: 10,", "n: 10, seed: -1,", 1), "", []string{"f.yaml:3", "data.generate.seed"}},
		{"invalid model", strings.Replace(base, "dim: 1", "dim: 5", 1), "", []string{"f.yaml:6", "model", "dim 5"}},
		{"too many samples", strings.Replace(base, "n_train: 8", "n_train: 9", 1), "", []string{"exceed the 10 samples"}},
		{"unknown profile", base, "fast", []string{`no profile "fast"`}},
		{"profile error", base + "profiles:\n  p:\n    train: {epochs: 0.5}\n", "p", []string{"f.yaml:17", "train.epochs: 0.5 is not an integer"}},
		{"block keys after a flow document", "{\"name\": \"x\"}\n" + base[len("name: x\n"):], "", []string{"f.yaml:2", "would be ignored"}},
		{"two documents", base + "---\nname: y\n", "", []string{"f.yaml:15", "second YAML document"}},
		{"no data", "name: x\nmodel: {type: fno}\n", "", []string{"data: give a dataset file"}},
		{"super-resolution ok", base + "eval: {super_resolution: [{input: 16, output: 64}]}\n", "", nil},
		{"super-resolution without ForwardTo", strings.Replace(strings.Replace(base, "type: fno", "type: lno", 1), "  modes: [2]\n", "", 1) +
			"eval: {super_resolution: [{input: 16, output: 64}]}\n", "", []string{"eval.super_resolution", "lno cannot sample"}},
		{"via the training grid ok", base + "eval: {via_training_grid: [64]}\n", "", nil},
		{"via the training grid, bad resolution", base + "eval: {via_training_grid: [0]}\n", "", []string{"eval.via_training_grid", "positive"}},
		{"unknown restriction", base + "eval: {via_training_grid: [64], restriction: nearest}\n", "", []string{"eval.restriction", "\"nearest\": want interpolate or average"}},
		{"via the training grid of a rollout", strings.Replace(base, "  n_train: 8\n", "  n_train: 8\n  task: {kind: rollout, window: 1}\n", 1) +
			"eval: {via_training_grid: [64]}\n", "", []string{"eval.via_training_grid", "task rollout"}},
	}
	for _, c := range cases {
		_, err := Decode([]byte(c.src), "f.yaml", c.profile)
		if c.want == nil {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", c.name, err, w)
			}
		}
	}
}

// TestApplySets checks the command line's overrides: they apply after the
// profile (and win over it), create and replace nested keys, leave the
// file's line numbers as they are, and are named "--set" in errors.
func TestApplySets(t *testing.T) {
	src, label, err := ReadSource("burgers-fno")
	if err != nil {
		t.Fatal(err)
	}
	set := func(sets ...string) []byte {
		t.Helper()
		b, err := ApplySets(src, sets)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// The quick profile sets data.generate.n = 250, data.resolution = 256
	// and model.width = 32.
	cfg, err := Decode(set("data.generate.n=300", "train.epochs=3", "train.epochs=4", "model.modes=[8]",
		"train.optimizer={lr: 0.002}"), label, "quick")
	if err != nil {
		t.Fatal(err)
	}
	spec := cfg.Model.Spec.(fno.Config)
	if cfg.Data.Generate.N != 300 || cfg.Train.Epochs != 4 || !slices.Equal(spec.Modes, []int{8}) ||
		cfg.Train.Optimizer.LR != 0.002 || cfg.Data.Resolution != 256 || spec.Width != 32 {
		t.Errorf("overrides: n %d, epochs %d, modes %v, lr %g, resolution %d, width %d",
			cfg.Data.Generate.N, cfg.Train.Epochs, spec.Modes, cfg.Train.Optimizer.LR, cfg.Data.Resolution, spec.Width)
	}
	// A mapping given whole merges into the config's: the weight decay stays.
	if wd := cfg.Train.Optimizer.WeightDecay; wd == nil || *wd != 1e-4 {
		t.Errorf("weight decay lost by merging train.optimizer: %v", wd)
	}
	for _, c := range []struct {
		sets []string
		want []string
	}{
		{[]string{"train.epoch=3"}, []string{label, "--set: ", `unknown key "epoch" in train`}},
		{[]string{"train.epochs=many"}, []string{"--set: ", "many"}},
		{[]string{"train.epochs=-1"}, []string{"--set: train.epochs"}},
	} {
		_, err := Decode(set(c.sets...), label, "")
		for _, w := range c.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %v lacks %q", c.sets, err, w)
			}
		}
	}
	// A JSON source (a checkpoint's resolved config) takes overrides too.
	js, err := cfg.JSON()
	if err != nil {
		t.Fatal(err)
	}
	jb, err := ApplySets(js, []string{"train.epochs=7"})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := Decode(jb, label, ""); err != nil || c.Train.Epochs != 7 || c.Data.Generate.N != 300 {
		t.Errorf("--set on the JSON config: %v, %+v", err, c)
	}
	// An error in the file still names its line.
	bad := strings.Replace(string(src), "epochs: 500", "epochs: -500", 1)
	if bad == string(src) {
		t.Fatal("burgers-fno.yaml has no 'epochs: 500' line")
	}
	line := strings.Count(bad[:strings.Index(bad, "epochs: -500")], "\n") + 1
	b, err := ApplySets([]byte(bad), []string{"data.generate.n=300"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(b, label, ""); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%s:%d: train.epochs", label, line)) {
		t.Errorf("file error with --set: %v, want line %d", err, line)
	}
	for _, s := range []string{"train.epochs", "=3", "train..epochs=3", "kind=pinn", "profiles.quick={}", "train.epochs=[1"} {
		if _, err := ApplySets(src, []string{s}); err == nil || !strings.Contains(err.Error(), "--set") {
			t.Errorf("ApplySets(%q): error %v", s, err)
		}
	}
}

// TestResolvedConfigRoundTrip checks that the resolved YAML and JSON (what
// config.yaml and checkpoints hold) decode to the same config.
func TestResolvedConfigRoundTrip(t *testing.T) {
	for _, name := range Names() {
		if src, _ := Source(name); func() bool { k, _ := KindOf(src, name); return k != KindOperator }() {
			continue
		}
		cfg, err := Load(name, "quick")
		if err != nil {
			t.Fatal(err)
		}
		y, err := cfg.YAML()
		if err != nil {
			t.Fatal(err)
		}
		j, err := cfg.JSON()
		if err != nil {
			t.Fatal(err)
		}
		for _, src := range [][]byte{y, j} {
			got, err := Decode(src, "resolved", "")
			if err != nil {
				t.Fatalf("%s: %v\n%s", name, err, src)
			}
			again, err := got.YAML()
			if err != nil {
				t.Fatal(err)
			}
			if string(again) != string(y) {
				t.Errorf("%s: round trip\n%s\nwant\n%s", name, again, y)
			}
		}
	}
}

func TestRegisterModelTwicePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	RegisterModel("fno", func(c fno.Config, r *rand.Rand) (operator.Operator, error) { return fno.New(c, r) })
}
