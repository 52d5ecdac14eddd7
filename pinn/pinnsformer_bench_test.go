package pinn

import (
	"testing"

	"github.com/sciml-go/sciml/tensor"
)

// benchPINNsFormer times one training step (the published loss and its
// parameter gradient, as one L-BFGS closure evaluation) of the published
// PINNsFormer on convection with a g × g collocation grid and g initial
// and g boundary pairs (docs/bench/pinnsformer_torch.py --grid g).
func benchPINNsFormer(b *testing.B, g int, dt tensor.DType) {
	p, _, grid := failureMode("convection", g, g)
	net := NewPINNsFormer(PINNsFormerConfig{In: 2, Out: 1, DType: dt})
	tr := NewTrainer(p, net, Config{Collocation: grid.Dim(0)})
	tr.SetCollocation(grid)
	tr.evalGrad() // warm-up (arena)
	b.ResetTimer()
	for range b.N {
		tr.evalGrad()
	}
}

func BenchmarkPINNsFormerStep51(b *testing.B)    { benchPINNsFormer(b, 51, tensor.Float64) }
func BenchmarkPINNsFormerStep51f32(b *testing.B) { benchPINNsFormer(b, 51, tensor.Float32) }
func BenchmarkPINNsFormerStep101(b *testing.B)   { benchPINNsFormer(b, 101, tensor.Float64) }

func BenchmarkPINNsFormerStep21(b *testing.B) { benchPINNsFormer(b, 21, tensor.Float64) }
