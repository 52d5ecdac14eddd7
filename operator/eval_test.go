package operator_test

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sciml-go/sciml/fno"
	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/operator"
	"github.com/sciml-go/sciml/tensor"
)

// identity is the operator x ↦ x.
type identity struct{}

func (identity) Visit(*nn.Visitor)                       {}
func (identity) Forward(x *tensor.Tensor) *tensor.Tensor { return tensor.Scale(x, 1) }

// affine is a normaliser x ↦ a·x + b.
type affine struct{ a, b float64 }

func (n affine) Encode(x *tensor.Tensor) *tensor.Tensor {
	return tensor.AddScalar(tensor.Scale(x, n.a), n.b)
}
func (n affine) Decode(x *tensor.Tensor) *tensor.Tensor {
	return tensor.Scale(tensor.AddScalar(x, -n.b), 1/n.a)
}
func (affine) State() map[string]*tensor.Tensor          { return nil }
func (affine) LoadState(map[string]*tensor.Tensor) error { return nil }

// scaled returns targets y (4 samples, 2 channels, 8 points) and inputs
// x = (1 + f_i) y with relative errors f = (0.1, −0.2, 0.05, 0.4).
func scaled() (x, y *tensor.Tensor, f []float64) {
	f = []float64{0.1, -0.2, 0.05, 0.4}
	r := rand.New(rand.NewPCG(1, 2))
	ys := make([]float64, 4*2*8)
	xs := make([]float64, len(ys))
	for i := range ys {
		ys[i] = r.NormFloat64()
		xs[i] = (1 + f[i/16]) * ys[i]
	}
	return tensor.FromFloat64s(tensor.Float64, xs, 4, 2, 8), tensor.FromFloat64s(tensor.Float64, ys, 4, 2, 8), f
}

func TestEvaluateRelativeL2(t *testing.T) {
	x, y, f := scaled()
	want, wantMax := 0.0, 0.0
	for _, v := range f {
		want += math.Abs(v) / 4
		wantMax = math.Max(wantMax, math.Abs(v))
	}
	var first operator.Metrics
	for _, bs := range []int{1, 3, 4} {
		l := &operator.SliceLoader{Input: x, Output: y, BatchSize: bs}
		m, err := operator.Evaluate(context.Background(), identity{}, l.Batches(0), operator.EvalOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if m.Samples != 4 || math.Abs(m.RelL2-want) > 1e-14 || math.Abs(m.MaxRelL2-wantMax) > 1e-14 || m.H1 != 0 {
			t.Errorf("batch %d: %+v, want relative L2 %v (max %v)", bs, m, want, wantMax)
		}
		if bs == 1 {
			first = m
		} else if m != first {
			t.Errorf("batch %d: %+v differs from batch 1's %+v", bs, m, first)
		}
	}
}

func TestEvaluateH1AndNormalizers(t *testing.T) {
	x, y, _ := scaled()
	// With Encode x ↦ 2x + 1 and Decode y ↦ (y − 3)/5 around the identity,
	// the prediction is (2x + 1 − 3)/5.
	in, out := affine{2, 1}, affine{5, 3}
	pred := tensor.Scale(tensor.AddScalar(tensor.Scale(x, 2), -2), 0.2)
	grid := nn.Grid{Periodic: true}
	wantL2 := nn.RelLp{P: 2, Reduction: nn.ReduceMean}.Loss(pred, y).Item()
	wantH1 := nn.H1{Grid: grid, Reduction: nn.ReduceMean}.Loss(pred, y).Item()
	l := &operator.SliceLoader{Input: x, Output: y, BatchSize: 3}
	m, err := operator.Evaluate(context.Background(), identity{}, l.Batches(0), operator.EvalOptions{InputNorm: in, OutputNorm: out, Grid: &grid})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(m.RelL2-wantL2) > 1e-12 || math.Abs(m.H1-wantH1) > 1e-12 {
		t.Errorf("%+v, want relative L2 %v and H1 %v", m, wantL2, wantH1)
	}
	p := operator.Predict(identity{}, x, nil, in, out)
	if d := tensor.Sub(p, pred).ToFloat64s(); math.Abs(d[3]) > 1e-12 || p.Arena() != nil {
		t.Errorf("Predict: difference %v, arena %v", d[3], p.Arena())
	}
}

func TestPredictNeedsSuperResolver(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "cannot resample") {
			t.Errorf("panic %v", r)
		}
	}()
	x, _, _ := scaled()
	operator.Predict(identity{}, x, []int{16}, nil, nil)
}

// smooth2D returns n samples of u ↦ y on the periodic unit square at s×s:
// u a random trigonometric polynomial of degree 2, y the solution of
// −Δy + y = u scaled by 10 (plus a mean), as helmholtzData in 2-D.
func smooth2D(n, s int, seed uint64) (in, out *tensor.Tensor) {
	r := rand.New(rand.NewPCG(seed, 5))
	u := make([]float64, n*s*s)
	y := make([]float64, n*s*s)
	for i := range n {
		m := 1 + 0.5*r.Float64()
		type mode struct{ kx, ky, a, b float64 }
		var modes []mode
		for kx := 0; kx <= 2; kx++ {
			for ky := -2; ky <= 2; ky++ {
				if kx == 0 && ky <= 0 {
					continue
				}
				modes = append(modes, mode{float64(kx), float64(ky), r.NormFloat64(), r.NormFloat64()})
			}
		}
		for p := range s * s {
			x1, x2 := float64(p/s)/float64(s), float64(p%s)/float64(s)
			uv, yv := m, 10*m
			for _, md := range modes {
				ph := 2 * math.Pi * (md.kx*x1 + md.ky*x2)
				w2 := 4 * math.Pi * math.Pi * (md.kx*md.kx + md.ky*md.ky)
				v := (md.a*math.Cos(ph) + md.b*math.Sin(ph)) / (1 + md.kx*md.kx + md.ky*md.ky)
				uv += v
				yv += 10 * v / (1 + w2/10)
			}
			u[i*s*s+p], y[i*s*s+p] = uv, yv
		}
	}
	return tensor.FromFloat64s(tensor.Float32, u, n, 1, s, s), tensor.FromFloat64s(tensor.Float32, y, n, 1, s, s)
}

// TestZeroShotSuperResolution2D trains a small FNO-2D at 16×16 and
// evaluates it at 64×64, from 64×64 inputs and from the 16×16 inputs
// (the output sampled on the finer grid): the error stays at the
// training resolution's level.
func TestZeroShotSuperResolution2D(t *testing.T) {
	m, err := fno.New(fno.Config{Common: operator.Common{Dim: 2, In: 1, Out: 1, Grid: "periodic"}, Stack: operator.Stack{Width: 8, Layers: 2, Projection: 16}, Modes: []int{4, 4}},
		rand.New(rand.NewPCG(4, 1)))
	if err != nil {
		t.Fatal(err)
	}
	x, y := smooth2D(50, 16, 1)
	tr := &operator.Trainer{Model: m, Train: &operator.SliceLoader{Input: x, Output: y, BatchSize: 10, Shuffle: true, Seed: 1},
		Config: operator.TrainConfig{Epochs: 40, Optimizer: operator.OptimizerConfig{LR: 1e-2}, Schedule: operator.ScheduleConfig{StepSize: 15}}}
	if _, err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	eval := func(in, out *tensor.Tensor) float64 {
		l := &operator.SliceLoader{Input: in, Output: out, BatchSize: 10}
		r, err := operator.Evaluate(context.Background(), m, l.Batches(0), operator.EvalOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return r.RelL2
	}
	x16, y16 := smooth2D(20, 16, 2)
	x64, y64 := smooth2D(20, 64, 2) // the same functions on a finer grid
	e16, e64, e16to64 := eval(x16, y16), eval(x64, y64), eval(x16, y64)
	t.Logf("relative L2: 16×16 %.4f, 64×64 %.4f, 16×16 → 64×64 %.4f", e16, e64, e16to64)
	if !(e16 < 0.05) {
		t.Errorf("error %.4f at the training resolution, want < 0.05", e16)
	}
	for _, e := range []float64{e64, e16to64} {
		if !(e < 1.5*e16+0.005) {
			t.Errorf("error %.4f at 64×64 vs %.4f at 16×16: not discretization invariant", e, e16)
		}
	}
}

func TestWriteTable(t *testing.T) {
	var b bytes.Buffer
	err := operator.WriteTable(&b, []operator.ResolutionResult{
		{Resolution: 64, InputResolution: 64, Metrics: operator.Metrics{Samples: 10, RelL2: 0.01234, MaxRelL2: 0.02, H1: 0.05}},
		{Resolution: 256, InputResolution: 64, Metrics: operator.Metrics{Samples: 10, RelL2: 0.015, MaxRelL2: 0.03, H1: 0.06}},
	}, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := "| resolution | samples | relative L2 | max relative L2 | relative H1 |\n" +
		"|---|---:|---:|---:|---:|\n" +
		"| 64×64 | 10 | 0.0123 | 0.0200 | 0.0500 |\n" +
		"| 64×64 → 256×256 | 10 | 0.0150 | 0.0300 | 0.0600 |\n"
	if b.String() != want {
		t.Errorf("table\n%s\nwant\n%s", b.String(), want)
	}
}

func TestEvaluateSuperResolutionNeedsSuperResolver(t *testing.T) {
	x, _, _ := scaled()
	y := tensor.Zeros(tensor.Float64, 4, 2, 16)
	l := &operator.SliceLoader{Input: x, Output: y, BatchSize: 4}
	_, err := operator.Evaluate(context.Background(), identity{}, l.Batches(0), operator.EvalOptions{})
	if err == nil || !strings.Contains(err.Error(), "zero-shot super-resolution needs") {
		t.Errorf("error %v", err)
	}
}
