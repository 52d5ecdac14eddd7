package fno

import "github.com/sciml-go/sciml/operator"

// Burgers1D is the FNO paper's Burgers model: 4 Fourier layers of width 64
// with 16 modes, input (u0, x), projection 64 → 128 → 1, GELU; 549,569
// parameters.
func Burgers1D() Config {
	return Config{Common: operator.Common{Dim: 1, In: 1, Out: 1, Activation: "gelu", Grid: "periodic"}, Stack: operator.Stack{Width: 64, Layers: 4, Projection: 128}, Modes: []int{16}}
}

// Darcy2D is the FNO paper's Darcy model: 4 layers of width 32 with 12×12
// modes, input (a, x, y), GELU; 2,368,001 parameters. The domain is padded
// by a tenth of each axis (9 points at s = 85, as the published code's
// fixed 9), so the padding scales with the resolution.
func Darcy2D() Config {
	return Config{Common: operator.Common{Dim: 2, In: 1, Out: 1, Activation: "gelu", Grid: "closed"}, Stack: operator.Stack{Width: 32, Layers: 4, Projection: 128}, Modes: []int{12, 12}, Padding: []float64{0.1}}
}

// NavierStokes2D is the FNO paper's recurrent-in-time FNO-2D: the last 10
// vorticity snapshots and (x, y) in, the next snapshot out; width 20, 8×8
// modes, BatchNorm; 414,517 parameters.
func NavierStokes2D() Config {
	return Config{Common: operator.Common{Dim: 2, In: 10, Out: 1, Activation: "gelu", Grid: "periodic"}, Stack: operator.Stack{Width: 20, Layers: 4, Projection: 128}, Modes: []int{8, 8}, Norm: "batch"}
}

// NavierStokes3D is the FNO paper's space-time FNO-3D: the first 10
// snapshots repeated along the time axis and (x, y, t) in, the vorticity
// on the whole space-time grid out; width 20, 8×8×8 modes, BatchNorm, the
// time axis padded (6 points of 40 in the published code); 6,558,537
// parameters.
func NavierStokes3D() Config {
	return Config{Common: operator.Common{Dim: 3, In: 10, Out: 1, Activation: "gelu", Grid: "closed"}, Stack: operator.Stack{Width: 20, Layers: 4, Projection: 128}, Modes: []int{8, 8, 8}, Norm: "batch", Padding: []float64{0, 0, 0.15}}
}
