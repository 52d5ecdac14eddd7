package inr

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/sciml-go/sciml/internal/sidebyside"
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

// TestSirenVersusTorch times one full-batch Adam step of the reference
// SIREN (65,536 points, 3 hidden layers of 256; `sciml bench siren`) and
// PyTorch's (docs/bench/siren_torch.py --serve) alternately, step by
// step, so that the drift of a shared machine hits both alike
// (internal/sidebyside). It runs only when SCIML_TORCH names a Python
// with torch; SCIML_BENCH_ROUNDS and SCIML_BENCH_TURN set the
// rounds and the steps per turn (default 8 and 3; the first step of a
// turn is not timed):
//
//	SCIML_TORCH=/usr/bin/python3 GOMAXPROCS=2 go test -run VersusTorch -v ./inr
func TestSirenVersusTorch(t *testing.T) {
	py, rounds, perTurn := sidebyside.Env()
	if py == "" {
		t.Skip("set SCIML_TORCH=/usr/bin/python3 (a Python with torch) to run")
	}
	m, err := New(Config{Model: "siren", InDim: 2, OutDim: 1, Hidden: 256, Layers: 3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	x := GridCoords(tensor.Float32, 256, 256)
	y := tensor.Sin(tensor.Scale(tensor.Narrow(x, 1, 0, 1), 3)).Clone()
	opt := nn.NewAdam(nn.TrainableParams(m), nn.AdamConfig{LR: 1e-4})
	ar := tensor.NewArena()
	step := func() {
		MSE(m, x.In(ar), y).Backward()
		opt.Step()
		opt.ZeroGrad()
		ar.Reset()
	}
	r, err := sidebyside.Run([]string{py, "../docs/bench/siren_torch.py", "--serve", "--threads", strconv.Itoa(tensor.Threads())},
		[]func(){step}, rounds, perTurn)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(r.Summary("siren", 0, tensor.Threads()))
	t.Logf("step times (ms), ours %.0f, PyTorch %.0f", r.Ours[0], r.Theirs)
}

// BenchmarkGabor times the float32 Gabor activation forward and backward
// on WIRE's hidden layer at the paper budget (65,536 points, width 180),
// at pre-activations of the size a trained WIRE has (standard deviation
// 0.3: most amplitudes below 2⁻¹²⁶) and at small ones (0.03: none).
func BenchmarkGabor(b *testing.B) {
	for _, sd := range []float64{0.03, 0.3} {
		z := gaborInput(tensor.Float32, 65536, 180, true, sd, 5)
		out := gaborAct(z, true, 20, 30)
		gr := tensor.Scale(tensor.RandN(rand.New(rand.NewPCG(6, 1)), tensor.Float32, 65536, 360), 1e-6) // gradients of a fit's size
		g := gaborShape{h: 180, zw: 360, cplx: true, w: 20, s2: 900}
		b.Run(fmt.Sprintf("forward/sd=%g", sd), func(b *testing.B) {
			for b.Loop() {
				gaborAct(z, true, 20, 30)
			}
		})
		b.Run(fmt.Sprintf("backward/sd=%g", sd), func(b *testing.B) {
			for b.Loop() {
				gaborBackward(gr, z, out, g)
			}
		})
	}
}
