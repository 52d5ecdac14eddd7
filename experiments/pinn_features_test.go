package experiments

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sciml-go/sciml/pinn"
)

// edit returns tinyPINN with each old line replaced by its new text.
func edit(t *testing.T, pairs ...string) string {
	t.Helper()
	src := tinyPINN
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(src, pairs[i]) {
			t.Fatalf("edit: %q not in the config", pairs[i])
		}
		src = strings.Replace(src, pairs[i], pairs[i+1], 1)
	}
	return src
}

// sampling.sampler: grid trains on the regular grid (ends included, y
// fastest), sized by sampling.grid or square from sampling.points.
func TestPINNGridSampler(t *testing.T) {
	for _, c := range []struct {
		sampling string
		nx, ny   int
	}{
		{"  sampler: grid\n  grid: [21, 11]\n", 21, 11},
		{"  sampler: grid\n  points: 400\n", 20, 20},
	} {
		src := edit(t, "  sampler: sobol\n  points: 300\n", c.sampling)
		cfg, err := DecodePINN([]byte(src), "t.yaml", "")
		if err != nil {
			t.Fatal(err)
		}
		st, err := cfg.build(context.Background(), "")
		if err != nil {
			t.Fatal(err)
		}
		x := st.trainer.Collocation()
		if x.Dim(0) != c.nx*c.ny {
			t.Fatalf("%q: %d collocation points, want %d", c.sampling, x.Dim(0), c.nx*c.ny)
		}
		xs := x.Float64s()
		for i := range c.nx {
			for j := range c.ny {
				k := i*c.ny + j
				if math.Abs(xs[2*k]-float64(i)/float64(c.nx-1)) > 1e-15 || math.Abs(xs[2*k+1]-float64(j)/float64(c.ny-1)) > 1e-15 {
					t.Fatalf("%q: point %d = %v", c.sampling, k, xs[2*k:2*k+2])
				}
			}
		}
	}
}

// New fields are checked with file, line and key.
func TestPINNFeatureErrors(t *testing.T) {
	cases := []struct {
		name  string
		edits []string
		want  []string
	}{
		{"grid size", []string{"  sampler: sobol\n  points: 300\n", "  sampler: grid\n  grid: [21]\n"}, []string{"t.yaml:12: sampling.grid", "want 2 sizes"}},
		{"grid points", []string{"  sampler: sobol\n", "  sampler: grid\n  grid: [21, 11]\n"}, []string{"sampling.points", "231"}},
		{"grid not square", []string{"  sampler: sobol\n", "  sampler: grid\n"}, []string{"t.yaml:12: sampling.points", "300 is not a square"}},
		{"grid resample", []string{"  sampler: sobol\n  points: 300\n", "  sampler: grid\n  resample_every: 10\n"}, []string{"sampling.resample_every", "same points"}},
		{"grid on lhs", []string{"  sampler: sobol\n", "  sampler: lhs\n  grid: [3, 3]\n"}, []string{"t.yaml:12: sampling.grid", "belongs to sampler grid"}},
		{"domain", []string{"  boundary_points: 40\n", "  boundary_points: 40\n  domain: torus\n"}, []string{"t.yaml:7: problem.domain", "torus", "plate"}},
		{"bc", []string{"  boundary_points: 40\n", "  boundary_points: 40\n  bc: periodic\n"}, []string{"t.yaml:7: problem.bc", "robin"}},
		{"domain of burgers", []string{"  type: poisson\n", "  type: burgers\n  domain: disk\n"}, []string{"t.yaml:6: problem.domain"}},
		{"hard on disk", []string{"  boundary_points: 40\n", "  boundary_points: 40\n  domain: disk\n", "  hidden: [16, 16]\n", "  hidden: [16, 16]\n  hard_constraint: true\n"}, []string{"net.hard_constraint", "disk"}},
		{"inverse poisson", []string{"  boundary_points: 40\n", "  boundary_points: 40\n  inverse: {data_points: 10}\n"}, []string{"t.yaml:7: problem.inverse", "no coefficient"}},
		{"inverse points", []string{"  type: poisson\n  boundary_points: 40\n", "  type: wave\n  inverse: {data_points: 5000}\n"}, []string{"t.yaml:6: problem.inverse.data_points", "1681"}},
		{"inverse key", []string{"  boundary_points: 40\n", "  boundary_points: 40\n  inverse: {data_points: 10, guess: 3}\n"}, []string{"t.yaml:7", "guess"}},
		{"coefficient bound", []string{"  rel_l2: 0.02\n", "  rel_l2: 0.02\n  coefficient: 0.1\n"}, []string{"expect.coefficient", "inverse"}},
		{"data weight", []string{"  log_every: 50\n", "  log_every: 50\n  weights: {conditions: {data: 2}}\n"}, []string{"train.weights.conditions.data"}},
	}
	for _, c := range cases {
		_, err := DecodePINN([]byte(edit(t, c.edits...)), "t.yaml", "")
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
	// the data condition's weight is accepted once the problem is inverse
	src := edit(t, "  type: poisson\n  boundary_points: 40\n", "  type: wave\n  inverse: {data_points: 50, data_only: true}\n",
		"  log_every: 50\n", "  log_every: 50\n  weights: {conditions: {data: 2}}\n")
	if _, err := DecodePINN([]byte(src), "t.yaml", ""); err != nil {
		t.Errorf("weight of the data term: %v", err)
	}
}

// poisson on a disk, an L-shape and a plate with a hole, with each kind of
// boundary condition: the collocation points lie in the domain, the
// conditions are those named, the errors are taken inside the domain; a
// short run on the plate with Robin conditions learns the solution.
func TestPINNPoissonDomains(t *testing.T) {
	for _, dom := range []string{"disk", "lshape", "plate"} {
		for _, bc := range []string{"dirichlet", "neumann", "robin"} {
			src := edit(t, "  boundary_points: 40\n", "  boundary_points: 120\n  domain: "+dom+"\n  bc: "+bc+"\n")
			c, err := DecodePINN([]byte(src), "t.yaml", "")
			if err != nil {
				t.Fatal(err)
			}
			st, err := c.build(context.Background(), "")
			if err != nil {
				t.Fatal(err)
			}
			shape := poissonDomain(dom)
			x := st.trainer.Collocation().Float64s()
			for i := range len(x) / 2 {
				if !shape.Contains(x[2*i : 2*i+2]) {
					t.Fatalf("%s: collocation point %v outside", dom, x[2*i:2*i+2])
				}
			}
			var names []string
			for _, cd := range st.problem.Conditions {
				names = append(names, cd.Name)
			}
			if want := c.conditionNames(); !slices.Equal(names, want) {
				t.Errorf("%s %s: conditions %v, want %v", dom, bc, names, want)
			}
			inside := 0
			for _, in := range st.ref.Inside {
				if in {
					inside++
				}
			}
			if inside == 0 || inside == len(st.ref.U) {
				t.Errorf("%s: %d of %d grid points inside", dom, inside, len(st.ref.U))
			}
		}
	}
	src := edit(t, "  boundary_points: 40\n", "  boundary_points: 160\n  domain: plate\n  bc: robin\n",
		"  lbfgs: {iterations: 500, per_step: 50}\n", "  lbfgs: {iterations: 350, per_step: 50}\n")
	c, err := DecodePINN([]byte(src), "t.yaml", "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := RunPINN(context.Background(), c, Options{Dir: filepath.Join(t.TempDir(), "plate")})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("plate, robin: rel L2 %.3e after %d steps", res.RelL2, res.Steps)
	if !res.Met {
		t.Errorf("plate with a hole, Robin conditions: rel L2 %.3e, want ≤ 0.02", res.RelL2)
	}
}

// An inverse problem identifies the coefficient from data: convection's β
// (true 2) from 300 values of the exact solution, starting at 0, with the
// result reported and checked against expect.coefficient.
func TestPINNInverse(t *testing.T) {
	src := edit(t, "  type: poisson\n  boundary_points: 40\n", "  type: convection\n  beta: 2\n  boundary_points: 41\n  inverse: {data_points: 300}\n",
		"  rel_l2: 0.02\n", "  rel_l2: 0.02\n  coefficient: 0.01\n",
		"  lbfgs: {iterations: 500, per_step: 50}\n", "  lbfgs: {iterations: 200, per_step: 50}\n")
	c, err := DecodePINN([]byte(src), "t.yaml", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.conditionNames(); !slices.Equal(got, []string{"initial", "periodic", "data"}) {
		t.Errorf("conditions %v", got)
	}
	dir := filepath.Join(t.TempDir(), "inv")
	res, err := RunPINN(context.Background(), c, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	k := res.Coefficient
	if k == nil || k.Name != "beta" || k.True != 2 {
		t.Fatalf("coefficient %+v", k)
	}
	t.Logf("convection inverse: β = %.5f, rel L2 %.3e", k.Value, res.RelL2)
	if !res.Met || k.RelativeErr > 0.01 {
		t.Errorf("identified β = %.5f (want 2 ± 1%%), rel L2 %.3e", k.Value, res.RelL2)
	}
	if !strings.Contains(res.Summary(), "identified beta") {
		t.Errorf("summary lacks the coefficient:\n%s", res.Summary())
	}
	// metrics.jsonl follows the coefficient at every logged step
	ms, _ := readMetrics(filepath.Join(dir, "metrics.jsonl"), math.MaxInt64)
	if len(ms) == 0 || ms[len(ms)-1].Coefficient == nil || *ms[len(ms)-1].Coefficient != k.Value || ms[0].Coefficient == nil || *ms[0].Coefficient == k.Value {
		t.Errorf("metrics.jsonl coefficients: %d lines, first %v, last %v, want the trained value %v last", len(ms), ms[0].Coefficient, ms[len(ms)-1].Coefficient, k.Value)
	}
	// the coefficient is in the checkpoint: a re-run evaluates the same
	again, err := RunPINN(context.Background(), c, Options{Dir: dir})
	if err != nil || again.Coefficient.Value != k.Value {
		t.Errorf("re-evaluation: %v, coefficient %+v vs %+v", err, again.Coefficient, k)
	}
}

// Every training feature of the YAML reaches the trainer: static weights,
// gradient-norm balancing, causal weighting, resampling, RAR/RAD, the
// sampler, the learning-rate schedule, the L-BFGS settings and the dtype.
func TestPINNConfigWiring(t *testing.T) {
	src := edit(t, "  type: poisson\n  boundary_points: 40\n", "  type: convection\n  beta: 5\n  boundary_points: 41\n",
		"  hidden: [16, 16]\n", "  hidden: [16, 16]\n  dtype: float32\n  fourier_features: 4\n",
		"  points: 300\n", "  points: 300\n  resample_every: 7\n  adaptive: {method: rad, every: 20, k: 2}\n",
		"  lbfgs: {iterations: 500, per_step: 50}\n", "  lbfgs: {iterations: 500, per_step: 25, history: 9}\n  schedule: {type: exponential, gamma: 0.99}\n",
		"  log_every: 50\n", "  log_every: 50\n  weights: {residual: 0.5, conditions: {initial: 3}}\n  causal: {bins: 8, epsilon: 2}\n")
	c, err := DecodePINN([]byte(src), "t.yaml", "")
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.build(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	cfg := st.trainer.Config
	if cfg.ResidualWeight != 0.5 || st.problem.Conditions[0].Name != "initial" || st.problem.Conditions[0].Weight != 3 || st.problem.Conditions[1].Weight != 0 {
		t.Errorf("static weights: residual %v, conditions %+v", cfg.ResidualWeight, st.problem.Conditions)
	}
	if cfg.Causal == nil || cfg.Causal.Axis != 1 || cfg.Causal.Bins != 8 || cfg.Causal.Epsilon != 2 {
		t.Errorf("causal %+v", cfg.Causal)
	}
	if a := cfg.Adaptive; a == nil || a.Method != "rad" || a.Every != 20 || a.K != 2 || cfg.Resample != 7 {
		t.Errorf("adaptive %+v, resample %d", a, cfg.Resample)
	}
	if cfg.Schedule == nil || cfg.LBFGS.MaxIter != 25 || cfg.LBFGS.HistorySize != 9 || cfg.Collocation != 300 {
		t.Errorf("schedule %v, L-BFGS %+v, points %d", cfg.Schedule, cfg.LBFGS, cfg.Collocation)
	}
	if d := st.trainer.Collocation().DType(); d.String() != "float32" {
		t.Errorf("dtype %v", d)
	}
	if m, ok := st.net.(*pinn.MLP); !ok || m.Fourier == nil || m.Fourier.Dim(0) != 4 {
		t.Errorf("fourier features: net %T", st.net)
	}
	bal := strings.Replace(src, "weights: {residual: 0.5, conditions: {initial: 3}}", "weights: {mode: balance, every: 10, alpha: 0.2}", 1)
	c2, err := DecodePINN([]byte(bal), "t.yaml", "")
	if err != nil {
		t.Fatal(err)
	}
	st2, err := c2.build(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if b := st2.trainer.Config.Balance; b == nil || b.Every != 10 || b.Alpha != 0.2 {
		t.Errorf("balance %+v", b)
	}
}

// heat: u_t = Δu on a 2-D domain × [0, 1] (three inputs, pinn.HeatOn):
// the collocation points lie in the cylinder, the errors are taken at the
// grid points inside the domain at each time, causal weighting runs along
// t (axis 2), and a tiny run on the disk with Robin lateral data learns
// the solution; invalid heat settings are errors.
func TestPINNHeat(t *testing.T) {
	src := edit(t, "  type: poisson\n  boundary_points: 40\n", "  type: heat\n  domain: disk\n  bc: robin\n  boundary_points: 150\n",
		"  grid: [41, 41]\n", "  grid: [21, 21, 6]\n",
		"  log_every: 50\n", "  log_every: 50\n  causal: {bins: 4}\n",
		"  lbfgs: {iterations: 500, per_step: 50}\n", "  lbfgs: {iterations: 300, per_step: 50}\n")
	c, err := DecodePINN([]byte(src), "t.yaml", "")
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.build(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if in, _ := st.net.Dims(); in != 3 || st.trainer.Config.Causal.Axis != 2 {
		t.Errorf("inputs %d, causal axis %d", in, st.trainer.Config.Causal.Axis)
	}
	disk := poissonDomain("disk")
	x := st.trainer.Collocation().Float64s()
	for i := range len(x) / 3 {
		if p := x[3*i : 3*i+3]; !disk.Contains(p[:2]) || p[2] < 0 || p[2] > 1 {
			t.Fatalf("collocation point %v outside the cylinder", p)
		}
	}
	inside := 0
	for i := range 21 {
		for j := range 21 {
			if disk.Contains([]float64{float64(i) / 20, float64(j) / 20}) {
				inside++
			}
		}
	}
	if n := st.ref.P.Dim(0); n != 6*inside {
		t.Errorf("%d evaluation points, want %d inside × 6 times", n, inside)
	}
	dir := filepath.Join(t.TempDir(), "heat")
	res, err := RunPINN(context.Background(), c, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("heat on a disk, Robin: rel L2 %.3e after %d steps", res.RelL2, res.Steps)
	if !res.Met {
		t.Errorf("heat on a disk: rel L2 %.3e, want ≤ 0.02", res.RelL2)
	}
	if report, err := os.ReadFile(filepath.Join(dir, ReportFile)); err != nil || !bytes.Contains(report, []byte("× 6 times")) || !bytes.Contains(report, []byte("at t = 1")) {
		t.Errorf("report: %v\n%s", err, report)
	}
	if os.Getenv("SCIML_KEEP") != "" {
		os.CopyFS(os.Getenv("SCIML_KEEP"), os.DirFS(dir))
	}
	for _, bad := range []struct {
		edits []string
		want  string
	}{
		{[]string{"  type: poisson\n", "  type: heat\n"}, "eval.grid"},
		{[]string{"  type: poisson\n", "  type: heat\n", "  grid: [41, 41]\n", "  grid: [5, 5, 5]\n", "  log_every: 50\n", "  log_every: 50\n  marching: {windows: 2}\n"}, "train.marching: heat"},
		{[]string{"  type: poisson\n", "  type: heat\n", "  grid: [41, 41]\n", "  grid: [5, 5, 5]\n", "  hidden: [16, 16]\n", "  hidden: [16, 16]\n  hard_constraint: true\n"}, "net.hard_constraint: heat has no hard constraint"},
		{[]string{"  type: poisson\n", "  type: heat\n", "  grid: [41, 41]\n", "  grid: [5, 5, 5]\n", "  sampler: sobol\n  points: 300\n", "  sampler: grid\n  grid: [10, 10]\n"}, "sampling.grid"},
	} {
		if _, err := DecodePINN([]byte(edit(t, bad.edits...)), "t.yaml", ""); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%v: error %v, want %q", bad.edits, err, bad.want)
		}
	}
}
