package data

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sciml-go/sciml/internal/hdf5"
	"github.com/sciml-go/sciml/tensor"
)

func TestArrayWriter(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pred.h5")
	w, err := CreateArrays(path, 5, []ArrayField{{Name: "prediction", Shape: []int{1, 3, 2}, Description: "u"}, {Name: "input", Shape: []int{3, 2}}},
		map[string]any{"checkpoint": "run/model.safetensors", "resolution": 3})
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]float64, 5*6)
	for i := range vals {
		vals[i] = float64(i) / 7
	}
	all := tensor.FromFloat64s(tensor.Float64, vals, 5, 1, 3, 2)
	if err := w.Write("prediction", 0, tensor.Narrow(all, 0, 0, 3)); err != nil {
		t.Fatal(err)
	}
	if err := w.Write("prediction", 3, tensor.Narrow(all, 0, 3, 2)); err != nil {
		t.Fatal(err)
	}
	if err := w.Write("input", 0, tensor.Reshape(all, 5, 3, 2)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		start int
		x     *tensor.Tensor
		want  string
	}{{"output", 0, all, "no field"}, {"prediction", 0, tensor.Reshape(all, 5, 6), "takes"}, {"prediction", 4, tensor.Narrow(all, 0, 0, 2), "samples [4, 6) of 5"}} {
		if err := w.Write(c.name, c.start, c.x); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Write(%s, %d, %v): %v, want %q", c.name, c.start, c.x.Shape(), err, c.want)
		}
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("the file is in place before Close")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := hdf5.Open(path, hdf5.ReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ds, err := f.OpenDataset("prediction")
	if err != nil {
		t.Fatal(err)
	}
	dims, _ := ds.Dims()
	got := make([]float32, 30)
	if err := ds.Read(got); err != nil || !slices.Equal(dims, []int{5, 1, 3, 2}) {
		t.Fatalf("prediction %v: %v", dims, err)
	}
	for i, v := range got {
		if v != float32(vals[i]) {
			t.Fatalf("prediction[%d] = %v, want %v", i, v, float32(vals[i]))
		}
	}
	if a, err := f.Attr("checkpoint"); err != nil || a != "run/model.safetensors" {
		t.Errorf("attribute checkpoint: %v, %v", a, err)
	}
	// An aborted writer leaves nothing.
	w, err = CreateArrays(filepath.Join(dir, "b.h5"), 1, []ArrayField{{Name: "x", Shape: []int{2}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.Abort()
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("files after an aborted writer: %v", ents)
	}
}
