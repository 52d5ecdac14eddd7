package operator

import (
	"context"
	"fmt"
	"io"
	"iter"
	"math"
	"slices"
	"strings"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// Metrics are test errors averaged over samples.
type Metrics struct {
	// Samples is the number of samples evaluated.
	Samples int `json:"samples"`
	// RelL2 is the mean over samples of ‖ŷ − y‖₂/‖y‖₂, the norms taken
	// over all grid points and channels as plain vector norms (the FNO
	// papers' metric; on a periodic grid it equals the ratio of L² norms).
	RelL2 float64 `json:"rel_l2"`
	// MaxRelL2 is the largest per-sample relative L2 error.
	MaxRelL2 float64 `json:"max_rel_l2"`
	// H1 is the mean relative H¹ error ‖e‖_H¹/‖y‖_H¹ (nn.H1 on the
	// evaluation grid); 0 when not computed.
	H1 float64 `json:"h1,omitempty"`
}

// EvalOptions configure Evaluate.
type EvalOptions struct {
	// InputNorm and OutputNorm are the model's normalisers (nil: none).
	InputNorm, OutputNorm Normalizer
	// Grid, when set, adds the relative H¹ error, with derivatives and
	// quadrature on this domain.
	Grid *nn.Grid
	// OnBatch, when set, is called after each batch with that batch's
	// per-sample errors (H1 nil without Grid), in sample order: a caller
	// can journal them and resume an interrupted evaluation. An error it
	// returns stops Evaluate.
	OnBatch func(SampleErrors) error
}

// SampleErrors are per-sample errors in sample order.
type SampleErrors struct {
	// RelL2 is the relative L2 error of each sample.
	RelL2 []float64 `json:"rel_l2"`
	// H1 is the relative H¹ error of each sample (nil when not computed).
	H1 []float64 `json:"h1,omitempty"`
}

// Append appends b's samples to s.
func (s *SampleErrors) Append(b SampleErrors) {
	s.RelL2 = append(s.RelL2, b.RelL2...)
	s.H1 = append(s.H1, b.H1...)
}

// Metrics returns the means and the maximum of s, summed in float64 in
// sample order: the metrics of the samples s holds, however they were
// split into batches or runs.
func (s SampleErrors) Metrics() Metrics {
	res := Metrics{Samples: len(s.RelL2)}
	var l2Sum, h1Sum float64
	for _, v := range s.RelL2 {
		l2Sum += v
		res.MaxRelL2 = math.Max(res.MaxRelL2, v)
	}
	for _, v := range s.H1 {
		h1Sum += v
	}
	if res.Samples > 0 {
		res.RelL2 = l2Sum / float64(res.Samples)
		res.H1 = h1Sum / float64(res.Samples)
	}
	return res
}

// SuperResolver is an operator that can sample its output on another grid
// than its input's (fno.FNO): zero-shot super-resolution.
type SuperResolver interface {
	ForwardTo(x *tensor.Tensor, outSizes []int) *tensor.Tensor
}

// Predict evaluates Decode(m(Encode(x))) without recording gradients and
// in evaluation mode (nn.SetTraining(m, false); m stays in it), and
// returns a tensor on the heap. With outSizes different from x's grid the
// output is sampled on that grid (m must be a SuperResolver); nil keeps
// x's grid. Normalisers may be nil.
func Predict(m Operator, x *tensor.Tensor, outSizes []int, in, out Normalizer) *tensor.Tensor {
	y, _ := PredictContext(context.Background(), m, x, outSizes, in, out) // never cancelled
	return y
}

// PredictContext is Predict returning ctx's error when ctx is cancelled
// while the model's Infer runs (an Inferencer checks it between its
// pieces).
func PredictContext(ctx context.Context, m Operator, x *tensor.Tensor, outSizes []int, in, out Normalizer) (*tensor.Tensor, error) {
	ar := tensor.NewArena()
	ar.SetGrad(false)
	defer ar.Reset()
	y, err := predictIn(ctx, ar, m, x, outSizes, in, out)
	if err != nil {
		return nil, err
	}
	return y.Clone(), nil
}

// predictIn is PredictContext computing in ar (the result lives in ar).
func predictIn(ctx context.Context, ar *tensor.Arena, m Operator, x *tensor.Tensor, outSizes []int, in, out Normalizer) (*tensor.Tensor, error) {
	nn.SetTraining(m, false)
	h := x.Detach().In(ar)
	if in != nil {
		h = in.Encode(h)
	}
	var y *tensor.Tensor
	if outSizes != nil && !slices.Equal(outSizes, x.Shape()[2:]) {
		sr, ok := m.(SuperResolver)
		if !ok {
			panic(fmt.Sprintf("operator: Predict: output grid %v differs from the input's %v, and %T cannot resample", outSizes, x.Shape()[2:], m))
		}
		y = sr.ForwardTo(h, outSizes)
	} else if inf, ok := m.(Inferencer); ok {
		var err error
		if y, err = inf.Infer(ctx, h); err != nil {
			return nil, err
		}
	} else {
		y = m.Forward(h)
	}
	if out != nil {
		y = out.Decode(y)
	}
	return y, nil
}

// Evaluate runs m over batches and returns the mean per-sample relative L2
// error (and relative H¹ error when opts.Grid is set) of its predictions
// Decode(m(Encode(x))) against the targets, in evaluation mode and without
// recording gradients. A batch whose Output grid differs from its Input
// grid is evaluated by zero-shot super-resolution (m must be a
// SuperResolver). Each sample's errors are computed on their own and the
// sums run in float64 in sample order, so the result does not depend on
// the batch size or the number of threads. Evaluate leaves m
// in evaluation mode. It returns ctx's error if ctx is cancelled between
// batches.
func Evaluate(ctx context.Context, m Operator, batches iter.Seq2[Batch, error], opts EvalOptions) (Metrics, error) {
	errs, err := EvaluateSamples(ctx, m, batches, opts)
	return errs.Metrics(), err
}

// EvaluateSamples is Evaluate returning the per-sample errors (those of
// the batches done when it returns an error).
func EvaluateSamples(ctx context.Context, m Operator, batches iter.Seq2[Batch, error], opts EvalOptions) (SampleErrors, error) {
	var all SampleErrors
	ar := tensor.NewArena()
	ar.SetGrad(false)
	rel := nn.RelLp{P: 2, Reduction: nn.ReduceNone}
	var h1 nn.H1
	if opts.Grid != nil {
		h1 = nn.H1{Grid: *opts.Grid, Reduction: nn.ReduceNone}
		if err := h1.Validate(); err != nil {
			return all, err
		}
	}
	for b, err := range batches {
		if err != nil {
			return all, err
		}
		if err := ctx.Err(); err != nil {
			return all, err
		}
		if b.Input.Dim(0) != b.Output.Dim(0) {
			return all, fmt.Errorf("operator: Evaluate: batch of %d inputs and %d outputs", b.Input.Dim(0), b.Output.Dim(0))
		}
		if _, ok := m.(SuperResolver); !ok && !slices.Equal(b.Input.Shape()[2:], b.Output.Shape()[2:]) {
			return all, fmt.Errorf("operator: Evaluate: inputs on a %v grid, targets on %v: zero-shot super-resolution needs a model that samples its output on another grid (a SuperResolver such as fno.FNO), not %T",
				b.Input.Shape()[2:], b.Output.Shape()[2:], m)
		}
		pred, err := predictIn(ctx, ar, m, b.Input, b.Output.Shape()[2:], opts.InputNorm, opts.OutputNorm)
		if err != nil {
			ar.Reset()
			return all, err
		}
		y := b.Output.Detach().In(ar)
		if !slices.Equal(pred.Shape(), y.Shape()) {
			ar.Reset()
			return all, fmt.Errorf("operator: Evaluate: prediction %v, target %v", pred.Shape(), y.Shape())
		}
		be := SampleErrors{RelL2: rel.Loss(pred, y).ToFloat64s()}
		if opts.Grid != nil {
			// One sample at a time: batched FFTs (spectral derivatives on
			// a periodic grid) round differently with the number of
			// transforms, and the errors must not depend on the batch.
			for i := range pred.Dim(0) {
				be.H1 = append(be.H1, h1.Loss(tensor.Narrow(pred, 0, i, 1), tensor.Narrow(y, 0, i, 1)).ToFloat64s()...)
			}
		}
		ar.Reset()
		all.Append(be)
		if opts.OnBatch != nil {
			if err := opts.OnBatch(be); err != nil {
				return all, err
			}
		}
	}
	return all, nil
}

// ResolutionResult is the evaluation at one resolution: Resolution points
// per axis for the output (the target), InputResolution for the input
// (equal unless this is zero-shot super-resolution).
type ResolutionResult struct {
	Resolution      int `json:"resolution"`
	InputResolution int `json:"input_resolution"`
	// Via is the grid the model ran on when it is not the data's
	// (Resampled: the training grid), else 0.
	Via int `json:"via,omitempty"`
	// Averaged: the input reached Via by cell averages (Resampled.Average),
	// not by interpolation.
	Averaged bool `json:"averaged,omitempty"`
	Metrics
	// Seconds is the wall time of the evaluation.
	Seconds float64 `json:"seconds"`
}

// WriteTable writes results as a Markdown table: resolution, samples,
// relative L2 (mean and max) and, when any was computed, relative H¹.
// dim is the number of grid axes (for "64×64" labels).
func WriteTable(w io.Writer, results []ResolutionResult, dim int) error {
	hasH1 := false
	for _, r := range results {
		hasH1 = hasH1 || r.H1 != 0
	}
	var b strings.Builder
	b.WriteString("| resolution | samples | relative L2 | max relative L2 |")
	if hasH1 {
		b.WriteString(" relative H1 |")
	}
	b.WriteString("\n|---|---:|---:|---:|")
	if hasH1 {
		b.WriteString("---:|")
	}
	b.WriteByte('\n')
	for _, r := range results {
		label := GridLabel(r.Resolution, dim)
		if r.InputResolution != 0 && r.InputResolution != r.Resolution {
			label = GridLabel(r.InputResolution, dim) + " → " + label
		}
		if r.Via != 0 {
			label += " via " + GridLabel(r.Via, dim)
			if r.Averaged {
				label += ", averaged"
			}
		}
		fmt.Fprintf(&b, "| %s | %d | %.4f | %.4f |", label, r.Samples, r.RelL2, r.MaxRelL2)
		if hasH1 {
			fmt.Fprintf(&b, " %.4f |", r.H1)
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// GridLabel names a grid of s points per axis in dim dimensions: "1024",
// "85×85", "64×64×40".
func GridLabel(s, dim int) string {
	parts := make([]string, max(dim, 1))
	for i := range parts {
		parts[i] = fmt.Sprint(s)
	}
	return strings.Join(parts, "×")
}
