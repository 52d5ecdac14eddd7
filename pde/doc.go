// Package pde defines the problems of the toolkit — Burgers 1-D, Darcy 2-D
// and Navier–Stokes 2-D in vorticity form — with their parameters, the
// Gaussian random fields their inputs are drawn from, and the exact and
// manufactured solutions the solvers are tested against. The same
// definitions feed the classical solvers (package solvers), the PINN
// residuals and the tests.
//
// # Problems and defaults (the FNO paper, Li et al. 2020)
//
// Burgers (DefaultBurgers): u_t + (u²/2)_x = ν u_xx on the periodic [0,1),
// t ∈ [0,1], ν = 0.1, 8192 points, u0 ~ N(0, 625(−Δ+25I)^−2).
//
// Darcy (DefaultDarcy): −∇·(a∇u) = 1 on (0,1)², u = 0 on the boundary,
// 421×421 nodes x_ij = (ih, jh), h = 1/420, a = 12 where ψ ≥ 0 and 3 where
// ψ < 0, ψ ~ N(0, 9(−Δ+9I)^−2) with zero-Neumann conditions.
//
// Navier–Stokes (DefaultNavierStokes): w_t + u·∇w = νΔw + f on the unit
// torus, u = (ψ_y, −ψ_x), −Δψ = w, f = 0.1(sin 2π(x+y) + cos 2π(x+y)),
// w0 from the script's GaussianRF(2, s, α = 2.5, τ = 7, σ = 7^1.5) (TorchFFT
// convention; the paper writes N(0, 7^{3/2}(−Δ+49I)^−2.5)), ν = 1e-3, T = 50
// (other regimes: ν = 1e-4, T = 30; ν = 1e-5, T = 20), one snapshot per unit
// time, solved on 256², stored on 64².
//
// Every parameter struct has a Validate method that reports all invalid
// fields at once, wrapped as "pde.<Problem>: …".
//
// 2-D and 3-D arrays are row-major with the first coordinate slowest:
// v[i*n+j] = v(x_i, y_j).
//
// # Gaussian random fields
//
// GRF is the law N(m, σ²(−Δ+τ²I)^−γ) on [0,1]^d, d = 1, 2, 3. The
// eigenfunctions of −Δ and their eigenvalues μ_k are
//
//	periodic:  e^{2πi k·x},            μ_k = 4π²|k|²,  k ∈ Z^d
//	Neumann:   Π_j cos(πk_j x_j),      μ_k = π²|k|²,   k_j ≥ 0
//	Dirichlet: Π_j sin(πk_j x_j),      μ_k = π²|k|²,   k_j ≥ 1
//
// and λ_k = σ²(μ_k+τ²)^−γ are the eigenvalues of the covariance (Spectrum).
//
// The KL convention sums the Karhunen–Loève series in L²-normalised
// eigenfunctions with independent N(0,1) weights ξ_k:
//
//	Neumann/Dirichlet:  u(x) = m + Σ_{k≠0} √λ_k · 2^{z(k)/2} ξ_k Π_j φ_{k_j}(x_j)
//
// where z(k) is the number of nonzero k_j (the √2 of each normalised cos/sin
// factor). On n points per axis it uses the modes the grid resolves: k_j <
// n for Neumann, 1 ≤ k_j ≤ n−2 (vertex) or ≤ n (cell-centred) for
// Dirichlet; the sums are computed axis by axis with FFTs of length 2(n−1)
// (vertex grids x_i = i/(n−1)) or 2n (cell-centred grids x_i = (i+½)/n,
// the points of MATLAB's idct2). Periodic:
//
//	u(x) = m + Re Σ_{k≠0} ĉ_k e^{2πi k·x},  ĉ_k = √λ_k (ξ_k − iη_k) w_k,
//
// over the FFT indices −n/2 ≤ k_j < n/2, w_k = √2 for the self-conjugate
// indices (every k_j ∈ {0, −n/2}) and 1 otherwise. Pairing k with −k this is
// m + Σ √(2λ_k)(ξ cos 2πk·x + η sin 2πk·x), the KL series; the grid values
// have exactly the law of the continuum field restricted to |k_j| ≤ n/2, so
// the DFT coefficients a_k = (1/N)Σ_x u(x)e^{−2πik·x} satisfy
// E|a_k|² = λ_k (2λ_k at self-conjugate indices, where ±n/2 alias).
//
// The FNO generators correspond to:
//
//   - GRF1.m (Burgers): periodic KL with σ given: u = m + Σ_{k=1}^{N}
//     √2 σ((2πk)²+τ²)^(−γ/2)(ξ_k cos 2πkx + η_k sin 2πkx). BurgersGRF.
//   - GRF.m (Darcy): L = s·coef·ξ, coef = τ^(γ−1)(π²|k|²+τ²)^(−γ/2), zero
//     mean mode, U = idct2(L) (orthonormal DCT-III): exactly KL Neumann with
//     σ = τ^(γ−1) on the cell-centred grid (TestDarcyGRFMatchesGRFm).
//     DarcyGRF evaluates the same law on the solver's vertex grid.
//   - GaussianRF (random_fields.py; Navier–Stokes, and the 1-D Burgers
//     variant of the Python code with Dim = 1): the TorchFFT convention,
//     ĉ_k = √2 σ (μ_k+τ²)^(−γ/2)(ξ_k + iη_k) for every FFT index k ≠ 0, and
//     u = Re(ifft(n^d ĉ)) + m. Its DFT coefficients have E|a_k|² = 2λ_k: the
//     field has twice the covariance of N(m, σ²(−Δ+τ²I)^−γ). The script's
//     default σ = τ^(½(2γ−d)) (7^1.5 for NS). NavierStokesGRF.
//
// Random numbers are drawn in a fixed order (row-major over the mode
// indices; ξ then η per periodic index) from the *rand.Rand passed in.
//
// # Seeding
//
// A dataset generator takes one seed and draws sample i only from
// NewRand(seed, i) (a PCG seeded with SampleSeed(seed, i)). Samples then do
// not depend on the number of workers, the processing order, sharding or
// resumption.
//
// # Exact and manufactured solutions
//
// ColeHopf evaluates the exact periodic Burgers solution u = −2νφ_x/φ,
// φ0 = exp(−∫u0/(2ν)), φ_t = νφ_xx, spectrally. ShellFlow (TaylorGreen,
// Kolmogorov, FNOForcedShell) gives exact Navier–Stokes vorticities whose
// modes share one |k|, where advection vanishes. DarcyManufactured is a
// smooth solution with a steep two-phase coefficient.
package pde
