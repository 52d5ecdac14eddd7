// Package pinn trains physics-informed neural networks (Raissi, Perdikaris
// & Karniadakis 2019): a network u_θ(x) is fitted so that the PDE residual
// vanishes at collocation points of the domain and the boundary, initial
// and data conditions hold at their points,
//
//	L(θ) = w_r · (1/N) Σ_n |R[u_θ](x_n)|² + Σ_c w_c · (1/M_c) Σ_m |B_c[u_θ](y_m) − g_c(y_m)|²,
//
// then minimised by Adam followed by L-BFGS (strong-Wolfe line search), in
// float64 by default.
//
// # Problems
//
// A Problem holds the Domain (a Box: interval, rectangle, 3-D box,
// space-time slab; time is just another input axis), the Residual written
// as Go code over a Fields value, and the Conditions:
//
//	u, ux, ut, uxx := f.D(0), f.D(0, 0), f.D(0, 1), f.D(0, 0, 0)
//	r := ut + u·ux − ν·uxx      (with tensor.Add, tensor.Mul, …)
//
// f.D(k, axes…) is ∂^{|axes|}u_k/∂x_axes…; mixed partials are allowed.
// Conditions are Dirichlet (u = g), Neumann (∂u/∂n = g), Robin
// (αu + β∂u/∂n = g), Periodic (u and optionally its derivatives agree at
// matched points) and Data (measurements, for inverse problems); the
// normal is a box face's (Axis, Sign) or given per point (NeumannNormal,
// RobinNormal: ∂u/∂n = n·∇u on a curved boundary). Trainable PDE
// coefficients go in Problem.Params and are optimised with the network.
// Collocation points are drawn by a Sampler (Uniform, LHS, Halton, Sobol,
// or the regular Grid) and can be redrawn every Config.Resample Adam
// steps, or refined by residual (Config.Adaptive: RAR, RAD). The Domain is
// a Box or a constructive shape: Disk and Polygon (LShape) combined by
// Union, Intersection and Difference (a plate with a hole), sampled by
// rejection from the bounding box; BoundarySample draws boundary points
// (uniform in arc length, or in area on the faces of a 3-D box) with
// their outward normals. TimeSpace is the cylinder Space × [T0, T1] of a
// time-dependent problem on any of those shapes (time the last axis),
// with its initial slice (Initial) and lateral boundary (Lateral).
//
// # Derivatives
//
// Input derivatives are computed in one of two ways (Mode). The generic
// path is nested reverse-mode autodiff: ∂u/∂x = tensor.Grad(Σu, x) with
// createGraph, repeated for higher orders; it works for any network, dtype
// and order. The Taylor path, used automatically for a float64 MLP when
// the problem declares its partials (Problem.Needs, order ≤ 2), propagates
// the value, the first derivatives and the needed second derivatives
// through the network at once: for an affine layer every stream is mapped
// by W (the bias enters the value only), and for h = σ(a)
//
//	h_i = σ′(a) a_i,  h_ij = σ′(a) a_ij + σ′'(a) a_i a_j,
//
// with the K streams stacked as [K, N, width] so that each layer is one
// product; the backward rules are written by hand (using σ‴ for the
// parameter gradient). For Tanh and Sin the whole network is one fused
// operation (internal/taylor: blocks of 32 points carried through every
// layer in cache, C kernels with AVX2/FMA, bitwise the same for any
// GOMAXPROCS); other activations run layer by layer. Both paths give the
// same loss and gradients to rounding (tested to 1e-12 on the Burgers
// loss).
//
// # Networks
//
// MLP (tanh or sine activations with the Taylor path, any other activation
// of the nn catalogue through nested autodiff; Xavier-normal
// initialisation), with optional input maps applied in this order, all on
// the Taylor path: an input box mapped onto [−1, 1]
// (MLPConfig.InputLo/InputHi), exact periodic embeddings
// x_a ↦ [cos kωx_a, sin kωx_a], k = 1…M (PeriodicEmbedding: the network
// and all its derivatives are periodic, so a periodic condition holds by
// construction), random Fourier features. Hard constraints: Constrained,
// the affine output transform u = G(x) + M(x)·v(x) (G meets the
// conditions, M vanishes where they are imposed), which keeps a float64
// MLP on the Taylor path (product rule with nested derivatives of the
// parameter-free G and M), and Transformed, any output transform T(x, u)
// (nested autodiff).
// PINNsFormer (Zhao, Ding & Prakash 2024) turns each point into the
// pseudo-sequence (x, t + iΔt), i = 0…K−1, and maps it through a linear
// embedding, an encoder and a decoder of multi-head attention layers and
// an output MLP, with the wavelet activation w1·sin z + w2·cos z; the
// Trainer gives it the published loss, on every pseudo-timestep. KAN
// stacks Kolmogorov–Arnold layers (B-spline or Chebyshev basis). NetConfig
// (with Build and Validate) and NetByName select and size any of them by
// name, for configuration files.
//
// # Training
//
// Trainer runs Config.AdamSteps Adam steps and then Config.LBFGSIters
// L-BFGS iterations, logs progress (and an optional metric such as the
// error against a reference) through log/slog, writes checkpoints
// (network, optimizer state including the L-BFGS history, collocation
// points, sampler state) and resumes from them bit for bit.
//
// # Time-marching
//
// Marcher trains a time-dependent problem on a Box window by window
// ("sequence-to-sequence" training, Krishnapriyan et al. 2021): one
// network per time slab, each slab's initial conditions (u, and u_t for
// a Neumann one) taken from the previous slab's network at the slab's
// start (WindowProblem), the other conditions restricted or mapped onto
// the slab; Piecewise evaluates the result. Trainable coefficients
// (inverse problems) are shared by the slabs, each slab's optimizer
// starting from the value the previous one reached, and data points are
// split between the slabs; hard constraints compose through
// WindowConstrained, whose output transform takes the previous slab's
// values (and u_t, for a second-order initial condition) at the slab's
// start. It is what solves
// PINNsFormer's convection (β = 50) and wave problems here in minutes.
//
// # Benchmark problems
//
// BurgersRaissi with BurgersReference (the pseudo-spectral ETDRK4 solution
// of the 2-periodic odd extension, which is the Dirichlet solution by
// symmetry), PoissonSine, and PINNsFormer's Convection, Reaction and Wave
// with their exact solutions; PoissonOn and HeatOn, manufactured Poisson
// and heat problems on any 2-D shape (× time) with Dirichlet, Neumann or
// Robin data; PoissonBox, the manufactured Poisson problem on a 1-, 2- or
// 3-D box with a condition type per face. A Reference holds a solution on a grid (restricted to a
// shape's inside by Restrict) or at any points (PointReference) and
// measures a network's relative L2 and rMAE errors against it.
package pinn
