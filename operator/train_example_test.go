package operator_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/sciml-go/sciml/fno"
	"github.com/sciml-go/sciml/operator"
	"github.com/sciml-go/sciml/tensor"
)

// ExampleTrainer trains a small FNO on an operator given by tensors in
// memory and evaluates it on finer grids than it was trained on.
func ExampleTrainer() {
	x, y := helmholtzData(60, 32, 1) // u ↦ y with −y″ + y = u, 60 samples at 32 points
	model, _ := fno.New(fno.Config{Common: operator.Common{Dim: 1, In: 1, Out: 1, Grid: "periodic"}, Stack: operator.Stack{Width: 8, Layers: 2, Projection: 16}, Modes: []int{6}},
		rand.New(rand.NewPCG(7, 1)))
	tr := &operator.Trainer{
		Model: model,
		Train: &operator.SliceLoader{Input: tensor.Narrow(x, 0, 0, 40), Output: tensor.Narrow(y, 0, 0, 40), BatchSize: 8, Shuffle: true, Seed: 3},
		Config: operator.TrainConfig{Epochs: 30,
			Optimizer: operator.OptimizerConfig{LR: 1e-2},
			Schedule:  operator.ScheduleConfig{Name: "step", StepSize: 10}},
		// Dir: "runs/example" would write metrics.jsonl and model.safetensors.
	}
	res, err := tr.Run(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("epochs:", len(res.History), "steps:", res.Steps)
	for _, s := range []int{32, 128} {
		xt, yt := helmholtzData(20, s, 2) // unseen samples
		m, _ := operator.Evaluate(context.Background(), model,
			(&operator.SliceLoader{Input: xt, Output: yt, BatchSize: 10}).Batches(0), operator.EvalOptions{})
		fmt.Printf("s=%d: relative L2 below 5%%: %v\n", s, m.RelL2 < 0.05)
	}
	// Output:
	// epochs: 30 steps: 150
	// s=32: relative L2 below 5%: true
	// s=128: relative L2 below 5%: true
}
