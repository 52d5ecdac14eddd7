package main

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/sciml-go/sciml/experiments"
	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/operator"
	"github.com/sciml-go/sciml/tensor"
)

// The Darcy experiments of the operator comparison (docs/results.md).
const darcyOperators = "darcy-fno,darcy-mgno,darcy-deeponet,darcy-lno,darcy-gno,darcy-mpgno"

func init() {
	registerBench("operator", "training step (forward, the config's loss, backward, its optimizer) of experiment models at their training resolution and batch, with the epoch it implies; --set config=a,b,… (default "+darcyOperators+") --set profile=paper; --set batch=N overrides the configs' batch size", func(o benchOptions) ([]benchResult, error) {
		names := darcyOperators
		if v, ok := o.args["config"]; ok {
			names = v
		}
		profile := "paper"
		if v, ok := o.args["profile"]; ok {
			profile = v
		}
		batch := 0
		if v, ok := o.args["batch"]; ok {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return nil, fmt.Errorf("--set batch=%s: want a positive integer", v)
			}
			batch = n
		}
		var out []benchResult
		for _, name := range strings.Split(names, ",") {
			r, err := benchOperator(strings.TrimSpace(name), profile, batch, o.runs)
			if err != nil {
				return out, err
			}
			out = append(out, r)
		}
		return out, nil
	})
}

// benchOperator times training steps of an experiment's model on random
// data of its training shape (Burgers: [B, 1, s]; Darcy: [B, 1, s, s]),
// subsampling the nodes of a model that trains on subsets of them as the
// trainer does. EpochS is the median step times the batches of an epoch
// (n_train / batch), without the evaluation. batch > 0 overrides the
// config's batch size.
func benchOperator(name, profile string, batch, runs int) (benchResult, error) {
	cfg, err := experiments.Load(name, profile)
	if err != nil {
		return benchResult{}, err
	}
	m, err := cfg.Model.Build(rand.New(rand.NewPCG(cfg.Train.Seed, 1)))
	if err != nil {
		return benchResult{}, fmt.Errorf("%s: %w", name, err)
	}
	tc := cfg.Train.WithDefaults()
	if batch > 0 {
		tc.BatchSize = batch
	}
	s, bs := cfg.Data.Resolution, tc.BatchSize
	var shape []int
	var grid nn.Grid
	switch pde := cfg.Data.Generate.PDE; pde {
	case "burgers":
		shape, grid = []int{bs, 1, s}, nn.Grid{Periodic: true, Lengths: []float64{1}}
	case "darcy":
		shape, grid = []int{bs, 1, s, s}, nn.Grid{Lengths: []float64{1, 1}}
	default:
		return benchResult{}, fmt.Errorf("%s: bench operator knows Burgers and Darcy data, not %q", name, pde)
	}
	loss, err := tc.Loss.Build(grid)
	if err != nil {
		return benchResult{}, fmt.Errorf("%s: %w", name, err)
	}
	params := nn.TrainableParams(m)
	opt, err := tc.Optimizer.NewOptimizer(params)
	if err != nil {
		return benchResult{}, fmt.Errorf("%s: %w", name, err)
	}
	if len(params) == 0 {
		return benchResult{}, fmt.Errorf("%s: the model has no parameters", name)
	}
	dt := params[0].DType()
	r := rand.New(rand.NewPCG(3, 4))
	x := tensor.RandN(r, dt, shape...)
	y := tensor.RandN(r, dt, shape...)
	n := 1
	for _, k := range shape[2:] {
		n *= k
	}
	ns, sampled := m.(operator.NodeSampler)
	ar := tensor.NewArena()
	step := 0
	med, mn, allocs := timeSteps(runs, func() {
		opt.ZeroGrad()
		var l *tensor.Tensor
		if nodes := sampleNodes(ns, sampled, n, bs, step); nodes != nil {
			l = loss.Loss(ns.ForwardNodes(x.In(ar), nodes), operator.GatherNodes(y.In(ar), nodes))
		} else {
			l = loss.Loss(m.Forward(x.In(ar)), y.In(ar))
		}
		l.Backward()
		opt.Step()
		ar.Reset()
		step++
	})
	batches := (cfg.Data.NTrain + bs - 1) / bs
	return benchResult{Name: name, Config: fmt.Sprintf("%s profile %s, model %s, batch %d, s=%d, %d batches an epoch",
		name, profile, cfg.Model.Type, bs, s, batches),
		Params: int64(nn.CountParams(m)), DType: dt.String(), Threads: tensor.Threads(),
		StepMsMedian: med, StepMsMin: mn, AllocsPerOp: allocs, EpochS: med * float64(batches) / 1e3}, nil
}

// sampleNodes returns the nodes a node-sampling model trains on in step
// step (nil when it uses the whole grid).
func sampleNodes(ns operator.NodeSampler, sampled bool, n, bs, step int) [][]int {
	if !sampled {
		return nil
	}
	nodes := make([][]int, bs)
	for i := range nodes {
		if nodes[i] = ns.SampleNodes(n, 0, 0, step, i); nodes[i] == nil {
			return nil
		}
	}
	return nodes
}
