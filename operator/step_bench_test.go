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

// BenchmarkStepGNOSubsampled times one training step of a GNO on m = 500
// random nodes of each of 4 samples of an 85² grid (width 16, κ hidden 64,
// r = 0.1: about 13 neighbours a node).
func BenchmarkStepGNOSubsampled(b *testing.B) {
	m, err := operator.NewGNO(operator.GNOConfig{Common: operator.Common{Dim: 2, In: 1, Out: 1}, Stack: operator.Stack{Width: 16, Layers: 4},
		KernelHidden: []int{64}, Radius: 0.1, SampleNodes: 500}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	const batch, s = 4, 85
	x := tensor.RandN(r, tensor.Float32, batch, 1, s, s)
	y := tensor.RandN(r, tensor.Float32, batch, 1, s, s)
	opt := nn.NewAdam(nn.Params(m), nn.AdamConfig{LR: 1e-3, WeightDecay: 1e-4})
	loss := nn.RelLp{P: 2, Reduction: nn.ReduceSum}
	ar := tensor.NewArena()
	b.ResetTimer()
	for i := range b.N {
		nodes := make([][]int, batch)
		for j := range nodes {
			nodes[j] = m.SampleNodes(s*s, 0, 0, i, j)
		}
		opt.ZeroGrad()
		l := loss.Loss(m.ForwardNodes(x.In(ar), nodes), operator.GatherNodes(y.In(ar), nodes))
		l.Backward()
		opt.Step()
		ar.Reset()
	}
}

// BenchmarkStepMultipoleGNO times one training step of the multipole GNO
// of the Darcy compare profile (width 8, κ hidden 32, 3 levels, r = 0.02)
// on a batch of 4 at 85².
func BenchmarkStepMultipoleGNO(b *testing.B) {
	m, err := operator.NewMultipoleGNO(operator.MultipoleGNOConfig{GNOConfig: operator.GNOConfig{Common: operator.Common{Dim: 2, In: 1, Out: 1}, Stack: operator.Stack{Width: 8, Layers: 4},
		KernelHidden: []int{32}, Radius: 0.02}, Levels: 3}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		b.Fatal(err)
	}
	benchStep(b, m, 4, 85)
}
