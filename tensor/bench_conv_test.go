package tensor

import (
	"fmt"
	"testing"
)

// ---- Convolutions ----
//
// MgNO-sized layers in float32: batch 8, 24 → 24 channels. The GFLOP/s
// count the multiply-adds of the products (2·B·Co·Ci·Kh·Kw·Ho·Wo per
// product: one forward, and for training one each for the input and
// filter gradients), the figure to hold against
// `go test -bench Sgemm ./internal/blas`.

func benchConv(b *testing.B, train bool, f func(x, w *Tensor) *Tensor, x, w *Tensor, flops float64) {
	ar := NewArena()
	x.SetRequiresGrad(train)
	w.SetRequiresGrad(train)
	var gy *Tensor
	step := func() {
		y := f(x.In(ar), w)
		if train {
			if gy == nil {
				gy = Full(Float32, 1e-3, y.Shape()...)
			}
			Grad([]*Tensor{y}, []*Tensor{x, w}, []*Tensor{gy}, false)
		}
		ar.Reset()
	}
	step() // warm up: arena, scratch buffers
	b.ResetTimer()
	for b.Loop() {
		step()
	}
	if train {
		flops *= 3
	}
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkConv2dMgNO(b *testing.B) {
	const bs, c = 8, 24
	for _, n := range []int{64, 128} {
		for _, train := range []bool{false, true} {
			name := fmt.Sprintf("3x3/%dx%d/fwd", n, n)
			if train {
				name = fmt.Sprintf("3x3/%dx%d/fwd+bwd", n, n)
			}
			b.Run(name, func(b *testing.B) {
				x := RandN(rng(1), Float32, bs, c, n, n)
				w := RandN(rng(2), Float32, c, c, 3, 3)
				flops := 2.0 * bs * c * c * 9 * float64(n*n)
				benchConv(b, train, func(x, w *Tensor) *Tensor { return Conv2d(x, w, nil, ConvOptions{Padding: 1}) }, x, w, flops)
			})
		}
	}
	// Restriction (3×3, stride 2) and prolongation (4×4 transposed, stride
	// 2) between 128² and 64², and between 85² and 43² (the Darcy grid).
	for _, n := range []int{128, 85} {
		nc := ConvOutSize(n, 3, 2, 1)
		for _, train := range []bool{false, true} {
			pass := "fwd"
			if train {
				pass = "fwd+bwd"
			}
			b.Run(fmt.Sprintf("restrict3x3s2/%dto%d/%s", n, nc, pass), func(b *testing.B) {
				x := RandN(rng(1), Float32, bs, c, n, n)
				w := RandN(rng(2), Float32, c, c, 3, 3)
				flops := 2.0 * bs * c * c * 9 * float64(nc*nc)
				benchConv(b, train, func(x, w *Tensor) *Tensor { return Conv2d(x, w, nil, ConvOptions{Stride: 2, Padding: 1}) }, x, w, flops)
			})
			b.Run(fmt.Sprintf("prolong4x4s2/%dto%d/%s", nc, 2*nc, pass), func(b *testing.B) {
				x := RandN(rng(1), Float32, bs, c, nc, nc)
				w := RandN(rng(2), Float32, c, c, 4, 4)
				flops := 2.0 * bs * c * c * 16 * float64(nc*nc)
				benchConv(b, train, func(x, w *Tensor) *Tensor { return ConvTranspose2d(x, w, nil, 2, 1) }, x, w, flops)
			})
		}
	}
}

// BenchmarkChannelMix is the pointwise skip of an FNO-2D layer: batch 8,
// 32 → 32 channels on 64×64.
func BenchmarkChannelMix(b *testing.B) {
	x := RandN(rng(1), Float32, 8, 32, 64, 64)
	w := RandN(rng(2), Float32, 32, 32)
	benchConv(b, true, func(x, w *Tensor) *Tensor { return ChannelMix(x, w, nil) }, x, w, 2.0*8*32*32*64*64)
}

// BenchmarkInterpolate resamples a batch 8 × 24 channels from 64² to 128²
// (reported as GB/s of output written).
func BenchmarkInterpolate(b *testing.B) {
	ar := NewArena()
	x := RandN(rng(1), Float32, 8, 24, 64, 64).In(ar)
	for b.Loop() {
		Interpolate(x, []int{128, 128}, InterpLinear)
		ar.Reset()
	}
	b.ReportMetric(4*8*24*128*128*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
}
