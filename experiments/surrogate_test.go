package experiments

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sciml-go/sciml/data"
	"github.com/sciml-go/sciml/internal/hdf5"
	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/operator"
	"github.com/sciml-go/sciml/tensor"
)

// checkSurrogate checks, on the finished tiny-darcy run res, that the
// trained model loaded as a Surrogate predicts the test samples with the
// run's errors bit for bit (directly at 29 and 57, and on the training
// grid at 57, its input interpolated or averaged), with the checkpoint's grid metadata or, for a checkpoint
// without it, the run's data; and that bad inputs are errors.
func checkSurrogate(t *testing.T, res *Result, opts Options) {
	ck := filepath.Join(res.Dir, operator.CheckpointFile)
	want := map[string]float64{}
	for _, r := range res.Eval {
		if r.InputResolution == r.Resolution {
			want[operator.GridLabel(r.Resolution, 2)+map[bool]string{true: " via", false: ""}[r.Via != 0]] = r.RelL2
		}
	}
	ds, err := data.Open(res.DataPath)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	n := res.Config.Data.Generate.N
	check := func(s *Surrogate, how string) {
		t.Helper()
		if s.TrainingResolution() != 29 {
			t.Errorf("%s: training resolution %d", how, s.TrainingResolution())
		}
		for _, c := range []struct {
			res int
			via bool
		}{{29, false}, {57, false}, {57, true}} {
			l, err := ds.Loader(data.LoaderConfig{Start: n - res.Config.Data.NTest, End: n, Resolution: c.res, BatchSize: 4, DType: tensor.Float32})
			if err != nil {
				t.Fatal(err)
			}
			var sum float64
			var count int
			for b, err := range l.Batches(0) {
				if err != nil {
					t.Fatal(err)
				}
				x := b.Input
				if c.res == 57 {
					x = tensor.FromFloat64s(tensor.Float64, x.ToFloat64s(), x.Shape()...) // converted to the model's float32
				}
				var pred *tensor.Tensor
				if c.via {
					pred, err = s.PredictOnTrainingGrid(x)
				} else {
					pred, err = s.Predict(x)
				}
				if err != nil {
					t.Fatal(err)
				}
				for _, v := range (nn.RelLp{P: 2, Reduction: nn.ReduceNone}).Loss(pred, b.Output).ToFloat64s() {
					sum += v
					count++
				}
			}
			key := operator.GridLabel(c.res, 2) + map[bool]string{true: " via", false: ""}[c.via]
			if got := sum / float64(count); got != want[key] {
				t.Errorf("%s at %s: relative L2 %v, the run's %v", how, key, got, want[key])
			}
		}
	}
	s, err := LoadSurrogate(ck)
	if err != nil {
		t.Fatal(err)
	}
	check(s, "surrogate")

	// PredictFile writes the predictions of the test samples with the
	// same errors, and nothing when interrupted.
	for _, via := range []bool{false, true} {
		out := filepath.Join(t.TempDir(), "pred.h5")
		pr, err := PredictFile(context.Background(), PredictRequest{Checkpoint: ck, DataDir: opts.DataDir, Resolution: 57,
			BatchSize: 3, OnTrainingGrid: via, Output: out}, nil)
		key := "57×57" + map[bool]string{true: " via", false: ""}[via]
		if err != nil || pr.Samples != 10 || pr.RelL2 != want[key] {
			t.Fatalf("PredictFile (on the training grid %v): %+v, %v; the run's error %v", via, pr, err, want[key])
		}
		h, err := hdf5.Open(out, hdf5.ReadOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"input", "prediction", "target"} {
			ds, err := h.OpenDataset(name)
			if err != nil {
				t.Fatal(err)
			}
			if dims, _ := ds.Dims(); !slices.Equal(dims, []int{10, 1, 57, 57}) {
				t.Errorf("%s: %v", name, dims)
			}
		}
		h.Close()
	}
	// With eval.restriction: average the input reaches the training grid
	// as its cell averages: its own row, the same error from the
	// surrogate, and another error than by interpolation.
	ev, err := EvalCheckpoint(context.Background(), EvalRequest{Checkpoint: ck, DataDir: opts.DataDir,
		ViaTrainingGrid: []int{57}, Sets: []string{"eval.restriction=average"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var table strings.Builder
	if err := operator.WriteTable(&table, ev.Results, 2); err != nil {
		t.Fatal(err)
	}
	r := ev.Results[0]
	if len(ev.Results) != 1 || !r.Averaged || r.Via != 29 || !strings.Contains(table.String(), "| 57×57 via 29×29, averaged |") {
		t.Errorf("eval with averages: %+v\n%s", ev.Results, table.String())
	}
	if r.RelL2 == want["57×57 via"] || !(r.RelL2 < 1.5*want["29×29"]) {
		t.Errorf("via 29 with averages %v, with interpolation %v, at 29 %v", r.RelL2, want["57×57 via"], want["29×29"])
	}
	t.Logf("57 via 29: relative L2 %.5f interpolated, %.5f averaged", want["57×57 via"], r.RelL2)
	sa, err := LoadSurrogate(ck, "eval.restriction=average")
	if err != nil {
		t.Fatal(err)
	}
	interpolated := want["57×57 via"]
	want["57×57 via"] = r.RelL2
	check(sa, "surrogate with averages")
	want["57×57 via"] = interpolated
	if _, err := LoadSurrogate(ck, "eval.restriction=mean"); err == nil || !strings.Contains(err.Error(), "eval.restriction") {
		t.Errorf("eval.restriction=mean: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := filepath.Join(t.TempDir(), "pred.h5")
	if _, err := PredictFile(ctx, PredictRequest{Checkpoint: ck, DataDir: opts.DataDir, Output: out}, nil); err == nil {
		t.Error("PredictFile with a cancelled context: no error")
	}
	if ents, _ := os.ReadDir(filepath.Dir(out)); len(ents) != 0 {
		t.Errorf("an interrupted PredictFile left %v", ents)
	}

	// Errors for inputs of the wrong shape.
	for _, shape := range [][]int{{1, 2, 29, 29}, {1, 1, 29, 57}, {1, 1, 29}} {
		if _, err := s.Predict(tensor.Zeros(tensor.Float32, shape...)); err == nil || !strings.Contains(err.Error(), "surrogate: input") {
			t.Errorf("Predict of %v: %v", shape, err)
		}
	}

	// A checkpoint without the grid metadata: the grid comes from the data.
	c, err := nn.LoadCheckpoint(ck)
	if err != nil {
		t.Fatal(err)
	}
	for k := range c.Meta {
		if strings.HasPrefix(k, "grid.") {
			delete(c.Meta, k)
		}
	}
	old := filepath.Join(t.TempDir(), "old.safetensors")
	if err := nn.SaveCheckpoint(old, c); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SCIML_DATA_DIR", t.TempDir())
	if _, err := LoadSurrogate(old); err == nil || !strings.Contains(err.Error(), "does not describe the data's grid") {
		t.Errorf("surrogate without grid metadata nor data: %v", err)
	}
	t.Setenv("SCIML_DATA_DIR", opts.DataDir)
	if s, err = LoadSurrogate(old); err != nil {
		t.Fatal(err)
	}
	check(s, "surrogate of a checkpoint without grid metadata")
}
