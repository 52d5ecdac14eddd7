package pinn

import (
	"context"
	"log/slog"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// Static weights: the total loss is w_r·residual + Σ w_c·condition (a zero
// Weight meaning 1), from the unweighted terms Loss reports.
func TestStaticWeights(t *testing.T) {
	p := BurgersRaissi(40, nn.NewRand(2))
	p.Conditions[0].Weight = 3
	p.Conditions[2].Weight = 0.25
	net := NewMLP(MLPConfig{In: 2, Out: 1, Hidden: []int{8}, Seed: 1})
	for _, rw := range []float64{0, 0.5} {
		tr := NewTrainer(p, net, Config{Collocation: 100, ResidualWeight: rw})
		l, terms := tr.Loss()
		w := rw
		if w == 0 {
			w = 1
		}
		want := w*terms["residual"] + 3*terms["initial"] + terms["left"] + 0.25*terms["right"]
		if got := l.Item(); math.Abs(got-want) > 1e-14*want {
			t.Errorf("residual weight %g: loss %.17g, want %.17g (terms %v)", rw, got, want, terms)
		}
		if ws := tr.Weights(); ws[0] != 3 || ws[1] != 1 || ws[2] != 0.25 {
			t.Errorf("weights %v", ws)
		}
	}
}

// Resample redraws the collocation points every N Adam steps: the points
// after step N are the sampler's second draw from the seeded generator,
// and unchanged before it. Parameters and points default to float64.
func TestResample(t *testing.T) {
	p := BurgersRaissi(40, nn.NewRand(2))
	net := NewMLP(MLPConfig{In: 2, Out: 1, Hidden: []int{8}, Seed: 1})
	if d := net.Layers[0].Weight.DType(); d != tensor.Float64 {
		t.Fatalf("default dtype %v, want float64", d)
	}
	r := rand.New(rand.NewPCG(5, 0x9e3779b97f4a7c15)) // the Trainer's generator for Seed 5
	first := p.Domain.Sample(64, Halton{}, r).Float64s()
	second := p.Domain.Sample(64, Halton{}, r).Float64s()
	if first[0] == second[0] {
		t.Fatal("degenerate test: both draws start alike")
	}
	for _, c := range []struct {
		steps int
		want  []float64
	}{{3, first}, {4, second}} {
		tr := NewTrainer(p, net, Config{Collocation: 64, Sampler: Halton{}, Seed: 5, Resample: 3, AdamSteps: c.steps, LogEvery: 1 << 30})
		tr.Logger = slog.New(slog.DiscardHandler)
		if err := tr.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		got := tr.Collocation()
		if got.DType() != tensor.Float64 {
			t.Fatalf("collocation dtype %v", got.DType())
		}
		for i, v := range got.Float64s() {
			if v != c.want[i] {
				t.Fatalf("after %d steps: point coordinate %d = %v, want %v", c.steps, i, v, c.want[i])
			}
		}
	}
}
