package fft

import (
	"math"
	"math/rand/v2"
	"testing"
)

// report adds ns/transform and GFLOP/s (the conventional 2.5·N·log2 N
// flops for a real transform, 5·N·log2 N for a complex one, N = prod(dims)).
func report(b *testing.B, transforms int, n int, real bool) {
	ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / float64(transforms)
	flops := 5 * float64(n) * math.Log2(float64(n))
	if real {
		flops /= 2
	}
	b.ReportMetric(ns, "ns/transform")
	b.ReportMetric(flops/ns, "GFLOP/s")
}

func benchRFFT32(b *testing.B, dims []int, howmany int) {
	n, nh := prod(dims), halfLen(dims)
	x := to32(randReal(rand.New(rand.NewPCG(1, 1)), howmany*n))
	dst := make([]complex64, howmany*nh)
	RFFT32(dst, x, dims, howmany) // plan
	b.SetBytes(int64(howmany * n * 4))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		RFFT32(dst, x, dims, howmany)
	}
	report(b, howmany, n, true)
}

func benchIRFFT32(b *testing.B, dims []int, howmany int) {
	n, nh := prod(dims), halfLen(dims)
	src := to32c(randComplex(rand.New(rand.NewPCG(1, 2)), howmany*nh))
	dst := make([]float32, howmany*n)
	IRFFT32(dst, src, dims, howmany)
	b.SetBytes(int64(howmany * n * 4))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		IRFFT32(dst, src, dims, howmany)
	}
	report(b, howmany, n, true)
}

// BenchmarkRFFT32Batch is the FNO-style batch: 1280 real float32 signals
// of length 1024.
func BenchmarkRFFT32Batch(b *testing.B) { benchRFFT32(b, []int{1024}, 1280) }

// BenchmarkIRFFT32Batch is the inverse of BenchmarkRFFT32Batch.
func BenchmarkIRFFT32Batch(b *testing.B) { benchIRFFT32(b, []int{1024}, 1280) }

// BenchmarkRFFT32Batch2D is a 2-D FNO layer: batch 20 × 32 channels of
// 64×64 real float32 fields.
func BenchmarkRFFT32Batch2D(b *testing.B) { benchRFFT32(b, []int{64, 64}, 20*32) }

// BenchmarkIRFFT32Batch2D is the inverse of BenchmarkRFFT32Batch2D.
func BenchmarkIRFFT32Batch2D(b *testing.B) { benchIRFFT32(b, []int{64, 64}, 20*32) }

// BenchmarkFFT32Batch2D is the complex 2-D transform of batch 20 × 32
// channels of 64×64 complex64 fields, forward out of place and inverse in
// place.
func BenchmarkFFT32Batch2D(b *testing.B) {
	dims, howmany := []int{64, 64}, 20*32
	n := prod(dims)
	x := to32c(randComplex(rand.New(rand.NewPCG(1, 3)), howmany*n))
	dst := make([]complex64, len(x))
	b.Run("forward", func(b *testing.B) {
		FFT32(dst, x, dims, howmany, false)
		b.SetBytes(int64(howmany * n * 8))
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			FFT32(dst, x, dims, howmany, false)
		}
		report(b, howmany, n, false)
	})
	b.Run("inverse-inplace", func(b *testing.B) {
		FFT32(x, x, dims, howmany, true)
		b.SetBytes(int64(howmany * n * 8))
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			FFT32(x, x, dims, howmany, true)
		}
		report(b, howmany, n, false)
	})
}

// BenchmarkRFFT64Burgers is one float64 real transform of length 8192,
// the pseudo-spectral Burgers solver's size, and its inverse.
func BenchmarkRFFT64Burgers(b *testing.B) {
	const n = 8192
	dims := []int{n}
	x := randReal(rand.New(rand.NewPCG(1, 4)), n)
	spec := make([]complex128, n/2+1)
	back := make([]float64, n)
	b.Run("forward", func(b *testing.B) {
		RFFT64(spec, x, dims, 1)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			RFFT64(spec, x, dims, 1)
		}
		report(b, 1, n, true)
	})
	b.Run("inverse", func(b *testing.B) {
		IRFFT64(back, spec, dims, 1)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			IRFFT64(back, spec, dims, 1)
		}
		report(b, 1, n, true)
	})
}
