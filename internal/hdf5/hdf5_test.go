package hdf5

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// tmp returns a path for a new file in a per-test directory.
func tmp(t testing.TB, name string) string {
	t.Helper()
	return filepath.Join(t.TempDir(), name)
}

// must fails the test on a non-nil error.
func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// checkNoLeaks fails if libhdf5 identifiers are still open.
func checkNoLeaks(t testing.TB) {
	t.Helper()
	if n := openIDs(); n != 0 {
		t.Errorf("%d libhdf5 identifiers still open", n)
	}
}

// ramp returns n values of type dt: i*scale+offset.
func ramp(dt DType, n int, offset float64) any {
	switch dt {
	case Float32:
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(float64(i)*0.25 + offset)
		}
		return s
	case Float64:
		s := make([]float64, n)
		for i := range s {
			s[i] = float64(i)*0.125 + offset + 1e-9
		}
		return s
	case Int64:
		s := make([]int64, n)
		for i := range s {
			s[i] = int64(i)*1_000_000_007 + int64(offset) - 5
		}
		return s
	}
	panic("bad dtype")
}

func newSlice(dt DType, n int) any {
	switch dt {
	case Float32:
		return make([]float32, n)
	case Float64:
		return make([]float64, n)
	case Int64:
		return make([]int64, n)
	}
	panic("bad dtype")
}

func TestLibVersion(t *testing.T) {
	v := LibVersion()
	if !regexp.MustCompile(`^1\.\d+\.\d+$`).MatchString(v) {
		t.Fatalf("LibVersion() = %q", v)
	}
	t.Logf("libhdf5 %s", v)
}

func TestRoundTrip(t *testing.T) {
	layouts := []struct {
		name    string
		opts    *DatasetOptions
		layout  Layout
		chunk   []int
		shuffle bool
		deflate int // -1: none
	}{
		{"contiguous", nil, Contiguous, nil, false, -1},
		{"chunked", &DatasetOptions{Chunk: []int{1, 4, 5}}, Chunked, []int{1, 4, 5}, false, -1},
		{"deflate", &DatasetOptions{Chunk: []int{2, 2, 5}, Deflate: 6}, Chunked, []int{2, 2, 5}, false, 6},
		{"shuffle+deflate", &DatasetOptions{Chunk: []int{3, 4, 5}, Shuffle: true, Deflate: 1}, Chunked, []int{3, 4, 5}, true, 1},
		{"shuffle", &DatasetOptions{Chunk: []int{3, 4, 5}, Shuffle: true}, Chunked, []int{3, 4, 5}, true, -1},
	}
	dims := []int{3, 4, 5}
	for _, dt := range []DType{Float32, Float64, Int64} {
		for _, l := range layouts {
			t.Run(dt.String()+"/"+l.name, func(t *testing.T) {
				path := tmp(t, "rt.h5")
				want := ramp(dt, 60, 3)
				f, err := Create(path)
				must(t, err)
				ds, err := f.CreateDataset("data", dt, dims, l.opts)
				must(t, err)
				must(t, ds.Write(want))
				must(t, f.Close())

				f, err = Open(path, ReadOnly)
				must(t, err)
				defer f.Close()
				ds, err = f.OpenDataset("data")
				must(t, err)
				if ds.DType() != dt {
					t.Errorf("DType = %v, want %v", ds.DType(), dt)
				}
				got, err := ds.ReadAll()
				must(t, err)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("ReadAll = %v, want %v", got, want)
				}
				buf := newSlice(dt, 60)
				must(t, ds.Read(buf))
				if !reflect.DeepEqual(buf, want) {
					t.Errorf("Read = %v, want %v", buf, want)
				}
				info, err := ds.Info()
				must(t, err)
				if info.DType != dt || info.Type != dt.String() {
					t.Errorf("Info type = %v %q", info.DType, info.Type)
				}
				if !reflect.DeepEqual(info.Dims, dims) || !reflect.DeepEqual(info.MaxDims, dims) {
					t.Errorf("Info dims = %v max %v", info.Dims, info.MaxDims)
				}
				if info.Layout != l.layout || !reflect.DeepEqual(info.Chunk, l.chunk) {
					t.Errorf("Info layout = %v chunk %v, want %v %v", info.Layout, info.Chunk, l.layout, l.chunk)
				}
				if info.Shuffle() != l.shuffle {
					t.Errorf("Shuffle() = %v", info.Shuffle())
				}
				level, ok := info.Deflate()
				if ok != (l.deflate >= 0) || (ok && level != l.deflate) {
					t.Errorf("Deflate() = %d, %v; want %d", level, ok, l.deflate)
				}
				var names []string
				for _, flt := range info.Filters {
					names = append(names, flt.Name)
				}
				var wantNames []string
				if l.shuffle {
					wantNames = append(wantNames, "shuffle")
				}
				if l.deflate >= 0 {
					wantNames = append(wantNames, "deflate")
				}
				if !reflect.DeepEqual(names, wantNames) {
					t.Errorf("filters %v (%+v), want %v", names, info.Filters, wantNames)
				}
			})
		}
	}
	checkNoLeaks(t)
}

func TestScalarAndEmpty(t *testing.T) {
	path := tmp(t, "scalar.h5")
	f, err := Create(path)
	must(t, err)
	s, err := f.CreateDataset("scalar", Float64, nil, nil)
	must(t, err)
	must(t, s.Write([]float64{math.Pi}))
	e, err := f.CreateDataset("empty", Int64, []int{0, 3}, nil)
	must(t, err)
	must(t, e.Write([]int64{}))
	must(t, f.Close())

	f, err = Open(path, ReadOnly)
	must(t, err)
	defer f.Close()
	s, err = f.OpenDataset("scalar")
	must(t, err)
	got, err := s.ReadAll()
	must(t, err)
	if !reflect.DeepEqual(got, []float64{math.Pi}) {
		t.Errorf("scalar = %v", got)
	}
	dims, err := s.Dims()
	must(t, err)
	if len(dims) != 0 {
		t.Errorf("scalar dims = %v", dims)
	}
	e, err = f.OpenDataset("empty")
	must(t, err)
	got, err = e.ReadAll()
	must(t, err)
	if g := got.([]int64); len(g) != 0 {
		t.Errorf("empty = %v", g)
	}
}

// writeSamples writes an (n, x, y) float32 dataset whose element (i, j, k)
// is i*1000 + j*10 + k, and returns the path.
func writeSamples(t testing.TB, n, x, y int, opts *DatasetOptions) string {
	t.Helper()
	path := tmp(t, "samples.h5")
	f, err := Create(path)
	must(t, err)
	ds, err := f.CreateDataset("input", Float32, []int{n, x, y}, opts)
	must(t, err)
	must(t, ds.Write(samples(n, x, y)))
	must(t, f.Close())
	return path
}

func samples(n, x, y int) []float32 {
	data := make([]float32, n*x*y)
	for i := 0; i < n; i++ {
		copy(data[i*x*y:], sample(i, x, y))
	}
	return data
}

func sample(i, x, y int) []float32 {
	s := make([]float32, x*y)
	for j := 0; j < x; j++ {
		for k := 0; k < y; k++ {
			s[j*y+k] = float32(i*1000 + j*10 + k)
		}
	}
	return s
}

func TestHyperslab(t *testing.T) {
	const n, x, y = 7, 5, 6
	for _, opts := range []*DatasetOptions{nil, {Chunk: []int{1, x, y}, Shuffle: true, Deflate: 4}} {
		path := writeSamples(t, n, x, y, opts)
		f, err := Open(path, ReadWrite)
		must(t, err)
		ds, err := f.OpenDataset("input")
		must(t, err)
		buf := make([]float32, x*y)
		for i := 0; i < n; i++ {
			must(t, ds.ReadSlab([]int{i, 0, 0}, []int{1, x, y}, buf))
			if want := sample(i, x, y); !reflect.DeepEqual(buf, want) {
				t.Fatalf("sample %d = %v, want %v", i, buf, want)
			}
		}
		// An inner block.
		blk := make([]float32, 2*2*3)
		must(t, ds.ReadSlab([]int{3, 1, 2}, []int{2, 2, 3}, blk))
		want := []float32{3012, 3013, 3014, 3022, 3023, 3024, 4012, 4013, 4014, 4022, 4023, 4024}
		if !reflect.DeepEqual(blk, want) {
			t.Errorf("block = %v, want %v", blk, want)
		}
		// Overwrite one sample and read it back.
		neg := make([]float32, x*y)
		for i := range neg {
			neg[i] = -float32(i)
		}
		must(t, ds.WriteSlab([]int{2, 0, 0}, []int{1, x, y}, neg))
		must(t, ds.ReadSlab([]int{2, 0, 0}, []int{1, x, y}, buf))
		if !reflect.DeepEqual(buf, neg) {
			t.Errorf("rewritten sample = %v", buf)
		}
		// Out of bounds, wrong lengths, wrong rank.
		if err := ds.ReadSlab([]int{n, 0, 0}, []int{1, x, y}, buf); err == nil {
			t.Error("slab past the end: no error")
		}
		if err := ds.ReadSlab([]int{0, 0, 0}, []int{1, x, y}, buf[:3]); err == nil {
			t.Error("short buffer: no error")
		}
		if err := ds.ReadSlab([]int{0, 0}, []int{1, x}, buf[:x]); err == nil {
			t.Error("wrong rank: no error")
		}
		if err := ds.ReadSlab([]int{0, 0, 0}, []int{1, x}, buf); err == nil {
			t.Error("start/count length mismatch: no error")
		}
		must(t, f.Close())
	}
	checkNoLeaks(t)
}

func TestAppend(t *testing.T) {
	const x, y = 4, 3
	path := tmp(t, "append.h5")
	f, err := Create(path)
	must(t, err)
	ds, err := f.CreateDataset("input", Float32, []int{0, x, y}, &DatasetOptions{
		MaxDims: []int{Unlimited, x, y},
		Chunk:   []int{1, x, y},
		Shuffle: true,
		Deflate: 3,
	})
	must(t, err)
	for i := 0; i < 5; i++ {
		must(t, ds.Extend([]int{i + 1, x, y}))
		must(t, ds.WriteSlab([]int{i, 0, 0}, []int{1, x, y}, sample(i, x, y)))
		must(t, f.Flush())
	}
	info, err := ds.Info()
	must(t, err)
	if !reflect.DeepEqual(info.Dims, []int{5, x, y}) || !reflect.DeepEqual(info.MaxDims, []int{Unlimited, x, y}) {
		t.Errorf("dims %v max %v", info.Dims, info.MaxDims)
	}
	if err := ds.Extend([]int{6, x + 1, y}); err == nil {
		t.Error("Extend past MaxDims: no error")
	}
	must(t, f.Close())

	// Reopen read-write and append more.
	f, err = Open(path, ReadWrite)
	must(t, err)
	ds, err = f.OpenDataset("input")
	must(t, err)
	must(t, ds.Extend([]int{7, x, y}))
	must(t, ds.WriteSlab([]int{5, 0, 0}, []int{2, x, y}, samples(7, x, y)[5*x*y:]))
	must(t, f.Close())

	f, err = Open(path, ReadOnly)
	must(t, err)
	defer f.Close()
	ds, err = f.OpenDataset("input")
	must(t, err)
	got, err := ds.ReadAll()
	must(t, err)
	if !reflect.DeepEqual(got, samples(7, x, y)) {
		t.Errorf("appended data = %v", got)
	}
	// A contiguous dataset cannot be extended.
	f2, err := Create(tmp(t, "fixed.h5"))
	must(t, err)
	defer f2.Close()
	fixed, err := f2.CreateDataset("fixed", Int64, []int{2}, nil)
	must(t, err)
	if err := fixed.Extend([]int{3}); err == nil {
		t.Error("Extend of a contiguous dataset: no error")
	}
}

func TestCreateDatasetOptionErrors(t *testing.T) {
	f, err := Create(tmp(t, "opts.h5"))
	must(t, err)
	defer f.Close()
	bad := []struct {
		name string
		dt   DType
		dims []int
		opts *DatasetOptions
	}{
		{"unsupported dtype", Unsupported, []int{2}, nil},
		{"negative dim", Float32, []int{-1}, nil},
		{"unlimited without chunk", Float32, []int{0, 2}, &DatasetOptions{MaxDims: []int{Unlimited, 2}}},
		{"deflate without chunk", Float32, []int{2, 2}, &DatasetOptions{Deflate: 4}},
		{"deflate level", Float32, []int{2, 2}, &DatasetOptions{Chunk: []int{1, 2}, Deflate: 10}},
		{"chunk rank", Float32, []int{2, 2}, &DatasetOptions{Chunk: []int{1}}},
		{"chunk zero", Float32, []int{2, 2}, &DatasetOptions{Chunk: []int{0, 2}}},
		{"maxdims small", Float32, []int{2, 2}, &DatasetOptions{MaxDims: []int{1, 2}, Chunk: []int{1, 2}}},
		{"chunk over fixed maxdims", Float32, []int{2, 2}, &DatasetOptions{Chunk: []int{1, 3}}},
	}
	for _, b := range bad {
		if _, err := f.CreateDataset(b.name, b.dt, b.dims, b.opts); err == nil {
			t.Errorf("%s: no error", b.name)
		} else if !strings.Contains(err.Error(), b.name) {
			t.Errorf("%s: error does not name the dataset: %v", b.name, err)
		}
	}
	// Creating an existing dataset fails with libhdf5's message.
	_, err = f.CreateDataset("d", Float32, []int{1}, nil)
	must(t, err)
	_, err = f.CreateDataset("d", Float32, []int{1}, nil)
	var he *Error
	if !errors.As(err, &he) || len(he.Stack) == 0 {
		t.Errorf("duplicate dataset: %v (want an *Error with a stack)", err)
	}
}

func TestAttributes(t *testing.T) {
	path := tmp(t, "attrs.h5")
	f, err := Create(path)
	must(t, err)
	g, err := f.CreateGroup("grid")
	must(t, err)
	ds, err := g.CreateDataset("x", Float64, []int{3}, nil)
	must(t, err)
	must(t, ds.Write([]float64{0, 0.5, 1}))

	values := map[string]any{
		"i":       int64(-42),
		"int":     7,
		"f":       0.01,
		"nan":     math.Inf(-1),
		"is":      []int64{1, 2, math.MaxInt64},
		"ints":    []int{64, 64},
		"fs":      []float64{0.5, -1.5},
		"nofs":    []float64{},
		"s":       "burgers",
		"utf8":    "ν = 0.01 ✓ Δt",
		"empty":   "",
		"replace": "first",
	}
	normalized := func(v any) any {
		switch v := v.(type) {
		case int:
			return int64(v)
		case []int:
			out := make([]int64, len(v))
			for i, x := range v {
				out[i] = int64(x)
			}
			return out
		}
		return v
	}
	objs := []struct {
		name string
		o    interface {
			SetAttr(string, any) error
			Attr(string) (any, error)
		}
	}{{"file", f}, {"group", g}, {"dataset", ds}}
	for _, o := range objs {
		for k, v := range values {
			must(t, o.o.SetAttr(k, v))
		}
		must(t, o.o.SetAttr("replace", 2.5)) // replace with another type
	}
	must(t, f.Close())

	f, err = Open(path, ReadOnly)
	must(t, err)
	defer f.Close()
	g, err = f.OpenGroup("grid")
	must(t, err)
	ds, err = f.OpenDataset("grid/x")
	must(t, err)
	var wantNames []string
	for k := range values {
		wantNames = append(wantNames, k)
	}
	sortStrings(wantNames)
	for _, o := range []struct {
		name string
		obj  object
	}{{"file", f.object}, {"group", g.object}, {"dataset", ds.object}} {
		for k, v := range values {
			got, err := o.obj.Attr(k)
			must(t, err)
			want := normalized(v)
			if k == "replace" {
				want = 2.5
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: attr %s = %#v, want %#v", o.name, k, got, want)
			}
		}
		names, err := o.obj.AttrNames()
		must(t, err)
		if !reflect.DeepEqual(names, wantNames) {
			t.Errorf("%s: AttrNames = %v, want %v", o.name, names, wantNames)
		}
		if s, err := o.obj.AttrString("utf8"); err != nil || s != values["utf8"] {
			t.Errorf("%s: AttrString = %q, %v", o.name, s, err)
		}
		if i, err := o.obj.AttrInt64("i"); err != nil || i != -42 {
			t.Errorf("%s: AttrInt64 = %d, %v", o.name, i, err)
		}
		if x, err := o.obj.AttrFloat64("f"); err != nil || x != 0.01 {
			t.Errorf("%s: AttrFloat64 = %v, %v", o.name, x, err)
		}
		if x, err := o.obj.AttrInt64s("ints"); err != nil || !reflect.DeepEqual(x, []int64{64, 64}) {
			t.Errorf("%s: AttrInt64s = %v, %v", o.name, x, err)
		}
		if x, err := o.obj.AttrFloat64s("fs"); err != nil || !reflect.DeepEqual(x, []float64{0.5, -1.5}) {
			t.Errorf("%s: AttrFloat64s = %v, %v", o.name, x, err)
		}
		if _, err := o.obj.AttrFloat64("s"); !errors.Is(err, ErrDType) {
			t.Errorf("%s: AttrFloat64 of a string: %v, want ErrDType", o.name, err)
		}
		_, err = o.obj.Attr("missing")
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "missing") {
			t.Errorf("%s: missing attribute: %v", o.name, err)
		}
		if ok, err := o.obj.HasAttr("s"); err != nil || !ok {
			t.Errorf("%s: HasAttr(s) = %v, %v", o.name, ok, err)
		}
		if ok, err := o.obj.HasAttr("missing"); err != nil || ok {
			t.Errorf("%s: HasAttr(missing) = %v, %v", o.name, ok, err)
		}
	}
	// Read-only file: setting fails.
	if err := f.SetAttr("new", 1.0); err == nil {
		t.Error("SetAttr on a read-only file: no error")
	}
	// Unsupported values.
	for _, v := range []any{float32(1), []string{"a"}, true, "a\x00b"} {
		if err := ds.SetAttr("bad", v); err == nil {
			t.Errorf("SetAttr(%T): no error", v)
		}
	}
}

func TestDeleteAttr(t *testing.T) {
	f, err := Create(tmp(t, "del.h5"))
	must(t, err)
	defer f.Close()
	must(t, f.SetAttr("a", 1))
	must(t, f.DeleteAttr("a"))
	if ok, _ := f.HasAttr("a"); ok {
		t.Error("attribute still there")
	}
	if err := f.DeleteAttr("a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("DeleteAttr(missing) = %v", err)
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func TestGroups(t *testing.T) {
	path := tmp(t, "groups.h5")
	f, err := Create(path)
	must(t, err)
	g, err := f.CreateGroup("grid/x") // intermediate "grid" created
	must(t, err)
	if g.Name() != "/grid/x" {
		t.Errorf("Name = %q", g.Name())
	}
	_, err = f.CreateDataset("grid/y", Float64, []int{2}, nil)
	must(t, err)
	_, err = g.CreateDataset("deep/er/v", Int64, []int{1}, nil)
	must(t, err)
	_, err = f.CreateDataset("input", Float32, []int{1, 2, 2}, nil)
	must(t, err)
	must(t, f.Close())

	f, err = Open(path, ReadOnly)
	must(t, err)
	defer f.Close()
	m, err := f.Members()
	must(t, err)
	if !reflect.DeepEqual(m, []string{"grid", "input"}) {
		t.Errorf("root members %v", m)
	}
	grid, err := f.OpenGroup("grid")
	must(t, err)
	m, err = grid.Members()
	must(t, err)
	if !reflect.DeepEqual(m, []string{"x", "y"}) {
		t.Errorf("grid members %v", m)
	}
	for _, c := range []struct {
		name string
		ok   bool
		kind Kind
	}{
		{"grid", true, KindGroup}, {"/grid", true, KindGroup}, {"grid/x", true, KindGroup},
		{"grid/y", true, KindDataset}, {"/grid/x/deep/er/v", true, KindDataset},
		{"input", true, KindDataset}, {"/", true, KindGroup},
		{"nope", false, 0}, {"grid/nope", false, 0}, {"nope/deeper", false, 0},
		{"input/child", false, 0}, {"grid/y/z", false, 0},
	} {
		ok, err := f.Exists(c.name)
		must(t, err)
		if ok != c.ok {
			t.Errorf("Exists(%q) = %v", c.name, ok)
		}
		k, err := f.Kind(c.name)
		if c.ok {
			if err != nil || k != c.kind {
				t.Errorf("Kind(%q) = %v, %v; want %v", c.name, k, err, c.kind)
			}
		} else if !errors.Is(err, ErrNotFound) {
			t.Errorf("Kind(%q): %v, want ErrNotFound", c.name, err)
		}
	}
	if ok, err := grid.Exists("x/deep"); err != nil || !ok {
		t.Errorf("relative Exists = %v, %v", ok, err)
	}
	v, err := grid.OpenDataset("x/deep/er/v")
	must(t, err)
	if v.Name() != "/grid/x/deep/er/v" {
		t.Errorf("Name = %q", v.Name())
	}
	if _, err := f.OpenGroup("missing/group"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "/missing/group") {
		t.Errorf("OpenGroup(missing) = %v", err)
	}
	if _, err := f.OpenGroup("input"); err == nil || !strings.Contains(err.Error(), "not a group") {
		t.Errorf("OpenGroup(dataset) = %v", err)
	}
	if _, err := f.OpenDataset("grid"); err == nil || !strings.Contains(err.Error(), "not a dataset") {
		t.Errorf("OpenDataset(group) = %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	// A real file, to truncate.
	good := writeSamples(t, 20, 16, 16, nil)
	raw, err := os.ReadFile(good)
	must(t, err)

	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		must(t, os.WriteFile(p, b, 0o644))
		return p
	}
	cases := map[string]string{
		"empty":            write("empty.h5", nil),
		"not hdf5":         write("text.h5", []byte("this is not an HDF5 file, just some text\n")),
		"truncated":        write("trunc.h5", raw[:len(raw)/2]),
		"truncated header": write("trunc2.h5", raw[:100]),
		"signature only":   write("sig.h5", raw[:8]),
		"directory":        dir,
	}
	for name, path := range cases {
		for _, mode := range []Mode{ReadOnly, ReadWrite} {
			f, err := Open(path, mode)
			if err == nil {
				f.Close()
				t.Errorf("%s (%v): no error", name, mode)
				continue
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("%s: error does not name the file: %v", name, err)
			}
			t.Logf("%s: %v", name, err)
		}
	}
	_, err = Open(filepath.Join(dir, "missing.h5"), ReadOnly)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, want fs.ErrNotExist", err)
	}
	var he *Error
	_, err = Open(cases["not hdf5"], ReadOnly)
	if !errors.As(err, &he) || len(he.Stack) == 0 {
		t.Errorf("not hdf5: %v, want an *Error with a stack", err)
	} else if !strings.Contains(strings.Join(he.Stack, "\n"), "signature") {
		t.Errorf("stack %q does not mention the signature", he.Stack)
	}
	if _, err := Create(filepath.Join(dir, "no/such/dir/x.h5")); err == nil {
		t.Error("Create in a missing directory: no error")
	}
	if _, err := Open(good, Mode(7)); err == nil {
		t.Error("bad mode: no error")
	}

	// The good file still opens; a missing dataset is named.
	f, err := Open(good, ReadOnly)
	must(t, err)
	_, err = f.OpenDataset("output")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `"/output"`) || !strings.Contains(err.Error(), good) {
		t.Errorf("missing dataset: %v", err)
	}
	ds, err := f.OpenDataset("input")
	must(t, err)
	// Writing to a read-only file fails.
	if err := ds.WriteSlab([]int{0, 0, 0}, []int{1, 16, 16}, make([]float32, 256)); err == nil {
		t.Error("write to read-only file: no error")
	} else {
		t.Logf("read-only write: %v", err)
	}
	// Dtype mismatch.
	err = ds.Read(make([]float64, 20*16*16))
	if !errors.Is(err, ErrDType) || !strings.Contains(err.Error(), "float32") {
		t.Errorf("dtype mismatch: %v", err)
	}
	if err := ds.Read([]int32{1}); !errors.Is(err, ErrDType) {
		t.Errorf("unsupported Go type: %v", err)
	}
	must(t, f.Close())
	checkNoLeaks(t)
}

func TestClose(t *testing.T) {
	path := writeSamples(t, 2, 2, 2, nil)
	f, err := Open(path, ReadOnly)
	must(t, err)
	ds, err := f.OpenDataset("input")
	must(t, err)
	ds2, err := f.OpenDataset("input")
	must(t, err)
	g, err := f.OpenGroup("/")
	must(t, err)
	must(t, ds2.Close())
	must(t, ds2.Close()) // idempotent
	if err := ds2.Read(make([]float32, 8)); !errors.Is(err, ErrClosed) {
		t.Errorf("read after close: %v", err)
	}
	must(t, f.Close()) // closes ds and g too
	checkNoLeaks(t)
	if _, err := ds.ReadAll(); !errors.Is(err, ErrClosed) {
		t.Errorf("read after file close: %v", err)
	}
	if _, err := g.Members(); !errors.Is(err, ErrClosed) {
		t.Errorf("members after file close: %v", err)
	}
	if _, err := f.OpenDataset("input"); !errors.Is(err, ErrClosed) {
		t.Errorf("open after file close: %v", err)
	}
	if err := f.Flush(); !errors.Is(err, ErrClosed) {
		t.Errorf("flush after close: %v", err)
	}
	must(t, ds.Close())
	must(t, g.Close())
	must(t, f.Close())
}

func TestConcurrentReads(t *testing.T) {
	const n, x, y = 32, 16, 16
	path := writeSamples(t, n, x, y, &DatasetOptions{Chunk: []int{1, x, y}, Shuffle: true, Deflate: 2})
	shared, err := Open(path, ReadOnly)
	must(t, err)
	sds, err := shared.OpenDataset("input")
	must(t, err)

	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			ds := sds
			if w%2 == 1 { // half the goroutines use their own handle
				f, err := Open(path, ReadOnly)
				if err != nil {
					errs <- err
					return
				}
				defer f.Close()
				if ds, err = f.OpenDataset("input"); err != nil {
					errs <- err
					return
				}
			}
			buf := make([]float32, x*y)
			for r := 0; r < 100; r++ {
				i := (w*7 + r*13) % n
				if err := ds.ReadSlab([]int{i, 0, 0}, []int{1, x, y}, buf); err != nil {
					errs <- err
					return
				}
				if !reflect.DeepEqual(buf, sample(i, x, y)) {
					errs <- fmt.Errorf("goroutine %d: sample %d corrupted", w, i)
					return
				}
				if _, err := ds.AttrNames(); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	must(t, shared.Close())
	checkNoLeaks(t)
}

func TestErrorString(t *testing.T) {
	for _, c := range []struct {
		e    Error
		want string
	}{
		{Error{Func: "H5Dopen2"}, "H5Dopen2 failed"},
		{Error{Func: "x", Stack: []string{"a"}}, "a"},
		{Error{Func: "x", Stack: []string{"a", "b"}}, "a: b"},
		{Error{Func: "x", Stack: []string{"a", "b", "c"}}, "a: …: c"},
	} {
		if got := c.e.Error(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.e, got, c.want)
		}
	}
}

func TestPanicInWorker(t *testing.T) {
	defer func() {
		if r := recover(); r != "boom" {
			t.Errorf("recovered %v", r)
		}
		// The worker survives.
		if v := LibVersion(); v == "" {
			t.Error("worker dead")
		}
	}()
	do(func() { panic("boom") })
}
