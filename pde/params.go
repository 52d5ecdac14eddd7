package pde

import (
	"errors"
	"fmt"
	"math"
)

// Boundary selects the boundary condition of a problem or of a Gaussian
// random field on the unit cube [0,1]^d.
type Boundary int

const (
	// Periodic identifies opposite faces of the unit cube (the torus).
	Periodic Boundary = iota
	// Neumann imposes a zero normal derivative (cosine series).
	Neumann
	// Dirichlet imposes zero boundary values (sine series).
	Dirichlet
)

// String returns "periodic", "neumann" or "dirichlet".
func (b Boundary) String() string {
	switch b {
	case Periodic:
		return "periodic"
	case Neumann:
		return "neumann"
	case Dirichlet:
		return "dirichlet"
	}
	return fmt.Sprintf("Boundary(%d)", int(b))
}

// Burgers is the viscous Burgers equation
//
//	u_t + (u²/2)_x = ν u_xx,  x ∈ [0, L) periodic,  t ∈ [0, T],
//
// with u(0, ·) = u0 drawn from Init. The zero value is not useful; start from
// DefaultBurgers.
type Burgers struct {
	// Viscosity ν > 0. Default 0.1 (FNO paper; the shipped driver used 1e-3).
	Viscosity float64
	// Length L of the periodic domain [0, L). Default 1.
	Length float64
	// FinalTime T > 0. Default 1.
	FinalTime float64
	// Grid is the number of equispaced points x_i = iL/n, i < n, on which
	// the solution is computed and stored. Default 8192.
	Grid int
	// Init is the law of the initial condition: N(0, 625(−Δ+25I)^−2) in the
	// paper (σ = 25, τ = 5, γ = 2, periodic, zero mean).
	Init GRF
}

// DefaultBurgers returns the FNO paper's Burgers problem: ν = 0.1, [0,1),
// T = 1, 8192 points, u0 ~ N(0, 625(−Δ+25I)^−2).
func DefaultBurgers() Burgers {
	return Burgers{
		Viscosity: 0.1,
		Length:    1,
		FinalTime: 1,
		Grid:      8192,
		Init:      BurgersGRF(),
	}
}

// Validate reports the first invalid parameter of p.
func (p Burgers) Validate() error {
	var errs []error
	if !(p.Viscosity > 0) || math.IsInf(p.Viscosity, 0) {
		errs = append(errs, fmt.Errorf("viscosity must be positive and finite, got %v", p.Viscosity))
	}
	if !(p.Length > 0) || math.IsInf(p.Length, 0) {
		errs = append(errs, fmt.Errorf("domain length must be positive and finite, got %v", p.Length))
	}
	if !(p.FinalTime > 0) || math.IsInf(p.FinalTime, 0) {
		errs = append(errs, fmt.Errorf("final time must be positive and finite, got %v", p.FinalTime))
	}
	if p.Grid < 4 {
		errs = append(errs, fmt.Errorf("grid must have at least 4 points, got %d", p.Grid))
	}
	if err := p.Init.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("initial condition law: %w", err))
	} else {
		if p.Init.Dim != 1 || p.Init.Boundary != Periodic {
			errs = append(errs, fmt.Errorf("initial condition law must be a 1-D periodic field, got %d-D %v", p.Init.Dim, p.Init.Boundary))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("pde.Burgers: %w", errors.Join(errs...))
	}
	return nil
}

// Averaging selects how the finite-difference face coefficient between two
// neighbouring grid nodes is formed from the nodal coefficients a_P, a_E.
type Averaging int

const (
	// Arithmetic uses (a_P + a_E)/2, as the FNO script solve_gwf.m does.
	Arithmetic Averaging = iota
	// Harmonic uses 2 a_P a_E/(a_P + a_E), the flux-continuous choice for
	// coefficients that jump between cells.
	Harmonic
)

// String returns "arithmetic" or "harmonic".
func (a Averaging) String() string {
	switch a {
	case Arithmetic:
		return "arithmetic"
	case Harmonic:
		return "harmonic"
	}
	return fmt.Sprintf("Averaging(%d)", int(a))
}

// Darcy is the steady Darcy flow problem
//
//	−∇·(a(x) ∇u(x)) = f,  x ∈ (0,1)²,  u = g on the boundary,
//
// with a constant forcing f, a constant boundary value g (the FNO data use
// g = 0) and a piecewise-constant coefficient a = High where ψ ≥ Threshold
// and a = Low elsewhere, ψ drawn from Field. The grid has Grid×Grid nodes
// x_ij = (i h, j h), h = 1/(Grid−1), boundary nodes included.
type Darcy struct {
	// Grid is the number of nodes per axis, boundary included. Default 421.
	Grid int
	// Forcing is the constant right-hand side f. Default 1.
	Forcing float64
	// BoundaryValue is the constant Dirichlet value g. Default 0.
	BoundaryValue float64
	// Field is the law of ψ: N(0, 9(−Δ+9I)^−2) with zero-Neumann boundary
	// conditions (the FNO GRF.m: τ = 3, γ = 2, σ = τ^(γ−1)).
	Field GRF
	// High is the coefficient where ψ ≥ Threshold. Default 12.
	High float64
	// Low is the coefficient where ψ < Threshold. Default 3 (paper; the FNO
	// demo script used 4).
	Low float64
	// Threshold splits ψ into the two phases. Default 0.
	Threshold float64
	// Averaging forms the face coefficients of the 5-point scheme.
	// Default Arithmetic (the FNO script).
	Averaging Averaging
}

// DefaultDarcy returns the FNO paper's Darcy problem: 421×421 nodes, f = 1,
// zero Dirichlet boundary, a ∈ {12, 3} thresholded at ψ = 0, arithmetic face
// averaging.
func DefaultDarcy() Darcy {
	return Darcy{
		Grid:      421,
		Forcing:   1,
		Field:     DarcyGRF(),
		High:      12,
		Low:       3,
		Threshold: 0,
		Averaging: Arithmetic,
	}
}

// Validate reports the invalid parameters of p.
func (p Darcy) Validate() error {
	var errs []error
	if p.Grid < 3 {
		errs = append(errs, fmt.Errorf("grid must have at least 3 nodes per axis (one interior), got %d", p.Grid))
	}
	if math.IsNaN(p.Forcing) || math.IsInf(p.Forcing, 0) {
		errs = append(errs, fmt.Errorf("forcing must be finite, got %v", p.Forcing))
	}
	if math.IsNaN(p.BoundaryValue) || math.IsInf(p.BoundaryValue, 0) {
		errs = append(errs, fmt.Errorf("boundary value must be finite, got %v", p.BoundaryValue))
	}
	if !(p.High > 0) || math.IsInf(p.High, 0) || !(p.Low > 0) || math.IsInf(p.Low, 0) {
		errs = append(errs, fmt.Errorf("coefficients must be positive and finite (elliptic problem), got high %v, low %v", p.High, p.Low))
	}
	if math.IsNaN(p.Threshold) {
		errs = append(errs, errors.New("threshold is NaN"))
	}
	if p.Averaging != Arithmetic && p.Averaging != Harmonic {
		errs = append(errs, fmt.Errorf("unknown face averaging %v", p.Averaging))
	}
	if err := p.Field.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("coefficient field law: %w", err))
	} else if p.Field.Dim != 2 {
		errs = append(errs, fmt.Errorf("coefficient field law must be 2-D, got %d-D", p.Field.Dim))
	}
	if len(errs) > 0 {
		return fmt.Errorf("pde.Darcy: %w", errors.Join(errs...))
	}
	return nil
}

// Coefficient thresholds psi into the two-phase coefficient a (len(a) must
// equal len(psi)): a = High where psi ≥ Threshold, Low elsewhere.
func (p Darcy) Coefficient(a, psi []float64) {
	if len(a) != len(psi) {
		panic(fmt.Sprintf("pde: Darcy.Coefficient: len(a) = %d, len(psi) = %d", len(a), len(psi)))
	}
	for i, v := range psi {
		if v >= p.Threshold {
			a[i] = p.High
		} else {
			a[i] = p.Low
		}
	}
}

// NavierStokes is the 2-D incompressible Navier–Stokes equation in
// vorticity form on the unit torus,
//
//	w_t + u·∇w = ν Δw + f,  u = (ψ_y, −ψ_x),  −Δψ = w,
//
// with forcing f(x,y) = A(sin 2πk(x+y) + cos 2πk(x+y)), A =
// ForcingAmplitude, k = ForcingWavenumber (or ForcingFunc when set), and
// w(0) drawn from Init. Snapshots are recorded every RecordInterval up to
// FinalTime.
type NavierStokes struct {
	// Viscosity ν > 0. Default 1e-3 (regimes of the paper: 1e-3 with T = 50,
	// 1e-4 with T = 30, 1e-5 with T = 20).
	Viscosity float64
	// FinalTime T. Default 50.
	FinalTime float64
	// RecordInterval is the time between stored snapshots; FinalTime must be
	// a whole multiple of it. Default 1.
	RecordInterval float64
	// Grid is the solve resolution (Grid×Grid points x_ij = (i/n, j/n)).
	// Default 256.
	Grid int
	// StoreGrid is the stored resolution; Grid must be a multiple of it.
	// Default 64.
	StoreGrid int
	// ForcingAmplitude A. Default 0.1.
	ForcingAmplitude float64
	// ForcingWavenumber k. Default 1.
	ForcingWavenumber int
	// ForcingFunc, when not nil, replaces the default forcing.
	ForcingFunc func(x, y float64) float64 `json:"-" yaml:"-"`
	// Init is the law of w0: the FNO script's GaussianRF(2, s, α = 2.5,
	// τ = 7) with σ = 7^1.5 (NavierStokesGRF). The paper writes the law as
	// N(0, 7^{3/2}(−Δ+49I)^−2.5); the script uses 7^1.5 as the amplitude σ,
	// and its convention doubles the covariance: 2·7³(−Δ+49I)^−2.5.
	Init GRF
}

// DefaultNavierStokes returns the FNO paper's first regime: ν = 1e-3, T = 50,
// one snapshot per unit time, 256² solve grid stored at 64², forcing
// 0.1(sin 2π(x+y) + cos 2π(x+y)).
func DefaultNavierStokes() NavierStokes {
	return NavierStokes{
		Viscosity:         1e-3,
		FinalTime:         50,
		RecordInterval:    1,
		Grid:              256,
		StoreGrid:         64,
		ForcingAmplitude:  0.1,
		ForcingWavenumber: 1,
		Init:              NavierStokesGRF(),
	}
}

// Snapshots returns the number of recorded snapshots, FinalTime/RecordInterval.
func (p NavierStokes) Snapshots() int {
	return int(math.Round(p.FinalTime / p.RecordInterval))
}

// Forcing returns f(x, y).
func (p NavierStokes) Forcing(x, y float64) float64 {
	if p.ForcingFunc != nil {
		return p.ForcingFunc(x, y)
	}
	a := 2 * math.Pi * float64(p.ForcingWavenumber) * (x + y)
	return p.ForcingAmplitude * (math.Sin(a) + math.Cos(a))
}

// Validate reports the invalid parameters of p.
func (p NavierStokes) Validate() error {
	var errs []error
	if !(p.Viscosity > 0) || math.IsInf(p.Viscosity, 0) {
		errs = append(errs, fmt.Errorf("viscosity must be positive and finite, got %v", p.Viscosity))
	}
	if !(p.FinalTime > 0) || math.IsInf(p.FinalTime, 0) {
		errs = append(errs, fmt.Errorf("final time must be positive and finite, got %v", p.FinalTime))
	}
	if !(p.RecordInterval > 0) || math.IsInf(p.RecordInterval, 0) {
		errs = append(errs, fmt.Errorf("record interval must be positive and finite, got %v", p.RecordInterval))
	} else if p.FinalTime > 0 {
		r := p.FinalTime / p.RecordInterval
		if math.Abs(r-math.Round(r)) > 1e-9*r || math.Round(r) < 1 {
			errs = append(errs, fmt.Errorf("final time %v is not a whole positive multiple of the record interval %v", p.FinalTime, p.RecordInterval))
		}
	}
	if p.Grid < 4 || p.Grid%2 != 0 {
		errs = append(errs, fmt.Errorf("solve grid must be even and at least 4, got %d", p.Grid))
	}
	if p.StoreGrid < 1 {
		errs = append(errs, fmt.Errorf("store grid must be positive, got %d", p.StoreGrid))
	} else if p.Grid > 0 && p.Grid%p.StoreGrid != 0 {
		errs = append(errs, fmt.Errorf("solve grid %d is not a multiple of store grid %d", p.Grid, p.StoreGrid))
	}
	if math.IsNaN(p.ForcingAmplitude) || math.IsInf(p.ForcingAmplitude, 0) {
		errs = append(errs, fmt.Errorf("forcing amplitude must be finite, got %v", p.ForcingAmplitude))
	}
	if err := p.Init.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("initial vorticity law: %w", err))
	} else if p.Init.Dim != 2 || p.Init.Boundary != Periodic {
		errs = append(errs, fmt.Errorf("initial vorticity law must be a 2-D periodic field, got %d-D %v", p.Init.Dim, p.Init.Boundary))
	}
	if len(errs) > 0 {
		return fmt.Errorf("pde.NavierStokes: %w", errors.Join(errs...))
	}
	return nil
}
