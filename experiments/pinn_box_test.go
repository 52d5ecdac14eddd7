package experiments

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tinyPoisson3D is a seconds-long 3-D Poisson run on the unit cube with
// a Robin face (x=0), a Neumann face (z=1) and Dirichlet data elsewhere.
const tinyPoisson3D = `kind: pinn
name: tiny-poisson-3d
seed: 3
problem:
  type: poisson
  box: {lo: [0, 0, 0], hi: [1, 1, 1]}
  faces: {x=0: robin, z=1: neumann}
  boundary_points: 30
net:
  type: mlp
  hidden: [16, 16]
sampling:
  sampler: sobol
  points: 300
train:
  adam: {steps: 0}
  lbfgs: {iterations: 600, per_step: 50}
  log_every: 100
eval:
  grid: [11, 11, 11]
expect:
  rel_l2: 0.1              # measured 5.0e-2
`

// Poisson on a 3-D box from YAML: three inputs, one condition per face
// named by the face with the type problem.faces gives (the rest
// problem.bc's), a 3-D evaluation grid, and a small run that reaches its
// stated relative L2 error (≤ 0.1; measured 5.0e-2 after 600 L-BFGS
// iterations, about 3 s; pinn-poisson's profile 3d is the longer run) and writes its report with the
// z = ½ slice.
func TestPINNPoisson3D(t *testing.T) {
	c, err := DecodePINN([]byte(tinyPoisson3D), "p3.yaml", "")
	if err != nil {
		t.Fatal(err)
	}
	if c.inputs() != 3 || c.evalPoints() != 1331 {
		t.Fatalf("%d inputs, %d evaluation points", c.inputs(), c.evalPoints())
	}
	st, err := c.build(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	for _, cd := range st.problem.Conditions {
		kind := "dirichlet"
		switch {
		case cd.Alpha != 0 && cd.Beta != 0:
			kind = "robin"
		case cd.Beta != 0:
			kind = "neumann"
		}
		kinds[cd.Name] = kind
		if cd.X.Dim(0) != 30 || cd.X.Dim(1) != 3 {
			t.Errorf("face %s: points %v", cd.Name, cd.X.Shape())
		}
	}
	want := map[string]string{"x=0": "robin", "x=1": "dirichlet", "y=0": "dirichlet", "y=1": "dirichlet", "z=0": "dirichlet", "z=1": "neumann"}
	for k, v := range want {
		if kinds[k] != v {
			t.Errorf("face %s: %q, want %s (all: %v)", k, kinds[k], v, kinds)
		}
	}
	dir := filepath.Join(t.TempDir(), "p3")
	res, err := RunPINN(context.Background(), c, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("3-D Poisson: rel L2 %.3e, rMAE %.3e, %d steps, %.1f s", res.RelL2, res.RMAE, res.Steps, res.TrainSeconds)
	if !res.Met {
		t.Errorf("rel L2 %.3e, want ≤ 0.1", res.RelL2)
	}
	rep, _ := os.ReadFile(res.Report)
	if !strings.Contains(string(rep), "11 × 11 × 11 (x, y, z) grid") || !strings.Contains(string(rep), "at z = 0.5") || !strings.Contains(string(rep), "z=1 neumann") {
		t.Errorf("report does not describe the 3-D grid, slice and faces:\n%s", rep)
	}
}

// Config errors of the box and the faces name the key and the line.
func TestPINNBoxErrors(t *testing.T) {
	for _, c := range []struct{ from, to, want string }{
		{"box: {lo: [0, 0, 0], hi: [1, 1, 1]}", "box: {lo: [0, 0, 0], hi: [1, 0, 1]}", "p3.yaml:6: problem.box: lo [0 0 0], hi [1 0 1]"},
		{"box: {lo: [0, 0, 0], hi: [1, 1, 1]}", "box: {lo: [0, 0, 0, 0], hi: [1, 1, 1, 1]}", "p3.yaml:6: problem.box"},
		{"faces: {x=0: robin, z=1: neumann}", "faces: {x=0: robin, w=1: neumann}", "p3.yaml:7: problem.faces.w=1: no such face (faces: x=0, x=1, y=0, y=1, z=0, z=1)"},
		{"faces: {x=0: robin, z=1: neumann}", "faces: {x=0: periodic}", "p3.yaml:7: problem.faces.x=0: \"periodic\", want dirichlet, neumann or robin"},
		{"faces: {x=0: robin, z=1: neumann}", "bc: neumann\n  faces: {x=0: neumann, y=0: neumann, z=0: neumann}", "p3.yaml:8: problem.faces: neumann on every face"},
		{"  type: poisson\n", "  type: poisson\n  domain: disk\n", "problem.domain: \"disk\", but problem.box gives the domain"},
		{"  type: mlp\n", "  type: mlp\n  hard_constraint: true\n", "net.hard_constraint: poisson's hard constraint imposes u = 0 on the unit square's sides: not with problem.box"},
		{"grid: [11, 11, 11]", "grid: [11, 11]", "eval.grid: [11 11]: want three sizes (x, y, z)"},
	} {
		src := strings.Replace(tinyPoisson3D, c.from, c.to, 1)
		_, err := DecodePINN([]byte(src), "p3.yaml", "")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.to, err, c.want)
		}
	}
	heat := strings.Replace(tinyPoisson3D, "type: poisson", "type: heat", 1)
	if _, err := DecodePINN([]byte(heat), "p3.yaml", ""); err == nil || !strings.Contains(err.Error(), "problem.box: only poisson") || !strings.Contains(err.Error(), "problem.faces: only poisson") {
		t.Errorf("heat with a box: %v", err)
	}
}
