package experiments

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/sciml-go/sciml/data"
	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/operator"
	"github.com/sciml-go/sciml/tensor"
)

// PredictRequest is a prediction of a trained model on the samples of a
// dataset (`sciml predict`).
type PredictRequest struct {
	// Checkpoint is the model.safetensors of a run.
	Checkpoint string
	// Data is the dataset (sciml's HDF5 schema); empty: the run's own
	// test samples (its dataset found in DataDir, or its data.path).
	Data    string
	DataDir string
	// Start and End select samples [Start, End) of Data, or without Data
	// of the run's test samples (End 0: all).
	Start, End int
	// Resolution is the grid the samples are resampled to, points per
	// axis (0: the training resolution).
	Resolution int
	// BatchSize is the number of samples a model call (0: the run's
	// evaluation batch, smaller on grids finer than the training one).
	BatchSize int
	// OnTrainingGrid runs the model on its training grid
	// (Surrogate.PredictOnTrainingGrid).
	OnTrainingGrid bool
	// Output is the HDF5 file to write.
	Output string
	// Sets override keys of the run's config that change no parameter.
	Sets []string
}

// PredictResult sums up a PredictFile.
type PredictResult struct {
	// Samples is the number of samples predicted.
	Samples int `json:"samples"`
	// Resolution is the grid, points per axis.
	Resolution int `json:"resolution"`
	// RelL2 and MaxRelL2 are the mean and largest relative L2 error
	// against the targets.
	RelL2    float64 `json:"rel_l2"`
	MaxRelL2 float64 `json:"max_rel_l2"`
	// Seconds is the wall time.
	Seconds float64 `json:"seconds"`
}

// PredictFile writes the predictions of a run's model for samples of a
// dataset to an HDF5 file with three datasets of float32, one row a
// sample: input (the model's input as the run's task makes it from the
// sample), prediction and target, in the data's units, and root
// attributes naming the checkpoint, the data, the samples and the grid. The
// file appears only when complete (written under a temporary name). It
// returns the relative L2 error of the predictions against the targets.
// progress, when not nil, gets a line every 30 s and one at the end.
func PredictFile(ctx context.Context, req PredictRequest, progress io.Writer) (*PredictResult, error) {
	res, err := predictFile(ctx, req, progress)
	if err != nil {
		return nil, fmt.Errorf("predict %s: %w", req.Checkpoint, err)
	}
	return res, nil
}

func predictFile(ctx context.Context, req PredictRequest, progress io.Writer) (*PredictResult, error) {
	t0 := time.Now()
	if req.Output == "" {
		return nil, fmt.Errorf("no output file")
	}
	s, err := LoadSurrogate(req.Checkpoint, req.Sets...)
	if err != nil {
		return nil, err
	}
	p := s.p
	path, start, end, err := samplesOf(s.Config, req.Data, req.DataDir, req.Start, req.End)
	if err != nil {
		return nil, err
	}
	ds, err := data.Open(path)
	if err != nil {
		return nil, err
	}
	defer ds.Close()
	if end <= 0 {
		end = ds.Len()
	}
	if start < 0 || end > ds.Len() || start >= end {
		return nil, fmt.Errorf("samples [%d, %d) outside the %d of %s", start, end, ds.Len(), path)
	}
	r := req.Resolution
	if r == 0 {
		r = p.trainRes
	}
	batch := req.BatchSize
	if batch <= 0 {
		batch = p.evalBatch(r)
	}
	l, err := ds.Loader(data.LoaderConfig{Start: start, End: end, Resolution: r, Method: p.method, BatchSize: batch, DType: p.dtype, Prefetch: 2})
	if err != nil {
		return nil, err
	}
	out := &PredictResult{Resolution: r}
	var w *data.ArrayWriter
	defer func() {
		if w != nil {
			w.Abort() // a no-op after Close
		}
	}()
	rel := nn.RelLp{P: 2, Reduction: nn.ReduceNone}
	var errs operator.SampleErrors
	last, n := time.Now(), end-start
	for b, err := range l.Batches(0) {
		if err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		tb := p.transform(b)
		pred, err := s.predict(ctx, tb.Input, req.OnTrainingGrid)
		if err != nil {
			return nil, err
		}
		if w == nil {
			w, err = data.CreateArrays(req.Output, n, []data.ArrayField{
				{Name: "input", Shape: tb.Input.Shape()[1:], Description: "the model's input (" + orDefault(s.Config.Data.Task.Kind, "map") + " task)"},
				{Name: "prediction", Shape: pred.Shape()[1:], Description: "the model's output, in the data's units"},
				{Name: "target", Shape: tb.Output.Shape()[1:], Description: "the data's output for the input (the task's target)"},
			}, map[string]any{
				"checkpoint": req.Checkpoint, "data": path, "samples": []int{start, end}, "resolution": r,
				"model": s.Config.Model.Type, "experiment": s.Config.Name, "on_training_grid": fmt.Sprint(req.OnTrainingGrid),
			})
			if err != nil {
				return nil, err
			}
		}
		for _, f := range []struct {
			name string
			x    *tensor.Tensor
		}{{"input", tb.Input}, {"prediction", pred}, {"target", tb.Output}} {
			if err := w.Write(f.name, out.Samples, f.x); err != nil {
				return nil, err
			}
		}
		errs.Append(operator.SampleErrors{RelL2: rel.Loss(pred, tb.Output).ToFloat64s()})
		out.Samples += b.Input.Dim(0)
		if progress != nil && time.Since(last) >= evalProgressEvery && out.Samples < n {
			fmt.Fprintf(progress, "predicted %d of %d samples (%s)\n", out.Samples, n, time.Since(t0).Round(time.Second))
			last = time.Now()
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	m := errs.Metrics()
	out.RelL2, out.MaxRelL2 = m.RelL2, m.MaxRelL2
	out.Seconds = time.Since(t0).Seconds()
	if progress != nil {
		fmt.Fprintf(progress, "predicted %d samples at %s in %.1f s: relative L2 %.5f against the targets (max %.5f); written to %s\n",
			out.Samples, label(r, r, p.dim), out.Seconds, out.RelL2, out.MaxRelL2, req.Output)
	}
	return out, nil
}
