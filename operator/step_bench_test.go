package operator_test

import (
	"math/rand/v2"
	"testing"

	"github.com/sciml-go/sciml/fno"
	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/operator"
	"github.com/sciml-go/sciml/tensor"
)

// benchStep times one training step (forward, relative L2 loss, backward,
// Adam) of m on random [batch, 1, s, s] data, as `sciml bench fno`.
func benchStep(b *testing.B, m operator.Operator, batch, s int) {
	r := rand.New(rand.NewPCG(3, 4))
	x := tensor.RandN(r, tensor.Float32, batch, 1, s, s)
	y := tensor.RandN(r, tensor.Float32, batch, 1, s, s)
	opt := nn.NewAdam(nn.Params(m), nn.AdamConfig{LR: 1e-3, WeightDecay: 1e-4})
	loss := nn.RelLp{P: 2, Reduction: nn.ReduceSum}
	ar := tensor.NewArena()
	b.ResetTimer()
	for range b.N {
		opt.ZeroGrad()
		l := loss.Loss(m.Forward(x.In(ar)), y.In(ar))
		l.Backward()
		opt.Step()
		ar.Reset()
	}
}

func BenchmarkStepFNODarcy85(b *testing.B) {
	m, err := fno.New(fno.Darcy2D(), rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		b.Fatal(err)
	}
	benchStep(b, m, 20, 85)
}

func BenchmarkStepLNODarcy85(b *testing.B) {
	m, err := operator.NewLNO(operator.LNOConfig{Common: operator.Common{Dim: 2, In: 1, Out: 1}, Stack: operator.Stack{Width: 64, Layers: 4}, Rank: 4, KernelHidden: 64}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		b.Fatal(err)
	}
	benchStep(b, m, 20, 85)
}
