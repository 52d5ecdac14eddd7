package solvers

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

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
			prec   Precision
		}{
			{CrankNicolsonEuler, 1e-3, 2e-5, AdvectiveForm, Float64},
			{ETDRK4, 0.05, 1e-12, AdvectiveForm, Float64},
			{ETDRK4, 0.05, 1e-12, BasdevantForm, Float64},
			// float32: the time error of CN at dt = 1e-3 dominates; ETDRK4 is
			// exact to float32 rounding, f32Tol(40 steps) = 32u = 1.9e-6.
			{CrankNicolsonEuler, 1e-3, 2e-5, AdvectiveForm, Float32},
			{ETDRK4, 0.05, f32Tol(40), AdvectiveForm, Float32},
			{ETDRK4, 0.05, f32Tol(40), BasdevantForm, Float32},
		} {
			sol, err := NavierStokes{Params: p, Scheme: c.scheme, TimeStep: c.dt, Advection: c.form, Precision: c.prec}.Solve(context.Background(), w0)
			if err != nil {
				t.Fatal(err)
			}
			worst := 0.0
			for s, tm := range sol.Times {
				worst = math.Max(worst, relL2(sol.W[s], flow.Grid(16, tm)))
			}
			t.Logf("%s %v %v %v dt=%v: max rel L2 error %.2e", name, c.scheme, c.form, c.prec, c.dt, worst)
			if worst > c.tol {
				t.Errorf("%s %v %v %v: error %.2e > %.1e", name, c.scheme, c.form, c.prec, worst, c.tol)
			}
		}
	}
	if err := (pde.ShellFlow{Viscosity: 1, Initial: []pde.ShellMode{{KX: 1}, {KX: 2}}}).Validate(); err == nil {
		t.Error("mixed shells: no error")
	}
}

// f32Tol is the float32 tolerance after n steps, relative L2 against the
// float64 solution: (12 + n/2)·u with u = 2⁻²⁴ the float32 unit roundoff.
// Loading w0 and taking the snapshot are one forward and one inverse
// float32 FFT of ≤ 128² points, whose relative error is at most
// u·log2(n²) ≤ 14u in theory and ≈ 3u measured: 12u covers them. Each step
// rounds ŵ (relative u/2 per mode) and its factors (A − 1 or e^{hL} − 1,
// dt/(1+½dtνλ), the ETDRK4 weights, each rounded once to u/2); with
// those errors fully coherent from step to step (the worst case: the same
// rounded factor applied every step) the error grows by u/2 per step.
// Errors of the advection term enter multiplied by dt·|u·∇w|/|w| ≪ 1.
func f32Tol(n int) float64 { return (12 + float64(n)/2) * 0x1p-24 }

// The float32 path solves the same discrete problem as the float64 one:
// they agree to f32Tol on a GRF sample (64², FNO parameters) for each
// scheme and advection form, the advective form both packed (64²) and
// not (128²).
func TestNavierStokesFloat32MatchesFloat64(t *testing.T) {
	for _, c := range []struct {
		n      int
		scheme NSScheme
		form   NSAdvection
		T      float64
		steps  int
	}{
		{64, CrankNicolsonEuler, AdvectiveForm, 0.02, 200},
		{64, CrankNicolsonEuler, BasdevantForm, 0.02, 200},
		{128, CrankNicolsonEuler, AdvectiveForm, 0.005, 50},
		{64, ETDRK4, AdvectiveForm, 0.1, 50},
		{64, ETDRK4, BasdevantForm, 0.1, 50},
	} {
		p := nsParams(c.n, c.n, c.T, c.T)
		w0, err := p.Init.Sample(pde.NewRand(1, 0), c.n)
		if err != nil {
			t.Fatal(err)
		}
		var sols [2]NavierStokesSolution
		for i, prec := range []Precision{Float64, Float32} {
			if sols[i], err = (NavierStokes{Params: p, Scheme: c.scheme, Advection: c.form, Precision: prec}).Solve(context.Background(), w0); err != nil {
				t.Fatal(err)
			}
		}
		for _, v := range sols[1].W[0] {
			if float64(float32(v)) != v {
				t.Fatalf("float32 snapshot value %v is not a float32", v)
			}
		}
		e, tol := relL2(sols[1].W[0], sols[0].W[0]), f32Tol(c.steps)
		t.Logf("%d² %v %v, %d steps: float32 vs float64 %.2e = %.1f u (tolerance %.2e)", c.n, c.scheme, c.form, c.steps, e, e/0x1p-24, tol)
		if e > tol {
			t.Errorf("%d² %v %v: float32 vs float64 %.2e > %.2e", c.n, c.scheme, c.form, e, tol)
		}
	}
}

// In float32 the updates are increments, ŵ + [(A−1)ŵ + …] and
// ŵ + [(e^{hL}−1)ŵ + …]: the factors A = 1 − O(dtν|k|²) and e^{hL} are not
// rounded themselves, so their half-ulp errors do not compound. The error
// stays below 100u = 6e-6 after 1000 CN steps (T = 0.1) and 500 ETDRK4
// steps (T = 1); the direct forms A·ŵ (the FNO script's) and e^{hL}·ŵ are
// measured at 1.3e-5 and 9.8e-6 there.
func TestNavierStokesFloat32Drift(t *testing.T) {
	for _, c := range []struct {
		scheme NSScheme
		T      float64
	}{{CrankNicolsonEuler, 0.1}, {ETDRK4, 1}} {
		p := nsParams(64, 64, c.T, c.T)
		w0, _ := p.Init.Sample(pde.NewRand(1, 0), 64)
		a, err := NavierStokes{Params: p, Scheme: c.scheme}.Solve(context.Background(), w0)
		if err != nil {
			t.Fatal(err)
		}
		b, err := NavierStokes{Params: p, Scheme: c.scheme, Precision: Float32}.Solve(context.Background(), w0)
		if err != nil {
			t.Fatal(err)
		}
		e := relL2(b.W[0], a.W[0])
		t.Logf("%v to T = %v: float32 vs float64 %.2e = %.1f u", c.scheme, c.T, e, e/0x1p-24)
		if e > 100*0x1p-24 {
			t.Errorf("%v: float32 drift to T = %v: %.2e > 100u", c.scheme, c.T, e)
		}
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
	w := newNSWork[float64](p, AdvectiveForm)
	fftForward(w, w0)
	for q, m := range w.mask {
		w.wh[q] = cplx[float64]{m * w.wh[q].re, m * w.wh[q].im}
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
	// In both precisions a batch is bitwise the samples solved alone.
	for _, prec := range []Precision{Float64, Float32} {
		s := NavierStokes{Params: p, Workers: 2, TimeStep: 1e-3, Precision: prec}
		rb, err := s.SolveBatch(context.Background(), w0s, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, w0 := range w0s {
			one, err := s.Solve(context.Background(), w0)
			if err != nil {
				t.Fatal(err)
			}
			for k := range one.W {
				for j := range one.W[k] {
					if math.Float64bits(one.W[k][j]) != math.Float64bits(rb[i].W[k][j]) {
						t.Fatalf("%v: sample %d of the batch differs from Solve", prec, i)
					}
				}
			}
		}
	}
	if _, err := (NavierStokes{Params: p, Precision: 7}).Solve(context.Background(), w0s[0]); err == nil {
		t.Error("unknown precision: no error")
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
	w0, _ := p.Init.Sample(pde.NewRand(1, 0), 64)
	for _, prec := range []Precision{Float64, Float32} {
		for _, form := range []NSAdvection{AdvectiveForm, BasdevantForm} {
			w := NavierStokes{Params: p, Precision: prec, Advection: form}.newStepper()
			w.load(w0)
			for _, scheme := range []NSScheme{CrankNicolsonEuler, ETDRK4} {
				dt := 1e-4
				if scheme == ETDRK4 {
					dt = 1e-3
				}
				step := func() { w.step(scheme, p.Viscosity, dt) }
				step()
				if a := testing.AllocsPerRun(10, step); a != 0 {
					t.Errorf("%v %v %v: %v allocations per step", prec, form, scheme, a)
				}
			}
		}
	}
}

func benchNS(b *testing.B, n, batch int, prec Precision) {
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
			s := NavierStokes{Params: p, Advection: form, Precision: prec}
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
func BenchmarkNavierStokes64(b *testing.B) { benchNS(b, 64, 20, Float64) }

// BenchmarkNavierStokes256 is BenchmarkNavierStokes64 at 256², batch 4.
func BenchmarkNavierStokes256(b *testing.B) { benchNS(b, 256, 4, Float64) }

// BenchmarkNavierStokes64F32 is BenchmarkNavierStokes64 in float32.
func BenchmarkNavierStokes64F32(b *testing.B) { benchNS(b, 64, 20, Float32) }

// BenchmarkNavierStokes256F32 is BenchmarkNavierStokes256 in float32.
func BenchmarkNavierStokes256F32(b *testing.B) { benchNS(b, 256, 4, Float32) }

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

func fftForward(w *nsWork[float64], x []float64) { rfft2(w.wh, x, w.n, 1) }
func fftInverse(w *nsWork[float64], x []float64) { irfft2(x, w.wh, w.n, 1) }

// The packed (complex) inverse transforms of the advective form on small
// grids compute the same operator as the four real ones.
func TestNavierStokesPackedMatchesUnpacked(t *testing.T) {
	p := nsParams(64, 64, 1, 1)
	w0, _ := p.Init.Sample(pde.NewRand(8, 0), 64)
	a, b := newNSWork[float64](p, AdvectiveForm), newNSWork[float64](p, AdvectiveForm)
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
	b.Run("float64", func(b *testing.B) { benchNSStep[float64](b, 64) })
	b.Run("float32", func(b *testing.B) { benchNSStep[float32](b, 64) })
}

func BenchmarkNSStep128(b *testing.B) {
	b.Run("float64", func(b *testing.B) { benchNSStep[float64](b, 128) })
	b.Run("float32", func(b *testing.B) { benchNSStep[float32](b, 128) })
}

// benchNSStep times one CN step on one goroutine, with the advective
// form's inverse transforms packed and not.
func benchNSStep[F nsFloat](b *testing.B, n int) {
	p := nsParams(n, n, 1, 1)
	w0, _ := p.Init.Sample(pde.NewRand(8, 0), n)
	for _, packed := range []bool{true, false} {
		b.Run(fmt.Sprintf("packed=%v", packed), func(b *testing.B) {
			w := newNSWork[F](p, AdvectiveForm)
			if packed && !w.packed {
				w.packed = true
				w.zfull, w.zout = make([]cplx[F], 2*n*n), make([]cplx[F], 2*n*n)
				w.kxf, w.kyf = make([]F, n), make([]F, n)
				for i := 0; i < n; i++ {
					if k := fftIndex(i, n); 2*k != -n {
						w.kxf[i] = F(2 * math.Pi * float64(k))
						w.kyf[i] = w.kxf[i]
					}
				}
			}
			w.packed = packed
			w.load(w0)
			for i := 0; i < b.N; i++ {
				w.stepCN(p.Viscosity, 1e-4)
			}
		})
	}
}
