package pde

import (
	"errors"
	"fmt"
	"math"
)

// Convention selects how a GRF's random coefficients are drawn and
// normalised. See the package documentation for the formulas.
type Convention int

const (
	// KL is the Karhunen–Loève expansion in the orthonormal eigenfunctions
	// of −Δ: each eigenfunction gets an independent N(0, σ²(μ_k+τ²)^−γ)
	// coefficient, so the field has covariance exactly σ²(−Δ+τ²I)^−γ
	// (restricted to the modes the grid resolves). This is the law of the
	// FNO MATLAB generators GRF1.m (Burgers, with σ given) and GRF.m (Darcy,
	// with σ = τ^(γ−1)).
	KL Convention = iota
	// TorchFFT is the FNO Python GaussianRF (random_fields.py): complex
	// coefficients √2 σ (μ_k+τ²)^(−γ/2) (ξ_k + iη_k) for every index k of the
	// n^d FFT grid, an inverse FFT, and the real part. Periodic only. Its
	// covariance is 2σ²(−Δ+τ²I)^−γ on the resolved modes (twice KL's).
	TorchFFT
)

// String returns "kl" or "torch-fft".
func (c Convention) String() string {
	switch c {
	case KL:
		return "kl"
	case TorchFFT:
		return "torch-fft"
	}
	return fmt.Sprintf("Convention(%d)", int(c))
}

// Placement selects where on [0,1] the n grid points of each axis lie.
type Placement int

const (
	// Vertex grids are x_i = i/n (periodic; x = 1 is x = 0) and
	// x_i = i/(n−1), endpoints included (Neumann, Dirichlet).
	Vertex Placement = iota
	// CellCentred grids are x_i = (i+½)/n, the grid of MATLAB's idct2 used
	// by the FNO GRF.m.
	CellCentred
)

// String returns "vertex" or "cell-centred".
func (p Placement) String() string {
	switch p {
	case Vertex:
		return "vertex"
	case CellCentred:
		return "cell-centred"
	}
	return fmt.Sprintf("Placement(%d)", int(p))
}

// GRF is the Gaussian random field N(m, σ²(−Δ+τ²I)^−γ) on [0,1]^Dim with
// the given boundary condition, sampled on grids of n^Dim points by
// GRF.Sample. See the package documentation for the series it sums.
type GRF struct {
	// Dim is the dimension, 1, 2 or 3.
	Dim int
	// Boundary is Periodic, Neumann or Dirichlet.
	Boundary Boundary
	// Mean m, added as the constant mode (must be 0 for Dirichlet).
	Mean float64
	// Sigma σ > 0 scales the field.
	Sigma float64
	// Tau τ > 0 is the inverse length scale.
	Tau float64
	// Gamma γ > 0 is the smoothness exponent (alpha in the FNO scripts).
	Gamma float64
	// Convention is KL (default) or TorchFFT.
	Convention Convention
	// Grid is the point placement, Vertex (default) or CellCentred.
	Grid Placement
}

// BurgersGRF returns the FNO paper's Burgers input law
// N(0, 625(−Δ+25I)^−2) on the 1-D torus (σ = 25, τ = 5, γ = 2, KL, the law
// of GRF1.m).
func BurgersGRF() GRF {
	return GRF{Dim: 1, Boundary: Periodic, Sigma: 25, Tau: 5, Gamma: 2}
}

// DarcyGRF returns the FNO Darcy coefficient law of GRF.m: zero-Neumann,
// τ = 3, γ = 2, σ = τ^(γ−1) = 3, zero mean, KL. It is placed on the vertex
// grid (the nodes of the Darcy solver); set Grid = CellCentred to get the
// idct2 grid of GRF.m itself.
func DarcyGRF() GRF {
	return GRF{Dim: 2, Boundary: Neumann, Sigma: 3, Tau: 3, Gamma: 2}
}

// NavierStokesGRF returns the FNO Navier–Stokes initial vorticity law
// GaussianRF(2, s, alpha=2.5, tau=7): periodic, TorchFFT convention,
// σ = τ^(½(2γ−d)) = 7^1.5.
func NavierStokesGRF() GRF {
	return GRF{Dim: 2, Boundary: Periodic, Sigma: math.Pow(7, 1.5), Tau: 7, Gamma: 2.5, Convention: TorchFFT}
}

// Validate reports the invalid parameters of g.
func (g GRF) Validate() error {
	var errs []error
	if g.Dim < 1 || g.Dim > 3 {
		errs = append(errs, fmt.Errorf("dimension must be 1, 2 or 3, got %d", g.Dim))
	}
	if g.Boundary != Periodic && g.Boundary != Neumann && g.Boundary != Dirichlet {
		errs = append(errs, fmt.Errorf("unknown boundary %v", g.Boundary))
	}
	for _, v := range []struct {
		name string
		v    float64
	}{{"sigma", g.Sigma}, {"tau", g.Tau}, {"gamma", g.Gamma}} {
		if !(v.v > 0) || math.IsInf(v.v, 0) {
			errs = append(errs, fmt.Errorf("%s must be positive and finite, got %v", v.name, v.v))
		}
	}
	if math.IsNaN(g.Mean) || math.IsInf(g.Mean, 0) {
		errs = append(errs, fmt.Errorf("mean must be finite, got %v", g.Mean))
	}
	if g.Boundary == Dirichlet && g.Mean != 0 {
		errs = append(errs, fmt.Errorf("a zero-Dirichlet field has mean 0, got mean %v", g.Mean))
	}
	switch g.Convention {
	case KL:
	case TorchFFT:
		if g.Boundary != Periodic {
			errs = append(errs, fmt.Errorf("the torch-fft convention is periodic only, got %v", g.Boundary))
		}
	default:
		errs = append(errs, fmt.Errorf("unknown convention %v", g.Convention))
	}
	switch g.Grid {
	case Vertex:
	case CellCentred:
		if g.Boundary == Periodic {
			errs = append(errs, errors.New("periodic fields use the vertex grid (a shift does not change their law)"))
		}
	default:
		errs = append(errs, fmt.Errorf("unknown grid placement %v", g.Grid))
	}
	if len(errs) > 0 {
		return fmt.Errorf("pde.GRF: %w", errors.Join(errs...))
	}
	return nil
}

// MinPoints is the smallest n accepted by Sample: 2 (periodic, cell-centred),
// 3 for vertex Dirichlet grids (one interior point).
func (g GRF) MinPoints() int {
	if g.Boundary == Dirichlet && g.Grid == Vertex {
		return 3
	}
	return 2
}

// eigenvalue returns μ_k of −Δ for the integer wave vector k: (2π|k|)²
// (periodic) or (π|k|)² (Neumann, Dirichlet).
func (g GRF) eigenvalue(k []int) float64 {
	c := math.Pi
	if g.Boundary == Periodic {
		c = 2 * math.Pi
	}
	s := 0.0
	for _, v := range k {
		s += float64(v) * float64(v)
	}
	return c * c * s
}

// Spectrum returns the covariance eigenvalue σ²(μ_k+τ²)^−γ of the
// eigenfunction with integer wave vector k (len(k) = Dim). For the KL
// convention it is the variance of the coefficient of the L²-normalised
// eigenfunction; for TorchFFT the field's variance is twice that.
func (g GRF) Spectrum(k []int) float64 {
	return g.Sigma * g.Sigma * math.Pow(g.eigenvalue(k)+g.Tau*g.Tau, -g.Gamma)
}

// Points returns the n grid coordinates of one axis.
func (g GRF) Points(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		switch {
		case g.Boundary == Periodic:
			x[i] = float64(i) / float64(n)
		case g.Grid == CellCentred:
			x[i] = (float64(i) + 0.5) / float64(n)
		default:
			x[i] = float64(i) / float64(n-1)
		}
	}
	return x
}

// Modes returns the range [lo, hi) of the non-negative integer wave numbers
// per axis that a Neumann or Dirichlet field uses on n points: the cosine
// or sine series is Σ_k c_k Π_j φ_{k_j}(x_j) over lo ≤ k_j < hi. Periodic
// fields use all FFT indices −n/2 ≤ k_j < n/2 instead.
func (g GRF) Modes(n int) (lo, hi int) {
	switch {
	case g.Boundary == Neumann:
		return 0, n
	case g.Grid == CellCentred: // Dirichlet, sin(πk(i+½)/n), k = 1..n
		return 1, n + 1
	default: // Dirichlet vertex: sin(πki/(n−1)), k = 1..n−2
		return 1, n - 1
	}
}
