package tensor

import (
	"math"
	"testing"

	"github.com/sciml-go/sciml/internal/blas"
)

// BenchmarkMLP times one training step (forward + backward) of the
// reference MLP 2→256→256→256→256→1 on 65,536 float32 points inside an
// arena reset each step; compare with docs/bench/mlp_torch.py:
//
//	go test -run '^$' -bench MLP -benchtime 10x -cpu 2 ./tensor
func BenchmarkMLP(b *testing.B) {
	for _, act := range []string{"sin", "tanh"} {
		b.Run(act, func(b *testing.B) {
			m, err := NewMLPBench(MLPBenchConfig{Activation: act})
			if err != nil {
				b.Fatal(err)
			}
			m.Step() // warm up: fills the arena and the gradient buffers
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				m.Step()
			}
			s := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(s*1e3, "ms/step")
			b.ReportMetric(m.Flops()/s/1e9, "GFLOP/s")
			b.ReportMetric(float64(m.ArenaBytes())/(1<<20), "arenaMiB")
		})
	}
}

// BenchmarkLinearVsSgemm compares the forward of Linear 65536×256→256
// (with bias) against the bare blas.Sgemm of the same product: the
// overhead of the tensor layer on a GEMM-bound op.
func BenchmarkLinearVsSgemm(b *testing.B) {
	const m, k, n = 65536, 256, 256
	x := RandN(rng(1), Float32, m, k)
	w := RandN(rng(2), Float32, n, k)
	bias := RandN(rng(3), Float32, n)
	flops := 2.0 * m * n * k
	b.Run("Sgemm", func(b *testing.B) {
		c := make([]float32, m*n)
		for b.Loop() {
			blas.Sgemm(false, true, m, n, k, 1, x.Float32s(), k, w.Float32s(), k, 0, c, n)
		}
		b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
	b.Run("Linear", func(b *testing.B) {
		ar := NewArena()
		xa := x.In(ar)
		for b.Loop() {
			Linear(xa, w, bias)
			ar.Reset()
		}
		b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
	b.Run("LinearBackward", func(b *testing.B) {
		// ∂x and ∂w: two GEMMs of the same size, plus ∂b.
		ar := NewArena()
		xa := x.In(ar)
		wg := w.Clone().SetRequiresGrad(true)
		bg := bias.Clone().SetRequiresGrad(true)
		xa.SetRequiresGrad(true)
		g := RandN(rng(4), Float32, m, n).In(ar)
		for b.Loop() {
			y := Linear(xa, wg, bg)
			Grad([]*Tensor{y}, []*Tensor{xa, wg, bg}, []*Tensor{g}, false)
			ar.Reset()
		}
		b.ReportMetric(3*flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
}

// BenchmarkElementwise times the float32 kernels on one 65536×256
// activation (16.8 M elements), reporting ns per element.
func BenchmarkElementwise(b *testing.B) {
	n := 65536 * 256
	x := RandN(rng(5), Float32, n)
	g := RandN(rng(6), Float32, n)
	ar := NewArena()
	xa := x.In(ar)
	ops := []struct {
		name string
		f    func() *Tensor
	}{
		{"Sin", func() *Tensor { return Sin(xa) }},
		{"SinScaled", func() *Tensor { return sinQ(xa, "SinScaled", 30, 0) }},
		{"SinGrad", func() *Tensor { return mulSinQ(g, xa, 30, 30, 1) }},
		{"Tanh", func() *Tensor { return Tanh(xa) }},
		{"Exp", func() *Tensor { return Exp(xa) }},
		{"Sigmoid", func() *Tensor { return Sigmoid(xa) }},
		{"Mul", func() *Tensor { return Mul(xa, g) }},
		{"SumRows", func() *Tensor { return SumTo(Reshape(xa, 65536, 256), 256) }},
	}
	for _, op := range ops {
		b.Run(op.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				op.f()
				ar.Reset()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/elem")
		})
	}
}

func TestMLPBench(t *testing.T) {
	defer SetThreads(0)
	if _, err := NewMLPBench(MLPBenchConfig{Activation: "relu"}); err == nil {
		t.Fatal("unknown activation accepted")
	}
	for _, act := range []string{"sin", "tanh"} {
		cfg := MLPBenchConfig{Widths: []int{2, 32, 32, 1}, Points: 3000, Activation: act}
		var ref []float64
		for _, th := range []int{1, 2} {
			SetThreads(th)
			m, err := NewMLPBench(cfg)
			if err != nil {
				t.Fatal(err)
			}
			l1 := m.Step()
			if m.NumParams() != 2*32+32+32*32+32+32+1 {
				t.Fatalf("NumParams = %d", m.NumParams())
			}
			if got, want := m.Flops(), 6.0*3000*(2*32+32*32+32); got != want {
				t.Fatalf("Flops = %v, want %v", got, want)
			}
			// One gradient step lowers the loss: the gradients point downhill.
			for _, p := range m.Params() {
				if p.Grad() == nil {
					t.Fatalf("%s: parameter %v has no gradient", act, p.Shape())
				}
				d, g := p.Float32s(), p.Grad().Float32s()
				for i := range d {
					d[i] -= 1e-3 * g[i]
				}
			}
			l2 := m.Step()
			if !(l2 < l1) || math.IsNaN(l1) {
				t.Fatalf("%s: loss %v after a gradient step from %v", act, l2, l1)
			}
			// Bitwise identical for any thread count.
			got := []float64{l1, l2}
			for _, p := range m.Params() {
				got = append(got, p.Grad().ToFloat64s()...)
			}
			if ref == nil {
				ref = got
				continue
			}
			for i := range got {
				if got[i] != ref[i] {
					t.Fatalf("%s: threads=%d: value %d differs: %v vs %v", act, th, i, got[i], ref[i])
				}
			}
		}
	}
}
