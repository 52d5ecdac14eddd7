package nn_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// L-BFGS with the strong-Wolfe line search on the Rosenbrock function
// f(x, y) = (1 − x)² + 100(y − x²)², in float64 as PINN training runs it.
func ExampleLBFGS() {
	x := tensor.FromFloat64s(tensor.Float64, []float64{-1.2}, 1).SetRequiresGrad(true)
	y := tensor.FromFloat64s(tensor.Float64, []float64{1}, 1).SetRequiresGrad(true)
	opt := nn.NewLBFGS([]*tensor.Tensor{x, y}, nn.LBFGSConfig{
		LineSearch: "strong_wolfe", MaxIter: 100, ToleranceGrad: 1e-12, ToleranceChange: 1e-20,
	})
	opt.Step(func() float64 {
		opt.ZeroGrad()
		a := tensor.Square(tensor.AddScalar(tensor.Neg(x), 1))
		b := tensor.Square(tensor.Sub(y, tensor.Square(x)))
		loss := tensor.Sum(tensor.Add(a, tensor.Scale(b, 100)))
		loss.Backward()
		return loss.Item()
	})
	fmt.Printf("x = %.6f, y = %.6f after %d iterations\n", x.Item(), y.Item(), opt.Iterations())
	// Output: x = 1.000000, y = 1.000000 after 39 iterations
}

// Adam with the FNO recipe's schedule (lr 1e-3 halved every 100 epochs),
// fitting w·x to 3x.
func ExampleAdam() {
	w := tensor.Zeros(tensor.Float32, 1).SetRequiresGrad(true)
	x := tensor.New([]float32{1, 2, 3, 4}, 4)
	y := tensor.Scale(x, 3)
	opt := nn.NewAdam([]*tensor.Tensor{w}, nn.AdamConfig{LR: 0.1, WeightDecay: 1e-4})
	sched := nn.StepLR{Base: 0.1, StepSize: 100, Gamma: 0.5}
	for epoch := range 500 {
		nn.ApplySchedule(opt, sched, epoch)
		opt.ZeroGrad()
		loss := tensor.Mean(tensor.Square(tensor.Sub(tensor.Mul(x, w), y)))
		loss.Backward()
		nn.ClipGradNorm([]*tensor.Tensor{w}, 10)
		opt.Step()
	}
	fmt.Printf("w = %.3f, lr = %g\n", w.Float32s()[0], opt.LR())
	// Output: w = 3.000, lr = 0.00625
}

// Saving and restoring everything a resumed run needs.
func ExampleSaveCheckpoint() {
	w := tensor.FromFloat64s(tensor.Float64, []float64{1, 2}, 2).SetRequiresGrad(true)
	opt := nn.NewAdam([]*tensor.Tensor{w}, nn.AdamConfig{})
	w.SetGrad(tensor.FromFloat64s(tensor.Float64, []float64{0.5, -0.5}, 2))
	opt.Step()
	sched, _ := nn.MarshalSchedule(nn.CosineLR{Base: 1e-3, Period: 100})

	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "run.safetensors")
	err := nn.SaveCheckpoint(path, &nn.Checkpoint{
		Model:    map[string]*tensor.Tensor{"w": w},
		Optim:    opt.State(),
		Schedule: sched,
		Config:   []byte(`{"width": 2}`),
		Step:     1,
	})
	if err != nil {
		panic(err)
	}

	ck, err := nn.LoadCheckpoint(path)
	if err != nil {
		panic(err)
	}
	w2 := ck.Model["w"].SetRequiresGrad(true)
	opt2 := nn.NewAdam([]*tensor.Tensor{w2}, nn.AdamConfig{})
	if err := opt2.LoadState(ck.Optim); err != nil {
		panic(err)
	}
	s, _ := nn.UnmarshalSchedule(ck.Schedule)
	fmt.Printf("step %d, config %s, w = %.4f, lr(50) = %g\n", ck.Step, ck.Config, w2.Float64s(), s.LR(50))
	// Output: step 1, config {"width":2}, w = [0.9990 2.0010], lr(50) = 0.0005
}
