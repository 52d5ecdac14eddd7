package experiments_test

import (
	"fmt"

	"github.com/sciml-go/sciml/experiments"
	"github.com/sciml-go/sciml/tensor"
)

// ExampleLoad reads an embedded experiment with a profile applied; Run
// (or `sciml run burgers-fno --profile quick`) would generate its data,
// train, evaluate at every resolution and write the report.
func ExampleLoad() {
	cfg, err := experiments.Load("burgers-fno", "quick")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Name, cfg.Profile, cfg.Model.Type)
	fmt.Println("samples:", cfg.Data.NTrain, "train,", cfg.Data.NTest, "test, trained at", cfg.Data.Resolution)
	fmt.Println("evaluated at:", cfg.Eval.Resolutions)
	fmt.Println("expected relative L2 ≤", cfg.Expect.RelL2)
	// Output:
	// burgers-fno quick fno
	// samples: 200 train, 50 test, trained at 256
	// evaluated at: [128 256 512 1024]
	// expected relative L2 ≤ 0.015
}

// ExampleDecodePINN reads an embedded PINN experiment with a profile
// applied; RunPINN (or `sciml run pinn-burgers --profile quick`) would
// train it, evaluate it against the reference and write the report.
func ExampleDecodePINN() {
	src, err := experiments.Source("pinn-burgers")
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg, err := experiments.DecodePINN(src, "pinn-burgers", "paper")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Name, cfg.Profile, cfg.Problem.Type, cfg.Net.Type, cfg.Net.Hidden, cfg.Net.DType)
	fmt.Println("collocation:", cfg.Sampling.Points, cfg.Sampling.Sampler, "Adam:", cfg.Train.Adam.Steps, "L-BFGS:", cfg.Train.LBFGS.Iterations)
	fmt.Println("expected relative L2 ≤", cfg.Expect.RelL2)
	// Output:
	// pinn-burgers paper burgers mlp [20 20 20 20 20 20 20 20] float64
	// collocation: 10000 lhs Adam: 1000 L-BFGS: 50000
	// expected relative L2 ≤ 0.001
}

// ExampleLoadSurrogate uses a model trained by `sciml run darcy-fno
// --profile quick` as a Go function: coefficient fields a in, solutions u
// out, on any grid. (Not run by go test: it needs the trained run.)
func ExampleLoadSurrogate() {
	s, err := experiments.LoadSurrogate("runs/darcy-fno-quick/model.safetensors")
	if err != nil {
		fmt.Println(err)
		return
	}
	a := tensor.Full(tensor.Float32, 12, 1, 1, 85, 85) // one coefficient field, a = 12, on 85×85
	u, err := s.Predict(a)                             // in the data's units
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(u.Shape(), "trained at", s.TrainingResolution())
}
