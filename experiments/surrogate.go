package experiments

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/operator"
	"github.com/sciml-go/sciml/tensor"
)

// The checkpoint metadata that describes the data's grid, so that a
// trained model can be used without its dataset (LoadSurrogate).
const (
	metaSpatial      = "grid.spatial_axes"
	metaPeriodic     = "grid.periodic"
	metaLengths      = "grid.lengths"
	metaTrainRes     = "grid.train_resolution"
	metaRolloutSteps = "task.rollout_steps"
)

// gridMeta adds the description of the data's grid to meta and returns it.
func (p *pipeline) gridMeta(meta map[string]string) map[string]string {
	ls := make([]string, len(p.grid.Lengths))
	for i, l := range p.grid.Lengths {
		ls[i] = strconv.FormatFloat(l, 'g', -1, 64)
	}
	meta[metaSpatial] = strconv.Itoa(p.spatial)
	meta[metaPeriodic] = strconv.FormatBool(p.grid.Periodic)
	meta[metaLengths] = strings.Join(ls, ",")
	meta[metaTrainRes] = strconv.Itoa(p.trainRes)
	if r, ok := p.model.(*operator.Rollout); ok {
		meta[metaRolloutSteps] = strconv.Itoa(r.Steps)
	}
	return meta
}

// errNoGridMeta is setGridMeta's error for a checkpoint written before
// the grid was recorded.
var errNoGridMeta = errors.New("the checkpoint does not describe the data's grid")

// setGridMeta sets the grid (and a rollout's steps) from a checkpoint's
// metadata, as open would from the data.
func (p *pipeline) setGridMeta(meta map[string]string) error {
	if _, ok := meta[metaSpatial]; !ok {
		return errNoGridMeta
	}
	var errs []error
	num := func(key string) int {
		v, err := strconv.Atoi(meta[key])
		if err != nil || v < 1 {
			errs = append(errs, fmt.Errorf("metadata %s = %q", key, meta[key]))
		}
		return v
	}
	p.spatial, p.trainRes = num(metaSpatial), num(metaTrainRes)
	periodic, err := strconv.ParseBool(meta[metaPeriodic])
	errs = append(errs, err)
	p.grid = nn.Grid{Periodic: periodic}
	for _, f := range strings.Split(meta[metaLengths], ",") {
		l, err := strconv.ParseFloat(f, 64)
		errs = append(errs, err)
		p.grid.Lengths = append(p.grid.Lengths, l)
	}
	p.dim = p.spatial
	switch p.cfg.Data.Task.Kind {
	case "rollout":
		p.model = &operator.Rollout{Model: p.base, Steps: num(metaRolloutSteps)}
	case "space_time":
		p.dim++
	}
	return errors.Join(errs...)
}

// Surrogate is a trained neural operator, rebuilt from a checkpoint of
// `sciml run` or `sciml train` with its weights and the normalisers of its
// training data: a function from input fields to output fields, on the
// training grid or any other.
type Surrogate struct {
	// Config is the run's config, as the checkpoint holds it.
	Config *Config
	p      *pipeline
}

// LoadSurrogate rebuilds the model of a checkpoint written by a run. sets
// override keys of its config ("key.path=value", as ApplySets) that change
// no parameter, such as model.eval_partitions of a subsampled GNO. The data
// is not needed, except for checkpoints written before the data's grid was
// recorded in them (before 2026-11-30), for which the run's test data is
// opened as `sciml eval` does.
func LoadSurrogate(checkpoint string, sets ...string) (*Surrogate, error) {
	s, err := loadSurrogate(checkpoint, sets)
	if err != nil {
		return nil, fmt.Errorf("surrogate %s: %w", checkpoint, err)
	}
	return s, nil
}

func loadSurrogate(checkpoint string, sets []string) (*Surrogate, error) {
	ck, cfg, err := loadRunCheckpoint(checkpoint, sets)
	if err != nil {
		return nil, err
	}
	p, err := newPipeline(cfg)
	if err != nil {
		return nil, err
	}
	if err := p.setGridMeta(ck.Meta); errors.Is(err, errNoGridMeta) {
		path, start, end, err := runTestData(cfg, "")
		if err != nil {
			return nil, fmt.Errorf("%w, and %w", errNoGridMeta, err)
		}
		err = p.open("", path, start, end)
		p.close()
		p.train, p.test = nil, nil
		if err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	if err := nn.LoadStateDict(p.base, ck.Model); err != nil {
		return nil, err
	}
	if err := p.loadNormalizers(ck.Extra); err != nil {
		return nil, err
	}
	nn.SetTraining(p.base, false)
	return &Surrogate{Config: cfg, p: p}, nil
}

// TrainingResolution is the number of grid points per axis the model was
// trained at.
func (s *Surrogate) TrainingResolution() int { return s.p.trainRes }

// Predict maps the model inputs x [B, C, n, …, n] on a grid of n points per
// spatial axis (any n) to its outputs, both in the data's units: x is
// normalised with the training data's statistics (pointwise ones
// interpolated to the grid), the model runs in evaluation mode without
// recording gradients, and its output is decoded. The inputs are those of
// the run's task: for "map" the stored input fields (Darcy's coefficient
// a, Burgers' u₀), for "inverse" the stored solutions, for "rollout" the
// first Window snapshots (channels) of a trajectory, whose next Steps it
// returns, for "space_time" the Window snapshots repeated along a last,
// time axis of Steps points. x may be float32 or float64.
func (s *Surrogate) Predict(x *tensor.Tensor) (*tensor.Tensor, error) {
	return s.predict(context.Background(), x, false)
}

// PredictContext is Predict returning ctx's error once ctx is cancelled
// during a model's piecewise inference (the graph operators' Infer, which
// on a fine grid takes minutes a sample).
func (s *Surrogate) PredictContext(ctx context.Context, x *tensor.Tensor) (*tensor.Tensor, error) {
	return s.predict(ctx, x, false)
}

// PredictOnTrainingGrid is Predict with the model run on its training grid
// whatever x's grid (operator.Resampled): the input interpolated to it
// (cell-averaged with eval.restriction: average, which LoadSurrogate's
// sets can give) and the output back. It is how a model tied to its grid
// (MgNO) is used on others; it resolves nothing finer than the training
// grid. Only for the map and inverse tasks.
func (s *Surrogate) PredictOnTrainingGrid(x *tensor.Tensor) (*tensor.Tensor, error) {
	return s.predict(context.Background(), x, true)
}

func (s *Surrogate) predict(ctx context.Context, x *tensor.Tensor, via bool) (*tensor.Tensor, error) {
	p := s.p
	if x.NDim() != p.dim+2 {
		return nil, fmt.Errorf("surrogate: input of shape %v, want [batch, channels] and %d grid axes", x.Shape(), p.dim)
	}
	res := x.Dim(2)
	for a := 2; a < 2+p.spatial; a++ {
		if x.Dim(a) != res {
			return nil, fmt.Errorf("surrogate: input of shape %v: the spatial axes must have the same number of points", x.Shape())
		}
	}
	if res < 2 {
		return nil, fmt.Errorf("surrogate: input of shape %v: want at least 2 points an axis", x.Shape())
	}
	if in, _, ok := p.modelChannels(); ok && x.Dim(1) != in {
		return nil, fmt.Errorf("surrogate: input of %d channels, the model takes %d", x.Dim(1), in)
	}
	if x.DType() != p.dtype {
		x = tensor.FromFloat64s(p.dtype, x.ToFloat64s(), x.Shape()...)
	}
	m := p.model
	if via {
		if msg := s.Config.viaTaskProblem(); msg != "" {
			return nil, fmt.Errorf("surrogate: on the training grid: %s", msg)
		}
		m = p.resampled(m)
	}
	return operator.PredictContext(ctx, m, x, nil, p.atResolution(p.inNorm, res), p.atResolution(p.outNorm, res))
}
