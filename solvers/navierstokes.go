package solvers

import (
	"context"
	"fmt"
	"math"

	"github.com/sciml-go/sciml/internal/fft"
	"github.com/sciml-go/sciml/pde"
)

// NSScheme selects the time integrator of NavierStokes.
type NSScheme int

const (
	// CrankNicolsonEuler is the FNO script's scheme: explicit (forward
	// Euler) advection and forcing, Crank–Nicolson viscosity. First order in
	// time. Default time step 1e-4.
	CrankNicolsonEuler NSScheme = iota
	// ETDRK4 is fourth-order exponential time differencing (Cox–Matthews,
	// Kassam–Trefethen coefficients) of the same semi-discrete system, with
	// the viscous term integrated exactly. Default time step 2e-3.
	ETDRK4
)

// String returns "cn-euler" or "etdrk4".
func (s NSScheme) String() string {
	switch s {
	case CrankNicolsonEuler:
		return "cn-euler"
	case ETDRK4:
		return "etdrk4"
	}
	return fmt.Sprintf("NSScheme(%d)", int(s))
}

// NSAdvection selects how the pseudo-spectral advection term is formed.
// Both are the same continuous operator and use the same 2/3 dealiasing of
// the product; they differ only by aliasing errors of the undealiased
// inputs.
type NSAdvection int

const (
	// AdvectiveForm is the FNO script's u·∇w = ψ_y w_x − ψ_x w_y: four
	// inverse FFTs (ψ_y, −ψ_x, w_x, w_y) and one forward FFT per evaluation.
	AdvectiveForm NSAdvection = iota
	// BasdevantForm uses the identity u·∇w = ∂x∂y(v² − u²) + (∂x² − ∂y²)(uv)
	// for divergence-free u = (u, v) (Basdevant 1983): two inverse FFTs (u,
	// v) and two forward FFTs (v² − u², uv), 4 instead of 5.
	BasdevantForm
)

// String returns "advective" or "basdevant".
func (a NSAdvection) String() string {
	switch a {
	case AdvectiveForm:
		return "advective"
	case BasdevantForm:
		return "basdevant"
	}
	return fmt.Sprintf("NSAdvection(%d)", int(a))
}

// Downsampling selects how snapshots move from the solve grid to the
// storage grid.
type Downsampling int

const (
	// SpectralTruncation keeps the Fourier modes |k_x|, |k_y| < S/2 of the
	// solution (S the storage grid) and evaluates them on the S×S grid: the
	// band-limited projection, free of aliasing.
	SpectralTruncation Downsampling = iota
	// Striding keeps every (Grid/S)-th point, w[i·r, j·r] (the point values;
	// modes above S/2 alias).
	Striding
)

// String returns "spectral" or "stride".
func (d Downsampling) String() string {
	switch d {
	case SpectralTruncation:
		return "spectral"
	case Striding:
		return "stride"
	}
	return fmt.Sprintf("Downsampling(%d)", int(d))
}

// NavierStokes solves the 2-D vorticity equation of Params on the unit
// torus by the Fourier pseudo-spectral method (see the package
// documentation).
type NavierStokes struct {
	// Params is the problem: viscosity, forcing, final time, recording
	// interval, solve and storage grids.
	Params pde.NavierStokes
	// Scheme is the time integrator. Default CrankNicolsonEuler.
	Scheme NSScheme
	// TimeStep is the largest time step; each recording interval is split
	// into equal steps no longer than it. Default (0) 1e-4 for
	// CrankNicolsonEuler, 2e-3 for ETDRK4.
	TimeStep float64
	// Advection is the form of the nonlinear term. Default AdvectiveForm
	// (the FNO script).
	Advection NSAdvection
	// Downsample moves snapshots to the storage grid. Default
	// SpectralTruncation.
	Downsample Downsampling
	// Workers is the number of samples solved in parallel by SolveBatch.
	// Default (0) GOMAXPROCS.
	Workers int
	// OnSnapshot, when not nil, is called after each recorded snapshot with
	// the sample index (0 for Solve) and the snapshot number (1-based). It
	// may be called concurrently for different samples.
	OnSnapshot func(sample, snapshot int)
}

// NavierStokesSolution holds the recorded snapshots of one sample.
type NavierStokesSolution struct {
	// Times are the snapshot times RecordInterval, 2·RecordInterval, …,
	// FinalTime.
	Times []float64
	// W[s] is the vorticity at Times[s] on the StoreGrid×StoreGrid grid
	// (row-major, W[s][i*S+j] = w(i/S, j/S)).
	W [][]float64
}

func (s NavierStokes) dt() float64 {
	if s.TimeStep > 0 {
		return s.TimeStep
	}
	if s.Scheme == ETDRK4 {
		return 2e-3
	}
	return 1e-4
}

func (s NavierStokes) check() error {
	p := s.Params
	if err := p.Validate(); err != nil {
		return fmt.Errorf("solvers.NavierStokes: %w", err)
	}
	if s.Scheme != CrankNicolsonEuler && s.Scheme != ETDRK4 {
		return fmt.Errorf("solvers.NavierStokes: unknown scheme %v", s.Scheme)
	}
	if s.Advection != AdvectiveForm && s.Advection != BasdevantForm {
		return fmt.Errorf("solvers.NavierStokes: unknown advection form %v", s.Advection)
	}
	if s.Downsample != SpectralTruncation && s.Downsample != Striding {
		return fmt.Errorf("solvers.NavierStokes: unknown downsampling %v", s.Downsample)
	}
	if s.TimeStep < 0 || math.IsNaN(s.TimeStep) || math.IsInf(s.TimeStep, 0) {
		return fmt.Errorf("solvers.NavierStokes: time step must be positive, got %v", s.TimeStep)
	}
	return nil
}

// nsWork is the reusable state of one worker. A time step allocates nothing.
type nsWork struct {
	n, h      int // grid, half-spectrum size n·(n/2+1)
	basdevant bool
	kx, ky    []float64 // 2πk per half-spectrum entry (0 at Nyquist)
	invLap    []float64 // 1/(4π²|k|²), 0 for k = 0
	lap       []float64 // 4π²|k|²
	mask      []float64 // 2/3 dealiasing (FNO: |k_x|,|k_y| ≤ ⅔·n/2)
	fh        []complex128
	wh        []complex128
	spec      []complex128 // 4 half spectra: ψ_y, −ψ_x, w_x, w_y
	// packed: on small grids the four inverse transforms are done as two
	// complex ones, Z1 = u + iv and Z2 = w_x + iw_y (full spectra in zfull),
	// which FFTW's estimate-mode plans execute faster there.
	packed      bool
	zfull, zout []complex128
	kxf, kyf    []float64 // 2πk over the full n×n spectrum (0 at Nyquist)
	fields      []float64 // their 4 real fields
	prod        []float64
	nh          []complex128
	// Crank–Nicolson/Euler per-mode factors for the current dt.
	cnDt     float64
	cnA, cnB []float64
	cnF      []complex128
	// ETDRK4 buffers and coefficients.
	a, b, c, na, nb, nc, nv []complex128
	etd                     *etdCoefficients
	// Output.
	coarse []complex128
	out    []float64
}

func newNSWork(p pde.NavierStokes, form NSAdvection) *nsWork {
	n := p.Grid
	hc := n/2 + 1
	h := n * hc
	w := &nsWork{n: n, h: h, basdevant: form == BasdevantForm,
		kx: make([]float64, h), ky: make([]float64, h), invLap: make([]float64, h),
		lap: make([]float64, h), mask: make([]float64, h),
		fh: make([]complex128, h), wh: make([]complex128, h),
		spec: make([]complex128, 4*h), fields: make([]float64, 4*n*n),
		prod: make([]float64, n*n), nh: make([]complex128, h),
	}
	kmax := n / 2
	for i := 0; i < n; i++ {
		kxi := fftIndex(i, n)
		for j := 0; j < hc; j++ {
			q := i*hc + j
			kyj := j // the FNO script labels column n/2 as −n/2; only |k| matters
			l := 4 * math.Pi * math.Pi * float64(kxi*kxi+kyj*kyj)
			w.lap[q] = l
			if l > 0 {
				w.invLap[q] = 1 / l
			}
			if 2*kxi != -n {
				w.kx[q] = 2 * math.Pi * float64(kxi)
			}
			if 2*kyj != n {
				w.ky[q] = 2 * math.Pi * float64(kyj)
			}
			if 3*abs(kxi) <= 2*kmax && 3*kyj <= 2*kmax {
				w.mask[q] = 1
			}
		}
	}
	f := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			f[i*n+j] = p.Forcing(float64(i)/float64(n), float64(j)/float64(n))
		}
	}
	fft.RFFT64(w.fh, f, []int{n, n}, 1)
	if form == AdvectiveForm && n <= packedMaxGrid {
		w.packed = true
		w.zfull, w.zout = make([]complex128, 2*n*n), make([]complex128, 2*n*n)
		w.kxf, w.kyf = make([]float64, n), make([]float64, n)
		for i := 0; i < n; i++ {
			if k := fftIndex(i, n); 2*k != -n {
				w.kxf[i] = 2 * math.Pi * float64(k)
				w.kyf[i] = w.kxf[i]
			}
		}
	}
	return w
}

// packedMaxGrid is the largest grid on which the advective form packs its
// inverse transforms into complex ones (a fixed rule, so results do not
// depend on timing).
const packedMaxGrid = 64

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// fftIndex returns the signed wave number of FFT index i on n points.
func fftIndex(i, n int) int {
	if 2*i < n {
		return i
	}
	return i - n
}

// advection sets out = FFT(u·∇w) for the half spectrum wh, where
// u = (ψ_y, −ψ_x), ψ̂ = ŵ/(4π²|k|²), without the dealiasing mask (the
// callers apply it).
func (w *nsWork) advection(out, wh []complex128) {
	if w.basdevant {
		w.advectionBasdevant(out, wh)
		return
	}
	if w.packed {
		w.advectionPacked(out, wh)
		return
	}
	h, n := w.h, w.n
	wh = wh[:h]
	sq, sv, sx, sy := w.spec[:h], w.spec[h:2*h], w.spec[2*h:3*h], w.spec[3*h:]
	sv, sx, sy = sv[:len(wh)], sx[:len(wh)], sy[:len(wh)] // bounds-check elimination
	kxs, kys, il := w.kx[:len(wh)], w.ky[:len(wh)], w.invLap[:len(wh)]
	for q, c := range wh {
		re, im := real(c), imag(c)
		pr, pi := re*il[q], im*il[q]
		kx, ky := kxs[q], kys[q]
		// i·k·z = complex(−k·imag z, k·real z)
		sq[q] = complex(-ky*pi, ky*pr)
		sv[q] = complex(kx*pi, -kx*pr)
		sx[q] = complex(-kx*im, kx*re)
		sy[q] = complex(-ky*im, ky*re)
	}
	fft.IRFFT64(w.fields, w.spec, []int{n, n}, 4)
	N := n * n
	u, v, wx, wy := w.fields[:N], w.fields[N:2*N], w.fields[2*N:3*N], w.fields[3*N:4*N]
	prod := w.prod[:N]
	u, v, wx, wy = u[:len(prod)], v[:len(prod)], wx[:len(prod)], wy[:len(prod)]
	for i := range prod {
		prod[i] = u[i]*wx[i] + v[i]*wy[i]
	}
	fft.RFFT64(out, prod, []int{n, n}, 1)
}

// advectionPacked is advection with the inverse transforms packed in
// pairs: Ẑ1 = û + iv̂ = (k_x + ik_y)ψ̂ and Ẑ2 = ŵ_x + iŵ_y = (ik_x − k_y)ŵ
// over the full spectrum (ψ̂_{−k} = conj ψ̂_k), one complex inverse FFT of
// both, and u w_x + v w_y = Re Z1·Re Z2 + Im Z1·Im Z2.
func (w *nsWork) advectionPacked(out, wh []complex128) {
	n := w.n
	hc := n/2 + 1
	N := n * n
	z1, z2 := w.zfull[:N], w.zfull[N:2*N]
	il := w.invLap
	for i := 0; i < n; i++ {
		kx := w.kxf[i]
		ni := 0
		if i > 0 {
			ni = n - i
		}
		row := i * n
		for j := 0; j < n; j++ {
			var c complex128
			var q int
			if j < hc {
				q = i*hc + j
				c = wh[q]
			} else {
				q = ni*hc + n - j
				c = wh[q]
				c = complex(real(c), -imag(c))
			}
			ky := w.kyf[j]
			if 2*j == n {
				ky = 0
			}
			re, im := real(c), imag(c)
			pr, pi := re*il[q], im*il[q]
			// (kx + i ky)(pr + i pi), (i kx − ky)(re + i im)
			z1[row+j] = complex(kx*pr-ky*pi, kx*pi+ky*pr)
			z2[row+j] = complex(-kx*im-ky*re, kx*re-ky*im)
		}
	}
	fft.FFT64(w.zout, w.zfull, []int{n, n}, 2, true)
	prod := w.prod[:N]
	a, b := w.zout[:len(prod)], w.zout[N:N+len(prod)]
	for i := range prod {
		x, y := a[i], b[i]
		prod[i] = real(x)*real(y) + imag(x)*imag(y)
	}
	fft.RFFT64(out, prod, []int{n, n}, 1)
}

// advectionBasdevant is advection in the form
// FFT(u·∇w) = −k_x k_y FFT(v² − u²) − (k_x² − k_y²) FFT(uv).
func (w *nsWork) advectionBasdevant(out, wh []complex128) {
	h, n := w.h, w.n
	su, sv := w.spec[:h], w.spec[h:2*h]
	kxs, kys, il := w.kx[:h], w.ky[:h], w.invLap[:h]
	for q, c := range wh[:h] {
		pr, pi := real(c)*il[q], imag(c)*il[q]
		kx, ky := kxs[q], kys[q]
		su[q] = complex(-ky*pi, ky*pr)
		sv[q] = complex(kx*pi, -kx*pr)
	}
	N := n * n
	fft.IRFFT64(w.fields[:2*N], w.spec[:2*h], []int{n, n}, 2)
	u, v := w.fields[:N], w.fields[N:2*N]
	a, b := w.fields[2*N:3*N], w.fields[3*N:4*N]
	for i := range a {
		ui, vi := u[i], v[i]
		a[i] = vi*vi - ui*ui
		b[i] = ui * vi
	}
	fft.RFFT64(w.spec[2*h:4*h], w.fields[2*N:4*N], []int{n, n}, 2)
	fa, fb := w.spec[2*h:3*h], w.spec[3*h:4*h]
	for q := range out[:h] {
		kx, ky := kxs[q], kys[q]
		out[q] = complex(-kx*ky, 0)*fa[q] - complex(kx*kx-ky*ky, 0)*fb[q]
	}
}

// stepCN advances wh by one step of the FNO scheme:
// ŵ ← [(1 − ½dtνλ)ŵ + dt(f̂ − D·FFT(u·∇w))]/(1 + ½dtνλ).
func (w *nsWork) stepCN(nu, dt float64) {
	if w.cnDt != dt || w.cnA == nil {
		w.cnA, w.cnB, w.cnF = make([]float64, w.h), make([]float64, w.h), make([]complex128, w.h)
		for q, l := range w.lap {
			den := 1 + 0.5*dt*nu*l
			w.cnA[q] = (1 - 0.5*dt*nu*l) / den
			w.cnB[q] = dt / den * w.mask[q]
			w.cnF[q] = w.fh[q] * complex(dt/den, 0)
		}
		w.cnDt = dt
	}
	w.advection(w.nh, w.wh)
	h := w.h
	A, B, F, nh, wh := w.cnA[:h], w.cnB[:h], w.cnF[:h], w.nh[:h], w.wh[:h]
	for q, c := range wh {
		wh[q] = complex(A[q], 0)*c + F[q] - complex(B[q], 0)*nh[q]
	}
}

// rhs sets out = f̂ − D·FFT(u·∇w), the non-viscous part of the equation.
func (w *nsWork) rhs(out, wh []complex128) {
	w.advection(out, wh)
	for q, m := range w.mask {
		out[q] = w.fh[q] - complex(m, 0)*out[q]
	}
}

func (w *nsWork) stepETD(nu, dt float64) {
	if w.etd == nil || w.etd.h != dt {
		L := make([]float64, w.h)
		for q, l := range w.lap {
			L[q] = -nu * l
		}
		// Modes with equal |k| share coefficients: evaluate once per shell.
		w.etd = shellETD(L, dt)
		if w.a == nil {
			for _, p := range []*[]complex128{&w.a, &w.b, &w.c, &w.na, &w.nb, &w.nc, &w.nv} {
				*p = make([]complex128, w.h)
			}
		}
	}
	c := w.etd
	v, a, b, cc := w.wh, w.a, w.b, w.c
	w.rhs(w.nv, v)
	for k := range v {
		a[k] = complex(c.e2[k], 0)*v[k] + complex(c.q[k], 0)*w.nv[k]
	}
	w.rhs(w.na, a)
	for k := range v {
		b[k] = complex(c.e2[k], 0)*v[k] + complex(c.q[k], 0)*w.na[k]
	}
	w.rhs(w.nb, b)
	for k := range v {
		cc[k] = complex(c.e2[k], 0)*a[k] + complex(c.q[k], 0)*(2*w.nb[k]-w.nv[k])
	}
	w.rhs(w.nc, cc)
	for k := range v {
		v[k] = complex(c.e[k], 0)*v[k] + complex(c.f1[k], 0)*w.nv[k] +
			complex(2*c.f2[k], 0)*(w.na[k]+w.nb[k]) + complex(c.f3[k], 0)*w.nc[k]
	}
}

// shellETD computes ETDRK4 coefficients for L, evaluating the contour
// integrals once per distinct value of L.
func shellETD(L []float64, h float64) *etdCoefficients {
	idx := map[float64]int{}
	var uniq []float64
	for _, l := range L {
		if _, ok := idx[l]; !ok {
			idx[l] = len(uniq)
			uniq = append(uniq, l)
		}
	}
	u := newETDCoefficients(uniq, h, 0)
	n := len(L)
	c := &etdCoefficients{h: h,
		e: make([]float64, n), e2: make([]float64, n), q: make([]float64, n),
		f1: make([]float64, n), f2: make([]float64, n), f3: make([]float64, n)}
	for k, l := range L {
		i := idx[l]
		c.e[k], c.e2[k], c.q[k] = u.e[i], u.e2[i], u.q[i]
		c.f1[k], c.f2[k], c.f3[k] = u.f1[i], u.f2[i], u.f3[i]
	}
	return c
}

// snapshot writes the current vorticity on the storage grid into dst.
func (w *nsWork) snapshot(dst []float64, S int, mode Downsampling) {
	n := w.n
	if mode == Striding || S == n {
		if w.out == nil {
			w.out = make([]float64, n*n)
		}
		fft.IRFFT64(w.out, w.wh, []int{n, n}, 1)
		r := n / S
		for i := 0; i < S; i++ {
			for j := 0; j < S; j++ {
				dst[i*S+j] = w.out[i*r*n+j*r]
			}
		}
		return
	}
	hs, hc := S/2+1, n/2+1
	if w.coarse == nil {
		w.coarse = make([]complex128, S*hs)
	}
	scale := complex(float64(S*S)/float64(n*n), 0)
	for r := 0; r < S; r++ {
		kx := fftIndex(r, S)
		for c := 0; c < hs; c++ {
			q := r*hs + c
			if 2*abs(kx) == S || 2*c == S {
				w.coarse[q] = 0
				continue
			}
			fr := kx
			if fr < 0 {
				fr += n
			}
			w.coarse[q] = w.wh[fr*hc+c] * scale
		}
	}
	fft.IRFFT64(dst, w.coarse, []int{S, S}, 1)
}

// Solve integrates from the initial vorticity w0 (Grid×Grid values,
// w0[i*Grid+j] = w0(i/Grid, j/Grid)) and returns the recorded snapshots.
func (s NavierStokes) Solve(ctx context.Context, w0 []float64) (NavierStokesSolution, error) {
	if err := s.check(); err != nil {
		return NavierStokesSolution{}, err
	}
	n := s.Params.Grid
	if len(w0) != n*n {
		return NavierStokesSolution{}, fmt.Errorf("solvers.NavierStokes: w0 has %d values, want %d×%d", len(w0), n, n)
	}
	return s.solve(ctx, newNSWork(s.Params, s.Advection), w0, 0)
}

func (s NavierStokes) solve(ctx context.Context, w *nsWork, w0 []float64, sample int) (NavierStokesSolution, error) {
	p := s.Params
	n, S := p.Grid, p.StoreGrid
	for i, v := range w0 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return NavierStokesSolution{}, fmt.Errorf("solvers.NavierStokes: w0[%d] = %v", i, v)
		}
	}
	fft.RFFT64(w.wh, w0, []int{n, n}, 1)
	records := p.Snapshots()
	steps := max(1, int(math.Ceil(p.RecordInterval/s.dt()-1e-9)))
	dt := p.RecordInterval / float64(steps)
	sol := NavierStokesSolution{Times: make([]float64, records), W: make([][]float64, records)}
	for r := 0; r < records; r++ {
		for j := 0; j < steps; j++ {
			if j%256 == 0 {
				if err := ctx.Err(); err != nil {
					return sol, err
				}
			}
			if s.Scheme == ETDRK4 {
				w.stepETD(p.Viscosity, dt)
			} else {
				w.stepCN(p.Viscosity, dt)
			}
		}
		out := make([]float64, S*S)
		w.snapshot(out, S, s.Downsample)
		for _, v := range out {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return sol, fmt.Errorf("solvers.NavierStokes: sample %d blew up before t = %v (reduce the time step)", sample, float64(r+1)*p.RecordInterval)
			}
		}
		sol.Times[r] = float64(r+1) * p.RecordInterval
		sol.W[r] = out
		if s.OnSnapshot != nil {
			s.OnSnapshot(sample, r+1)
		}
	}
	return sol, nil
}

// SolveBatch solves every initial vorticity of w0s in parallel over samples
// (one sample per worker). Results are in input order and bitwise
// independent of the number of workers.
func (s NavierStokes) SolveBatch(ctx context.Context, w0s [][]float64, progress Progress) ([]NavierStokesSolution, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	n := s.Params.Grid
	for i, w0 := range w0s {
		if len(w0) != n*n {
			return nil, fmt.Errorf("solvers.NavierStokes: sample %d: w0 has %d values, want %d×%d", i, len(w0), n, n)
		}
	}
	out := make([]NavierStokesSolution, len(w0s))
	err := runBatch(ctx, len(w0s), s.Workers,
		func() *nsWork { return newNSWork(s.Params, s.Advection) },
		func(ctx context.Context, w *nsWork, i int) error {
			sol, err := s.solve(ctx, w, w0s[i], i)
			if err != nil {
				return fmt.Errorf("sample %d: %w", i, err)
			}
			out[i] = sol
			return nil
		}, progress)
	return out, err
}
