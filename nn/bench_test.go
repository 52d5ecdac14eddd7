package nn

import (
	"testing"

	"github.com/sciml-go/sciml/tensor"
)

// benchStep runs f (which builds a scalar from tensors in the arena) and
// its backward pass once per iteration, recycling the arena.
func benchStep(b *testing.B, f func(ar *tensor.Arena) *tensor.Tensor) {
	ar := tensor.NewArena()
	f(ar).Backward()
	ar.Reset()
	b.ResetTimer()
	for range b.N {
		f(ar).Backward()
		ar.Reset()
	}
}

func BenchmarkLinear4096x64(b *testing.B) {
	l := NewLinear(64, 64, WithSeed(1))
	x := tensor.RandN(rng(1), tensor.Float32, 4096, 64)
	benchStep(b, func(ar *tensor.Arena) *tensor.Tensor { return tensor.Mean(l.Forward(x.In(ar))) })
}

func BenchmarkBatchNorm20x32x64x64(b *testing.B) {
	l := NewBatchNorm(32)
	x := tensor.RandN(rng(1), tensor.Float32, 20, 32, 64, 64)
	benchStep(b, func(ar *tensor.Arena) *tensor.Tensor { return tensor.Mean(l.Forward(x.In(ar))) })
}

// PINNsFormer's attention: 2 heads, pseudo-sequences of 5 points, float64.
func BenchmarkAttentionPINNsFormer(b *testing.B) {
	a := NewMultiheadAttention(32, 2, WithSeed(1), WithDType(tensor.Float64))
	x := tensor.RandN(rng(1), tensor.Float64, 512, 5, 32)
	benchStep(b, func(ar *tensor.Arena) *tensor.Tensor { return tensor.Mean(a.Forward(x.In(ar))) })
}

func benchLoss(b *testing.B, l Loss, shape ...int) {
	y := tensor.RandN(rng(2), tensor.Float32, shape...)
	p := tensor.RandN(rng(3), tensor.Float32, shape...).SetRequiresGrad(true)
	benchStep(b, func(ar *tensor.Arena) *tensor.Tensor { return l.Loss(p.In(ar), y.In(ar)) })
}

func BenchmarkRelL2_20x64x64(b *testing.B) { benchLoss(b, RelLp{Reduction: ReduceSum}, 20, 64, 64) }

func BenchmarkH1Spectral20x64x64(b *testing.B) {
	benchLoss(b, H1{Grid: Grid{Periodic: true}}, 20, 64, 64)
}

func BenchmarkH1FD8x211x211(b *testing.B) { benchLoss(b, H1{}, 8, 211, 211) }

// MgNO's smoother: 3×3, 24 channels, padding 1.
func BenchmarkConv2d3x3_8x24x64x64(b *testing.B) {
	l := NewConv2d(24, 24, 3, WithPadding(1), WithSeed(1), WithBias(false))
	x := tensor.RandN(rng(1), tensor.Float32, 8, 24, 64, 64)
	benchStep(b, func(ar *tensor.Arena) *tensor.Tensor { return tensor.Mean(l.Forward(x.In(ar))) })
}
