package solvers

import (
	"context"
	"fmt"
	"math"
	"unsafe"

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

// Precision is the floating-point type in which NavierStokes steps.
type Precision int

const (
	// Float64 steps in float64 with complex128 spectra (the default).
	Float64 Precision = iota
	// Float32 steps in float32 with complex64 spectra and float32 FFTW
	// plans: the computation of the FNO script under PyTorch's default
	// dtype. The per-mode tables (wave numbers, 1/|k|², the Crank–Nicolson
	// and ETDRK4 factors, the forcing spectrum) are computed in float64 and
	// rounded once; w0 is rounded to float32 before its transform, and the
	// snapshots are float32 values returned as float64. One difference
	// from the script: the Crank–Nicolson update is evaluated as
	// ŵ + [(A−1)ŵ + dt(f̂ − D·N̂)/(1+½dtνλ)] with A = (1−½dtνλ)/(1+½dtνλ),
	// so that the rounding of A = 1 − O(dtν|k|²) to float32 does not
	// compound over the steps (the script's A·ŵ drifts by ≈ 0.3 ulp per
	// step: 1.4e-4 relative after 10,000 steps against 2.6e-6 here);
	// ETDRK4 likewise stores e^{hL} − 1 and e^{hL/2} − 1 (3.5e-7 instead
	// of 9.8e-6 at T = 1, 64²).
	Float32
)

// String returns "float64" or "float32".
func (p Precision) String() string {
	switch p {
	case Float64:
		return "float64"
	case Float32:
		return "float32"
	}
	return fmt.Sprintf("Precision(%d)", int(p))
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
	// Precision is the floating-point type of the time stepping. Default
	// Float64. Float32 (about twice as fast) agrees with it to a relative
	// L2 difference of 2–3e-6 on the FNO problem at dt = 1e-4, from 100
	// steps to T = 1 (tested), below the scheme's own time error there.
	Precision Precision
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
	if s.Precision != Float64 && s.Precision != Float32 {
		return fmt.Errorf("solvers.NavierStokes: unknown precision %v", s.Precision)
	}
	if s.TimeStep < 0 || math.IsNaN(s.TimeStep) || math.IsInf(s.TimeStep, 0) {
		return fmt.Errorf("solvers.NavierStokes: time step must be positive, got %v", s.TimeStep)
	}
	return nil
}

// nsFloat is the element type of the Navier–Stokes stepping.
type nsFloat interface{ float32 | float64 }

// cplx is a complex number stored as its real and imaginary parts: the
// memory layout of complex64 (F = float32) and complex128 (F = float64).
// One generic code path serves both precisions with it (Go's complex,
// real and imag builtins do not take type parameters) and hands its
// spectra to internal/fft without copies.
type cplx[F nsFloat] struct{ re, im F }

// isF32 reports whether F is float32.
func isF32[F nsFloat]() bool {
	var z F
	return unsafe.Sizeof(z) == 4
}

// castSlice reinterprets the bytes of s as a []T (the caller guarantees
// that the element types have compatible layouts).
func castSlice[T, S any](s []S) []T {
	var t T
	var e S
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(e))/int(unsafe.Sizeof(t)))
}

// rfft2 sets dst to the half spectra of the how n×n fields of src
// (fft.RFFT32 or fft.RFFT64).
func rfft2[F nsFloat](dst []cplx[F], src []F, n, how int) {
	if isF32[F]() {
		fft.RFFT32(castSlice[complex64](dst), castSlice[float32](src), []int{n, n}, how)
		return
	}
	fft.RFFT64(castSlice[complex128](dst), castSlice[float64](src), []int{n, n}, how)
}

// irfft2 is the inverse of rfft2 (fft.IRFFT32 or fft.IRFFT64).
func irfft2[F nsFloat](dst []F, src []cplx[F], n, how int) {
	if isF32[F]() {
		fft.IRFFT32(castSlice[float32](dst), castSlice[complex64](src), []int{n, n}, how)
		return
	}
	fft.IRFFT64(castSlice[float64](dst), castSlice[complex128](src), []int{n, n}, how)
}

// fft2 is the complex transform of how n×n fields (fft.FFT32 or
// fft.FFT64).
func fft2[F nsFloat](dst, src []cplx[F], n, how int, inverse bool) {
	if isF32[F]() {
		fft.FFT32(castSlice[complex64](dst), castSlice[complex64](src), []int{n, n}, how, inverse)
		return
	}
	fft.FFT64(castSlice[complex128](dst), castSlice[complex128](src), []int{n, n}, how, inverse)
}

// toF returns x converted to F (rounded to nearest for float32).
func toF[F nsFloat](x []float64) []F {
	y := make([]F, len(x))
	for i, v := range x {
		y[i] = F(v)
	}
	return y
}

// nsStepper is the precision-independent face of an nsWork.
type nsStepper interface {
	// load sets the state to the Grid×Grid vorticity w0.
	load(w0 []float64)
	// step advances the state by dt with the given scheme.
	step(scheme NSScheme, nu, dt float64)
	// snapshot writes the vorticity on the S×S storage grid into dst.
	snapshot(dst []float64, S int, mode Downsampling)
}

// newStepper returns the work state of one worker for s.
func (s NavierStokes) newStepper() nsStepper {
	if s.Precision == Float32 {
		return newNSWork[float32](s.Params, s.Advection)
	}
	return newNSWork[float64](s.Params, s.Advection)
}

// nsWork is the reusable state of one worker, stepping in precision F. A
// time step allocates nothing. Per-mode tables are computed in float64 and
// rounded to F once.
type nsWork[F nsFloat] struct {
	n, h      int // grid, half-spectrum size n·(n/2+1)
	basdevant bool
	kx, ky    []F       // 2πk per half-spectrum entry (0 at Nyquist)
	invLap    []F       // 1/(4π²|k|²), 0 for k = 0
	lap       []float64 // 4π²|k|²
	mask      []F       // 2/3 dealiasing (FNO: |k_x|,|k_y| ≤ ⅔·n/2)
	fh64      []complex128
	fh        []cplx[F]
	wh        []cplx[F]
	spec      []cplx[F] // 4 half spectra: ψ_y, −ψ_x, w_x, w_y
	// packed: on small grids the four inverse transforms are done as two
	// complex ones, Z1 = u + iv and Z2 = w_x + iw_y (full spectra in zfull),
	// which FFTW's estimate-mode plans execute faster there.
	packed      bool
	zfull, zout []cplx[F]
	kxf, kyf    []F // 2πk over the full n×n spectrum (0 at Nyquist)
	fields      []F // their 4 real fields
	prod        []F
	nh          []cplx[F]
	// Crank–Nicolson/Euler per-mode factors for the current dt.
	cnDt     float64
	cnA, cnB []F
	cnF      []cplx[F]
	// ETDRK4 buffers and coefficients for the step etdH.
	a, b, c, na, nb, nc, nv []cplx[F]
	etdH                    float64
	e, e2, q, f1, f2, f3    []F // f2 holds 2·f2
	// Output.
	coarse    []cplx[F]
	out, outS []F // n×n and S×S real fields
}

func newNSWork[F nsFloat](p pde.NavierStokes, form NSAdvection) *nsWork[F] {
	n := p.Grid
	hc := n/2 + 1
	h := n * hc
	w := &nsWork[F]{n: n, h: h, basdevant: form == BasdevantForm,
		kx: make([]F, h), ky: make([]F, h), invLap: make([]F, h),
		lap: make([]float64, h), mask: make([]F, h),
		fh64: make([]complex128, h), wh: make([]cplx[F], h),
		spec: make([]cplx[F], 4*h), fields: make([]F, 4*n*n),
		prod: make([]F, n*n), nh: make([]cplx[F], h),
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
				w.invLap[q] = F(1 / l)
			}
			if 2*kxi != -n {
				w.kx[q] = F(2 * math.Pi * float64(kxi))
			}
			if 2*kyj != n {
				w.ky[q] = F(2 * math.Pi * float64(kyj))
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
	fft.RFFT64(w.fh64, f, []int{n, n}, 1)
	w.fh = make([]cplx[F], h)
	for q, c := range w.fh64 {
		w.fh[q] = cplx[F]{F(real(c)), F(imag(c))}
	}
	if form == AdvectiveForm && n <= packedMaxGrid {
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

// load sets ŵ to the spectrum of w0 rounded to F.
func (w *nsWork[F]) load(w0 []float64) {
	x := w.prod[:len(w0)]
	for i, v := range w0 {
		x[i] = F(v)
	}
	rfft2(w.wh, x, w.n, 1)
}

func (w *nsWork[F]) step(scheme NSScheme, nu, dt float64) {
	if scheme == ETDRK4 {
		w.stepETD(nu, dt)
	} else {
		w.stepCN(nu, dt)
	}
}

// advection sets out = FFT(u·∇w) for the half spectrum wh, where
// u = (ψ_y, −ψ_x), ψ̂ = ŵ/(4π²|k|²), without the dealiasing mask (the
// callers apply it).
func (w *nsWork[F]) advection(out, wh []cplx[F]) {
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
		re, im := c.re, c.im
		pr, pi := re*il[q], im*il[q]
		kx, ky := kxs[q], kys[q]
		// i·k·z = (−k·Im z, k·Re z)
		sq[q] = cplx[F]{-ky * pi, ky * pr}
		sv[q] = cplx[F]{kx * pi, -kx * pr}
		sx[q] = cplx[F]{-kx * im, kx * re}
		sy[q] = cplx[F]{-ky * im, ky * re}
	}
	irfft2(w.fields, w.spec, n, 4)
	N := n * n
	u, v, wx, wy := w.fields[:N], w.fields[N:2*N], w.fields[2*N:3*N], w.fields[3*N:4*N]
	prod := w.prod[:N]
	u, v, wx, wy = u[:len(prod)], v[:len(prod)], wx[:len(prod)], wy[:len(prod)]
	for i := range prod {
		prod[i] = u[i]*wx[i] + v[i]*wy[i]
	}
	rfft2(out, prod, n, 1)
}

// advectionPacked is advection with the inverse transforms packed in
// pairs: Ẑ1 = û + iv̂ = (k_x + ik_y)ψ̂ and Ẑ2 = ŵ_x + iŵ_y = (ik_x − k_y)ŵ
// over the full spectrum (ψ̂_{−k} = conj ψ̂_k), one complex inverse FFT of
// both, and u w_x + v w_y = Re Z1·Re Z2 + Im Z1·Im Z2.
func (w *nsWork[F]) advectionPacked(out, wh []cplx[F]) {
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
			var c cplx[F]
			var q int
			if j < hc {
				q = i*hc + j
				c = wh[q]
			} else {
				q = ni*hc + n - j
				c = wh[q]
				c.im = -c.im
			}
			ky := w.kyf[j]
			if 2*j == n {
				ky = 0
			}
			re, im := c.re, c.im
			pr, pi := re*il[q], im*il[q]
			// (kx + i ky)(pr + i pi), (i kx − ky)(re + i im)
			z1[row+j] = cplx[F]{kx*pr - ky*pi, kx*pi + ky*pr}
			z2[row+j] = cplx[F]{-kx*im - ky*re, kx*re - ky*im}
		}
	}
	fft2(w.zout, w.zfull, n, 2, true)
	prod := w.prod[:N]
	a, b := w.zout[:len(prod)], w.zout[N:N+len(prod)]
	for i := range prod {
		x, y := a[i], b[i]
		prod[i] = x.re*y.re + x.im*y.im
	}
	rfft2(out, prod, n, 1)
}

// advectionBasdevant is advection in the form
// FFT(u·∇w) = −k_x k_y FFT(v² − u²) − (k_x² − k_y²) FFT(uv).
func (w *nsWork[F]) advectionBasdevant(out, wh []cplx[F]) {
	h, n := w.h, w.n
	su, sv := w.spec[:h], w.spec[h:2*h]
	kxs, kys, il := w.kx[:h], w.ky[:h], w.invLap[:h]
	for q, c := range wh[:h] {
		pr, pi := c.re*il[q], c.im*il[q]
		kx, ky := kxs[q], kys[q]
		su[q] = cplx[F]{-ky * pi, ky * pr}
		sv[q] = cplx[F]{kx * pi, -kx * pr}
	}
	N := n * n
	irfft2(w.fields[:2*N], w.spec[:2*h], n, 2)
	u, v := w.fields[:N], w.fields[N:2*N]
	a, b := w.fields[2*N:3*N], w.fields[3*N:4*N]
	for i := range a {
		ui, vi := u[i], v[i]
		a[i] = vi*vi - ui*ui
		b[i] = ui * vi
	}
	rfft2(w.spec[2*h:4*h], w.fields[2*N:4*N], n, 2)
	fa, fb := w.spec[2*h:3*h], w.spec[3*h:4*h]
	for q := range out[:h] {
		kx, ky := kxs[q], kys[q]
		s, d := -kx*ky, kx*kx-ky*ky
		out[q] = cplx[F]{s*fa[q].re - d*fb[q].re, s*fa[q].im - d*fb[q].im}
	}
}

// stepCN advances wh by one step of the FNO scheme:
// ŵ ← [(1 − ½dtνλ)ŵ + dt(f̂ − D·FFT(u·∇w))]/(1 + ½dtνλ), evaluated as
// Aŵ + F − B·N̂ in float64 (the script's order) and as ŵ + [(A−1)ŵ + F −
// B·N̂] in float32 (see Float32 and increment).
func (w *nsWork[F]) stepCN(nu, dt float64) {
	if w.cnDt != dt || w.cnA == nil {
		w.cnA, w.cnB, w.cnF = make([]F, w.h), make([]F, w.h), make([]cplx[F], w.h)
		for q, l := range w.lap {
			den := 1 + 0.5*dt*nu*l
			s := dt / den
			if isF32[F]() {
				w.cnA[q] = F(-dt * nu * l / den) // A − 1
			} else {
				w.cnA[q] = F((1 - 0.5*dt*nu*l) / den)
			}
			w.cnB[q] = F(s * float64(w.mask[q]))
			w.cnF[q] = cplx[F]{F(real(w.fh64[q]) * s), F(imag(w.fh64[q]) * s)}
		}
		w.cnDt = dt
	}
	w.advection(w.nh, w.wh)
	h := w.h
	A, B, Fc, nh, wh := w.cnA[:h], w.cnB[:h], w.cnF[:h], w.nh[:h], w.wh[:h]
	inc := isF32[F]()
	for q, c := range wh {
		a, b, f, d := A[q], B[q], Fc[q], nh[q]
		wh[q] = increment(inc, c, cplx[F]{a*c.re + f.re - b*d.re, a*c.im + f.im - b*d.im})
	}
}

// increment returns base + d when inc (float32, whose factors A, e^{hL} and
// e^{hL/2} are stored minus one) and d otherwise (float64, which stores
// the factors themselves and keeps the script's order of operations).
func increment[F nsFloat](inc bool, base, d cplx[F]) cplx[F] {
	if inc {
		return cplx[F]{base.re + d.re, base.im + d.im}
	}
	return d
}

// rhs sets out = f̂ − D·FFT(u·∇w), the non-viscous part of the equation.
func (w *nsWork[F]) rhs(out, wh []cplx[F]) {
	w.advection(out, wh)
	for q, m := range w.mask {
		out[q] = cplx[F]{w.fh[q].re - m*out[q].re, w.fh[q].im - m*out[q].im}
	}
}

func (w *nsWork[F]) stepETD(nu, dt float64) {
	if w.e == nil || w.etdH != dt {
		L := make([]float64, w.h)
		for q, l := range w.lap {
			L[q] = -nu * l
		}
		// Modes with equal |k| share coefficients: evaluate once per shell.
		c := shellETD(L, dt)
		if isF32[F]() { // e − 1 and e2 − 1, see increment
			for k := range c.e {
				c.e[k], c.e2[k] = math.Expm1(dt*L[k]), math.Expm1(dt*L[k]/2)
			}
		}
		w.e, w.e2, w.q = toF[F](c.e), toF[F](c.e2), toF[F](c.q)
		w.f1, w.f3 = toF[F](c.f1), toF[F](c.f3)
		w.f2 = make([]F, w.h) // 2·f2, the only use of f2
		for k, f := range c.f2 {
			w.f2[k] = F(2 * f)
		}
		w.etdH = dt
		if w.a == nil {
			for _, p := range []*[]cplx[F]{&w.a, &w.b, &w.c, &w.na, &w.nb, &w.nc, &w.nv} {
				*p = make([]cplx[F], w.h)
			}
		}
	}
	v, a, b, cc := w.wh, w.a, w.b, w.c
	nv, na, nb, nc := w.nv, w.na, w.nb, w.nc
	e, e2, q, f1, f22, f3 := w.e, w.e2, w.q, w.f1, w.f2, w.f3
	inc := isF32[F]()
	w.rhs(nv, v)
	for k := range v {
		a[k] = increment(inc, v[k], cplx[F]{e2[k]*v[k].re + q[k]*nv[k].re, e2[k]*v[k].im + q[k]*nv[k].im})
	}
	w.rhs(na, a)
	for k := range v {
		b[k] = increment(inc, v[k], cplx[F]{e2[k]*v[k].re + q[k]*na[k].re, e2[k]*v[k].im + q[k]*na[k].im})
	}
	w.rhs(nb, b)
	for k := range v {
		cc[k] = increment(inc, a[k], cplx[F]{e2[k]*a[k].re + q[k]*(2*nb[k].re-nv[k].re), e2[k]*a[k].im + q[k]*(2*nb[k].im-nv[k].im)})
	}
	w.rhs(nc, cc)
	for k := range v {
		v[k] = increment(inc, v[k], cplx[F]{
			e[k]*v[k].re + f1[k]*nv[k].re + f22[k]*(na[k].re+nb[k].re) + f3[k]*nc[k].re,
			e[k]*v[k].im + f1[k]*nv[k].im + f22[k]*(na[k].im+nb[k].im) + f3[k]*nc[k].im,
		})
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
func (w *nsWork[F]) snapshot(dst []float64, S int, mode Downsampling) {
	n := w.n
	if mode == Striding || S == n {
		if w.out == nil {
			w.out = make([]F, n*n)
		}
		irfft2(w.out, w.wh, n, 1)
		r := n / S
		for i := 0; i < S; i++ {
			for j := 0; j < S; j++ {
				dst[i*S+j] = float64(w.out[i*r*n+j*r])
			}
		}
		return
	}
	hs, hc := S/2+1, n/2+1
	if w.coarse == nil {
		w.coarse = make([]cplx[F], S*hs)
		w.outS = make([]F, S*S)
	}
	scale := F(float64(S*S) / float64(n*n))
	for r := 0; r < S; r++ {
		kx := fftIndex(r, S)
		for c := 0; c < hs; c++ {
			q := r*hs + c
			if 2*abs(kx) == S || 2*c == S {
				w.coarse[q] = cplx[F]{}
				continue
			}
			fr := kx
			if fr < 0 {
				fr += n
			}
			z := w.wh[fr*hc+c]
			w.coarse[q] = cplx[F]{z.re * scale, z.im * scale}
		}
	}
	irfft2(w.outS, w.coarse, S, 1)
	for i, v := range w.outS {
		dst[i] = float64(v)
	}
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
	return s.solve(ctx, s.newStepper(), w0, 0)
}

func (s NavierStokes) solve(ctx context.Context, w nsStepper, w0 []float64, sample int) (NavierStokesSolution, error) {
	p := s.Params
	S := p.StoreGrid
	for i, v := range w0 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return NavierStokesSolution{}, fmt.Errorf("solvers.NavierStokes: w0[%d] = %v", i, v)
		}
	}
	w.load(w0)
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
			w.step(s.Scheme, p.Viscosity, dt)
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
		s.newStepper,
		func(ctx context.Context, w nsStepper, i int) error {
			sol, err := s.solve(ctx, w, w0s[i], i)
			if err != nil {
				return fmt.Errorf("sample %d: %w", i, err)
			}
			out[i] = sol
			return nil
		}, progress)
	return out, err
}
