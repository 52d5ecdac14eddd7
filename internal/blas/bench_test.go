package blas

import (
	"fmt"
	"testing"
)

func BenchmarkSgemm(b *testing.B) {
	for _, sz := range [][3]int{{4096, 256, 256}, {256, 256, 256}, {65536, 256, 256}, {64, 64, 64}} {
		m, n, k := sz[0], sz[1], sz[2]
		b.Run(fmt.Sprintf("%dx%dx%d", m, n, k), func(b *testing.B) {
			a := make([]float32, m*k)
			x := make([]float32, k*n)
			c := make([]float32, m*n)
			for i := range a {
				a[i] = float32(i%7) * 0.1
			}
			for i := range x {
				x[i] = float32(i%5) * 0.1
			}
			b.ResetTimer()
			for b.Loop() {
				Sgemm(false, false, m, n, k, 1, a, k, x, n, 0, c, n)
			}
			b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

func BenchmarkDgemm(b *testing.B) {
	m, n, k := 4096, 256, 256
	a := make([]float64, m*k)
	x := make([]float64, k*n)
	c := make([]float64, m*n)
	for b.Loop() {
		Dgemm(false, false, m, n, k, 1, a, k, x, n, 0, c, n)
	}
	b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkCgemmBatched(b *testing.B) {
	// Per-mode channel mixing of an FNO-1D layer: 16 modes, batch 20, 64→64.
	modes, batch, ci, co := 16, 20, 64, 64
	a := make([]complex64, modes*batch*ci)
	w := make([]complex64, modes*ci*co)
	c := make([]complex64, modes*batch*co)
	for b.Loop() {
		CgemmBatched(false, false, batch, co, ci, 1, a, ci, batch*ci, w, co, ci*co, 0, c, co, batch*co, modes)
	}
	b.ReportMetric(8*float64(modes*batch*ci*co)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
