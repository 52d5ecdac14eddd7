package pinn

import (
	"testing"

	"github.com/sciml-go/sciml/nn"
)

func benchBurgersStep(b *testing.B, mode Mode) {
	p := BurgersRaissi(100, nn.NewRand(1))
	net := NewMLP(MLPConfig{In: 2, Out: 1, Hidden: []int{20, 20, 20, 20, 20, 20, 20, 20}, Seed: 1})
	tr := NewTrainer(p, net, Config{Mode: mode, AdamSteps: 1 << 30})
	tr.StepAdam()
	b.ResetTimer()
	for range b.N {
		tr.StepAdam()
	}
}

// One Adam step of Raissi's Burgers loss (8×20 tanh, 10,000 points).
func BenchmarkBurgersStepTaylor(b *testing.B) { benchBurgersStep(b, Taylor) }
func BenchmarkBurgersStepNested(b *testing.B) { benchBurgersStep(b, Nested) }
