package tensor

import (
	"encoding/json"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sciml-go/sciml/internal/blas"
	"github.com/sciml-go/sciml/internal/sidebyside"
)

// BenchmarkMLP times one training step (forward + backward) of the
// reference MLP 2→256→256→256→256→1 on 65,536 float32 points inside an
// arena reset each step; compare with docs/bench/mlp_torch.py:
//
//	go test -run '^$' -bench MLP -benchtime 10x -cpu 2 ./tensor
func BenchmarkMLP(b *testing.B) {
	for _, act := range []string{"sin", "tanh", "sin-fused"} {
		b.Run(act, func(b *testing.B) {
			m, err := NewMLPBench(MLPBenchConfig{Activation: strings.TrimSuffix(act, "-fused"), Fused: strings.HasSuffix(act, "-fused")})
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

// BenchmarkLinearVsSgemm compares Linear 65536×256→256 (with bias) with
// the bare blas.Sgemm of the same product, forward and backward (∂x and
// ∂w: two more GEMMs of the same size, plus ∂b). The variants alternate
// within each iteration, so machine noise hits them alike; the metrics
// are the best times' throughputs and the ratios of the best times.
//
//	go test -run '^$' -bench LinearVsSgemm -benchtime 10x -cpu 2 ./tensor
func BenchmarkLinearVsSgemm(b *testing.B) {
	const m, k, n = 65536, 256, 256
	x := RandN(rng(1), Float32, m, k)
	w := RandN(rng(2), Float32, n, k).SetRequiresGrad(true)
	bias := RandN(rng(3), Float32, n).SetRequiresGrad(true)
	g := RandN(rng(4), Float32, m, n)
	c := make([]float32, m*n)
	gx := make([]float32, m*k)
	gw := make([]float32, n*k)
	ar := NewArena()
	xa := x.In(ar).SetRequiresGrad(true)
	ga := g.In(ar)
	flops := 2.0 * m * n * k
	best := [4]time.Duration{time.Hour, time.Hour, time.Hour, time.Hour}
	timeIt := func(i int, f func()) {
		t0 := time.Now()
		f()
		best[i] = min(best[i], time.Since(t0))
	}
	for b.Loop() {
		timeIt(0, func() {
			blas.Sgemm(false, true, m, n, k, 1, x.Float32s(), k, w.Float32s(), k, 0, c, n)
		})
		timeIt(1, func() {
			Linear(xa, w, bias)
			ar.Reset()
		})
		timeIt(2, func() {
			blas.Sgemm(false, true, m, n, k, 1, x.Float32s(), k, w.Float32s(), k, 0, c, n)
			blas.Sgemm(false, false, m, k, n, 1, g.Float32s(), n, w.Float32s(), k, 0, gx, k)
			blas.Sgemm(true, false, n, k, m, 1, g.Float32s(), n, x.Float32s(), k, 0, gw, k)
		})
		timeIt(3, func() {
			y := Linear(xa, w, bias)
			Grad([]*Tensor{y}, []*Tensor{xa, w, bias}, []*Tensor{ga}, false)
			ar.Reset()
		})
	}
	gf := func(f float64, d time.Duration) float64 { return f / d.Seconds() / 1e9 }
	b.ReportMetric(gf(flops, best[0]), "sgemm-GFLOP/s")
	b.ReportMetric(gf(flops, best[1]), "linear-GFLOP/s")
	b.ReportMetric(best[0].Seconds()/best[1].Seconds(), "fwd-ratio")
	b.ReportMetric(gf(3*flops, best[2]), "sgemm3-GFLOP/s")
	b.ReportMetric(gf(3*flops, best[3]), "linear+bwd-GFLOP/s")
	b.ReportMetric(best[2].Seconds()/best[3].Seconds(), "fwdbwd-ratio")
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

// TestMLPBenchReport prints the reference MLP steps in the JSON format of
// `sciml bench` (median and minimum of SCIML_BENCH_RUNS ≥ 10 steps after
// two warm-up steps), for docs/performance.md; the PyTorch counterpart is
// docs/bench/mlp_torch.py. It runs only when SCIML_BENCH is set
// (SCIML_BENCH_ACTS=sin,tanh selects the activations):
//
//	SCIML_BENCH=1 GOMAXPROCS=2 go test -run MLPBenchReport -v ./tensor
func TestMLPBenchReport(t *testing.T) {
	if os.Getenv("SCIML_BENCH") == "" {
		t.Skip("set SCIML_BENCH=1 to run")
	}
	runs, _ := strconv.Atoi(os.Getenv("SCIML_BENCH_RUNS"))
	acts := []string{"sin", "tanh"}
	if a := os.Getenv("SCIML_BENCH_ACTS"); a != "" {
		acts = strings.Split(a, ",")
	}
	for _, act := range acts {
		m, err := NewMLPBench(MLPBenchConfig{Activation: act})
		if err != nil {
			t.Fatal(err)
		}
		r := m.Measure(2, runs)
		line, _ := json.Marshal(map[string]any{
			"name": "mlp-" + act, "config": "widths=2,256,256,256,256,1 points=65536",
			"params": m.NumParams(), "dtype": "float32", "threads": Threads(),
			"step_ms_median": math.Round(r.Median.Seconds()*1e5) / 100,
			"step_ms_min":    math.Round(r.Min.Seconds()*1e5) / 100,
			"gflops":         math.Round(r.GFLOPS*100) / 100,
		})
		t.Log(string(line))
	}
}

// TestMLPVersusTorch times the reference sine MLP step (the composition
// and the fused SineMLPMSE) and PyTorch's (docs/bench/mlp_torch.py
// --serve) alternately, step by step, so that the drift of a shared
// machine hits both alike (internal/sidebyside). It runs only when
// SCIML_TORCH names a Python with torch; SCIML_BENCH_ROUNDS and
// SCIML_BENCH_TURN set the rounds and the steps per turn (default 8 and
// 3; the first step of a turn is not timed):
//
//	SCIML_TORCH=/usr/bin/python3 GOMAXPROCS=2 go test -run VersusTorch -v ./tensor
func TestMLPVersusTorch(t *testing.T) {
	py, rounds, perTurn := sidebyside.Env()
	if py == "" {
		t.Skip("set SCIML_TORCH=/usr/bin/python3 (a Python with torch) to run")
	}
	plain, err := NewMLPBench(MLPBenchConfig{Activation: "sin"})
	if err != nil {
		t.Fatal(err)
	}
	fused, err := NewMLPBench(MLPBenchConfig{Activation: "sin", Fused: true})
	if err != nil {
		t.Fatal(err)
	}
	r, err := sidebyside.Run([]string{py, "../docs/bench/mlp_torch.py", "--serve", "--acts", "sin", "--threads", strconv.Itoa(Threads())},
		[]func(){func() { plain.Step() }, func() { fused.Step() }}, rounds, perTurn)
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"mlp-sin", "mlp-sin-fused"} {
		t.Log(r.Summary(name, i, Threads()))
		t.Logf("%s step times (ms) %.0f", name, r.Ours[i])
	}
	t.Logf("PyTorch step times (ms) %.0f", r.Theirs)
}
