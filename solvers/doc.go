// Package solvers holds the classical numerical solvers that generate the
// toolkit's training data for the problems of package pde: Burgers
// (pseudo-spectral ETDRK4), Darcy (finite differences, multigrid-
// preconditioned conjugate gradients) and Navier–Stokes (pseudo-spectral
// vorticity–stream function). All compute in float64; Navier–Stokes can
// also step in float32 (NavierStokes.Precision).
//
// Fourier conventions: on n points x_j = jL/n, û_k = Σ_j u_j e^{−2πikx_j/L}
// (unscaled forward, numpy order of wave numbers), real fields are held as
// half spectra (k_last = 0…n/2), derivatives multiply by 2πik/L and the
// derivative of the Nyquist mode is set to zero.
//
// # Burgers
//
// Burgers solves u_t = −(u²/2)_x + νu_xx on the periodic [0, L) in Fourier
// space, v̂_t = L̂v̂ + N̂(v̂) with the diagonal stiff part L̂_k = −ν(2πk/L)² and
//
//	N̂(v̂) = −(iκ/2)·P·FFT((IFFT(P v̂))²),   κ = 2πk/L,
//
// where P keeps |k| ≤ n/3 (the 2/3 rule: the square of a field with modes
// ≤ n/3 aliases only onto modes > n/3, which P removes). Time stepping is
// ETDRK4 (Cox & Matthews 2002) with step h:
//
//	a = E₂v + Q N(v),   b = E₂v + Q N(a),   c = E₂a + Q(2N(b) − N(v)),
//	v ← E v + f₁N(v) + 2f₂(N(a) + N(b)) + f₃N(c),
//
// E = e^{hL}, E₂ = e^{hL/2}, Q = h(e^{z/2}−1)/z, f₁ = h(−4−z+e^z(4−3z+z²))/z³,
// f₂ = h(2+z+e^z(z−2))/z³, f₃ = h(−4−3z−z²+e^z(4−z))/z³ at z = hL,
// evaluated as means over 64 points of a unit circle around z (Kassam &
// Trefethen 2005), which avoids cancellation near z = 0. Snapshot times are
// hit exactly: each interval is split into equal steps no longer than
// TimeStep. Errors against the exact Cole–Hopf solution (pde.ColeHopf) on
// the FNO law at 8192 points, ν = 0.1, T = 1: ≈ 1e-9 (dt = 1e-3, the
// default), 1.3e-8 (dt = 2e-3); fourth order in time for smooth data (the
// rough FNO data show ≈ 3.3 at moderate steps, the known stiff order
// reduction of ETDRK4).
//
// # Darcy
//
// Darcy discretises −∇·(a∇u) = f on the node grid x_ij = (ih, jh),
// h = 1/(n−1), with the 5-point scheme
//
//	[k_E(u_P−u_E) + k_W(u_P−u_W) + k_N(u_P−u_N) + k_S(u_P−u_S)]/h² = f_P
//
// at interior nodes P, u = g at boundary nodes. The face coefficient between
// P and a neighbour Q is the arithmetic mean (a_P+a_Q)/2 (as in the FNO
// script solve_gwf.m) or, with pde.Harmonic, the harmonic mean
// 2a_Pa_Q/(a_P+a_Q), which keeps the flux continuous across jumps. Both are
// second order for smooth a. The symmetric positive definite system is
// solved by conjugate gradients preconditioned with one V(1,1) cycle of
// geometric multigrid per iteration: coarse grids keep every other node
// (any n works; an even number of unknowns leaves one shorter coarse cell at
// the end), bilinear interpolation P, restriction Pᵀ, Galerkin operators
// PᵀAP (9-point), forward Gauss–Seidel before and backward after the coarse
// correction (so the preconditioner is symmetric) and a Cholesky solve on
// the coarsest grid. CG stops at ‖f − Au‖₂ ≤ Tolerance·‖f‖₂ (1e-10); the
// FNO coefficients (contrast 4) need ≈ 12 iterations at 421².
//
// The FNO script sampled its coefficient at cell centres and moved it to the
// nodes (and the solution back) by spline interpolation; here coefficient
// and solution live on the nodes (set pde.GRF.Grid = pde.CellCentred and
// resample yourself to mimic the script).
//
// # Navier–Stokes
//
// NavierStokes solves w_t + u·∇w = νΔw + f on the unit torus with
// ψ̂ = ŵ/(4π²|k|²), u = ψ_y, v = −ψ_x (as the FNO script), on the n×n grid
// x_ij = (i/n, j/n). The advection term is
//
//	F̂ = D·FFT(u w_x + v w_y)                    (AdvectiveForm, the script)
//	F̂ = D·FFT(∂x∂y(v²−u²) + (∂x²−∂y²)(uv))        (BasdevantForm)
//
// with D the script's 2/3 mask |k_x|, |k_y| ≤ ⅔·n/2 applied to the product
// only. The two forms are the same operator on fields band-limited to D
// and differ only by aliasing errors otherwise; the second needs 4 FFTs per
// evaluation instead of 5. Time integrators:
//
//	CrankNicolsonEuler (the script): ŵ ← [(1−½hνλ)ŵ + h(f̂ − F̂)]/(1+½hνλ),
//	λ = 4π²|k|², first order in time because advection and forcing are
//	explicit Euler; dt = 1e-4 by default.
//
//	ETDRK4: the Burgers scheme above with L = −νλ and N(ŵ) = f̂ − F̂(ŵ),
//	fourth order, exact for the linear forced part; dt = 2e-3 by default.
//
// Snapshots are taken every RecordInterval and moved to the StoreGrid S by
// SpectralTruncation (keep |k_x|, |k_y| < S/2, drop the Nyquist modes,
// evaluate on the S×S grid: the band-limited projection) or Striding (point
// values w(i·n/S, j·n/S), as subsampling the stored arrays would). A time
// step allocates nothing; each worker owns its spectral buffers.
//
// Precision Float32 runs the same code (generic over float32/float64) with
// float32 buffers, complex64 spectra and float32 FFTW plans, as the FNO
// script does in PyTorch's default dtype; per-mode tables are computed in
// float64 and rounded once, and the updates are written as increments of ŵ
// so that the rounded factors (1−½hνλ)/(1+½hνλ) ≈ 1 and e^{hL} ≈ 1 do not
// compound. It agrees with float64 to ≈ 2–3e-6 (relative L2) over T = 1 at
// dt = 1e-4 (CN/Euler) and to 3.5e-7 with ETDRK4 at dt = 2e-3.
//
// # Batches, parallelism and determinism
//
// Every solver has a SolveBatch method that solves independent samples in
// parallel, one sample per worker goroutine (Workers, default GOMAXPROCS),
// each worker reusing its buffers. A sample's result depends only on its
// input, so batches are bitwise identical for any number of workers. The
// context cancels a batch between (and inside) samples; the Progress hook
// reports finished samples, and NavierStokes.OnSnapshot reports recorded
// snapshots.
package solvers
