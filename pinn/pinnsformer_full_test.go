package pinn

import (
	"encoding/json"
	"log/slog"
	"math"
	"os"
	"testing"
	"time"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// failureMode returns PINNsFormer's problem by name with nb initial and
// boundary points, its exact solution on the 101 × 101 test grid and the
// collocation grid of g × g points (the reference code's 101 × 101
// meshgrid, boundary included, with nb = 101).
func failureMode(name string, g, nb int) (*Problem, *Reference, *tensor.Tensor) {
	var p *Problem
	var exact func(x, t float64) float64
	xhi := 2 * math.Pi
	switch name {
	case "convection":
		p, exact = Convection(50, nb, nb)
	case "reaction":
		p, exact = Reaction(5, nb, nb)
	case "wave":
		p, exact = Wave(nb, nb)
		xhi = 1
	default:
		return nil, nil, nil
	}
	ref := ExactReference(Linspace(0, xhi, 101), Linspace(0, 1, 101), exact)
	grid := ExactReference(Linspace(0, xhi, g), Linspace(0, 1, g), exact).Points()
	return p, ref, grid
}

// TestFullPINNsFormer trains the published PINNsFormer (d_model 32,
// 2 heads, N = 1, d_hidden 512, k = 5, Δt = 1e-4) on
// SCIML_PINN_PROBLEM (convection, reaction or wave) with the reference
// code's recipe: collocation on the SCIML_PF_GRID² grid (default 101),
// SCIML_PF_BOUNDARY initial/boundary points (default 101), L-BFGS (strong Wolfe, history 100,
// max_iter 20 per step as torch.optim.LBFGS) for SCIML_PINN_LBFGS
// iterations (default 1,000 steps × 20), float64 unless
// SCIML_PINN_DTYPE=float32. It logs rMAE and rRMSE on the 101 × 101 grid
// every SCIML_PF_LOG iterations (default 20).
func TestFullPINNsFormer(t *testing.T) {
	ctx, cancel := fullRun(t)
	defer cancel()
	name := os.Getenv("SCIML_PINN_PROBLEM")
	p, ref, grid := failureMode(name, envInt("SCIML_PF_GRID", 101), envInt("SCIML_PF_BOUNDARY", 101))
	if p == nil {
		t.Skip("set SCIML_PINN_PROBLEM to convection, reaction or wave")
	}
	dt := fullDType()
	net := NewPINNsFormer(PINNsFormerConfig{In: 2, Out: 1, DType: dt, Seed: uint64(envInt("SCIML_PF_SEED", 0))})
	tr := NewTrainer(p, net, Config{
		Collocation: grid.Dim(0),
		LBFGSIters:  envInt("SCIML_PINN_LBFGS", 20000),
		LBFGS:       nn.LBFGSConfig{MaxIter: 20, MaxEval: 25, HistorySize: 100, ToleranceGrad: 1e-7, ToleranceChange: 1e-9},
		LogEvery:    envInt("SCIML_PF_LOG", 20), Checkpoint: os.Getenv("SCIML_PINN_CKPT"), CheckpointEvery: 20,
	})
	tr.SetCollocation(grid)
	tr.Logger = slog.New(slog.NewTextHandler(os.Stdout, nil))
	tr.Metric = func(n Net) float64 {
		l2, mae := ref.Errors(n)
		tr.Logger.Info("errors", "rMAE", mae, "rRMSE", l2)
		return l2
	}
	if ck := tr.Config.Checkpoint; ck != "" {
		if _, err := os.Stat(ck); err == nil {
			if err := tr.Resume(ck); err != nil {
				t.Fatal(err)
			}
			t.Logf("resumed at step %d", tr.Step)
		}
	}
	start := time.Now()
	err := tr.Run(ctx)
	l2, mae := ref.Errors(net)
	t.Logf("pinnsformer %s/%v: L-BFGS iterations %d, evaluations %d, loss %.3e, rMAE %.4f, rRMSE %.4f, %v (run: %v)",
		name, dt, tr.Step, tr.lbfgs.Evaluations(), tr.LastLoss, mae, l2, time.Since(start).Round(time.Second), err)
}

// TestPINNsFormerDump writes, when SCIML_PF_DUMP names a file, the
// parameters of a published-size PINNsFormer (PyTorch's names), its
// outputs, token derivatives and convection loss at three points as JSON,
// for docs/bench/pinnsformer_check.py to compare with the reference
// PyTorch module loaded with the same weights.
func TestPINNsFormerDump(t *testing.T) {
	path := os.Getenv("SCIML_PF_DUMP")
	if path == "" {
		t.Skip("set SCIML_PF_DUMP to a file name")
	}
	m := NewPINNsFormer(PINNsFormerConfig{In: 2, Out: 1, Seed: 3})
	r := nn.NewRand(9)
	for _, p := range nn.NamedParams(m) {
		if p.Tensor.Numel() == 1 { // wavelet weights off 1
			p.Tensor.Float64s()[0] = 0.5 + r.Float64()
		}
	}
	x := Points([]float64{0.3, 0.1}, []float64{2.5, 0.7}, []float64{5.9, 0.95})
	out := map[string]any{}
	for _, p := range nn.NamedParams(m) {
		out[p.Name] = map[string]any{"shape": p.Tensor.Shape(), "data": p.Tensor.ToFloat64s()}
	}
	out["__forward"] = m.Forward(x).ToFloat64s()
	f := Eval(m.Tokens(), m.Expand(x), nil, Nested)
	out["__tok_ut"], out["__tok_ux"] = f.D(0, 1).ToFloat64s(), f.D(0, 0).ToFloat64s()
	p, _ := Convection(50, 4, 4)
	l, _ := ProblemLoss(p, m, x, Auto)
	out["__loss"] = l.Item()
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
