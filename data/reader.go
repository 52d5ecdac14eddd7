package data

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/sciml-go/sciml/internal/hdf5"
)

// Layout is the arrangement of a dataset file.
type Layout int

const (
	// Sciml is the layout Generate writes: datasets input and output,
	// grid/x, grid/y, grid/t and the attributes of docs/datasets.md.
	Sciml Layout = iota
	// PDEBench is the layout of the PDEBench files: a dataset tensor
	// (N, T, X[, Y]) of trajectories, with x-coordinate, y-coordinate and
	// t-coordinate, or, for Darcy flow, tensor (N, 1, X, Y) = u and
	// nu (N, X, Y) = a.
	PDEBench
)

// String returns "sciml" or "pdebench".
func (l Layout) String() string {
	switch l {
	case Sciml:
		return "sciml"
	case PDEBench:
		return "pdebench"
	}
	return fmt.Sprintf("Layout(%d)", int(l))
}

// Field selects the input or the output of a dataset.
type Field int

const (
	// Input is the dataset's input (u0, a, w0).
	Input Field = iota
	// Output is the dataset's output (u(T), u, w(t)).
	Output
)

// String returns "input" or "output".
func (f Field) String() string {
	if f == Output {
		return "output"
	}
	return "input"
}

// source is where one field's samples live in the file: sample i is the
// hyperslab start = (i, off, 0, …), count = (1, slab...) of ds.
type source struct {
	ds    *hdf5.Dataset
	name  string // dataset name, for errors
	dtype hdf5.DType
	off   int   // offset along the first per-sample axis (PDEBench time)
	slab  []int // per-sample slab extent (without the sample axis)
	// shape is the sample's channel-first shape [C, spatial...].
	shape []int
}

// size returns the number of values of one sample.
func (s *source) size() int { return prod(s.slab) }

// Dataset is an open dataset file, written by Generate (or Merge) or in the
// PDEBench layout. It reads samples by hyperslab, so opening is cheap
// whatever the file's size. A Dataset is safe for concurrent use.
type Dataset struct {
	path     string
	f        *hdf5.File
	layout   Layout
	n        int
	rank     int // spatial rank, 1 or 2
	res      int // stored points per spatial axis
	periodic bool
	in, out  source
	spec     *GenerateSpec
	h        *header // sciml files
	grid     map[string][]float64
	attrs    map[string]any
}

// Open opens a dataset file for reading. Errors name the file and the
// dataset at fault: a missing file (wrapping fs.ErrNotExist), a file that
// is not HDF5 or is truncated, missing input or output datasets, wrong
// ranks or shapes, unsupported element types. A partial file (of an
// interrupted Generate) opens with its complete leading samples.
func Open(path string) (*Dataset, error) {
	if st, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("data: open %s: %w", path, fs.ErrNotExist)
		}
		return nil, fmt.Errorf("data: open %s: %w", path, err)
	} else if st.IsDir() {
		return nil, fmt.Errorf("data: open %s: is a directory", path)
	}
	f, err := hdf5.Open(path, hdf5.ReadOnly)
	if err != nil {
		return nil, fmt.Errorf("data: open %s: %s: %w", path, openFailure(err), err)
	}
	d := &Dataset{path: path, f: f, attrs: map[string]any{}, grid: map[string][]float64{}}
	if err := d.init(); err != nil {
		f.Close()
		return nil, fmt.Errorf("data: open %s: %w", path, err)
	}
	return d, nil
}

func (d *Dataset) init() error {
	names, err := d.f.AttrNames()
	if err != nil {
		return err
	}
	for _, n := range names {
		if v, err := d.f.Attr(n); err == nil {
			d.attrs[n] = v
		}
	}
	hasInput, err := d.f.Exists(InputName)
	if err != nil {
		return err
	}
	hasTensor, err := d.f.Exists("tensor")
	if err != nil {
		return err
	}
	switch {
	case d.attrs[attrFormat] == Format:
		return d.initSciml()
	case hasTensor && !hasInput:
		return d.initPDEBench()
	case hasInput:
		return errors.New(`datasets "input"/"output" without sciml attributes (the "format" attribute is missing or wrong)`)
	}
	return errors.New(`no dataset "input" (sciml layout) or "tensor" (PDEBench layout)`)
}

// openFloat opens a dataset and checks that its elements are float32 or
// float64.
func (d *Dataset) openFloat(name string) (*hdf5.Dataset, []int, error) {
	ds, err := d.f.OpenDataset(name)
	if err != nil {
		if errors.Is(err, hdf5.ErrNotFound) {
			return nil, nil, fmt.Errorf("dataset %q is missing", name)
		}
		return nil, nil, err
	}
	info, err := ds.Info()
	if err != nil {
		return nil, nil, err
	}
	if info.DType != hdf5.Float32 && info.DType != hdf5.Float64 {
		return nil, nil, fmt.Errorf("dataset %q holds %s, want float32 or float64", name, info.Type)
	}
	return ds, info.Dims, nil
}

func (d *Dataset) initSciml() error {
	h, err := parseHeader(d.attrs)
	if err != nil {
		return fmt.Errorf("attributes: %w", err)
	}
	if err := readProgress(d.f, h); err != nil {
		return err
	}
	d.h = h
	d.layout = Sciml
	d.spec = &h.spec
	pr, err := newProblem(h.spec)
	if err != nil {
		return err
	}
	d.rank = 2
	if h.spec.PDE == Burgers {
		d.rank = 1
	}
	d.res = h.spec.Resolution
	d.periodic = Periodic(h.spec.PDE)
	d.n = h.done
	for _, fd := range []struct {
		name  string
		shape []int
		src   *source
	}{{InputName, pr.inShape, &d.in}, {OutputName, pr.outShape, &d.out}} {
		ds, dims, err := d.openFloat(fd.name)
		if err != nil {
			return err
		}
		if len(dims) != len(fd.shape)+1 {
			return fmt.Errorf("dataset %q has rank %d (shape %v), want %d: (N, %s) for %s", fd.name, len(dims), dims,
				len(fd.shape)+1, shapeString(fd.shape), h.spec.PDE)
		}
		if !slices.Equal(dims[1:], fd.shape) {
			return fmt.Errorf("dataset %q has shape %v, want (N, %s) for %s at resolution %d", fd.name, dims,
				shapeString(fd.shape), h.spec.PDE, d.res)
		}
		if dims[0] < d.n {
			return fmt.Errorf("dataset %q holds %d samples, but the attributes say %d are complete", fd.name, dims[0], d.n)
		}
		*fd.src = newSource(ds, fd.name, 0, dims[1:], d.rank)
	}
	for _, axis := range []string{"x", "y", "t"} {
		name := GridGroup + "/" + axis
		if ok, _ := d.f.Exists(name); ok {
			if v, err := d.readVector(name); err == nil {
				d.grid[axis] = v
			}
		}
	}
	return nil
}

// newSource describes a field whose per-sample slab is slab, with spatial
// rank `rank` trailing axes.
func newSource(ds *hdf5.Dataset, name string, off int, slab []int, rank int) source {
	s := source{ds: ds, name: name, dtype: ds.DType(), off: off, slab: slices.Clone(slab)}
	spatial := slab[len(slab)-rank:]
	c := prod(slab[:len(slab)-rank])
	s.shape = append([]int{c}, spatial...)
	return s
}

// readVector reads a 1-D float dataset as float64.
func (d *Dataset) readVector(name string) ([]float64, error) {
	ds, err := d.f.OpenDataset(name)
	if err != nil {
		return nil, err
	}
	defer ds.Close()
	v, err := ds.ReadAll()
	if err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case []float64:
		return x, nil
	case []float32:
		out := make([]float64, len(x))
		for i, e := range x {
			out[i] = float64(e)
		}
		return out, nil
	}
	return nil, fmt.Errorf("dataset %q is not floating point", name)
}

func shapeString(s []int) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprint(x)
	}
	return out
}

// openFailure says why libhdf5 could not open a file.
func openFailure(err error) string {
	if strings.Contains(err.Error(), "unable to lock file") {
		return "the file is locked: another process (a running sciml generate?) has it open for writing"
	}
	return "not a readable HDF5 file"
}

// Close closes the file.
func (d *Dataset) Close() error { return d.f.Close() }

// Path returns the file's path.
func (d *Dataset) Path() string { return d.path }

// Layout returns the file's layout.
func (d *Dataset) Layout() Layout { return d.layout }

// Len returns the number of (complete) samples.
func (d *Dataset) Len() int { return d.n }

// Resolution returns the stored number of points per spatial axis.
func (d *Dataset) Resolution() int { return d.res }

// SpatialRank returns the number of spatial axes, 1 or 2.
func (d *Dataset) SpatialRank() int { return d.rank }

// Periodic reports whether the data are periodic in space, which spectral
// resampling needs: true for Burgers and Navier–Stokes files, false for
// Darcy and for PDEBench files unless set with SetPeriodic.
func (d *Dataset) Periodic() bool { return d.periodic }

// SetPeriodic declares whether the data are periodic (for PDEBench files,
// whose layout does not say; the 1-D Burgers and advection sets are).
func (d *Dataset) SetPeriodic(p bool) { d.periodic = p }

// Spec returns the spec a sciml file was generated with.
func (d *Dataset) Spec() (GenerateSpec, bool) {
	if d.spec == nil {
		return GenerateSpec{}, false
	}
	return d.spec.clone(), true
}

// Shape returns the channel-first shape [C, spatial...] of one sample of
// the field at the stored resolution. C is 1 for a scalar field and the
// number of recorded times for trajectories (time becomes the channel
// axis).
func (d *Dataset) Shape(f Field) []int { return slices.Clone(d.src(f).shape) }

// Grid returns the coordinates of axis "x", "y" or "t" (nil if absent).
func (d *Dataset) Grid(axis string) []float64 { return slices.Clone(d.grid[axis]) }

// Attrs returns the root attributes of the file.
func (d *Dataset) Attrs() map[string]any {
	m := make(map[string]any, len(d.attrs))
	for k, v := range d.attrs {
		m[k] = v
	}
	return m
}

func (d *Dataset) src(f Field) *source {
	if f == Output {
		return &d.out
	}
	return &d.in
}

// slab returns the hyperslab of sample i of a source.
func (s *source) slabOf(i int) (start, count []int) {
	start = make([]int, len(s.slab)+1)
	start[0] = i
	if len(s.slab) > 0 {
		start[1] = s.off
	}
	count = append([]int{1}, s.slab...)
	return start, count
}

// readSample reads sample i of field f at the stored resolution into dst
// (a []float32 or []float64 of the stored type, of length size()). It
// reports the first non-finite value as an error naming file, dataset and
// sample.
func (d *Dataset) readSample(s *source, i int, dst any) error {
	start, count := s.slabOf(i)
	if err := s.ds.ReadSlab(start, count, dst); err != nil {
		return fmt.Errorf("data: read %s: dataset %q, sample %d: %w", d.path, s.name, i, err)
	}
	bad := -1
	var val float64
	switch v := dst.(type) {
	case []float32:
		for k, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				bad, val = k, float64(x)
				break
			}
		}
	case []float64:
		for k, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				bad, val = k, x
				break
			}
		}
	}
	if bad >= 0 {
		return fmt.Errorf("data: read %s: dataset %q, sample %d: value %v at offset %d (position %v in the sample)",
			d.path, s.name, i, val, bad, unravel(bad, s.slab))
	}
	return nil
}

// unravel turns a flat offset into an index of shape.
func unravel(k int, shape []int) []int {
	idx := make([]int, len(shape))
	for a := len(shape) - 1; a >= 0; a-- {
		idx[a] = k % shape[a]
		k /= shape[a]
	}
	return idx
}

// ReadSample reads sample i of field f at the stored resolution as float64
// values in channel-first order (Shape(f)).
func (d *Dataset) ReadSample(f Field, i int) ([]float64, error) {
	if i < 0 || i >= d.n {
		return nil, fmt.Errorf("data: read %s: sample %d outside [0, %d)", d.path, i, d.n)
	}
	s := d.src(f)
	out := make([]float64, s.size())
	if s.dtype == hdf5.Float64 {
		if err := d.readSample(s, i, out); err != nil {
			return nil, err
		}
		return out, nil
	}
	buf := make([]float32, s.size())
	if err := d.readSample(s, i, buf); err != nil {
		return nil, err
	}
	for k, v := range buf {
		out[k] = float64(v)
	}
	return out, nil
}
