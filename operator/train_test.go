package operator_test

import (
	"bytes"
	"context"
	"errors"
	"iter"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/sciml-go/sciml/fno"
	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/operator"
	"github.com/sciml-go/sciml/tensor"
)

// helmholtzData returns n samples of the operator u ↦ y solving
// −y″ + y = u on the periodic [0, 1) at s points, u a random Fourier
// series of 4 modes: y's coefficients are û(k)/(1 + (2πk)²), then scaled by
// 10 so that y is of order one.
func helmholtzData(n, s int, seed uint64) (in, out *tensor.Tensor) {
	r := rand.New(rand.NewPCG(seed, 99))
	u := make([]float64, n*s)
	y := make([]float64, n*s)
	for i := range n {
		for k := 1; k <= 4; k++ {
			a, b := r.NormFloat64()/float64(k), r.NormFloat64()/float64(k)
			w := 2 * math.Pi * float64(k)
			g := 10 / (1 + w*w)
			for j := range s {
				x := float64(j) / float64(s)
				c, sn := math.Cos(w*x), math.Sin(w*x)
				u[i*s+j] += a*c + b*sn
				y[i*s+j] += g * (a*c + b*sn)
			}
		}
		// A mean, so that y is never near zero.
		m := 1 + 0.5*r.Float64()
		for j := range s {
			u[i*s+j] += m
			y[i*s+j] += 10 * m
		}
	}
	return tensor.FromFloat64s(tensor.Float32, u, n, 1, s), tensor.FromFloat64s(tensor.Float32, y, n, 1, s)
}

func tinyFNO(t testing.TB, seed uint64) *fno.FNO {
	t.Helper()
	m, err := fno.New(fno.Config{Common: operator.Common{Dim: 1, In: 1, Out: 1, Grid: "periodic"}, Stack: operator.Stack{Width: 8, Layers: 2, Projection: 16}, Modes: []int{6}},
		rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// tinyTrainer returns a trainer of a tiny FNO on 40 training samples at
// s = 32, tested on 20.
func tinyTrainer(t testing.TB, dir string, epochs int) *operator.Trainer {
	t.Helper()
	x, y := helmholtzData(60, 32, 1)
	train := &operator.SliceLoader{Input: tensor.Narrow(x, 0, 0, 40), Output: tensor.Narrow(y, 0, 0, 40), BatchSize: 8, Shuffle: true, Seed: 3}
	test := &operator.SliceLoader{Input: tensor.Narrow(x, 0, 40, 20), Output: tensor.Narrow(y, 0, 40, 20), BatchSize: 20}
	cfg := operator.TrainConfig{Epochs: epochs, BatchSize: 8, CheckpointEvery: 1,
		Optimizer: operator.OptimizerConfig{LR: 1e-2},
		Schedule:  operator.ScheduleConfig{StepSize: 10}}
	return &operator.Trainer{Model: tinyFNO(t, 7), Config: cfg, Train: train,
		Test: []operator.EvalSet{{Name: "s=32", Data: test}}, Dir: dir, H1: true, Grid: nn.Grid{Periodic: true}}
}

// params returns copies of the model's parameters' values.
func params(m nn.Module) map[string][]float64 {
	out := map[string][]float64{}
	for _, p := range nn.NamedParams(m) {
		out[p.Name] = slices.Clone(p.Tensor.ToFloat64s())
	}
	return out
}

func sameParams(t *testing.T, what string, a, b map[string][]float64) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d and %d parameters", what, len(a), len(b))
	}
	for k, va := range a {
		vb := b[k]
		for i := range va {
			if math.Float64bits(va[i]) != math.Float64bits(vb[i]) {
				t.Fatalf("%s: parameter %s[%d] = %v vs %v (not bitwise equal)", what, k, i, va[i], vb[i])
			}
		}
	}
}

func TestTrainerLearnsAndWritesRunFiles(t *testing.T) {
	dir := t.TempDir()
	tr := tinyTrainer(t, dir, 30)
	var lines bytes.Buffer
	tr.Progress = &lines
	res, err := tr.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.History) != 30 || res.Steps != 30*5 {
		t.Fatalf("%d epochs, %d steps; want 30, 150", len(res.History), res.Steps)
	}
	first, last := res.History[0], res.Final()
	t.Logf("train %.4f → %.4f, test %.4f → %.4f", first.TrainLoss, last.TrainLoss, first.Test["s=32"].RelL2, last.Test["s=32"].RelL2)
	if !(last.TrainLoss < first.TrainLoss/4) {
		t.Errorf("train loss %.4f → %.4f: did not fall fourfold", first.TrainLoss, last.TrainLoss)
	}
	if got := last.Test["s=32"].RelL2; !(got < 0.05) {
		t.Errorf("test relative L2 %.4f, want < 0.05", got)
	}
	if h := last.Test["s=32"].H1; !(h > 0) {
		t.Errorf("H1 %v not computed", h)
	}
	// The learning rate halves every 10 epochs.
	for _, r := range res.History {
		want := 1e-2 * math.Pow(0.5, float64((r.Epoch-1)/10))
		if math.Abs(r.LR-want) > 1e-15 {
			t.Errorf("epoch %d: lr %v, want %v", r.Epoch, r.LR, want)
		}
	}
	recs, err := operator.ReadMetrics(filepath.Join(dir, operator.MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 30 || recs[29].TrainLoss != last.TrainLoss || recs[29].Test["s=32"] != last.Test["s=32"] {
		t.Errorf("metrics.jsonl: %d records, last %+v; want 30 ending in %+v", len(recs), recs[len(recs)-1], last)
	}
	if n := strings.Count(lines.String(), "\n"); n != 30 || !strings.Contains(lines.String(), "epoch 30/30") {
		t.Errorf("progress output has %d lines:\n%s", n, lines.String())
	}
	// From the second epoch on, each line but the last gives the time left.
	if n := strings.Count(lines.String(), " left)\n"); n != 28 || strings.Contains(lines.String(), "30/30 left") {
		t.Errorf("%d lines with the time left:\n%s", n, lines.String())
	}
	ck, err := nn.LoadCheckpoint(filepath.Join(dir, operator.CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	if ck.Epoch != 30 || ck.Step != 150 || ck.Meta["status"] != "done" {
		t.Errorf("checkpoint at epoch %d step %d status %q", ck.Epoch, ck.Step, ck.Meta["status"])
	}
	// The checkpoint's weights are the model's.
	m := tinyFNO(t, 99)
	if err := nn.LoadStateDict(m, ck.Model); err != nil {
		t.Fatal(err)
	}
	sameParams(t, "checkpoint", params(tr.Model), params(m))
}

// cancelAfter wraps a loader and cancels a context after n batches in all.
type cancelAfter struct {
	operator.Loader
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Batches(epoch int) iter.Seq2[operator.Batch, error] {
	return func(yield func(operator.Batch, error) bool) {
		for b, err := range c.Loader.Batches(epoch) {
			if c.n--; c.n == 0 {
				c.cancel()
			}
			if !yield(b, err) {
				return
			}
		}
	}
}

// TestResumeIsBitwiseEqual interrupts a run in the middle of an epoch
// (Ctrl-C), resumes it in a fresh trainer with a differently initialised
// model, and checks the final weights and metrics equal those of an
// uninterrupted run bit for bit.
func TestResumeIsBitwiseEqual(t *testing.T) {
	const epochs = 5
	ref := tinyTrainer(t, t.TempDir(), epochs)
	refRes, err := ref.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	for _, stopAfter := range []int{7, 10} { // mid-epoch, and at an epoch boundary
		dir := t.TempDir()
		a := tinyTrainer(t, dir, epochs)
		ctx, cancel := context.WithCancel(context.Background())
		a.Train = &cancelAfter{Loader: a.Train, n: stopAfter, cancel: cancel}
		_, err = a.Run(ctx)
		cancel()
		if !errors.Is(err, operator.ErrInterrupted) || !errors.Is(err, context.Canceled) {
			t.Fatalf("interrupted run: error %v, want ErrInterrupted", err)
		}
		ck, err := nn.LoadCheckpoint(filepath.Join(dir, operator.CheckpointFile))
		if err != nil {
			t.Fatal(err)
		}
		// The batch that saw the cancellation is not trained on.
		if want := int64(stopAfter - 1); ck.Step != want || ck.Meta["status"] != "interrupted" {
			t.Fatalf("checkpoint after interruption: step %d status %q, want %d interrupted", ck.Step, ck.Meta["status"], want)
		}

		b := tinyTrainer(t, dir, epochs)
		b.Model = tinyFNO(t, 12345) // other initial weights: all must come from the checkpoint
		b.Resume = filepath.Join(dir, operator.CheckpointFile)
		res, err := b.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		sameParams(t, "resumed vs uninterrupted", params(ref.Model), params(b.Model))
		if len(res.History) != epochs {
			t.Fatalf("resumed history has %d epochs", len(res.History))
		}
		for i, r := range res.History {
			want := refRes.History[i]
			if r.TrainLoss != want.TrainLoss || r.Test["s=32"] != want.Test["s=32"] || r.Step != want.Step || r.LR != want.LR {
				t.Errorf("stop after %d: epoch %d: %+v, uninterrupted %+v", stopAfter, r.Epoch, r, want)
			}
		}
		recs, err := operator.ReadMetrics(filepath.Join(dir, operator.MetricsFile))
		if err != nil || len(recs) != epochs {
			t.Fatalf("metrics.jsonl after resume: %d records, %v", len(recs), err)
		}
	}
}

// nanAt wraps a loader and poisons one batch of one epoch with a NaN.
type nanAt struct {
	operator.Loader
	epoch, batch int
}

func (l *nanAt) Batches(epoch int) iter.Seq2[operator.Batch, error] {
	return func(yield func(operator.Batch, error) bool) {
		i := 0
		for b, err := range l.Loader.Batches(epoch) {
			if epoch == l.epoch && i == l.batch {
				b.Input = b.Input.Clone()
				b.Input.Float32s()[5] = float32(math.NaN())
			}
			i++
			if !yield(b, err) {
				return
			}
		}
	}
}

func TestNonFiniteLossStopsAndKeepsCheckpoint(t *testing.T) {
	dir := t.TempDir()
	tr := tinyTrainer(t, dir, 5)
	tr.Train = &nanAt{Loader: tr.Train, epoch: 2, batch: 3}
	_, err := tr.Run(context.Background())
	var nf *operator.NonFiniteError
	if !errors.As(err, &nf) {
		t.Fatalf("error %v, want a NonFiniteError", err)
	}
	if nf.What != "loss" || !math.IsNaN(nf.Value) || nf.Epoch != 3 || nf.Batch != 4 || nf.Step != 13 || nf.GoodEpoch != 2 {
		t.Errorf("error %+v", nf)
	}
	for _, want := range []string{"NaN", "epoch 3, batch 4", "model.safetensors (2 epochs)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	ck, err := nn.LoadCheckpoint(filepath.Join(dir, operator.CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	if ck.Epoch != 2 || ck.Step != 10 {
		t.Errorf("checkpoint at epoch %d, step %d; want the last good one (2, 10)", ck.Epoch, ck.Step)
	}
	for _, v := range ck.Model["lift.weight"].ToFloat64s() {
		if math.IsNaN(v) {
			t.Fatal("the checkpoint holds NaN weights")
		}
	}
}

// TestSameResultForAnyThreadCount trains with 1 and with 2 threads.
func TestSameResultForAnyThreadCount(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("one CPU")
	}
	run := func(procs int) map[string][]float64 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		tr := tinyTrainer(t, "", 2)
		tr.Test = nil
		if _, err := tr.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		return params(tr.Model)
	}
	sameParams(t, "GOMAXPROCS 1 vs 2", run(1), run(2))
}

func TestTrainConfigValidate(t *testing.T) {
	if err := (operator.TrainConfig{}).Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	d := operator.TrainConfig{}.WithDefaults()
	if d.Epochs != 500 || d.BatchSize != 20 || d.Optimizer.Name != "adam" || d.Optimizer.LR != 1e-3 || *d.Optimizer.WeightDecay != 1e-4 ||
		d.Schedule.Name != "step" || d.Schedule.StepSize != 100 || d.Schedule.Gamma != 0.5 || d.Loss.Name != "rel_l2" || d.Loss.Reduction != "sum" {
		t.Errorf("defaults %+v", d)
	}
	zero := 0.0
	cases := []struct {
		cfg  operator.TrainConfig
		want string
	}{
		{operator.TrainConfig{Epochs: -1}, "epochs"},
		{operator.TrainConfig{Optimizer: operator.OptimizerConfig{Name: "rmsprop"}}, "optimizer: name \"rmsprop\""},
		{operator.TrainConfig{Optimizer: operator.OptimizerConfig{Betas: []float64{0.9}}}, "betas"},
		{operator.TrainConfig{Optimizer: operator.OptimizerConfig{Name: "sgd", Betas: []float64{0.9, 0.99}}}, "betas"},
		{operator.TrainConfig{Optimizer: operator.OptimizerConfig{LR: -1}}, "lr"},
		{operator.TrainConfig{Schedule: operator.ScheduleConfig{Name: "cyclic"}}, "schedule: name"},
		{operator.TrainConfig{Schedule: operator.ScheduleConfig{Per: "batch"}}, "per \"batch\""},
		{operator.TrainConfig{Loss: operator.LossConfig{Name: "l1"}}, "loss: name"},
		{operator.TrainConfig{Loss: operator.LossConfig{Reduction: "max"}}, "reduction"},
		{operator.TrainConfig{Loss: operator.LossConfig{P: 3}}, "p is the order of rel_lp"},
		{operator.TrainConfig{ClipGradNorm: -1}, "clip_grad_norm"},
		{operator.TrainConfig{EvalEvery: -2}, "eval_every"},
	}
	for _, c := range cases {
		err := c.cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one naming %q", c.cfg, err, c.want)
		}
	}
	ok := operator.TrainConfig{Optimizer: operator.OptimizerConfig{Name: "sgd", Momentum: 0.9, WeightDecay: &zero},
		Schedule: operator.ScheduleConfig{Name: "one_cycle", Per: "step"}, Loss: operator.LossConfig{Name: "h1"}}
	if err := ok.Validate(); err != nil {
		t.Errorf("%+v: %v", ok, err)
	}
}

func TestScheduleBuild(t *testing.T) {
	cases := []struct {
		cfg        operator.ScheduleConfig
		step, want float64
	}{
		{operator.ScheduleConfig{Name: "step", StepSize: 50}, 99, 1e-3 * 0.5},
		{operator.ScheduleConfig{Name: "step", StepSize: 50}, 100, 1e-3 * 0.25},
		{operator.ScheduleConfig{Name: "constant"}, 400, 1e-3},
		{operator.ScheduleConfig{Name: "cosine"}, 100, 0.5e-3}, // half of the 200-epoch period
		{operator.ScheduleConfig{Name: "cosine", Per: "step"}, 1000, 0.5e-3},
		{operator.ScheduleConfig{Name: "one_cycle"}, 0, 1e-3 / 25},
		{operator.ScheduleConfig{Name: "constant", Warmup: 4}, 0, 1e-3 / 3},
	}
	for _, c := range cases {
		s, err := c.cfg.Build(1e-3, 200, 10)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.LR(int(c.step)); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("%+v at %v: lr %v, want %v", c.cfg, c.step, got, c.want)
		}
	}
}

func TestLossBuild(t *testing.T) {
	pred := tensor.FromFloat64s(tensor.Float64, []float64{1, 2, 3, 4}, 2, 1, 2)
	target := tensor.FromFloat64s(tensor.Float64, []float64{1, 1, 3, 3}, 2, 1, 2)
	// Per-sample relative L2: 1/√2 and 1/√18.
	r0, r1 := 1/math.Sqrt(2), 1/math.Sqrt(18)
	cases := []struct {
		cfg  operator.LossConfig
		want float64
	}{
		{operator.LossConfig{}, r0 + r1},
		{operator.LossConfig{Reduction: "mean"}, (r0 + r1) / 2},
		{operator.LossConfig{Name: "rel_lp", P: 1}, 1.0/2 + 1.0/6},
		{operator.LossConfig{Name: "mse"}, 0.5 + 0.5},
		{operator.LossConfig{Name: "mse", Reduction: "mean"}, 0.5},
	}
	for _, c := range cases {
		l, err := c.cfg.Build(nn.Grid{Periodic: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := l.Loss(pred, target).Item(); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%+v: %v, want %v", c.cfg, got, c.want)
		}
	}
}

func TestSliceLoader(t *testing.T) {
	x := tensor.FromFloat64s(tensor.Float32, []float64{0, 1, 2, 3, 4, 5, 6}, 7, 1, 1)
	l := &operator.SliceLoader{Input: x, Output: x, BatchSize: 3, Shuffle: true, Seed: 5}
	if l.NumBatches() != 3 {
		t.Fatalf("%d batches", l.NumBatches())
	}
	order := func(epoch int) []float64 {
		var out []float64
		for b, err := range l.Batches(epoch) {
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, b.Input.ToFloat64s()...)
		}
		return out
	}
	a, b, c := order(0), order(0), order(1)
	if !slices.Equal(a, b) || slices.Equal(a, c) || len(a) != 7 {
		t.Errorf("epoch 0: %v and %v; epoch 1: %v", a, b, c)
	}
	s := slices.Clone(a)
	slices.Sort(s)
	if !slices.Equal(s, []float64{0, 1, 2, 3, 4, 5, 6}) {
		t.Errorf("not a permutation: %v", a)
	}
}

// addOne maps [B, C, n] to its last channel plus one: a model for
// checking rollouts.
type addOne struct{}

func (addOne) Visit(*nn.Visitor) {}
func (addOne) Forward(x *tensor.Tensor) *tensor.Tensor {
	return tensor.AddScalar(tensor.Narrow(x, 1, x.Dim(1)-1, 1), 1)
}

func TestRollout(t *testing.T) {
	x := tensor.FromFloat64s(tensor.Float64, []float64{0, 0, 1, 1, 2, 2}, 1, 3, 2) // snapshots 0, 1, 2
	y := (&operator.Rollout{Model: addOne{}, Steps: 4}).Forward(x)
	if !slices.Equal(y.Shape(), []int{1, 4, 2}) || !slices.Equal(y.ToFloat64s(), []float64{3, 3, 4, 4, 5, 5, 6, 6}) {
		t.Errorf("rollout %v %v", y.Shape(), y.ToFloat64s())
	}
}

func TestMain(m *testing.M) {
	os.Exit(m.Run())
}

func tinySubsampledGNO(t testing.TB, seed uint64) *operator.GNO {
	t.Helper()
	m, err := operator.NewGNO(operator.GNOConfig{Common: operator.Common{Dim: 1, In: 1, Out: 1, Grid: "periodic"}, Stack: operator.Stack{Width: 4, Layers: 2, Projection: 8},
		KernelHidden: []int{8}, Radius: 0.2, SampleNodes: 12}, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSubsampledResumeIsBitwiseEqual: a GNO trained on 12 random nodes of
// the 32 of each sample (Nyström subsampling, with an output normaliser
// decoding on the grid) resumes bit for bit, as the node draws depend on
// (seed, epoch, batch, sample) only; its loss falls; the H1 loss is
// refused.
func TestSubsampledResumeIsBitwiseEqual(t *testing.T) {
	const epochs = 3
	mk := func(dir string, seed uint64) *operator.Trainer {
		tr := tinyTrainer(t, dir, epochs)
		tr.Model = tinySubsampledGNO(t, seed)
		tr.OutputNorm = keptAffine{affine{a: 0.5, b: -0.25}}
		return tr
	}
	ref := mk(t.TempDir(), 7)
	refRes, err := ref.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if first, last := refRes.History[0].TrainLoss, refRes.Final().TrainLoss; !(last < first) {
		t.Errorf("train loss %.4f → %.4f did not fall", first, last)
	}
	dir := t.TempDir()
	a := mk(dir, 7)
	ctx, cancel := context.WithCancel(context.Background())
	a.Train = &cancelAfter{Loader: a.Train, n: 8, cancel: cancel}
	if _, err := a.Run(ctx); !errors.Is(err, operator.ErrInterrupted) {
		t.Fatalf("interrupted run: %v", err)
	}
	cancel()
	b := mk(dir, 999)
	b.Resume = filepath.Join(dir, operator.CheckpointFile)
	if _, err := b.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	sameParams(t, "subsampled GNO resumed vs uninterrupted", params(ref.Model), params(b.Model))

	h := mk(t.TempDir(), 7)
	h.Config.Loss.Name = "h1"
	if _, err := h.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "sample_nodes") {
		t.Errorf("h1 loss with subsampling: error %v", err)
	}
}

// keptAffine is affine with statistics a checkpoint keeps.
type keptAffine struct{ affine }

func (n keptAffine) State() map[string]*tensor.Tensor {
	return map[string]*tensor.Tensor{"ab": tensor.FromFloat64s(tensor.Float64, []float64{n.a, n.b}, 2)}
}
func (n keptAffine) LoadState(st map[string]*tensor.Tensor) error {
	if v := st["ab"].Float64s(); v[0] != n.a || v[1] != n.b {
		return errors.New("keptAffine: other statistics")
	}
	return nil
}
