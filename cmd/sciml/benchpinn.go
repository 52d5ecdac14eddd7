package main

import (
	"fmt"
	"strings"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/pinn"
	"github.com/sciml-go/sciml/tensor"
)

func init() {
	registerBench("pinn", "one Adam step of the Burgers PINN loss, 8x20 tanh, 10000 points, u_xx (--set points=,paths=taylor,nested,nested32)", func(o benchOptions) ([]benchResult, error) {
		points := 10000
		if v, ok := o.args["points"]; ok {
			if _, err := fmt.Sscan(v, &points); err != nil || points <= 0 {
				return nil, fmt.Errorf("--set points=%s: want a positive integer", v)
			}
		}
		paths := []string{"taylor", "nested", "nested32"}
		if v, ok := o.args["paths"]; ok {
			paths = strings.Split(v, ",")
		}
		var res []benchResult
		for _, path := range paths {
			mode, dtype := pinn.Taylor, tensor.Float64
			switch path {
			case "taylor":
			case "nested":
				mode = pinn.Nested
			case "nested32":
				mode, dtype = pinn.Nested, tensor.Float32
			default:
				return nil, fmt.Errorf("--set paths: unknown path %q (want taylor, nested, nested32)", path)
			}
			p := pinn.BurgersRaissi(100, nn.NewRand(1))
			net := pinn.NewMLP(pinn.MLPConfig{In: 2, Out: 1, Hidden: []int{20, 20, 20, 20, 20, 20, 20, 20}, Seed: 1, DType: dtype})
			tr := pinn.NewTrainer(p, net, pinn.Config{Collocation: points, Mode: mode, AdamSteps: 1 << 30})
			med, mn, allocs := timeSteps(o.runs, func() { tr.StepAdam() })
			res = append(res, benchResult{
				Name: "pinn-burgers", Config: fmt.Sprintf("8x20 tanh %d pts %s", points, path),
				Params: int64(nn.CountParams(net)), DType: dtype.String(), Threads: o.threads,
				StepMsMedian: med, StepMsMin: mn, AllocsPerOp: allocs,
			})
		}
		return res, nil
	})
}
