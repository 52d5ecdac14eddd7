// Package inr fits implicit neural representations: networks f_θ(x) from
// coordinates x ∈ [−1, 1]^d (d = 1, 2, 3) to signal values, trained on the
// samples of a field, then evaluated anywhere — at any resolution (Render),
// with derivatives by autodiff (Derivatives), or trained from derivative
// data alone (FitDerivative, the SIREN Poisson experiment).
//
// # Models
//
// Every model is selected by name in a Config (New) and sized by Hidden
// (width h) and Layers (hidden layers after the first); WithBudget picks the
// width that meets a parameter budget, so models compare at equal size.
// With z = Wx + b:
//
//	siren    sin(ω0 z), ω0 = 30 (Sitzmann et al. 2020). First layer
//	         W ~ U(−1/n, 1/n), others U(−√(6/n)/ω0, √(6/n)/ω0), n the fan-in
//	         (nn.SirenFirst, nn.Siren); biases as PyTorch's Linear.
//	relu_pe  ReLU MLP on the positional encoding
//	gelu_pe  γ(x) = [x, sin(2^k πx), cos(2^k πx)], k = 0…L−1 (L = Frequencies, 10);
//	         GELU z·Φ(z) for gelu_pe.
//	gauss    exp(−(s z)²), s = Scale (10).
//	finer    sin(ω0(|z| + 1)z), ω0 = 30, SIREN's initialisation (Liu et al. 2024); the factor
//	         |z| + 1 is differentiated exactly (FINER's code holds it constant).
//	wire     complex Gabor ψ(z) = exp(iω0 z − |s0 z|²), ω0 = 20, s0 = 30
//	         (Saragadam et al. 2023): a real first layer, complex hidden and
//	         output layers (real and imaginary parts carried as pairs of
//	         real tensors, W = Wr + iWi), output = real part. For z = a + ib,
//	         ψ = exp(−ω0 b − s0²(a² + b²))(cos ω0a + i sin ω0a).
//	wavelet  the complex-wavelet prescriptions (Roddenberry et al. 2024): a
//	         low-pass WIRE branch (ω0 = 0, s0/10: Gaussian scaling atoms) plus
//	         a band-pass WIRE branch (complex Gabor atoms), each half the
//	         width, outputs added; PlaceAtoms centres the band-pass
//	         first-layer atoms on the target's edges (drawn ∝ |∇y|).
//	fkan     Fourier-KAN first layer (nn.FourierKAN on πx) y_o = Σ_i Σ_{k=1..K} a_{oik} cos(kπx_i) +
//	         b_{oik} sin(kπx_i) + c_o (K = Frequencies, 64; a, b ~ N(0, 1/(dK))),
//	         then tanh hidden layers (Mehrabian et al. 2024).
//	sl2a     Chebyshev first layer (nn.ChebyshevKAN) y_o = Σ_i Σ_{k=0..K} c_{oik} T_k(tanh x_i)
//	         (T_k by T_{k+1} = 2tT_k − T_{k−1}; K = Frequencies, 64), LayerNorm,
//	         then low-rank ReLU layers ReLU(U V h + b) of rank Rank (h/4).
//
// Every model ends with a linear layer (SIREN and FINER initialise it with
// the hidden-layer bound).
//
// # Fitting and metrics
//
// Fit trains by full-batch Adam (lr 1e-4 by default, SIREN's) on the mean
// squared error over the grid points of a Field, reporting per step
//
//	PSNR  = 10·log10(R²/MSE)                    R: the data range (FitConfig.DataRange)
//	SSIM  (Wang et al. 2004): 11×11 Gaussian window, σ = 1.5, K1 = 0.01,
//	      K2 = 0.03, over the windows inside the image, mean over channels
//	      (3-D fields: mean over slices along axis 0)
//	RelL2 = ‖f − y‖₂/‖y‖₂.
//
// Grid point j of an axis of n points sits at −1 + 2j/(n−1), so Render
// evaluates the same continuous function at any resolution.
//
// # Derivatives
//
// Derivatives returns ∇f and Δf = Σ_a ∂²f/∂x_a² by reverse-mode autodiff
// (tensor.Grad1 twice). FitDerivative fits f so that ∇f (or Δf) matches
// the finite-difference derivative of a target (Field.Gradient: central
// differences, Field.Laplacian: the 3-point stencil, both in coordinate
// units); the field is then known up to a constant, so its PSNR is
// measured after shifting it to the target's mean.
//
// TestImage is a procedural 256² test scene (smooth shading, a Gaussian
// bump, sharp edges, a chirp); LoadPNG reads images; Save and Load write a
// model and its Config to an nn checkpoint.
package inr
