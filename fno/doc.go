// Package fno implements Fourier neural operators (Li et al., "Fourier
// Neural Operator for Parametric Partial Differential Equations", 2020) in
// 1, 2 and 3 dimensions, including the space-time FNO-3D and the FNO-2D
// that is rolled out recurrently in time for Navier–Stokes.
//
// An FNO maps an input function a (channels In, sampled on a grid) to an
// output function u (channels Out, same grid):
//
//	v₀ = P(a, x)                          lifting: a 1×1 linear map to Width channels
//	v_{l+1} = σ(N(K_l v_l + W_l v_l))      l = 0 … L−1 (no σ after the last layer)
//	u = Q(v_L)                             projection: 1×1 MLP Width → Projection → Out
//
// where (K_l v)(x) = F⁻¹(R_l · F v)(x) multiplies the lowest Modes Fourier
// coefficients of every channel by learned complex matrices R_l(k) (the
// other coefficients are dropped), W_l is a pointwise linear map (the
// skip), N an optional normalisation and σ the activation (GELU by
// default). Because K_l acts on Fourier modes, the same weights apply at
// every grid resolution: a model trained at one resolution can be
// evaluated at another (discretization invariance), and asked for its
// output on a finer grid (zero-shot super-resolution).
//
// Non-periodic problems (Darcy) pad the domain with zeros on each axis by
// a fraction of its length before the Fourier layers and crop afterwards,
// so the padding scales with the resolution.
//
// The published configurations are constructors (Burgers1D, Darcy2D,
// NavierStokes2D, NavierStokes3D) whose parameter counts match the paper's
// (549,569; 2,368,001; 414,517; 6,558,537), counting a complex weight as two
// real parameters.
package fno
