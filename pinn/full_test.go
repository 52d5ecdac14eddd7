package pinn

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/sciml-go/sciml/nn"
)

// fullRun skips t unless SCIML_PINN_FULL is set: the full benchmark
// problems take tens of minutes and are run by hand (see docs/results.md).
// SCIML_PINN_MINUTES bounds the wall time (default 40); SCIML_PINN_CKPT
// names a checkpoint to write and resume from.
func fullRun(t *testing.T) (context.Context, context.CancelFunc) {
	if os.Getenv("SCIML_PINN_FULL") == "" {
		t.Skip("set SCIML_PINN_FULL=1 to run the full benchmark problem")
	}
	minutes := 40.0
	if v := os.Getenv("SCIML_PINN_MINUTES"); v != "" {
		minutes, _ = strconv.ParseFloat(v, 64)
	}
	return context.WithTimeout(context.Background(), time.Duration(minutes*float64(time.Minute)))
}

// TestFullBurgers is Raissi's Burgers benchmark: 8×20 tanh, 10,000 LHS
// points, 100 boundary/initial points, Adam then L-BFGS, relative L2
// against the pseudo-spectral reference on Raissi's 256×100 grid.
func TestFullBurgers(t *testing.T) {
	ctx, cancel := fullRun(t)
	defer cancel()
	xs, ts := RaissiGrid()
	ref, err := BurgersReference(ctx, 4096, 1e-4, xs, ts)
	if err != nil {
		t.Fatal(err)
	}
	p := BurgersRaissi(100, nn.NewRand(1234))
	net := NewMLP(MLPConfig{In: 2, Out: 1, Hidden: []int{20, 20, 20, 20, 20, 20, 20, 20}, Seed: 1})
	adam := 5000
	if v := os.Getenv("SCIML_PINN_ADAM"); v != "" {
		adam, _ = strconv.Atoi(v)
	}
	tr := NewTrainer(p, net, Config{
		Collocation: 10000, Sampler: LHS{}, Seed: 7,
		AdamSteps: adam, Adam: nn.AdamConfig{LR: 1e-3},
		LBFGSIters: 50000, LBFGS: nn.LBFGSConfig{MaxIter: 500, HistorySize: 50},
		LogEvery: 500, Checkpoint: os.Getenv("SCIML_PINN_CKPT"), CheckpointEvery: 1000,
	})
	tr.Logger = slog.New(slog.NewTextHandler(os.Stdout, nil))
	tr.Metric = func(n Net) float64 { l2, _ := ref.Errors(n); return l2 }
	if ck := tr.Config.Checkpoint; ck != "" {
		if _, err := os.Stat(ck); err == nil {
			if err := tr.Resume(ck); err != nil {
				t.Fatal(err)
			}
			t.Logf("resumed at step %d", tr.Step)
		}
	}
	start := time.Now()
	err = tr.Run(ctx)
	l2, mae := ref.Errors(net)
	t.Logf("burgers: steps %d, loss %.3e, rel L2 %.3e, rMAE %.3e, %v (run: %v)", tr.Step, tr.LastLoss, l2, mae, time.Since(start), err)
}
