package tensor

import "math"

// Float32 transcendental kernels. These go through float64 math for now.
var (
	sinF32  = mapK(func(v float32) float32 { return float32(math.Sin(float64(v))) })
	cosF32  = mapK(func(v float32) float32 { return float32(math.Cos(float64(v))) })
	tanhF32 = mapK(func(v float32) float32 { return float32(math.Tanh(float64(v))) })
)
