package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// MLPBenchConfig describes the training step an MLPBench times: a
// fully connected network with the given widths whose hidden layers are
// sin(ω·(x·wᵀ + b)) (Activation "sin", SIREN) or tanh(x·wᵀ + b)
// ("tanh"), a linear last layer, and the mean squared error against a
// fixed target. Zero fields take the defaults of the reference benchmark:
// widths 2→256→256→256→256→1, 65,536 points, "sin", ω = 30, Float32.
type MLPBenchConfig struct {
	Widths     []int
	Points     int
	Activation string
	Omega      float64
	DType      DType
	Seed       uint64
	// Fused ("sin" only) computes the step with SineMLPMSE, forward and
	// backward fused block by block of rows, instead of the composition
	// of SinLinear, Linear and the loss.
	Fused bool
}

func (c MLPBenchConfig) withDefaults() MLPBenchConfig {
	if len(c.Widths) == 0 {
		c.Widths = []int{2, 256, 256, 256, 256, 1}
	}
	if c.Points == 0 {
		c.Points = 65536
	}
	if c.Activation == "" {
		c.Activation = "sin"
	}
	if c.Omega == 0 {
		c.Omega = 30
	}
	if c.DType == 0 {
		c.DType = Float32
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	return c
}

// MLPBench is one training step of an MLP (forward, loss, backward to
// every parameter) computed inside an Arena that is reset after each
// step: the benchmark behind `go test -bench MLP ./tensor` and
// `sciml bench mlp`, and the counterpart of docs/bench/mlp_torch.py.
type MLPBench struct {
	cfg    MLPBenchConfig
	x, y   *Tensor
	params []*Tensor // w0, b0, w1, b1, …
	arena  *Arena
}

// NewMLPBench builds the network (SIREN initialisation for "sin", Glorot
// uniform for "tanh"), the inputs x ~ U(−1, 1)^{points×in} and the target.
// It returns an error for an unknown activation or fewer than two widths.
func NewMLPBench(cfg MLPBenchConfig) (*MLPBench, error) {
	cfg = cfg.withDefaults()
	if cfg.Activation != "sin" && cfg.Activation != "tanh" {
		return nil, fmt.Errorf("mlp bench: activation %q (want sin or tanh)", cfg.Activation)
	}
	if cfg.Fused && cfg.Activation != "sin" {
		return nil, fmt.Errorf("mlp bench: fused step for activation %q (only sin)", cfg.Activation)
	}
	if len(cfg.Widths) < 2 || slices.Min(cfg.Widths) < 1 || cfg.Points < 1 {
		return nil, fmt.Errorf("mlp bench: widths %v, points %d", cfg.Widths, cfg.Points)
	}
	r := rand.New(rand.NewPCG(cfg.Seed, 0xbe9c))
	m := &MLPBench{cfg: cfg, arena: NewArena()}
	ws := cfg.Widths
	for i := range len(ws) - 1 {
		in, out := float64(ws[i]), float64(ws[i+1])
		var bound float64
		switch {
		case cfg.Activation == "tanh":
			bound = math.Sqrt(6 / (in + out))
		case i == 0:
			bound = 1 / in
		default:
			bound = math.Sqrt(6/in) / cfg.Omega
		}
		w := RandU(r, cfg.DType, -bound, bound, ws[i+1], ws[i]).SetRequiresGrad(true)
		b := RandU(r, cfg.DType, -1/math.Sqrt(in), 1/math.Sqrt(in), ws[i+1]).SetRequiresGrad(true)
		m.params = append(m.params, w, b)
	}
	m.x = RandU(r, cfg.DType, -1, 1, cfg.Points, ws[0])
	m.y = RandU(r, cfg.DType, -1, 1, cfg.Points, ws[len(ws)-1])
	return m, nil
}

// Step runs one training step and returns the loss. Parameter gradients
// are zeroed and recomputed (Params()[i].Grad()); every other tensor of
// the step comes from the arena, which is reset at the end.
func (m *MLPBench) Step() float64 {
	h := m.x.In(m.arena)
	nl := len(m.params) / 2
	var loss *Tensor
	if m.cfg.Fused {
		ws, bs := make([]*Tensor, nl), make([]*Tensor, nl)
		for i := range nl {
			ws[i], bs[i] = m.params[2*i], m.params[2*i+1]
		}
		loss = SineMLPMSE(h, m.y, ws, bs, m.cfg.Omega)
	} else {
		for i := range nl {
			w, b := m.params[2*i], m.params[2*i+1]
			switch {
			case i == nl-1:
				h = Linear(h, w, b)
			case m.cfg.Activation == "sin":
				h = SinLinear(h, w, b, m.cfg.Omega)
			default:
				h = Tanh(Linear(h, w, b))
			}
		}
		loss = Mean(Square(Sub(h, m.y)))
	}
	for _, p := range m.params {
		p.ZeroGrad()
	}
	loss.Backward()
	v := loss.Item()
	m.arena.Reset()
	return v
}

// Params returns the parameters w0, b0, w1, b1, … (w of shape [out, in]).
func (m *MLPBench) Params() []*Tensor { return m.params }

// NumParams returns the number of scalar parameters.
func (m *MLPBench) NumParams() int {
	n := 0
	for _, p := range m.params {
		n += p.Numel()
	}
	return n
}

// Flops returns the floating-point operations of the step's matrix
// products: 6·points·in·out per layer (forward, input gradient and weight
// gradient), the count docs/bench/mlp_torch.py uses too.
func (m *MLPBench) Flops() float64 {
	f := 0.0
	ws := m.cfg.Widths
	for i := range len(ws) - 1 {
		f += 6 * float64(m.cfg.Points) * float64(ws[i]) * float64(ws[i+1])
	}
	return f
}

// ArenaBytes returns the storage the step's arena holds.
func (m *MLPBench) ArenaBytes() int64 { return m.arena.Bytes() }

// MLPBenchResult summarises timed steps.
type MLPBenchResult struct {
	Median, Min time.Duration
	GFLOPS      float64 // Flops / Median
	Loss        float64 // loss of the last step
}

// Measure runs warmup untimed steps, then max(runs, 10) timed ones.
func (m *MLPBench) Measure(warmup, runs int) MLPBenchResult {
	for range warmup {
		m.Step()
	}
	ts := make([]time.Duration, max(runs, 10))
	var loss float64
	for i := range ts {
		t0 := time.Now()
		loss = m.Step()
		ts[i] = time.Since(t0)
	}
	slices.Sort(ts)
	med := ts[len(ts)/2]
	if len(ts)%2 == 0 {
		med = (ts[len(ts)/2-1] + ts[len(ts)/2]) / 2
	}
	return MLPBenchResult{Median: med, Min: ts[0], GFLOPS: m.Flops() / med.Seconds() / 1e9, Loss: loss}
}
