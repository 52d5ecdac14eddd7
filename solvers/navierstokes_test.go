package solvers

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/sciml-go/sciml/internal/fft"
	"github.com/sciml-go/sciml/pde"
)

func nsParams(n, store int, T, rec float64) pde.NavierStokes {
	p := pde.DefaultNavierStokes()
	p.Grid, p.StoreGrid, p.FinalTime, p.RecordInterval = n, store, T, rec
	return p
}

// Shell flows (Taylor–Green, Kolmogorov, the FNO forcing) are exact
// solutions: advection vanishes, viscosity decays each mode and the forcing
// drives its own shell.
func TestNavierStokesShellFlows(t *testing.T) {
	flows := map[string]pde.ShellFlow{
		"taylor-green": pde.TaylorGreen(2, 1.5, 0.01),
		"kolmogorov":   pde.Kolmogorov(3, 0.7, 0.4, 0.005),
		"fno-forced":   pde.FNOForcedShell(0.8, -0.3, 0.01),
	}
	for name, flow := range flows {
		if err := flow.Validate(); err != nil {
			t.Fatal(err)
		}
		p := nsParams(32, 16, 2, 0.5)
		p.Viscosity = flow.Viscosity
		p.ForcingFunc = flow.ForcingAt
		if len(flow.Forcing) == 0 {
			p.ForcingFunc = func(x, y float64) float64 { return 0 }
		}
		w0 := flow.Grid(32, 0)
		for _, c := range []struct {
			scheme NSScheme
			dt     float64
			tol    float64
			form   NSAdvection
		}{{CrankNicolsonEuler, 1e-3, 2e-5, AdvectiveForm}, {ETDRK4, 0.05, 1e-12, AdvectiveForm}, {ETDRK4, 0.05, 1e-12, BasdevantForm}} {
			sol, err := NavierStokes{Params: p, Scheme: c.scheme, TimeStep: c.dt, Advection: c.form}.Solve(context.Background(), w0)
			if err != nil {
				t.Fatal(err)
			}
			worst := 0.0
			for s, tm := range sol.Times {
				worst = math.Max(worst, relL2(sol.W[s], flow.Grid(16, tm)))
			}
			t.Logf("%s %v %v dt=%v: max rel L2 error %.2e", name, c.scheme, c.form, c.dt, worst)
			if worst > c.tol {
				t.Errorf("%s %v: error %.2e > %.0e", name, c.scheme, worst, c.tol)
			}
		}
	}
	if err := (pde.ShellFlow{Viscosity: 1, Initial: []pde.ShellMode{{KX: 1}, {KX: 2}}}).Validate(); err == nil {
		t.Error("mixed shells: no error")
	}
}

// Time-step convergence on a GRF initial vorticity (64², ν = 1e-3, T = 1):
// the FNO scheme is first order, ETDRK4 fourth order.
func TestNavierStokesTimeOrder(t *testing.T) {
	p := nsParams(64, 64, 1, 1)
	w0, err := p.Init.Sample(pde.NewRand(1, 0), 64)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := NavierStokes{Params: p, Scheme: ETDRK4, TimeStep: 2.5e-3}.Solve(context.Background(), w0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		scheme NSScheme
		dts    []float64
		order  float64
	}{{ETDRK4, []float64{0.05, 0.025, 0.0125}, 4}, {CrankNicolsonEuler, []float64{4e-3, 2e-3, 1e-3}, 1}} {
		var prev float64
		for _, dt := range c.dts {
			sol, err := NavierStokes{Params: p, Scheme: c.scheme, TimeStep: dt}.Solve(context.Background(), w0)
			if err != nil {
				t.Fatal(err)
			}
			e := relL2(sol.W[0], ref.W[0])
			if prev > 0 {
				o := math.Log2(prev / e)
				t.Logf("%v dt=%v: error %.3e, order %.2f", c.scheme, dt, e, o)
				if math.Abs(o-c.order) > 0.3 {
					t.Errorf("%v dt=%v: order %.2f, want %v", c.scheme, dt, o, c.order)
				}
			} else {
				t.Logf("%v dt=%v: error %.3e", c.scheme, dt, e)
			}
			prev = e
		}
	}
}

// On a field band-limited to the dealiased modes the two advection forms
// are the same discrete operator.
func TestNavierStokesBasdevantMatchesAdvective(t *testing.T) {
	p := nsParams(64, 64, 0.5, 0.5)
	w0, _ := p.Init.Sample(pde.NewRand(6, 0), 64)
	w := newNSWork(p, AdvectiveForm)
	fftForward(w, w0)
	for q, m := range w.mask {
		w.wh[q] *= complex(m, 0)
	}
	fftInverse(w, w0)
	var sols [2]NavierStokesSolution
	for i, form := range []NSAdvection{AdvectiveForm, BasdevantForm} {
		var err error
		sols[i], err = NavierStokes{Params: p, Scheme: ETDRK4, TimeStep: 0.01, Advection: form}.Solve(context.Background(), w0)
		if err != nil {
			t.Fatal(err)
		}
	}
	if e := relL2(sols[1].W[0], sols[0].W[0]); e > 1e-12 {
		t.Errorf("Basdevant vs advective form: %.2e", e)
	}
}

func TestNavierStokesDownsampleAndBatch(t *testing.T) {
	// A band-limited field: spectral truncation and striding agree.
	p := nsParams(32, 8, 0.2, 0.1)
	p.Viscosity = 0.01
	flow := pde.TaylorGreen(1, 1, p.Viscosity)
	p.ForcingFunc = func(x, y float64) float64 { return 0 }
	w0 := flow.Grid(32, 0)
	a, err := NavierStokes{Params: p}.Solve(context.Background(), w0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NavierStokes{Params: p, Downsample: Striding}.Solve(context.Background(), w0)
	if err != nil {
		t.Fatal(err)
	}
	if e := relL2(a.W[1], b.W[1]); e > 1e-13 {
		t.Errorf("spectral vs stride on a band-limited field: %.2e", e)
	}
	// Batches are independent of the worker count.
	p = nsParams(32, 16, 0.2, 0.1)
	var w0s [][]float64
	for i := 0; i < 3; i++ {
		w, _ := p.Init.Sample(pde.NewRand(2, i), 32)
		w0s = append(w0s, w)
	}
	snaps := 0
	s := NavierStokes{Params: p, Workers: 1, TimeStep: 1e-3}
	r1, err := s.SolveBatch(context.Background(), w0s, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Workers = 2
	s.OnSnapshot = func(sample, snap int) { snaps++ }
	s.Workers = 1
	if _, err := s.SolveBatch(context.Background(), w0s[:1], nil); err != nil || snaps != 2 {
		t.Errorf("OnSnapshot called %d times, want 2 (err %v)", snaps, err)
	}
	s.OnSnapshot = nil
	s.Workers = 3
	r3, err := s.SolveBatch(context.Background(), w0s, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range r1 {
		for k := range r1[i].W {
			for j := range r1[i].W[k] {
				if r1[i].W[k][j] != r3[i].W[k][j] {
					t.Fatalf("sample %d differs with the worker count", i)
				}
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.SolveBatch(ctx, w0s, nil); err == nil {
		t.Error("cancelled: no error")
	}
	bad := p
	bad.Viscosity = -1
	if _, err := (NavierStokes{Params: bad}).Solve(context.Background(), w0s[0]); err == nil {
		t.Error("negative viscosity: no error")
	}
	if _, err := (NavierStokes{Params: p}).Solve(context.Background(), w0s[0][:10]); err == nil {
		t.Error("wrong size: no error")
	}
}

// A time step allocates nothing.
func TestNavierStokesStepNoAlloc(t *testing.T) {
	p := nsParams(64, 64, 1, 1)
	w := newNSWork(p, AdvectiveForm)
	w0, _ := p.Init.Sample(pde.NewRand(1, 0), 64)
	copy(w.fields, w0)
	for _, scheme := range []NSScheme{CrankNicolsonEuler, ETDRK4} {
		step := func() { w.stepCN(p.Viscosity, 1e-4) }
		if scheme == ETDRK4 {
			step = func() { w.stepETD(p.Viscosity, 1e-3) }
		}
		step()
		if a := testing.AllocsPerRun(10, step); a != 0 {
			t.Errorf("%v: %v allocations per step", scheme, a)
		}
	}
}

func benchNS(b *testing.B, n, batch int) {
	for _, form := range []NSAdvection{AdvectiveForm, BasdevantForm} {
		b.Run(form.String(), func(b *testing.B) {
			p := nsParams(n, n/4, 1, 1)
			var w0s [][]float64
			for i := 0; i < batch; i++ {
				w, _ := p.Init.Sample(pde.NewRand(3, i), n)
				w0s = append(w0s, w)
			}
			// 100 steps per sample at dt = 1e-4 (the FNO scheme).
			p.FinalTime, p.RecordInterval = 0.01, 0.01
			s := NavierStokes{Params: p, Advection: form}
			steps := 0
			b.ResetTimer()
			start := time.Now()
			for it := 0; it < b.N; it++ {
				if _, err := s.SolveBatch(context.Background(), w0s, nil); err != nil {
					b.Fatal(err)
				}
				steps += 100 * batch
			}
			b.ReportMetric(float64(steps)/time.Since(start).Seconds(), "sample-steps/s")
		})
	}
}

// BenchmarkNavierStokes64 measures the FNO scheme (Crank–Nicolson/Euler,
// dt = 1e-4) at 64², batch 20 over GOMAXPROCS workers, in sample-steps/s.
func BenchmarkNavierStokes64(b *testing.B) { benchNS(b, 64, 20) }

// BenchmarkNavierStokes256 is BenchmarkNavierStokes64 at 256², batch 4.
func BenchmarkNavierStokes256(b *testing.B) { benchNS(b, 256, 4) }

// BenchmarkNavierStokesTimeToAccuracy integrates one FNO sample (ν = 1e-3)
// to T = 1 with each scheme and reports the wall time per sample and the
// relative L2 error (in units of 1e-9) against an ETDRK4 reference
// (dt = 2.5e-3).
func BenchmarkNavierStokesTimeToAccuracy(b *testing.B) {
	for _, n := range []int{64, 256} {
		p := nsParams(n, n, 1, 1)
		w0, _ := p.Init.Sample(pde.NewRand(4, 0), n)
		ref, err := NavierStokes{Params: p, Scheme: ETDRK4, TimeStep: 2.5e-3}.Solve(context.Background(), w0)
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range []struct {
			name   string
			scheme NSScheme
			dt     float64
		}{{"cn-euler-1e-4", CrankNicolsonEuler, 1e-4}, {"etdrk4-0.1", ETDRK4, 0.1}, {"etdrk4-0.05", ETDRK4, 0.05}, {"etdrk4-0.02", ETDRK4, 0.02}} {
			b.Run(fmt.Sprintf("%d/%s", n, c.name), func(b *testing.B) {
				s := NavierStokes{Params: p, Scheme: c.scheme, TimeStep: c.dt}
				var e float64
				start := time.Now()
				for i := 0; i < b.N; i++ {
					sol, err := s.Solve(context.Background(), w0)
					if err != nil {
						b.Fatal(err)
					}
					e = relL2(sol.W[0], ref.W[0])
				}
				b.ReportMetric(time.Since(start).Seconds()/float64(b.N), "s/sample")
				b.ReportMetric(e*1e9, "relerr-1e-9")
			})
		}
	}
}

func fftForward(w *nsWork, x []float64) { fft.RFFT64(w.wh, x, []int{w.n, w.n}, 1) }
func fftInverse(w *nsWork, x []float64) { fft.IRFFT64(x, w.wh, []int{w.n, w.n}, 1) }

// The packed (complex) inverse transforms of the advective form on small
// grids compute the same operator as the four real ones.
func TestNavierStokesPackedMatchesUnpacked(t *testing.T) {
	p := nsParams(64, 64, 1, 1)
	w0, _ := p.Init.Sample(pde.NewRand(8, 0), 64)
	a, b := newNSWork(p, AdvectiveForm), newNSWork(p, AdvectiveForm)
	if !a.packed {
		t.Fatal("64² should use packed transforms")
	}
	b.packed = false
	fftForward(a, w0)
	fftForward(b, w0)
	for i := 0; i < 50; i++ {
		a.stepCN(p.Viscosity, 1e-3)
		b.stepCN(p.Viscosity, 1e-3)
	}
	x, y := make([]float64, 64*64), make([]float64, 64*64)
	fftInverse(a, x)
	fftInverse(b, y)
	if e := relL2(x, y); e > 1e-13 {
		t.Errorf("packed vs unpacked after 50 steps: %.2e", e)
	}
}

func BenchmarkNSStep64(b *testing.B) {
	p := nsParams(64, 64, 1, 1)
	w0, _ := p.Init.Sample(pde.NewRand(8, 0), 64)
	for _, packed := range []bool{true, false} {
		b.Run(fmt.Sprintf("packed=%v", packed), func(b *testing.B) {
			w := newNSWork(p, AdvectiveForm)
			w.packed = packed
			fftForward(w, w0)
			for i := 0; i < b.N; i++ {
				w.stepCN(p.Viscosity, 1e-4)
			}
		})
	}
}
