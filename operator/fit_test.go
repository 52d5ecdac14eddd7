package operator

import (
	"math"
	"testing"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// helmholtzData returns n samples of the periodic 1-D problem
// a = Σ_{k≤4} c_k sin 2πkx + d_k cos 2πkx ↦ u = (1 − Δ/4π²)^{-1} a, i.e.
// u = Σ (c_k sin 2πkx + d_k cos 2πkx)/(1 + k²), on s points, as
// [n, 1, s] float32 tensors.
func helmholtzData(seed uint64, n, s int) (x, y *tensor.Tensor) {
	r := rng(seed)
	xs := make([]float64, n*s)
	ys := make([]float64, n*s)
	for i := range n {
		for k := 1; k <= 4; k++ {
			c, d := r.NormFloat64(), r.NormFloat64()
			for j := range s {
				t := 2 * math.Pi * float64(k*j) / float64(s)
				v := c*math.Sin(t) + d*math.Cos(t)
				xs[i*s+j] += v
				ys[i*s+j] += v / float64(1+k*k)
			}
		}
	}
	return tensor.FromFloat64s(tensor.Float32, xs, n, 1, s), tensor.FromFloat64s(tensor.Float32, ys, n, 1, s)
}

// relL2 returns the mean over samples of ‖pred − y‖/‖y‖.
func relL2(pred, y *tensor.Tensor) float64 {
	p, q := pred.ToFloat64s(), y.ToFloat64s()
	n := y.Dim(0)
	m := len(q) / n
	sum := 0.0
	for i := range n {
		var num, den float64
		for j := i * m; j < (i+1)*m; j++ {
			num += (p[j] - q[j]) * (p[j] - q[j])
			den += q[j] * q[j]
		}
		sum += math.Sqrt(num / den)
	}
	return sum / float64(n)
}

// fit trains m on (x, y) with Adam on the MSE for the given number of
// full-batch steps and returns the relative L2 error before and after.
func fit(t *testing.T, m Operator, x, y *tensor.Tensor, steps int, lr float64) (before, after float64) {
	t.Helper()
	before = relL2(m.Forward(x).Detach(), y)
	opt := nn.NewAdam(nn.TrainableParams(m), nn.AdamConfig{LR: lr})
	for range steps {
		opt.ZeroGrad()
		nn.MSE(m.Forward(x), y).Backward()
		opt.Step()
	}
	after = relL2(m.Forward(x).Detach(), y)
	return before, after
}
