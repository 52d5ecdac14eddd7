package vmath

import (
	"math"
	"testing"
)

// BenchmarkKernels times each kernel set on 16,384 elements (one chunk of
// a tensor operation, resident in L2), reporting ns per element.
func BenchmarkKernels(b *testing.B) {
	n := 1 << 14
	x := make([]float32, n)
	g := make([]float32, n)
	for i := range x {
		x[i] = float32(i%2000)*0.01 - 10 // SIREN pre-activations: 30·x within ±300
		g[i] = 0.5
	}
	dst, dst2 := make([]float32, n), make([]float32, n)
	run := func(name string, f func()) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				f()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/elem")
		})
	}
	run("math.Sin", func() {
		for i, v := range x {
			dst[i] = float32(math.Sin(float64(v)))
		}
	})
	run("math.Erf-GELU", func() {
		for i, v := range x {
			dst[i] = float32(float64(v) * 0.5 * (1 + math.Erf(float64(v)/math.Sqrt2)))
		}
	})
	run("math.Tanh", func() {
		for i, v := range x {
			dst[i] = float32(math.Tanh(float64(v) / 100))
		}
	})
	for _, l := range levels() {
		withLevel(l, func() {
			run("Sin/"+levelName(l), func() { Sin(dst, x) })
			run("SinQ-grad/"+levelName(l), func() { SinQ(dst, x, g, 30, 30, 1) })
			run("SinCos/"+levelName(l), func() { SinCos(dst, dst2, x, 30) })
			run("Exp/"+levelName(l), func() { Exp(dst, x) })
			run("Tanh/"+levelName(l), func() { Tanh(dst, x) })
			run("Sigmoid/"+levelName(l), func() { Sigmoid(dst, x) })
			run("GELU/"+levelName(l), func() { GELU(dst, x) })
			run("GELUGrad/"+levelName(l), func() { GELUGrad(dst, x, g) })
			run("GELUAndGrad/"+levelName(l), func() { GELUAndGrad(dst, dst2, x) })
		})
	}
}
