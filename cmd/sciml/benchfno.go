package main

import (
	"fmt"
	"math/rand/v2"

	"github.com/sciml-go/sciml/fno"
	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// fnoBenchCase is one training-step benchmark of `sciml bench fno`: the
// FNO paper's model, batch and resolution.
type fnoBenchCase struct {
	name  string
	cfg   fno.Config
	batch int
	sizes []int
}

// fnoBenchCases returns the cases of a dimension: FNO-1D Burgers (batch 20,
// s = 1024) and FNO-2D Darcy (batch 20, 85×85), as docs/bench/fno_torch.py.
func fnoBenchCases(dim string, batch, res int) ([]fnoBenchCase, error) {
	var out []fnoBenchCase
	if dim == "" || dim == "1" {
		s := 1024
		if res > 0 {
			s = res
		}
		out = append(out, fnoBenchCase{"fno1d-burgers", fno.Burgers1D(), 20, []int{s}})
	}
	if dim == "" || dim == "2" {
		s := 85
		if res > 0 {
			s = res
		}
		out = append(out, fnoBenchCase{"fno2d-darcy", fno.Darcy2D(), 20, []int{s, s}})
	}
	if out == nil {
		return nil, fmt.Errorf("--dim %s: want 1 or 2", dim)
	}
	if batch > 0 {
		for i := range out {
			out[i].batch = batch
		}
	}
	return out, nil
}

// fnoTrainStep returns one training step of c: forward, relative L2 loss
// summed over the batch, backward and an Adam step (lr 1e-3, coupled
// weight decay 1e-4), in an arena reset after every step. The inputs are
// fixed random fields.
func fnoTrainStep(c fnoBenchCase) (step func(), params int, err error) {
	m, err := fno.New(c.cfg, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		return nil, 0, err
	}
	r := rand.New(rand.NewPCG(3, 4))
	shape := append([]int{c.batch, c.cfg.In}, c.sizes...)
	x := tensor.RandN(r, tensor.Float32, shape...)
	shape[1] = c.cfg.Out
	y := tensor.RandN(r, tensor.Float32, shape...)
	opt := nn.NewAdam(nn.Params(m), nn.AdamConfig{LR: 1e-3, WeightDecay: 1e-4})
	loss := nn.RelLp{P: 2, Reduction: nn.ReduceSum}
	ar := tensor.NewArena()
	step = func() {
		opt.ZeroGrad()
		l := loss.Loss(m.Forward(x.In(ar)), y.In(ar))
		l.Backward()
		opt.Step()
		ar.Reset()
	}
	return step, nn.CountParams(m), nil
}

func init() {
	registerBench("fno", "FNO training step (forward + backward + Adam): --dim 1 (Burgers, batch 20, s=1024), --dim 2 (Darcy, batch 20, 85×85); --set batch=,res=", func(o benchOptions) ([]benchResult, error) {
		var batch, res int
		for key, p := range map[string]*int{"batch": &batch, "res": &res} {
			if v, ok := o.args[key]; ok {
				if _, err := fmt.Sscan(v, p); err != nil || *p <= 0 {
					return nil, fmt.Errorf("--set %s=%s: want a positive integer", key, v)
				}
			}
		}
		cases, err := fnoBenchCases(o.args["dim"], batch, res)
		if err != nil {
			return nil, err
		}
		var out []benchResult
		for _, c := range cases {
			step, params, err := fnoTrainStep(c)
			if err != nil {
				return nil, err
			}
			med, mn, allocs := timeSteps(o.runs, step)
			cfg := fmt.Sprintf("batch=%d s=%v width=%d modes=%v", c.batch, c.sizes, c.cfg.Width, c.cfg.Modes)
			out = append(out, benchResult{Name: c.name, Config: cfg, Params: int64(params), DType: "float32",
				Threads: o.threads, StepMsMedian: med, StepMsMin: mn, AllocsPerOp: allocs})
		}
		return out, nil
	})
}
