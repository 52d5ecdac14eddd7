package solvers

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/sciml-go/sciml/pde"
)

func relL2(a, b []float64) float64 {
	num, den := 0.0, 0.0
	for i := range a {
		num += (a[i] - b[i]) * (a[i] - b[i])
		den += b[i] * b[i]
	}
	return math.Sqrt(num / den)
}

func burgersCase(t testing.TB, n int, idx int) (pde.Burgers, []float64, [][]float64, []float64) {
	p := pde.DefaultBurgers()
	p.Grid = n
	u0, err := p.Init.Sample(pde.NewRand(42, idx), n)
	if err != nil {
		t.Fatal(err)
	}
	times := []float64{0.25, 0.5, 1}
	exact, err := pde.ColeHopf(u0, p.Viscosity, p.Length, times, 0)
	if err != nil {
		t.Fatal(err)
	}
	return p, u0, exact, times
}

// The FNO law at 8192 points, ν = 0.1, T = 1: relative L2 error ≤ 1e-8
// against Cole–Hopf at every snapshot.
func TestBurgersColeHopf8192(t *testing.T) {
	p, u0, exact, times := burgersCase(t, 8192, 0)
	start := time.Now()
	sol, err := Burgers{Params: p, Times: times}.Solve(context.Background(), u0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("8192 points, dt = 1e-3: %v", time.Since(start))
	for s := range times {
		e := relL2(sol.U[s], exact[s])
		t.Logf("t = %v: rel L2 error vs Cole–Hopf %.2e", times[s], e)
		if e > 1e-8 {
			t.Errorf("t = %v: error %.2e > 1e-8", times[s], e)
		}
	}
}

// Fourth order in time: errors against Cole–Hopf for three step sizes on a
// smooth initial condition. (On the rough FNO law the observed order at
// moderate steps is ≈ 3.3, the stiff order reduction of ETDRK4.)
func TestBurgersETDRK4Order(t *testing.T) {
	p := pde.DefaultBurgers()
	n := 256
	p.Grid = n
	u0 := make([]float64, n)
	for i := range u0 {
		x := float64(i) / float64(n)
		u0[i] = 0.5*math.Sin(2*math.Pi*x) + 0.25*math.Cos(4*math.Pi*x+1)
	}
	exact, err := pde.ColeHopf(u0, p.Viscosity, p.Length, []float64{1}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var prev float64
	for _, dt := range []float64{0.02, 0.01, 0.005} {
		sol, err := Burgers{Params: p, TimeStep: dt}.Solve(context.Background(), u0)
		if err != nil {
			t.Fatal(err)
		}
		e := relL2(sol.U[0], exact[0])
		if prev > 0 {
			order := math.Log2(prev / e)
			t.Logf("dt = %v: error %.3e, order %.2f", dt, e, order)
			if order < 3.8 || order > 4.3 {
				t.Errorf("dt = %v: observed order %.2f, want ≈ 4", dt, order)
			}
		} else {
			t.Logf("dt = %v: error %.3e", dt, e)
		}
		prev = e
	}
}

func TestBurgersBatch(t *testing.T) {
	p := pde.DefaultBurgers()
	n := 128
	p.Grid = n
	var u0s [][]float64
	for i := 0; i < 4; i++ {
		u, _ := p.Init.Sample(pde.NewRand(9, i), n)
		u0s = append(u0s, u)
	}
	b := Burgers{Params: p, Times: []float64{0.5, 1}, TimeStep: 0.01}
	b.Workers = 1
	r1, err := b.SolveBatch(context.Background(), u0s, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.Workers = 3
	r3, err := b.SolveBatch(context.Background(), u0s, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range r1 {
		for s := range r1[i].U {
			for j := range r1[i].U[s] {
				if r1[i].U[s][j] != r3[i].U[s][j] {
					t.Fatalf("sample %d differs with worker count", i)
				}
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.SolveBatch(ctx, u0s, nil); err == nil {
		t.Error("cancelled: no error")
	}
	if _, err := (Burgers{Params: p, Times: []float64{1, 0.5}}).Solve(context.Background(), u0s[0]); err == nil {
		t.Error("decreasing times: no error")
	}
	if _, err := (Burgers{Params: p}).Solve(context.Background(), u0s[0][:7]); err == nil {
		t.Error("odd grid: no error")
	}
	if _, err := (Burgers{Params: p}).Solve(context.Background(), u0s[0][:64]); err == nil {
		t.Error("grid different from Params.Grid: no error")
	}
}

// BenchmarkBurgers8192 solves one FNO Burgers sample (8192 points, ν = 0.1,
// T = 1) per iteration on one goroutine (ETDRK4 coefficients cached, as in a
// batch) and reports ms/sample and the relative L2 error against
// Cole–Hopf (in units of 1e-9); "batch" runs 4 samples on GOMAXPROCS workers and reports the
// wall time per sample.
func BenchmarkBurgers8192(b *testing.B) {
	p, u0, exact, _ := burgersCase(b, 8192, 0)
	for _, c := range []struct {
		name string
		dt   float64
	}{{"dt=1e-3", 1e-3}, {"dt=1/600", 1.0 / 600}} {
		b.Run(c.name, func(b *testing.B) {
			bs := Burgers{Params: p, TimeStep: c.dt}
			w := newBurgersWork(p, 8192, 0)
			var e float64
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				sol, err := bs.solve(context.Background(), w, u0)
				if err != nil {
					b.Fatal(err)
				}
				e = relL2(sol.U[0], exact[2])
			}
			b.ReportMetric(float64(time.Since(start).Microseconds())/1e3/float64(b.N), "ms/sample")
			b.ReportMetric(e*1e9, "relerr-1e-9")
		})
	}
	b.Run("batch-dt=1e-3", func(b *testing.B) {
		u0s := [][]float64{u0, u0, u0, u0}
		start := time.Now()
		for i := 0; i < b.N; i++ {
			if _, err := (Burgers{Params: p}).SolveBatch(context.Background(), u0s, nil); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(time.Since(start).Microseconds())/1e3/float64(4*b.N), "ms/sample")
	})
}
