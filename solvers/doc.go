// Package solvers holds the classical numerical solvers that generate the
// toolkit's training data for the problems of package pde. See the solver
// types for the schemes.
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
// the coarsest grid. CG stops at ‖f − Au‖₂ ≤ Tolerance·‖f‖₂ (1e-10).
//
// The FNO script sampled its coefficient at cell centres and moved it to the
// nodes by spline interpolation; here the coefficient is given at the nodes.
//
// # Batches, parallelism and determinism
//
// Every solver computes in float64 and has a SolveBatch method that solves
// independent samples in parallel, one sample per worker goroutine
// (Workers, default GOMAXPROCS), each worker reusing its buffers. A sample's
// result depends only on its input, so batches are bitwise identical for
// any number of workers. The context cancels a batch between (and inside)
// samples; the Progress hook reports finished samples.
package solvers
