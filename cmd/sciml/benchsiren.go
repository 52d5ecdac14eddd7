package main

import (
	"fmt"
	"strconv"

	"github.com/sciml-go/sciml/inr"
	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

func init() {
	registerBench("siren", "one full-batch Adam step of SIREN, 65,536 points, 3 hidden × 256 (--set points=,hidden=,layers=,model=)", func(o benchOptions) ([]benchResult, error) {
		points, hidden, layers := 65536, 256, 3
		model := "siren"
		for key, p := range map[string]*int{"points": &points, "hidden": &hidden, "layers": &layers} {
			if v, ok := o.args[key]; ok {
				n, err := strconv.Atoi(v)
				if err != nil || n <= 0 {
					return nil, fmt.Errorf("--set %s=%s: want a positive integer", key, v)
				}
				*p = n
			}
		}
		if v, ok := o.args["model"]; ok {
			model = v
		}
		cfg := inr.Config{Model: model, InDim: 2, OutDim: 1, Hidden: hidden, Layers: layers, Seed: 1}
		m, err := inr.New(cfg)
		if err != nil {
			return nil, err
		}
		side := 1
		for side*side < points {
			side++
		}
		x := tensor.Narrow(inr.GridCoords(tensor.Float32, side, side), 0, 0, points).Clone()
		y := tensor.Sin(tensor.Scale(tensor.Narrow(x, 1, 0, 1), 3)).Clone()
		opt := nn.NewAdam(nn.TrainableParams(m), nn.AdamConfig{LR: 1e-4})
		ar := tensor.NewArena()
		step := func() {
			l := inr.MSE(m, x.In(ar), y) // a SIREN's forward and backward fused
			l.Backward()
			opt.Step()
			opt.ZeroGrad()
			ar.Reset()
		}
		med, mn, allocs := timeSteps(o.runs, step)
		// forward 2·N·P multiply-adds, backward twice that (weight and input gradients)
		flops := 6 * float64(points) * float64(nn.CountParams(m))
		return []benchResult{{Name: "siren", Config: fmt.Sprintf("%s N=%d %d×%d", model, points, layers, hidden),
			Params: int64(nn.CountParams(m)), DType: "float32", Threads: o.threads,
			StepMsMedian: med, StepMsMin: mn, GFLOPS: flops / mn / 1e6, AllocsPerOp: allocs}}, nil
	})
}
