package experiments

import (
	"context"
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"

	"github.com/sciml-go/sciml/data"
	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/operator"
	"github.com/sciml-go/sciml/tensor"
)

// DefaultDataDir returns where generated datasets are cached:
// $SCIML_DATA_DIR, else the user cache directory's sciml/datasets, else
// ./data.
func DefaultDataDir() string {
	if d := os.Getenv("SCIML_DATA_DIR"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "sciml", "datasets")
	}
	return "data"
}

// DataPath returns the file of a generated dataset in dir: the PDE's name
// and the spec's cache key, so equal specs share the file.
func DataPath(dir string, spec data.GenerateSpec) string {
	return filepath.Join(dir, spec.PDE+"-"+spec.CacheKey()+".h5")
}

// pipeline is an experiment's model and the way samples reach it.
type pipeline struct {
	cfg     *Config
	unlock  func()            // the run directory's lock, released by close (nil: none)
	base    operator.Operator // the configured model
	model   operator.Operator // what is trained (base, or a rollout of it)
	dtype   tensor.DType
	method  data.Method
	inNorm  operator.Normalizer
	outNorm operator.Normalizer

	train, test        *data.Dataset
	testStart, testEnd int
	grid               nn.Grid
	dim                int // grid axes of the model's functions
	spatial            int // spatial axes of the data (dim without space_time's time axis)
	trainRes           int // the training resolution
}

// newPipeline builds the model with its initial weights.
func newPipeline(cfg *Config) (*pipeline, error) {
	p := &pipeline{cfg: cfg}
	var err error
	r := rand.New(rand.NewPCG(cfg.Train.Seed, 0x5eed))
	if p.base, err = cfg.Model.Build(r); err != nil {
		return nil, err
	}
	ps := nn.Params(p.base)
	if len(ps) == 0 {
		return nil, fmt.Errorf("model %s has no parameters", cfg.Model.Type)
	}
	p.dtype = ps[0].DType().Real()
	p.model = p.base
	if p.method, err = data.ParseMethod(orDefault(cfg.Data.Resample, "stride")); err != nil {
		return nil, err
	}
	return p, nil
}

// close closes the datasets.
func (p *pipeline) close() {
	if p.unlock != nil {
		p.unlock()
		p.unlock = nil
	}
	if p.train != nil {
		p.train.Close()
	}
	if p.test != nil && p.test != p.train {
		p.test.Close()
	}
}

// open opens the data: the training file (may be "" for evaluation only)
// and the test file with its sample range.
func (p *pipeline) open(trainPath, testPath string, testStart, testEnd int) error {
	var err error
	if trainPath != "" {
		if p.train, err = data.Open(trainPath); err != nil {
			return err
		}
		if p.train.Len() < p.cfg.Data.NTrain {
			return fmt.Errorf("%s holds %d samples, fewer than n_train %d", trainPath, p.train.Len(), p.cfg.Data.NTrain)
		}
	}
	if testPath == trainPath && p.train != nil {
		p.test = p.train
	} else if p.test, err = data.Open(testPath); err != nil {
		return err
	}
	if testEnd <= 0 {
		testEnd = p.test.Len()
	}
	if testStart < 0 || testEnd > p.test.Len() || testStart >= testEnd {
		return fmt.Errorf("test samples [%d, %d) outside the %d of %s", testStart, testEnd, p.test.Len(), p.test.Path())
	}
	if p.train == p.test && testStart < p.cfg.Data.NTrain {
		return fmt.Errorf("%s holds %d samples: the %d test samples would overlap the %d training samples",
			testPath, p.test.Len(), testEnd-testStart, p.cfg.Data.NTrain)
	}
	p.testStart, p.testEnd = testStart, testEnd
	ds := p.test
	p.trainRes = p.cfg.Data.Resolution
	if p.trainRes == 0 {
		p.trainRes = ds.Resolution()
		if p.train != nil {
			p.trainRes = p.train.Resolution()
		}
	}
	p.dim = ds.SpatialRank()
	p.spatial = p.dim
	lengths := make([]float64, p.dim)
	for i := range lengths {
		lengths[i] = 1
	}
	if spec, ok := ds.Spec(); ok && spec.Burgers != nil {
		lengths[0] = spec.Burgers.Length
	}
	p.grid = nn.Grid{Periodic: ds.Periodic(), Lengths: lengths}

	task := p.cfg.Data.Task
	switch task.Kind {
	case "rollout", "space_time":
		traj := ds.Shape(data.Output)
		if len(traj) != p.dim+1 {
			return fmt.Errorf("data.task %s needs trajectories; %s's output has per-sample shape %v", task.Kind, ds.Path(), traj)
		}
		steps := p.steps(traj[0])
		if task.Window+steps > traj[0] || steps < 1 {
			return fmt.Errorf("data.task: window %d + steps %d exceed the %d stored snapshots", task.Window, steps, traj[0])
		}
		if task.Kind == "rollout" {
			p.model = &operator.Rollout{Model: p.base, Steps: steps}
		} else {
			p.dim++ // the time axis
		}
	}
	return p.checkChannels(ds)
}

// steps returns the number of predicted snapshots of a trajectory of n.
func (p *pipeline) steps(n int) int {
	if s := p.cfg.Data.Task.Steps; s > 0 {
		return s
	}
	return n - p.cfg.Data.Task.Window
}

// checkChannels compares the data's channels with the model's In and Out
// fields (when its config has them).
func (p *pipeline) checkChannels(ds *data.Dataset) error {
	in, out, ok := p.modelChannels()
	if !ok {
		return nil
	}
	win, wout := ds.Shape(data.Input)[0], ds.Shape(data.Output)[0]
	if len(ds.Shape(data.Input)) == p.dim {
		win = 1 // a scalar field stored without a channel axis
	}
	if len(ds.Shape(data.Output)) == p.dim {
		wout = 1
	}
	switch p.cfg.Data.Task.Kind {
	case "inverse":
		win, wout = wout, win
	case "rollout":
		win, wout = p.cfg.Data.Task.Window, out
	case "space_time":
		win, wout = p.cfg.Data.Task.Window, 1
	}
	if in != win || out != wout {
		return fmt.Errorf("model: in %d, out %d channels, but the data (%s, task %s) gives %d in and %d out",
			in, out, ds.Path(), orDefault(p.cfg.Data.Task.Kind, "map"), win, wout)
	}
	return nil
}

// modelChannels returns the In and Out fields of the model's config (ok
// false when it has none).
func (p *pipeline) modelChannels() (in, out int, ok bool) {
	v := reflect.ValueOf(p.cfg.Model.Spec)
	if v.Kind() != reflect.Struct {
		return 0, 0, false
	}
	fi, fo := v.FieldByName("In"), v.FieldByName("Out")
	if !fi.IsValid() || !fo.IsValid() || !fi.CanInt() || !fo.CanInt() {
		return 0, 0, false
	}
	return int(fi.Int()), int(fo.Int()), true
}

// transform turns a stored batch into the task's model input and target.
func (p *pipeline) transform(b data.Batch) operator.Batch {
	t := p.cfg.Data.Task
	switch t.Kind {
	case "inverse":
		return operator.Batch{Input: b.Output, Output: b.Input}
	case "rollout":
		steps := p.steps(b.Output.Dim(1))
		return operator.Batch{Input: tensor.Narrow(b.Output, 1, 0, t.Window), Output: tensor.Narrow(b.Output, 1, t.Window, steps)}
	case "space_time":
		steps := p.steps(b.Output.Dim(1))
		in := tensor.Unsqueeze(tensor.Narrow(b.Output, 1, 0, t.Window), -1) // [B, W, X, Y, 1]
		shape := slices.Clone(in.Shape())
		shape[len(shape)-1] = steps
		in = tensor.Add(in, tensor.Zeros(in.DType(), shape...))                 // repeated along time
		out := tensor.Unsqueeze(tensor.Narrow(b.Output, 1, t.Window, steps), 1) // [B, 1, S, X, Y]
		perm := []int{0, 1}
		for a := 3; a < out.NDim(); a++ {
			perm = append(perm, a)
		}
		out = tensor.Permute(out, append(perm, 2)...) // [B, 1, X, Y, S]
		return operator.Batch{Input: in, Output: out}
	}
	return operator.Batch{Input: b.Input, Output: b.Output}
}

// taskLoader adapts a data.Loader to an operator.Loader through the task.
type taskLoader struct {
	p *pipeline
	l *data.Loader
}

func (t *taskLoader) NumBatches() int { return t.l.NumBatches() }

func (t *taskLoader) Batches(epoch int) iter.Seq2[operator.Batch, error] {
	return func(yield func(operator.Batch, error) bool) {
		for b, err := range t.l.Batches(epoch) {
			if err != nil {
				yield(operator.Batch{}, err)
				return
			}
			if !yield(t.p.transform(b), nil) {
				return
			}
		}
	}
}

// loaderCache is the memory a loader keeps the samples it has read in
// (resampled), so that epochs after the first read no file: at s = 85 the
// 1000 Darcy training samples take 58 MB, where reading them from the
// 421² file took 8 s of CPU an epoch (2.5× the DeepONet's training).
const loaderCache = 1 << 30

// loader returns batches of samples [start, end) of ds at a resolution.
func (p *pipeline) loader(ds *data.Dataset, start, end, res, batch int, shuffle bool) (*taskLoader, error) {
	l, err := ds.Loader(data.LoaderConfig{Start: start, End: end, Resolution: res, Method: p.method,
		BatchSize: batch, Shuffle: shuffle, Seed: p.cfg.Train.Seed, DType: p.dtype, Prefetch: 2, Cache: loaderCache})
	if err != nil {
		return nil, err
	}
	return &taskLoader{p: p, l: l}, nil
}

// zipLoader pairs the inputs of one loader with the targets of another
// over the same samples: zero-shot super-resolution.
type zipLoader struct{ in, out *taskLoader }

func (z *zipLoader) NumBatches() int { return z.in.NumBatches() }

func (z *zipLoader) Batches(epoch int) iter.Seq2[operator.Batch, error] {
	return func(yield func(operator.Batch, error) bool) {
		next, stop := iter.Pull2(z.out.Batches(epoch))
		defer stop()
		for a, err := range z.in.Batches(epoch) {
			b, err2, ok := next()
			if err == nil {
				err = err2
			}
			if err == nil && !ok {
				err = fmt.Errorf("super-resolution: the target loader ended early")
			}
			if err != nil {
				yield(operator.Batch{}, err)
				return
			}
			if !yield(operator.Batch{Input: a.Input, Output: b.Output}, nil) {
				return
			}
		}
	}
}

// trainLoader returns the shuffled training batches at the training
// resolution.
func (p *pipeline) trainLoader() (*taskLoader, error) {
	return p.loader(p.train, 0, p.cfg.Data.NTrain, p.trainRes, p.cfg.Train.WithDefaults().BatchSize, true)
}

// evalBatch returns the evaluation batch size at resolution res: the
// configured one (default 20) at the training resolution and coarser,
// and at a finer grid that many samples times the ratio of the numbers of
// grid points, rounded down (at least 1), so that an evaluation at 421²
// needs no more memory than one at the training grid of 85² — the
// activations a model keeps for a batch grow with its points, and MgNO's
// at 421² in batches of 20 need more than 17 GB. The errors do not depend
// on the batch size (Evaluate), only the time and memory do.
func (p *pipeline) evalBatch(res int) int {
	b := 20
	if p.cfg.Eval.BatchSize > 0 {
		b = p.cfg.Eval.BatchSize
	}
	if p.trainRes <= 0 || res <= p.trainRes {
		return b
	}
	axes := p.dim // the axes that res resamples: not a space-time model's time
	if p.cfg.Data.Task.Kind == "space_time" {
		axes--
	}
	f := math.Pow(float64(p.trainRes)/float64(res), float64(max(axes, 1)))
	return max(1, int(float64(b)*f))
}

// testLoader returns the test batches with inputs at resIn and targets at
// resOut.
func (p *pipeline) testLoader(resIn, resOut, skip int) (operator.Loader, error) {
	batch := p.evalBatch(max(resIn, resOut))
	start := p.testStart + skip
	out, err := p.loader(p.test, start, p.testEnd, resOut, batch, false)
	if err != nil || resIn == resOut {
		return out, err
	}
	in, err := p.loader(p.test, start, p.testEnd, resIn, batch, false)
	if err != nil {
		return nil, err
	}
	return &zipLoader{in: in, out: out}, nil
}

// fitNormalizers fits the configured normalisers on the training samples
// at the training resolution.
func (p *pipeline) fitNormalizers() error {
	fit := func(kind string, field func(operator.Batch) *tensor.Tensor) (operator.Normalizer, error) {
		if kind == "" || kind == "none" {
			return nil, nil
		}
		l, err := p.loader(p.train, 0, p.cfg.Data.NTrain, p.trainRes, 50, false)
		if err != nil {
			return nil, err
		}
		seq := func(yield func(*tensor.Tensor, error) bool) {
			for b, err := range l.Batches(0) {
				if err != nil {
					yield(nil, err)
					return
				}
				if !yield(field(b), nil) {
					return
				}
			}
		}
		if kind == "gaussian" {
			return data.FitGaussian(seq, true)
		}
		return data.FitPointwise(seq)
	}
	var err error
	n := p.cfg.Data.Normalize
	if p.inNorm, err = fit(n.Input, func(b operator.Batch) *tensor.Tensor { return b.Input }); err != nil {
		return fmt.Errorf("input normaliser: %w", err)
	}
	if p.outNorm, err = fit(n.Output, func(b operator.Batch) *tensor.Tensor { return b.Output }); err != nil {
		return fmt.Errorf("output normaliser: %w", err)
	}
	return nil
}

// loadNormalizers restores the normalisers from a checkpoint's Extra.
func (p *pipeline) loadNormalizers(extra map[string]*tensor.Tensor) error {
	load := func(kind, prefix string) (operator.Normalizer, error) {
		if kind == "" || kind == "none" {
			return nil, nil
		}
		st := operator.ExtraWithPrefix(extra, prefix)
		if len(st) == 0 {
			return nil, fmt.Errorf("the checkpoint holds no %s statistics", prefix)
		}
		return data.LoadNormalizer(st)
	}
	var err error
	n := p.cfg.Data.Normalize
	if p.inNorm, err = load(n.Input, "input_norm."); err != nil {
		return err
	}
	p.outNorm, err = load(n.Output, "output_norm.")
	return err
}

// atResolution returns a normaliser for functions on a grid of res points
// per axis: a pointwise one is interpolated to it (linearly, periodic or
// with both ends on the grid); others apply at every resolution.
func (p *pipeline) atResolution(n operator.Normalizer, res int) operator.Normalizer {
	pw, ok := n.(*data.Pointwise)
	if !ok || pw == nil {
		return n
	}
	sizes := slices.Clone(pw.Mean.Shape()[1:])
	nd := p.spatial
	first := len(sizes) - nd
	changed := false
	for a := first; a < len(sizes); a++ {
		changed = changed || sizes[a] != res
		sizes[a] = res
	}
	if !changed {
		return n
	}
	return &data.Pointwise{
		Mean: tensor.Interpolate(pw.Mean, sizes[first:], p.interpMode()),
		Std:  tensor.Interpolate(pw.Std, sizes[first:], p.interpMode()),
		Eps:  pw.Eps,
	}
}

// interpMode is the linear interpolation of the data's grid: periodic, or
// with both ends on the grid.
func (p *pipeline) interpMode() tensor.InterpMode {
	if p.grid.Periodic {
		return tensor.InterpPeriodic
	}
	return tensor.InterpLinear
}

// resampled runs m on the training grid (operator.Resampled), with the
// config's restriction.
func (p *pipeline) resampled(m operator.Operator) *operator.Resampled {
	return &operator.Resampled{Model: m, Sizes: slices.Repeat([]int{p.trainRes}, p.dim), Mode: p.interpMode(), Average: p.cfg.averageRestriction()}
}

// evalResolutions returns the configured evaluation resolutions, or the
// training one.
func (p *pipeline) evalResolutions() []int {
	if p.cfg.Eval.Resolutions != nil {
		return p.cfg.Eval.Resolutions
	}
	return []int{p.trainRes}
}

// evaluate evaluates the model on the test samples after the first skip,
// with inputs at resIn and targets at resOut, and returns their errors;
// with via, the model runs on the training grid (operator.Resampled).
// onBatch, when not nil, gets each batch's errors (operator.EvalOptions).
func (p *pipeline) evaluate(ctx context.Context, resIn, resOut int, via bool, skip int, onBatch func(operator.SampleErrors) error) (operator.SampleErrors, error) {
	l, err := p.testLoader(resIn, resOut, skip)
	if err != nil {
		return operator.SampleErrors{}, err
	}
	opts := operator.EvalOptions{InputNorm: p.atResolution(p.inNorm, resIn), OutputNorm: p.atResolution(p.outNorm, resOut), OnBatch: onBatch}
	if p.cfg.Eval.H1 && p.cfg.Data.Task.Kind != "space_time" {
		g := p.grid
		opts.Grid = &g
	}
	m := p.model
	if via {
		m = p.resampled(m)
	}
	return operator.EvaluateSamples(ctx, m, l.Batches(0), opts)
}
