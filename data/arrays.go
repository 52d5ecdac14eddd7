package data

import (
	"fmt"
	"os"
	"slices"

	"github.com/sciml-go/sciml/internal/atomicfile"
	"github.com/sciml-go/sciml/internal/hdf5"
	"github.com/sciml-go/sciml/tensor"
)

// ArrayField is one dataset of an ArrayWriter: its Name, the Shape of one
// sample (the dataset is [n, Shape…]) and a Description (an attribute;
// none when empty).
type ArrayField struct {
	Name        string
	Shape       []int
	Description string
}

// ArrayWriter writes float32 arrays sample by sample into a new HDF5 file
// (one chunk a sample, shuffled and deflated), such as the predictions of
// `sciml predict`. The file is written under a temporary name next to its
// path and moved there by Close, so an interrupted writer leaves no file;
// h5py reads it as plain datasets.
type ArrayWriter struct {
	f          *hdf5.File
	path, tmp  string
	n          int
	fields     map[string]*hdf5.Dataset
	shapes     map[string][]int
	closed     bool
	fieldOrder []string
}

// CreateArrays starts the file at path with n samples of each field and the
// root attributes attrs (values as hdf5 attributes take: string, int,
// float64 and their slices).
func CreateArrays(path string, n int, fields []ArrayField, attrs map[string]any) (*ArrayWriter, error) {
	if n < 1 || len(fields) == 0 {
		return nil, fmt.Errorf("create %s: %d samples of %d fields", path, n, len(fields))
	}
	tmp, err := atomicfile.TempFor(path)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	f, err := hdf5.Create(tmp)
	if err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	w := &ArrayWriter{f: f, path: path, tmp: tmp, n: n, fields: map[string]*hdf5.Dataset{}, shapes: map[string][]int{}}
	fail := func(err error) (*ArrayWriter, error) {
		w.Abort()
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	for _, fd := range fields {
		if _, dup := w.fields[fd.Name]; dup || fd.Name == "" {
			return fail(fmt.Errorf("field %q twice or unnamed", fd.Name))
		}
		dims := append([]int{n}, fd.Shape...)
		ds, err := f.CreateDataset(fd.Name, hdf5.Float32, dims, &hdf5.DatasetOptions{
			Chunk: append([]int{1}, fd.Shape...), Shuffle: true, Deflate: 4})
		if err != nil {
			return fail(err)
		}
		if fd.Description != "" {
			if err := ds.SetAttr("description", fd.Description); err != nil {
				return fail(err)
			}
		}
		w.fields[fd.Name], w.shapes[fd.Name] = ds, slices.Clone(fd.Shape)
		w.fieldOrder = append(w.fieldOrder, fd.Name)
	}
	for k, v := range attrs {
		if err := f.SetAttr(k, v); err != nil {
			return fail(fmt.Errorf("attribute %s: %w", k, err))
		}
	}
	return w, nil
}

// Write stores x [b, Shape…] as samples [start, start+b) of field name.
func (w *ArrayWriter) Write(name string, start int, x *tensor.Tensor) error {
	ds, ok := w.fields[name]
	if !ok {
		return fmt.Errorf("write %s: no field %q (have %v)", w.path, name, w.fieldOrder)
	}
	shape := w.shapes[name]
	if x.NDim() != len(shape)+1 || !slices.Equal(x.Shape()[1:], shape) {
		return fmt.Errorf("write %s: field %q takes [b %v], not %v", w.path, name, shape, x.Shape())
	}
	b := x.Dim(0)
	if start < 0 || start+b > w.n {
		return fmt.Errorf("write %s: samples [%d, %d) of %d", w.path, start, start+b, w.n)
	}
	v := x.ToFloat64s()
	f32 := make([]float32, len(v))
	for i, e := range v {
		f32[i] = float32(e)
	}
	count := append([]int{b}, shape...)
	st := make([]int, len(count))
	st[0] = start
	if err := ds.WriteSlab(st, count, f32); err != nil {
		return fmt.Errorf("write %s: field %q: %w", w.path, name, err)
	}
	return nil
}

// Close finishes the file and moves it to its path.
func (w *ArrayWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	err := w.f.Close()
	if err == nil {
		err = atomicfile.Commit(w.tmp, w.path)
	}
	if err != nil {
		os.Remove(w.tmp)
		return fmt.Errorf("write %s: %w", w.path, err)
	}
	return nil
}

// Abort discards the file.
func (w *ArrayWriter) Abort() {
	if w.closed {
		return
	}
	w.closed = true
	w.f.Close()
	os.Remove(w.tmp)
}
