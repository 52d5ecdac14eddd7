package data

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"

	"github.com/sciml-go/sciml/pde"
	"github.com/sciml-go/sciml/solvers"
)

// The PDE names of a GenerateSpec and of a file's "pde" attribute.
const (
	Burgers      = "burgers"
	Darcy        = "darcy"
	NavierStokes = "navier-stokes"
)

// PDEs lists the PDE names Generate knows, in the order of the CLI.
var PDEs = []string{Burgers, Darcy, NavierStokes}

// Element types of stored datasets (GenerateSpec.DType).
const (
	Float32 = "float32"
	Float64 = "float64"
)

// GenerateSpec is everything that determines the contents of a generated
// dataset: the problem, its parameters, the number of samples, the stored
// resolution, the seed and the storage format. Two specs with equal
// CacheKey give bitwise-equal input and output datasets.
//
// Start from DefaultSpec, which fills in the FNO paper's values; exactly
// one of Burgers, Darcy and NavierStokes is set, the one named by PDE. The
// zero value is not valid.
type GenerateSpec struct {
	// PDE is Burgers, Darcy or NavierStokes ("burgers", "darcy",
	// "navier-stokes").
	PDE string `json:"pde" yaml:"pde"`
	// N is the number of samples of the whole dataset (all shards).
	N int `json:"n" yaml:"n"`
	// Resolution is the stored number of grid points per spatial axis.
	Resolution int `json:"resolution" yaml:"resolution"`
	// Seed seeds the samples: sample i draws from pde.NewRand(Seed, i).
	// It must be non-negative.
	Seed int64 `json:"seed" yaml:"seed"`
	// DType is the stored element type, Float32 (default) or Float64.
	DType string `json:"dtype" yaml:"dtype"`
	// Deflate is the gzip level of the input and output datasets, 1–9, or
	// 0 for no compression. Default 4.
	Deflate int `json:"deflate" yaml:"deflate"`
	// Shuffle adds the byte-shuffle filter before deflate (with Deflate 0
	// there is no filter at all). Default true.
	Shuffle bool `json:"shuffle" yaml:"shuffle"`

	// Burgers holds the parameters when PDE is "burgers".
	Burgers *BurgersParams `json:"burgers,omitempty" yaml:"burgers,omitempty"`
	// Darcy holds the parameters when PDE is "darcy".
	Darcy *DarcyParams `json:"darcy,omitempty" yaml:"darcy,omitempty"`
	// NavierStokes holds the parameters when PDE is "navier-stokes".
	NavierStokes *NavierStokesParams `json:"navier_stokes,omitempty" yaml:"navier_stokes,omitempty"`
}

// BurgersParams are the parameters of Burgers data: the equation
// u_t + (u²/2)_x = ν u_xx on the periodic [0, L), u0 ~ N(m, σ²(−Δ+τ²I)^−γ)
// (pde.Burgers, pde.BurgersGRF), solved by solvers.Burgers (ETDRK4).
type BurgersParams struct {
	// Viscosity ν. Default 0.1.
	Viscosity float64 `json:"viscosity" yaml:"viscosity"`
	// Length L of the periodic domain. Default 1.
	Length float64 `json:"length" yaml:"length"`
	// FinalTime T. Default 1.
	FinalTime float64 `json:"final_time" yaml:"final_time"`
	// RecordEvery is the time between stored snapshots: 0 (default) stores
	// u(T) only, output (N, X); otherwise T/RecordEvery snapshots at
	// RecordEvery, 2·RecordEvery, …, T, output (N, T, X).
	RecordEvery float64 `json:"record_every" yaml:"record_every"`
	// SolveResolution is the number of points the solver uses. Default 8192.
	SolveResolution int `json:"solve_resolution" yaml:"solve_resolution"`
	// Sigma, Tau, Gamma and Mean are σ, τ, γ and m of the initial-condition
	// law. Defaults 25, 5, 2, 0.
	Sigma float64 `json:"sigma" yaml:"sigma"`
	Tau   float64 `json:"tau" yaml:"tau"`
	Gamma float64 `json:"gamma" yaml:"gamma"`
	Mean  float64 `json:"mean" yaml:"mean"`
	// TimeStep is the solver's largest step. Default 1e-3.
	TimeStep float64 `json:"time_step" yaml:"time_step"`
	// Downsample moves solutions from SolveResolution to the stored
	// Resolution: "stride" (default, every k-th point as the FNO scripts)
	// or "spectral" (keep the Fourier modes |k| < Resolution/2).
	Downsample string `json:"downsample" yaml:"downsample"`
}

// DarcyParams are the parameters of Darcy data: −∇·(a∇u) = f on (0,1)²,
// u = g on the boundary, a = High where ψ ≥ Threshold and Low elsewhere,
// ψ ~ N(m, σ²(−Δ+τ²I)^−γ) with zero-Neumann conditions (pde.Darcy,
// pde.DarcyGRF), solved by solvers.Darcy (finite differences, multigrid-
// preconditioned CG).
type DarcyParams struct {
	// SolveResolution is the number of nodes per axis of the solver grid,
	// boundary included. Default 421. The stored Resolution must satisfy
	// (SolveResolution−1) = k·(Resolution−1) (striding, as the FNO scripts).
	SolveResolution int `json:"solve_resolution" yaml:"solve_resolution"`
	// Forcing f. Default 1.
	Forcing float64 `json:"forcing" yaml:"forcing"`
	// BoundaryValue g. Default 0.
	BoundaryValue float64 `json:"boundary_value" yaml:"boundary_value"`
	// High, Low and Threshold define the two-phase coefficient. Defaults
	// 12, 3, 0.
	High      float64 `json:"high" yaml:"high"`
	Low       float64 `json:"low" yaml:"low"`
	Threshold float64 `json:"threshold" yaml:"threshold"`
	// Averaging forms face coefficients: "arithmetic" (default, the FNO
	// script) or "harmonic".
	Averaging string `json:"averaging" yaml:"averaging"`
	// Sigma, Tau, Gamma and Mean are σ, τ, γ and m of the law of ψ.
	// Defaults 3, 3, 2, 0.
	Sigma float64 `json:"sigma" yaml:"sigma"`
	Tau   float64 `json:"tau" yaml:"tau"`
	Gamma float64 `json:"gamma" yaml:"gamma"`
	Mean  float64 `json:"mean" yaml:"mean"`
	// Tolerance is the relative residual at which CG stops. Default 1e-10.
	Tolerance float64 `json:"tolerance" yaml:"tolerance"`
	// MaxIterations bounds the CG iterations. Default 500.
	MaxIterations int `json:"max_iterations" yaml:"max_iterations"`
	// Sources is the number K of source terms, for inverse problems
	// (measurements of one coefficient under several loads). 0 (the
	// default) stores the one solution for the constant Forcing, output
	// [S, S]; K ≥ 1 stores K solutions, output [K, S, S]: u_k solves
	// −∇·(a∇u_k) = f_k, u_k = g on the boundary, with
	// f_k(x, y) = Forcing·cos(p_k πx)·cos(q_k πy) and (p_k, q_k) = (0, 0),
	// (1, 0), (0, 1), (2, 0), (1, 1), (0, 2), … (by p + q, then q): u_0 is
	// the usual solution.
	Sources int `json:"sources,omitempty" yaml:"sources,omitempty"`
}

// DarcySourceModes returns the (p_k, q_k) of the first k source terms of
// DarcyParams.Sources.
func DarcySourceModes(k int) [][2]int {
	var out [][2]int
	for d := 0; len(out) < k; d++ {
		for q := 0; q <= d && len(out) < k; q++ {
			out = append(out, [2]int{d - q, q})
		}
	}
	return out
}

// NavierStokesParams are the parameters of Navier–Stokes data: the
// vorticity equation w_t + u·∇w = νΔw + f on the unit torus,
// f = A(sin 2πk(x+y) + cos 2πk(x+y)), w0 ~ N(m, σ²(−Δ+τ²I)^−γ) in the
// torch-fft convention (pde.NavierStokes, pde.NavierStokesGRF), solved by
// solvers.NavierStokes.
type NavierStokesParams struct {
	// Viscosity ν. Default 1e-3.
	Viscosity float64 `json:"viscosity" yaml:"viscosity"`
	// FinalTime T. Default 50.
	FinalTime float64 `json:"final_time" yaml:"final_time"`
	// RecordEvery is the time between stored snapshots. Default 1.
	RecordEvery float64 `json:"record_every" yaml:"record_every"`
	// SolveResolution is the solver grid per axis. Default 256; a multiple
	// of the stored Resolution.
	SolveResolution int `json:"solve_resolution" yaml:"solve_resolution"`
	// ForcingAmplitude A and ForcingWavenumber k. Defaults 0.1 and 1.
	ForcingAmplitude  float64 `json:"forcing_amplitude" yaml:"forcing_amplitude"`
	ForcingWavenumber int     `json:"forcing_wavenumber" yaml:"forcing_wavenumber"`
	// Sigma, Tau, Gamma and Mean are σ, τ, γ and m of the law of w0.
	// Defaults 7^1.5, 7, 2.5, 0.
	Sigma float64 `json:"sigma" yaml:"sigma"`
	Tau   float64 `json:"tau" yaml:"tau"`
	Gamma float64 `json:"gamma" yaml:"gamma"`
	Mean  float64 `json:"mean" yaml:"mean"`
	// Convention of the law of w0: "torch-fft" (default, the FNO script)
	// or "kl".
	Convention string `json:"convention" yaml:"convention"`
	// Scheme is the time integrator: "cn-euler" (default, the FNO script)
	// or "etdrk4".
	Scheme string `json:"scheme" yaml:"scheme"`
	// TimeStep is the largest time step; 0 means the scheme's default
	// (1e-4 for cn-euler, 2e-3 for etdrk4).
	TimeStep float64 `json:"time_step" yaml:"time_step"`
	// Advection is the form of the nonlinear term: "advective" (default)
	// or "basdevant".
	Advection string `json:"advection" yaml:"advection"`
	// Downsample moves snapshots (and w0) to the stored Resolution:
	// "spectral" (default) or "stride".
	Downsample string `json:"downsample" yaml:"downsample"`
	// Precision is the solver's arithmetic (solvers.NavierStokes.Precision):
	// "float64" (default) or "float32". It does not set the stored dtype.
	// float64, the default, is normalized to "" and omitted from the
	// canonical JSON and the attributes, so that specs and files written
	// before this key existed keep their cache keys.
	Precision string `json:"precision,omitempty" yaml:"precision"`
}

// DefaultSpec returns the FNO paper's setup for the named PDE: float32,
// deflate 4 with shuffle, seed 0, 1000 samples (Burgers and Darcy: 2048 and
// 1024 in the published files; the paper trained on 1000) stored at the
// resolutions of the published files (Burgers 8192, Darcy 421,
// Navier–Stokes 64). It returns an error for an unknown name.
func DefaultSpec(name string) (GenerateSpec, error) {
	s := GenerateSpec{PDE: name, N: 1000, DType: Float32, Deflate: 4, Shuffle: true}
	switch name {
	case Burgers:
		p := pde.DefaultBurgers()
		s.Resolution = p.Grid
		s.Burgers = &BurgersParams{
			Viscosity: p.Viscosity, Length: p.Length, FinalTime: p.FinalTime,
			SolveResolution: p.Grid,
			Sigma:           p.Init.Sigma, Tau: p.Init.Tau, Gamma: p.Init.Gamma, Mean: p.Init.Mean,
			TimeStep: 1e-3, Downsample: "stride",
		}
	case Darcy:
		p := pde.DefaultDarcy()
		s.Resolution = p.Grid
		s.Darcy = &DarcyParams{
			SolveResolution: p.Grid, Forcing: p.Forcing, BoundaryValue: p.BoundaryValue,
			High: p.High, Low: p.Low, Threshold: p.Threshold, Averaging: p.Averaging.String(),
			Sigma: p.Field.Sigma, Tau: p.Field.Tau, Gamma: p.Field.Gamma, Mean: p.Field.Mean,
			Tolerance: 1e-10, MaxIterations: 500,
		}
	case NavierStokes:
		p := pde.DefaultNavierStokes()
		s.Resolution = p.StoreGrid
		s.NavierStokes = &NavierStokesParams{
			Viscosity: p.Viscosity, FinalTime: p.FinalTime, RecordEvery: p.RecordInterval,
			SolveResolution:  p.Grid,
			ForcingAmplitude: p.ForcingAmplitude, ForcingWavenumber: p.ForcingWavenumber,
			Sigma: p.Init.Sigma, Tau: p.Init.Tau, Gamma: p.Init.Gamma, Mean: p.Init.Mean,
			Convention: p.Init.Convention.String(),
			Scheme:     solvers.CrankNicolsonEuler.String(), TimeStep: 1e-4,
			Advection: solvers.AdvectiveForm.String(), Downsample: solvers.SpectralTruncation.String(),
			Precision: solvers.Float64.String(),
		}
	default:
		return GenerateSpec{}, fmt.Errorf("data: unknown PDE %q (want %s)", name, strings.Join(PDEs, ", "))
	}
	return s, nil
}

// FieldError is one invalid field of a GenerateSpec. Key is the field's
// path in a YAML config, such as "burgers.viscosity".
type FieldError struct {
	Key string
	Msg string
}

func (e *FieldError) Error() string { return e.Key + ": " + e.Msg }

// clone returns a deep copy of s (the parameter structs are pointers).
func (s GenerateSpec) clone() GenerateSpec {
	c := s
	if s.Burgers != nil {
		b := *s.Burgers
		c.Burgers = &b
	}
	if s.Darcy != nil {
		d := *s.Darcy
		c.Darcy = &d
	}
	if s.NavierStokes != nil {
		n := *s.NavierStokes
		c.NavierStokes = &n
	}
	return c
}

// normalized returns a copy of s with implied values made explicit (the
// Navier–Stokes scheme's default time step) and the default Navier–Stokes
// precision "float64" made implicit (""), so that equivalent specs encode
// equally.
func (s GenerateSpec) normalized() GenerateSpec {
	c := s.clone()
	if c.NavierStokes != nil && c.NavierStokes.Precision == solvers.Float64.String() {
		c.NavierStokes.Precision = ""
	}
	if c.NavierStokes != nil && c.NavierStokes.TimeStep == 0 {
		if c.NavierStokes.Scheme == solvers.ETDRK4.String() {
			c.NavierStokes.TimeStep = 2e-3
		} else {
			c.NavierStokes.TimeStep = 1e-4
		}
	}
	return c
}

// Validate reports every invalid field of s, each as a *FieldError joined
// with errors.Join.
func (s GenerateSpec) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, &FieldError{Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	pos := func(key string, v float64) {
		if !(v > 0) || math.IsInf(v, 0) {
			bad(key, "must be positive and finite, got %v", v)
		}
	}
	finite := func(key string, v float64) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			bad(key, "must be finite, got %v", v)
		}
	}
	oneOf := func(key, v string, allowed ...string) {
		for _, a := range allowed {
			if v == a {
				return
			}
		}
		bad(key, "must be one of %s, got %q", strings.Join(allowed, ", "), v)
	}
	s = s.normalized()
	if s.N < 1 {
		bad("n", "must be at least 1, got %d", s.N)
	}
	if s.Seed < 0 {
		bad("seed", "must be non-negative, got %d", s.Seed)
	}
	oneOf("dtype", s.DType, Float32, Float64)
	if s.Deflate < 0 || s.Deflate > 9 {
		bad("deflate", "must be 0 (off) to 9, got %d", s.Deflate)
	}
	sections := map[string]bool{Burgers: s.Burgers != nil, Darcy: s.Darcy != nil, NavierStokes: s.NavierStokes != nil}
	keys := map[string]string{Burgers: "burgers", Darcy: "darcy", NavierStokes: "navier_stokes"}
	for _, name := range PDEs {
		if sections[name] && name != s.PDE {
			bad(keys[name], "parameters given for %s, but pde is %q", name, s.PDE)
		}
	}
	switch s.PDE {
	case Burgers:
		p := s.Burgers
		if p == nil {
			bad("burgers", "missing (start from DefaultSpec)")
			break
		}
		pos("burgers.viscosity", p.Viscosity)
		pos("burgers.length", p.Length)
		pos("burgers.final_time", p.FinalTime)
		if p.RecordEvery != 0 {
			if !(p.RecordEvery > 0) || math.IsInf(p.RecordEvery, 0) {
				bad("burgers.record_every", "must be 0 (final time only) or positive, got %v", p.RecordEvery)
			} else if _, ok := wholeRatio(p.FinalTime, p.RecordEvery); !ok {
				bad("burgers.record_every", "final time %v is not a whole multiple of %v", p.FinalTime, p.RecordEvery)
			}
		}
		if p.SolveResolution < 4 || p.SolveResolution%2 != 0 {
			bad("burgers.solve_resolution", "must be even and at least 4, got %d", p.SolveResolution)
		}
		pos("burgers.sigma", p.Sigma)
		pos("burgers.tau", p.Tau)
		pos("burgers.gamma", p.Gamma)
		finite("burgers.mean", p.Mean)
		pos("burgers.time_step", p.TimeStep)
		oneOf("burgers.downsample", p.Downsample, "stride", "spectral")
		s.checkPeriodicResolution(bad, p.SolveResolution, p.Downsample)
	case Darcy:
		p := s.Darcy
		if p == nil {
			bad("darcy", "missing (start from DefaultSpec)")
			break
		}
		if p.SolveResolution < 3 {
			bad("darcy.solve_resolution", "must be at least 3, got %d", p.SolveResolution)
		}
		finite("darcy.forcing", p.Forcing)
		finite("darcy.boundary_value", p.BoundaryValue)
		pos("darcy.high", p.High)
		pos("darcy.low", p.Low)
		finite("darcy.threshold", p.Threshold)
		oneOf("darcy.averaging", p.Averaging, pde.Arithmetic.String(), pde.Harmonic.String())
		pos("darcy.sigma", p.Sigma)
		pos("darcy.tau", p.Tau)
		pos("darcy.gamma", p.Gamma)
		finite("darcy.mean", p.Mean)
		pos("darcy.tolerance", p.Tolerance)
		if p.MaxIterations < 1 {
			bad("darcy.max_iterations", "must be at least 1, got %d", p.MaxIterations)
		}
		if p.Sources < 0 || p.Sources > 64 {
			bad("darcy.sources", "must be between 0 and 64, got %d", p.Sources)
		}
		if s.Resolution < 2 || s.Resolution > p.SolveResolution {
			bad("resolution", "must be between 2 and the solve resolution %d, got %d", p.SolveResolution, s.Resolution)
		} else if p.SolveResolution >= 3 && (p.SolveResolution-1)%(s.Resolution-1) != 0 {
			bad("resolution", "%d is not reachable by striding %d nodes: need (%d−1) = k·(resolution−1), e.g. %s",
				s.Resolution, p.SolveResolution, p.SolveResolution, strideChoices(p.SolveResolution-1, 1))
		}
	case NavierStokes:
		p := s.NavierStokes
		if p == nil {
			bad("navier_stokes", "missing (start from DefaultSpec)")
			break
		}
		pos("navier_stokes.viscosity", p.Viscosity)
		pos("navier_stokes.final_time", p.FinalTime)
		pos("navier_stokes.record_every", p.RecordEvery)
		if p.RecordEvery > 0 && p.FinalTime > 0 {
			if _, ok := wholeRatio(p.FinalTime, p.RecordEvery); !ok {
				bad("navier_stokes.record_every", "final time %v is not a whole multiple of %v", p.FinalTime, p.RecordEvery)
			}
		}
		if p.SolveResolution < 4 || p.SolveResolution%2 != 0 {
			bad("navier_stokes.solve_resolution", "must be even and at least 4, got %d", p.SolveResolution)
		}
		finite("navier_stokes.forcing_amplitude", p.ForcingAmplitude)
		pos("navier_stokes.sigma", p.Sigma)
		pos("navier_stokes.tau", p.Tau)
		pos("navier_stokes.gamma", p.Gamma)
		finite("navier_stokes.mean", p.Mean)
		oneOf("navier_stokes.convention", p.Convention, pde.TorchFFT.String(), pde.KL.String())
		oneOf("navier_stokes.scheme", p.Scheme, solvers.CrankNicolsonEuler.String(), solvers.ETDRK4.String())
		pos("navier_stokes.time_step", p.TimeStep)
		oneOf("navier_stokes.advection", p.Advection, solvers.AdvectiveForm.String(), solvers.BasdevantForm.String())
		oneOf("navier_stokes.downsample", p.Downsample, "spectral", "stride")
		if p.Precision != "" && p.Precision != solvers.Float32.String() { // normalized: "float64" is ""
			bad("navier_stokes.precision", "must be one of float64, float32, got %q", p.Precision)
		}
		if s.Resolution < 1 || s.Resolution > p.SolveResolution || (p.SolveResolution > 0 && p.SolveResolution%s.Resolution != 0) {
			bad("resolution", "must divide the solve resolution %d, got %d (e.g. %s)",
				p.SolveResolution, s.Resolution, strideChoices(p.SolveResolution, 0))
		}
	default:
		bad("pde", "unknown PDE %q (want %s)", s.PDE, strings.Join(PDEs, ", "))
	}
	if len(errs) == 0 {
		// Sizes a machine can hold: one sample is one HDF5 chunk (< 4 GiB).
		if n := s.sampleValues(); n > maxSampleValues {
			bad("resolution", "one sample would hold %.0f values, more than the %d one HDF5 chunk can", n, maxSampleValues)
		}
		if s.N > maxSamples {
			bad("n", "at most %d samples, got %d", maxSamples, s.N)
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return nil
}

// Limits on sizes, so that a spec (or a file's spec attribute) never asks
// for more memory than a sample can use.
const (
	maxSampleValues = 1 << 28
	maxSamples      = 1 << 31
)

// sampleValues returns the number of values of the largest of a sample's
// solver grid, stored input and stored output (s must be otherwise valid),
// in float64 so that absurd sizes cannot overflow.
func (s GenerateSpec) sampleValues() float64 {
	S := float64(s.Resolution)
	switch s.PDE {
	case Burgers:
		k := 1.0
		if s.Burgers.RecordEvery > 0 {
			k = math.Round(s.Burgers.FinalTime / s.Burgers.RecordEvery)
		}
		return max(k*S, float64(s.Burgers.SolveResolution))
	case Darcy:
		n := float64(s.Darcy.SolveResolution)
		return max(n*n, float64(max(s.Darcy.Sources, 1))*S*S)
	case NavierStokes:
		k := math.Round(s.NavierStokes.FinalTime / s.NavierStokes.RecordEvery)
		n := float64(s.NavierStokes.SolveResolution)
		return max(k*S*S, n*n)
	}
	return 0
}

// checkPeriodicResolution checks the stored resolution of a periodic
// problem against its solve resolution.
func (s GenerateSpec) checkPeriodicResolution(bad func(string, string, ...any), solve int, mode string) {
	switch {
	case s.Resolution < 2 || s.Resolution > solve:
		bad("resolution", "must be between 2 and the solve resolution %d, got %d", solve, s.Resolution)
	case mode == "stride" && solve%s.Resolution != 0:
		bad("resolution", "%d does not divide the solve resolution %d (striding keeps every k-th point; e.g. %s)",
			s.Resolution, solve, strideChoices(solve, 0))
	}
}

// strideChoices lists a few reachable resolutions n/k + add.
func strideChoices(n, add int) string {
	var out []string
	for k := 1; k <= n && len(out) < 5; k++ {
		if n%k == 0 {
			out = append(out, fmt.Sprint(n/k+add))
		}
	}
	return strings.Join(out, ", ")
}

// wholeRatio returns round(a/b) and whether a/b is a whole number ≥ 1 (to
// 1e-9 relative).
func wholeRatio(a, b float64) (int, bool) {
	r := a / b
	k := math.Round(r)
	return int(k), k >= 1 && math.Abs(r-k) <= 1e-9*r
}

// canonicalJSON encodes the normalized spec: the "spec" attribute of files
// and the input of CacheKey.
func (s GenerateSpec) canonicalJSON() string {
	b, err := json.Marshal(s.normalized())
	if err != nil {
		panic(fmt.Sprintf("data: encoding spec: %v", err)) // plain structs of numbers and strings
	}
	return string(b)
}

// CacheKey returns a short hash (16 hex digits of SHA-256) of the
// normalized spec: identical specs, and only those, share a key, so a runner
// can name files by it and reuse them.
func (s GenerateSpec) CacheKey() string {
	h := sha256.Sum256([]byte(s.canonicalJSON()))
	return hex.EncodeToString(h[:8])
}

// parseSpecJSON decodes the "spec" attribute of a file strictly.
func parseSpecJSON(text string) (GenerateSpec, error) {
	var s GenerateSpec
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return GenerateSpec{}, fmt.Errorf("spec attribute: %w", err)
	}
	if dec.More() {
		return GenerateSpec{}, errors.New("spec attribute: trailing data")
	}
	if err := s.Validate(); err != nil {
		return GenerateSpec{}, fmt.Errorf("spec attribute: %w", err)
	}
	return s, nil
}

// params returns the active parameter struct.
func (s GenerateSpec) params() any {
	switch s.PDE {
	case Burgers:
		return s.Burgers
	case Darcy:
		return s.Darcy
	case NavierStokes:
		return s.NavierStokes
	}
	return nil
}

// paramAttrs lists the active PDE's parameters as (name, value) pairs,
// named by their JSON keys; values are float64, int64 or string.
func (s GenerateSpec) paramAttrs() [][2]any {
	p := s.normalized().params()
	if p == nil {
		return nil
	}
	v := reflect.ValueOf(p).Elem()
	t := v.Type()
	out := make([][2]any, 0, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		name, opts, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		f := v.Field(i)
		if opts == "omitempty" && f.IsZero() {
			continue // a default left implicit (navier_stokes.precision)
		}
		switch f.Kind() {
		case reflect.Float64:
			out = append(out, [2]any{name, f.Float()})
		case reflect.Int:
			out = append(out, [2]any{name, f.Int()})
		case reflect.String:
			out = append(out, [2]any{name, f.String()})
		default:
			panic("data: unexpected parameter kind " + f.Kind().String())
		}
	}
	return out
}

// Periodic reports whether the PDE's domain is periodic (Burgers,
// Navier–Stokes), which allows spectral resampling.
func Periodic(pdeName string) bool { return pdeName == Burgers || pdeName == NavierStokes }
