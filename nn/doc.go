// Package nn holds the building blocks of sciml's networks: a module and
// parameter model, layers, initializers and losses, all on package tensor.
// (Activations, optimizers, learning-rate schedules, gradient clipping and
// checkpoint files live here too, each in its own file.)
//
// # Modules and parameters
//
// A parameter is a leaf *tensor.Tensor that requires gradients. A Module
// declares its parameters, buffers (state that is saved but not trained,
// such as BatchNorm's running statistics) and submodules to a Visitor, in a
// fixed order:
//
//	func (m *Block) Visit(v *nn.Visitor) {
//		v.Module("spectral", m.Spectral)
//		v.Module("skip", m.Skip)
//		v.Buffer("scale", m.Scale)
//	}
//
// From that one method the package derives stable dotted names
// ("layers.2.spectral.weight", as PyTorch's named_parameters), NamedParams,
// CountParams (a complex parameter counts as two reals, as the published
// FNO counts do), Freeze and Unfreeze by name prefix (they flip the
// requires-grad flag), StateDict and LoadStateDict (which names every
// missing or unexpected key and every shape mismatch) and SetTraining,
// which switches BatchNorm and Dropout between training and evaluation.
//
// # Layers
//
// Linear (y = xWᵀ + b), ChannelLinear (a 1×1 convolution over axis 1) and
// ChannelMLP, Conv1d and Conv2d (stride, zero or periodic padding),
// ConvTranspose1d and ConvTranspose2d (a 4×4 kernel with stride 2 and
// padding 1 doubles a grid), LayerNorm, BatchNorm, InstanceNorm,
// MultiheadAttention (PyTorch semantics, batch first) and Dropout.
// Parameters use PyTorch's layouts and names (Linear weight [out, in]; Conv
// weight [Co, Ci, k…]; ConvTranspose weight [Ci, Co, k…]; in_proj_weight,
// out_proj.weight, running_mean, …), so checkpoints look familiar. Layers hold float32 unless built WithDType(tensor.Float64)
// (PINNs). Constructors take options:
//
//	r := nn.NewRand(seed)
//	lift := nn.NewLinear(3, 64, nn.WithRand(r))
//	norm := nn.NewBatchNorm(64, nn.WithMomentum(0.1))
//	down := nn.NewConv2d(24, 24, 3, nn.WithStride(2), nn.WithPadding(1), nn.WithRand(r))
//	attn := nn.NewMultiheadAttention(32, 2, nn.WithRand(r), nn.WithDType(tensor.Float64))
//
// Every random draw has an explicit source: layers with random weights
// panic without WithSeed or WithRand.
//
// # Initializers
//
// An Init fills a tensor from a *rand.Rand. With fan-in n_in and fan-out
// n_out computed as PyTorch does (Fans):
//
//	KaimingUniform(g, fan)   U(−b, b), b = g·√(3/fan)      std g/√fan
//	KaimingNormal(g, fan)    N(0, (g/√fan)²)
//	XavierUniform(g)         U(−b, b), b = g·√(6/(n_in+n_out))
//	XavierNormal(g)          N(0, g²·2/(n_in+n_out))
//	TorchDefault()           U(−1/√n_in, 1/√n_in)   (kaiming_uniform_, a = √5)
//	TorchBias(n_in)          U(−1/√n_in, 1/√n_in)
//	SirenFirst()             U(−1/n_in, 1/n_in)
//	Siren(ω0)                U(−√(6/n_in)/ω0, √(6/n_in)/ω0)
//
// Gain gives PyTorch's gains (√2 for ReLU, 5/3 for tanh, …).
//
// # Losses
//
// For a batch ŷ, y of shape [B, …] (axis 0 the batch):
//
//	MSE          mean((ŷ − y)²)
//	RelLp        per sample ‖ŷ_b − y_b‖_p/‖y_b‖_p, summed or averaged
//	Lp           per sample ‖ŷ_b − y_b‖_p
//	WeightedMSE  (1/|Ω|)∫(ŷ − y)², by quadrature
//	H1           per sample √(∫e² + |∇e|²) (relative: divided by the same norm of y)
//
// The losses that integrate take a Grid: the lengths of the spatial axes
// and whether they are periodic (rectangle rule on x_j = jL/n) or not
// (trapezoidal rule on x_j = jL/(n−1)). With the quadrature weights and the
// grid spacing taken from the domain, a loss of the same function means
// the same at every resolution. H1 differentiates spectrally on periodic
// grids (exact for band-limited functions) and by second-order finite
// differences otherwise.
package nn
