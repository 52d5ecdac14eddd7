package data

import (
	"context"
	"fmt"
	"math"

	"github.com/sciml-go/sciml/pde"
	"github.com/sciml-go/sciml/solvers"
)

// problem turns a validated spec into samples: shapes, coordinates, the
// solver's description, and sample(i).
type problem struct {
	spec     GenerateSpec
	inShape  []int // per sample
	outShape []int
	grid     map[string][]float64 // "x", "y", "t"
	solver   string               // solver name attribute
	units    int                  // progress units per sample
	unit     string               // their name ("sample" or "snapshot")
	// solve computes the stored input and output of sample i (global
	// index), converted to the stored type by the caller. progress, when
	// not nil, is called with 1 for each finished unit.
	solve func(ctx context.Context, i int, progress func()) (in, out []float64, err error)
}

// newProblem builds the problem of a spec (Validate must have passed).
func newProblem(spec GenerateSpec) (*problem, error) {
	spec = spec.normalized()
	seed := uint64(spec.Seed)
	S := spec.Resolution
	pr := &problem{spec: spec, grid: map[string][]float64{}, units: 1, unit: "sample"}
	switch spec.PDE {
	case Burgers:
		bp := spec.Burgers
		p := pde.DefaultBurgers()
		p.Viscosity, p.Length, p.FinalTime, p.Grid = bp.Viscosity, bp.Length, bp.FinalTime, bp.SolveResolution
		p.Init.Sigma, p.Init.Tau, p.Init.Gamma, p.Init.Mean = bp.Sigma, bp.Tau, bp.Gamma, bp.Mean
		if err := p.Validate(); err != nil {
			return nil, err
		}
		sv := solvers.Burgers{Params: p, TimeStep: bp.TimeStep, Workers: 1}
		var times []float64
		if bp.RecordEvery > 0 {
			k, _ := wholeRatio(bp.FinalTime, bp.RecordEvery)
			for j := 1; j <= k; j++ {
				times = append(times, float64(j)*bp.RecordEvery)
			}
			times[k-1] = bp.FinalTime
			sv.Times = times
			pr.outShape = []int{k, S}
		} else {
			times = []float64{bp.FinalTime}
			pr.outShape = []int{S}
		}
		pr.inShape = []int{S}
		pr.grid["x"] = periodicPoints(S, bp.Length)
		pr.grid["t"] = times
		pr.solver = "burgers-etdrk4"
		n := bp.SolveResolution
		down, err := downsampler(1, n, S, bp.Downsample, true)
		if err != nil {
			return nil, err
		}
		pr.solve = func(ctx context.Context, i int, progress func()) ([]float64, []float64, error) {
			u0, err := p.Init.Sample(pde.NewRand(seed, i), n)
			if err != nil {
				return nil, nil, err
			}
			sol, err := sv.Solve(ctx, u0)
			if err != nil {
				return nil, nil, err
			}
			in := make([]float64, S)
			down(in, u0)
			out := make([]float64, len(sol.U)*S)
			for s, u := range sol.U {
				down(out[s*S:(s+1)*S], u)
			}
			return in, out, nil
		}
	case Darcy:
		dp := spec.Darcy
		p := pde.DefaultDarcy()
		p.Grid, p.Forcing, p.BoundaryValue = dp.SolveResolution, dp.Forcing, dp.BoundaryValue
		p.High, p.Low, p.Threshold = dp.High, dp.Low, dp.Threshold
		if dp.Averaging == pde.Harmonic.String() {
			p.Averaging = pde.Harmonic
		}
		p.Field.Sigma, p.Field.Tau, p.Field.Gamma, p.Field.Mean = dp.Sigma, dp.Tau, dp.Gamma, dp.Mean
		if err := p.Validate(); err != nil {
			return nil, err
		}
		sv := solvers.Darcy{Params: p, Tolerance: dp.Tolerance, MaxIterations: dp.MaxIterations, Workers: 1}
		pr.inShape, pr.outShape = []int{S, S}, []int{S, S}
		pr.grid["x"] = endpointPoints(S)
		pr.grid["y"] = endpointPoints(S)
		pr.solver = "darcy-fd5-mgpcg"
		n := dp.SolveResolution
		down, err := downsampler(2, n, S, "stride", false)
		if err != nil {
			return nil, err
		}
		forcings := darcyForcings(dp, n)
		if len(forcings) > 0 {
			pr.outShape = []int{len(forcings), S, S}
		}
		pr.solve = func(ctx context.Context, i int, progress func()) ([]float64, []float64, error) {
			psi, err := p.Field.Sample(pde.NewRand(seed, i), n)
			if err != nil {
				return nil, nil, err
			}
			a := make([]float64, len(psi))
			p.Coefficient(a, psi)
			in := make([]float64, S*S)
			down(in, a)
			if len(forcings) == 0 {
				sol, err := sv.Solve(ctx, a)
				if err != nil {
					return nil, nil, err
				}
				out := make([]float64, S*S)
				down(out, sol.U)
				return in, out, nil
			}
			out := make([]float64, len(forcings)*S*S)
			for k, f := range forcings {
				sol, err := sv.SolveForcing(ctx, a, f)
				if err != nil {
					return nil, nil, err
				}
				down(out[k*S*S:(k+1)*S*S], sol.U)
			}
			return in, out, nil
		}
	case NavierStokes:
		np := spec.NavierStokes
		p := pde.DefaultNavierStokes()
		p.Viscosity, p.FinalTime, p.RecordInterval = np.Viscosity, np.FinalTime, np.RecordEvery
		p.Grid, p.StoreGrid = np.SolveResolution, S
		p.ForcingAmplitude, p.ForcingWavenumber = np.ForcingAmplitude, np.ForcingWavenumber
		p.Init.Sigma, p.Init.Tau, p.Init.Gamma, p.Init.Mean = np.Sigma, np.Tau, np.Gamma, np.Mean
		if np.Convention == pde.KL.String() {
			p.Init.Convention = pde.KL
		}
		if err := p.Validate(); err != nil {
			return nil, err
		}
		sv := solvers.NavierStokes{Params: p, TimeStep: np.TimeStep, Workers: 1}
		if np.Scheme == solvers.ETDRK4.String() {
			sv.Scheme = solvers.ETDRK4
		}
		if np.Advection == solvers.BasdevantForm.String() {
			sv.Advection = solvers.BasdevantForm
		}
		if np.Downsample == solvers.Striding.String() {
			sv.Downsample = solvers.Striding
		}
		if np.Precision == solvers.Float32.String() {
			sv.Precision = solvers.Float32
		}
		T := p.Snapshots()
		pr.inShape, pr.outShape = []int{S, S}, []int{T, S, S}
		pr.grid["x"] = periodicPoints(S, 1)
		pr.grid["y"] = periodicPoints(S, 1)
		times := make([]float64, T)
		for j := range times {
			times[j] = float64(j+1) * np.RecordEvery
		}
		pr.grid["t"] = times
		pr.solver = "navier-stokes-pseudospectral-" + np.Scheme
		if sv.Precision == solvers.Float32 {
			pr.solver += "-float32"
		}
		pr.units, pr.unit = T, "snapshot"
		n := np.SolveResolution
		down, err := downsampler(2, n, S, np.Downsample, true)
		if err != nil {
			return nil, err
		}
		pr.solve = func(ctx context.Context, i int, progress func()) ([]float64, []float64, error) {
			w0, err := p.Init.Sample(pde.NewRand(seed, i), n)
			if err != nil {
				return nil, nil, err
			}
			s := sv
			if progress != nil {
				s.OnSnapshot = func(int, int) { progress() }
			}
			sol, err := s.Solve(ctx, w0)
			if err != nil {
				return nil, nil, err
			}
			in := make([]float64, S*S)
			down(in, w0)
			out := make([]float64, 0, T*S*S)
			for _, w := range sol.W {
				out = append(out, w...)
			}
			return in, out, nil
		}
	default:
		return nil, fmt.Errorf("data: unknown PDE %q", spec.PDE)
	}
	if pr.units == 1 {
		solve := pr.solve
		pr.solve = func(ctx context.Context, i int, progress func()) ([]float64, []float64, error) {
			in, out, err := solve(ctx, i, nil)
			if err == nil && progress != nil {
				progress()
			}
			return in, out, err
		}
	}
	return pr, nil
}

// downsampler returns a function that moves one field of rank axes from n
// to s points per axis, by striding or spectral truncation (periodic only).
func downsampler(rank, n, s int, mode string, periodic bool) (func(dst, src []float64), error) {
	if mode == "spectral" && s != n {
		if !periodic {
			return nil, fmt.Errorf("data: spectral downsampling needs periodic data")
		}
		// One plan per call: plans hold scratch buffers and the function
		// runs on many workers at once.
		return func(dst, src []float64) { newSpectralPlan(rank, n, s).resample(dst, src) }, nil
	}
	k, err := strideStep(n, s, periodic)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	return func(dst, src []float64) { strideGrid(dst, src, 1, rank, n, s, k) }, nil
}

// periodicPoints returns x_i = iL/n, i < n.
func periodicPoints(n int, length float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(i) * length / float64(n)
	}
	return x
}

// endpointPoints returns x_i = i/(n−1), i < n.
func endpointPoints(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(i) / float64(n-1)
	}
	x[n-1] = 1
	return x
}

// finiteCheck returns an error naming the first non-finite value.
func finiteCheck(what string, v []float64) error {
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%s[%d] = %v", what, i, x)
		}
	}
	return nil
}

// darcyForcings returns the nodal source terms f_k of DarcyParams.Sources
// on the n×n solver grid (nil for Sources = 0: the constant Forcing).
func darcyForcings(dp *DarcyParams, n int) [][]float64 {
	var out [][]float64
	for _, pq := range DarcySourceModes(dp.Sources) {
		f := make([]float64, n*n)
		for i := range n {
			cx := math.Cos(float64(pq[0]) * math.Pi * float64(i) / float64(n-1))
			for j := range n {
				f[i*n+j] = dp.Forcing * cx * math.Cos(float64(pq[1])*math.Pi*float64(j)/float64(n-1))
			}
		}
		out = append(out, f)
	}
	return out
}
