package inr

import (
	"testing"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

func BenchmarkSirenStep(b *testing.B) {
	m, _ := New(Config{Model: "siren", Seed: 1})
	x := GridCoords(tensor.Float32, 256, 256)
	y := tensor.Sin(tensor.Narrow(x, 1, 0, 1)).Clone()
	opt := nn.NewAdam(nn.TrainableParams(m), nn.AdamConfig{LR: 1e-4})
	ar := tensor.NewArena()
	for b.Loop() {
		pred := m.Forward(x.In(ar))
		l := tensor.Mean(tensor.Square(tensor.Sub(pred, y)))
		l.Backward()
		opt.Step()
		opt.ZeroGrad()
		ar.Reset()
	}
}
