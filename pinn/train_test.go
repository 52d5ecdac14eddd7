package pinn

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

func smallBurgers(seed uint64, adam, lbfgs int, ckpt string) *Trainer {
	p := BurgersRaissi(40, nn.NewRand(9))
	net := NewMLP(MLPConfig{In: 2, Out: 1, Hidden: []int{8, 8}, Seed: seed})
	tr := NewTrainer(p, net, Config{Collocation: 200, Seed: 3, Resample: 4,
		AdamSteps: adam, LBFGSIters: lbfgs, LBFGS: nn.LBFGSConfig{MaxIter: 5, HistorySize: 7},
		Checkpoint: ckpt, LogEvery: 1 << 30})
	tr.Logger = slog.New(slog.DiscardHandler)
	return tr
}

func paramsOf(net Net) [][]float64 {
	var r [][]float64
	for _, p := range nn.Params(net) {
		r = append(r, p.Clone().Float64s())
	}
	return r
}

// A run interrupted by a checkpoint — in the Adam phase (with resampled
// collocation points) and in the L-BFGS phase (history, step counters) — and
// resumed into a fresh Trainer ends bit for bit where the uninterrupted
// run ends.
func TestCheckpointResume(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	full := smallBurgers(1, 10, 30, "")
	if err := full.Run(ctx); err != nil {
		t.Fatal(err)
	}
	want := paramsOf(full.Net)
	if full.Step != 40 {
		t.Fatalf("uninterrupted run took %d steps, want 40 (converged early: make the test longer)", full.Step)
	}
	for _, stop := range []struct{ adam, lbfgs int }{{6, 0}, {10, 15}} {
		ck := filepath.Join(dir, "run.ckpt")
		a := smallBurgers(1, stop.adam, stop.lbfgs, ck)
		if err := a.Run(ctx); err != nil {
			t.Fatal(err)
		}
		b := smallBurgers(77, 10, 30, ck) // different init: everything must come from the checkpoint
		if err := b.Resume(ck); err != nil {
			t.Fatal(err)
		}
		if b.Step < int64(stop.adam+stop.lbfgs) || b.Step > int64(stop.adam+stop.lbfgs+4) {
			t.Fatalf("resumed at step %d, want %d", b.Step, stop.adam+stop.lbfgs)
		}
		if err := b.Run(ctx); err != nil {
			t.Fatal(err)
		}
		got := paramsOf(b.Net)
		for i := range want {
			for j := range want[i] {
				if got[i][j] != want[i][j] {
					t.Fatalf("stop %+v: param %d[%d] = %.17g after resume, %.17g uninterrupted", stop, i, j, got[i][j], want[i][j])
				}
			}
		}
	}
}

// Trainable PDE coefficients: recover ν of u_t = ν u_xx from samples of
// u = e^{−ν π² t} sin πx (ν = 0.3), starting from ν = 1, to 1e-2
// (measured 0.29696 after Adam 200 + L-BFGS 500).
func TestInverseCoefficient(t *testing.T) {
	nu := tensor.New([]float64{1}, 1).SetRequiresGrad(true)
	exact := func(x []float64) float64 { return mathExp(-0.3*pi2*x[1]) * mathSin(pi*x[0]) }
	dom := Box{Lo: []float64{0, 0}, Hi: []float64{1, 1}}
	r := nn.NewRand(4)
	xd := dom.Sample(200, LHS{}, r)
	vals := targetOf(xd, exact).Float64s()
	p := &Problem{
		Domain: dom,
		Needs:  []Partial{D(0, 1), D(0, 0, 0)},
		Residual: func(f *Fields) []*tensor.Tensor {
			return []*tensor.Tensor{tensor.Sub(f.D(0, 1), tensor.Mul(f.D(0, 0, 0), nu))}
		},
		Conditions: []*Condition{Data("data", xd, 0, vals)},
		Params:     []*tensor.Tensor{nu},
	}
	net := NewMLP(MLPConfig{In: 2, Out: 1, Hidden: []int{16, 16}, Seed: 5})
	tr := NewTrainer(p, net, Config{Collocation: 300, Seed: 2, AdamSteps: 200, Adam: nn.AdamConfig{LR: 1e-2},
		LBFGSIters: 500, LBFGS: nn.LBFGSConfig{MaxIter: 500}, LogEvery: 1 << 30})
	tr.Logger = slog.New(slog.DiscardHandler)
	if err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := nu.Item(); got < 0.29 || got > 0.31 {
		t.Errorf("ν = %.4f, want 0.3 ± 0.01 (loss %.3g)", got, tr.LastLoss)
	}
}
