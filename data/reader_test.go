package data

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sciml-go/sciml/internal/hdf5"
	"github.com/sciml-go/sciml/tensor"
)

// synth writes a complete sciml file of spec whose sample i holds the
// values fill(i, field, values) chooses, instead of solving.
func synth(t testing.TB, s GenerateSpec, path string, fill func(i int, f Field, v []float64)) string {
	t.Helper()
	pr, err := newProblem(s)
	must(t, err)
	f, err := createFile(path, pr, fileMeta{})
	must(t, err)
	h := &header{spec: s, count: s.N, start: 0, step: 1}
	w, err := newSampleWriter(f, h, pr)
	must(t, err)
	for i := 0; i < s.N; i++ {
		in := make([]float64, prod(pr.inShape))
		out := make([]float64, prod(pr.outShape))
		fill(i, Input, in)
		fill(i, Output, out)
		must(t, w.write(i, in, out))
	}
	must(t, w.close())
	return path
}

// Striding follows the FNO scripts: 421 Darcy nodes give 211, 141, 106,
// 85 points for steps 2, 3, 4, 5; unreachable sizes and spectral
// resampling of non-periodic data are errors.
func TestLoaderStrideDarcy(t *testing.T) {
	s, _ := DefaultSpec(Darcy)
	s.N = 3
	f := func(i int, x, y float64) float64 { return float64(i) + x + 2*y*y }
	path := synth(t, s, tmp(t, "darcy.h5"), func(i int, _ Field, v []float64) {
		for a := 0; a < 421; a++ {
			for b := 0; b < 421; b++ {
				v[a*421+b] = f(i, float64(a)/420, float64(b)/420)
			}
		}
	})
	d, err := Open(path)
	must(t, err)
	defer d.Close()
	for _, tc := range []struct{ res, step int }{{421, 1}, {211, 2}, {141, 3}, {106, 4}, {85, 5}} {
		l, err := d.Loader(LoaderConfig{Resolution: tc.res, BatchSize: 2, DType: tensor.Float64})
		must(t, err)
		if got := l.Shape(Input); !slices.Equal(got, []int{1, tc.res, tc.res}) {
			t.Fatalf("res %d: shape %v", tc.res, got)
		}
		for b, err := range l.Batches(0) {
			must(t, err)
			v := b.Input.Float64s()
			for k, i := range b.Index {
				for a := 0; a < tc.res; a++ {
					for c := 0; c < tc.res; c++ {
						want := float64(float32(f(i, float64(a*tc.step)/420, float64(c*tc.step)/420)))
						if got := v[(k*tc.res+a)*tc.res+c]; got != want {
							t.Fatalf("res %d sample %d (%d,%d): %v, want %v", tc.res, i, a, c, got, want)
						}
					}
				}
			}
		}
	}
	if _, err := d.Loader(LoaderConfig{Resolution: 100}); err == nil || !strings.Contains(err.Error(), "85") {
		t.Errorf("resolution 100 by striding: %v", err)
	}
	if _, err := d.Loader(LoaderConfig{Resolution: 85, Method: Spectral}); err == nil || !strings.Contains(err.Error(), "periodic") {
		t.Errorf("spectral resampling of Darcy data: %v", err)
	}
	if _, err := d.Loader(LoaderConfig{Resolution: 500}); err == nil {
		t.Error("refining by striding accepted")
	}
}

// Spectral resampling reproduces band-limited periodic fields exactly at
// any resolution, coarser or finer; striding keeps every k-th point.
func TestLoaderSpectral(t *testing.T) {
	u := func(i int, x float64) float64 {
		return float64(i) + math.Sin(2*math.Pi*x) + 0.5*math.Cos(6*math.Pi*x) - 0.25*math.Sin(10*math.Pi*x+0.3)
	}
	w := func(i int, x, y float64) float64 {
		return math.Sin(2*math.Pi*(x+2*y)) + float64(i)*math.Cos(6*math.Pi*x) + 0.1*math.Cos(2*math.Pi*(3*y-x)+1)
	}
	t.Run("burgers", func(t *testing.T) {
		s := smallSpec(t, Burgers) // stored at 32 points, output (2, 32)
		s.DType = Float64
		path := synth(t, s, tmp(t, "b.h5"), func(i int, f Field, v []float64) {
			for k := range v {
				v[k] = u(i+k/32, float64(k%32)/32)
			}
		})
		d, err := Open(path)
		must(t, err)
		defer d.Close()
		for _, res := range []int{11, 12, 16, 20, 32, 64, 100} {
			l, err := d.Loader(LoaderConfig{Resolution: res, Method: Spectral, BatchSize: 3, DType: tensor.Float64})
			must(t, err)
			for b, err := range l.Batches(0) {
				must(t, err)
				for _, tt := range []*tensor.Tensor{b.Input, b.Output} {
					v := tt.Float64s()
					C := tt.Dim(1)
					for k, i := range b.Index {
						for c := 0; c < C; c++ {
							for p := 0; p < res; p++ {
								want := u(i+c, float64(p)/float64(res))
								if got := v[(k*C+c)*res+p]; math.Abs(got-want) > 1e-12 {
									t.Fatalf("res %d sample %d channel %d point %d: %v, want %v", res, i, c, p, got, want)
								}
							}
						}
					}
				}
			}
		}
		if _, err := d.Loader(LoaderConfig{Resolution: 20}); err == nil || !strings.Contains(err.Error(), "16") {
			t.Errorf("resolution 20 by striding: %v", err)
		}
		l, err := d.Loader(LoaderConfig{Resolution: 8, DType: tensor.Float64})
		must(t, err)
		for b, err := range l.Batches(0) {
			must(t, err)
			if got, want := b.Input.Float64s()[3], u(b.Index[0], 12.0/32); got != want {
				t.Errorf("stride 4, point 3: %v, want %v", got, want)
			}
		}
	})
	t.Run("navier-stokes", func(t *testing.T) {
		s := smallSpec(t, NavierStokes) // 16×16, output (2, 16, 16)
		s.DType = Float64
		path := synth(t, s, tmp(t, "ns.h5"), func(i int, f Field, v []float64) {
			for k := range v {
				p := k % 256
				v[k] = w(i+k/256, float64(p/16)/16, float64(p%16)/16)
			}
		})
		d, err := Open(path)
		must(t, err)
		defer d.Close()
		for _, res := range []int{7, 8, 10, 16, 32, 48} {
			l, err := d.Loader(LoaderConfig{Resolution: res, Method: Spectral, BatchSize: 4, DType: tensor.Float64})
			must(t, err)
			for b, err := range l.Batches(0) {
				must(t, err)
				v := b.Output.Float64s()
				if !slices.Equal(b.Output.Shape(), []int{len(b.Index), 2, res, res}) {
					t.Fatalf("output shape %v", b.Output.Shape())
				}
				for k, i := range b.Index {
					for c := 0; c < 2; c++ {
						for p := 0; p < res*res; p++ {
							want := w(i+c, float64(p/res)/float64(res), float64(p%res)/float64(res))
							if got := v[(k*2+c)*res*res+p]; math.Abs(got-want) > 1e-12 {
								t.Fatalf("res %d sample %d t %d point %d: %v, want %v", res, i, c, p, got, want)
							}
						}
					}
				}
			}
		}
	})
}

// Batches cover the range once per epoch, in a deterministic shuffled
// order, and hold what ReadSample reads.
func TestLoaderBatches(t *testing.T) {
	s := smallSpec(t, Burgers)
	s.N = 23
	path := synth(t, s, tmp(t, "b.h5"), func(i int, f Field, v []float64) {
		for k := range v {
			v[k] = float64(i*1000+k) + 0.5*float64(f)
		}
	})
	d, err := Open(path)
	must(t, err)
	defer d.Close()
	cfg := LoaderConfig{Start: 3, End: 20, BatchSize: 5, Shuffle: true, Seed: 42}
	l, err := d.Loader(cfg)
	must(t, err)
	if l.Len() != 17 || l.NumBatches() != 4 {
		t.Fatalf("Len %d NumBatches %d", l.Len(), l.NumBatches())
	}
	epoch := func(l *Loader, e int) [][]int {
		var out [][]int
		for b, err := range l.Batches(e) {
			must(t, err)
			out = append(out, b.Index)
			in := b.Input.Float32s()
			for k, i := range b.Index {
				want, err := d.ReadSample(Input, i)
				must(t, err)
				for p, x := range want {
					if in[k*32+p] != float32(x) {
						t.Fatalf("sample %d differs from ReadSample", i)
					}
				}
			}
			if b.Input.DType() != tensor.Float32 || !slices.Equal(b.Output.Shape(), []int{len(b.Index), 2, 32}) {
				t.Fatalf("batch %v %v", b.Input.DType(), b.Output.Shape())
			}
		}
		return out
	}
	e0, e1 := epoch(l, 0), epoch(l, 1)
	var all []int
	for _, b := range e0 {
		all = append(all, b...)
	}
	sorted := slices.Sorted(slices.Values(all))
	for k, i := range sorted {
		if i != 3+k {
			t.Fatalf("epoch covers %v", sorted)
		}
	}
	if slices.Equal(all, sorted) {
		t.Error("shuffled epoch is in order")
	}
	if fmt.Sprint(e0) == fmt.Sprint(e1) {
		t.Error("two epochs in the same order")
	}
	cfg.Prefetch = 2
	l2, err := d.Loader(cfg)
	must(t, err)
	if fmt.Sprint(epoch(l2, 0)) != fmt.Sprint(e0) || fmt.Sprint(epoch(l2, 1)) != fmt.Sprint(e1) {
		t.Error("same seed and epoch, different order")
	}
	// Breaking out of a prefetching iteration stops its reader.
	for range l2.Batches(2) {
		break
	}
	cfg.DropLast, cfg.Shuffle = true, false
	l3, err := d.Loader(cfg)
	must(t, err)
	if got := epoch(l3, 0); len(got) != 3 || got[0][0] != 3 {
		t.Errorf("DropLast batches %v", got)
	}
	if _, err := d.Loader(LoaderConfig{Start: 20, End: 30}); err == nil {
		t.Error("range beyond the file accepted")
	}
}

// writeFile writes an HDF5 file with the given datasets (float64 values
// 0, 1, 2, … unless given) and string/number root attributes.
func writeFile(t testing.TB, path string, attrs map[string]any, datasets map[string][]int, values map[string][]float64) string {
	t.Helper()
	f, err := hdf5.Create(path)
	must(t, err)
	for name, dims := range datasets {
		ds, err := f.CreateDataset(name, hdf5.Float64, dims, nil)
		must(t, err)
		v := values[name]
		if v == nil {
			v = make([]float64, prod(dims))
			for i := range v {
				v[i] = float64(i)
			}
		}
		must(t, ds.Write(v))
	}
	for k, v := range attrs {
		must(t, f.SetAttr(k, v))
	}
	must(t, f.Close())
	return path
}

// rootAttrs returns the root attributes of a file.
func rootAttrs(t testing.TB, path string) map[string]any {
	f, err := hdf5.Open(path, hdf5.ReadOnly)
	must(t, err)
	defer f.Close()
	names, err := f.AttrNames()
	must(t, err)
	m := map[string]any{}
	for _, n := range names {
		v, err := f.Attr(n)
		must(t, err)
		m[n] = v
	}
	return m
}

// Bad files give errors that name the file and the dataset.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	s := smallSpec(t, Darcy)
	good := gen(t, s, p("good.h5"), Options{})
	attrs := rootAttrs(t, good)

	raw, err := os.ReadFile(good)
	must(t, err)
	must(t, os.WriteFile(p("trunc.h5"), raw[:len(raw)/2], 0o644))
	must(t, os.WriteFile(p("text.h5"), []byte("sample,value\n1,2\n"), 0o644))
	must(t, os.WriteFile(p("empty.h5"), nil, 0o644))
	writeFile(t, p("noout.h5"), attrs, map[string][]int{"input": {5, 17, 17}}, nil)
	writeFile(t, p("rank.h5"), attrs, map[string][]int{"input": {5, 289}, "output": {5, 17, 17}}, nil)
	writeFile(t, p("shape.h5"), attrs, map[string][]int{"input": {5, 17, 17}, "output": {5, 16, 17}}, nil)
	writeFile(t, p("short.h5"), attrs, map[string][]int{"input": {5, 17, 17}, "output": {3, 17, 17}}, nil)
	writeFile(t, p("nothing.h5"), map[string]any{"title": "x"}, map[string][]int{"a": {3}}, nil)
	badSpec := maps(attrs, "spec", `{"pde":"darcy"}`)
	writeFile(t, p("spec.h5"), badSpec, map[string][]int{"input": {5, 17, 17}, "output": {5, 17, 17}}, nil)
	writeFile(t, p("pdeb.h5"), nil, map[string][]int{"tensor": {4, 1, 8}}, nil)

	for _, tc := range []struct {
		file  string
		wants []string
		is    error
	}{
		{"missing.h5", []string{"missing.h5", "file does not exist"}, fs.ErrNotExist},
		{"trunc.h5", []string{"trunc.h5", "not a readable HDF5 file"}, nil},
		{"text.h5", []string{"text.h5", "not a readable HDF5 file"}, nil},
		{"empty.h5", []string{"empty.h5", "empty file"}, nil},
		{"noout.h5", []string{"noout.h5", `dataset "output" is missing`}, nil},
		{"rank.h5", []string{"rank.h5", `dataset "input" has rank 2`, "(N, 17, 17)"}, nil},
		{"shape.h5", []string{"shape.h5", `dataset "output" has shape [5 16 17]`}, nil},
		{"short.h5", []string{"short.h5", `dataset "output" holds 3 samples`}, nil},
		{"nothing.h5", []string{"nothing.h5", `no dataset "input"`}, nil},
		{"spec.h5", []string{"spec.h5", "spec attribute"}, nil},
		{"pdeb.h5", []string{"pdeb.h5", `"tensor" has 1 time steps`}, nil},
	} {
		d, err := Open(p(tc.file))
		t.Logf("%s: %v", tc.file, err)
		if err == nil {
			d.Close()
			t.Errorf("%s: opened", tc.file)
			continue
		}
		for _, w := range tc.wants {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", tc.file, err, w)
			}
		}
		if tc.is != nil && !errors.Is(err, tc.is) {
			t.Errorf("%s: error %v does not wrap %v", tc.file, err, tc.is)
		}
	}

	// NaN in the data: reading the sample fails, naming file, dataset and sample.
	nan := synth(t, s, p("nan.h5"), func(i int, f Field, v []float64) {
		if i == 3 && f == Output {
			v[20] = math.NaN()
		}
	})
	d, err := Open(nan)
	must(t, err)
	defer d.Close()
	l, err := d.Loader(LoaderConfig{BatchSize: 2})
	must(t, err)
	var readErr error
	for _, err := range l.Batches(0) {
		if err != nil {
			readErr = err
		}
	}
	t.Logf("nan: %v", readErr)
	for _, w := range []string{"nan.h5", `"output"`, "sample 3", "NaN", "[1 3]"} {
		if readErr == nil || !strings.Contains(readErr.Error(), w) {
			t.Errorf("NaN read error %v lacks %q", readErr, w)
		}
	}
}

func maps(m map[string]any, k string, v any) map[string]any {
	c := map[string]any{}
	for a, b := range m {
		c[a] = b
	}
	c[k] = v
	return c
}

// PDEBench files: trajectories (tensor, x-coordinate, t-coordinate) and
// Darcy flow (nu, tensor).
func TestPDEBench(t *testing.T) {
	const N, T, X = 5, 4, 16
	tensorV := make([]float64, N*T*X)
	for i := range tensorV {
		n, tt, x := i/(T*X), (i/X)%T, i%X
		tensorV[i] = float64(n) + 0.1*float64(tt) + math.Sin(2*math.Pi*float64(x)/X)
	}
	xs := make([]float64, X)
	for i := range xs {
		xs[i] = (float64(i) + 0.5) / X
	}
	path := writeFile(t, tmp(t, "1D_Burgers_Sols_Nu0.01.hdf5"), nil,
		map[string][]int{"tensor": {N, T, X}, "x-coordinate": {X}, "t-coordinate": {T + 1}},
		map[string][]float64{"tensor": tensorV, "x-coordinate": xs})
	d, err := Open(path)
	must(t, err)
	defer d.Close()
	if d.Layout() != PDEBench || d.Len() != N || d.Resolution() != X || d.SpatialRank() != 1 {
		t.Fatalf("layout %v len %d res %d rank %d", d.Layout(), d.Len(), d.Resolution(), d.SpatialRank())
	}
	if !slices.Equal(d.Shape(Input), []int{1, X}) || !slices.Equal(d.Shape(Output), []int{T - 1, X}) {
		t.Fatalf("shapes %v %v", d.Shape(Input), d.Shape(Output))
	}
	if g := d.Grid("x"); len(g) != X || g[0] != 0.5/X {
		t.Errorf("x = %v", g)
	}
	if _, err := d.Loader(LoaderConfig{Resolution: 8, Method: Spectral}); err == nil {
		t.Error("spectral resampling of a PDEBench file not declared periodic")
	}
	d.SetPeriodic(true)
	l, err := d.Loader(LoaderConfig{BatchSize: 5, Resolution: 8, DType: tensor.Float64})
	must(t, err)
	for b, err := range l.Batches(0) {
		must(t, err)
		in, out := b.Input.Float64s(), b.Output.Float64s()
		for n := 0; n < N; n++ {
			for x := 0; x < 8; x++ {
				if in[n*8+x] != tensorV[n*T*X+2*x] {
					t.Fatalf("input sample %d point %d", n, x)
				}
				for tt := 1; tt < T; tt++ {
					if out[(n*(T-1)+tt-1)*8+x] != tensorV[(n*T+tt)*X+2*x] {
						t.Fatalf("output sample %d t %d point %d", n, tt, x)
					}
				}
			}
		}
	}

	// Darcy flow: nu (N, X, Y) is the input, tensor (N, 1, X, Y) the output.
	dpath := writeFile(t, tmp(t, "2D_DarcyFlow_beta1.0_Train.hdf5"), nil,
		map[string][]int{"tensor": {3, 1, 8, 8}, "nu": {3, 8, 8}, "x-coordinate": {8}, "y-coordinate": {8}}, nil)
	dd, err := Open(dpath)
	must(t, err)
	defer dd.Close()
	if dd.SpatialRank() != 2 || !slices.Equal(dd.Shape(Input), []int{1, 8, 8}) || !slices.Equal(dd.Shape(Output), []int{1, 8, 8}) {
		t.Fatalf("darcy shapes %v %v", dd.Shape(Input), dd.Shape(Output))
	}
	in, err := dd.ReadSample(Input, 2)
	must(t, err)
	if in[5] != 2*64+5 {
		t.Errorf("nu[2] = %v…", in[:6])
	}
	out, err := dd.ReadSample(Output, 1)
	must(t, err)
	if out[0] != 64 {
		t.Errorf("tensor[1] = %v…", out[:3])
	}
}

// Inspect reports shapes, storage and statistics.
func TestInspect(t *testing.T) {
	s := smallSpec(t, Burgers)
	s.N = 4
	path := synth(t, s, tmp(t, "b.h5"), func(i int, f Field, v []float64) {
		for k := range v {
			v[k] = float64(k%4) - 1 // -1, 0, 1, 2
		}
		if f == Output && i == 1 {
			v[0], v[1], v[2] = math.NaN(), math.Inf(1), math.NaN()
		}
	})
	r, err := Inspect(context.Background(), path)
	must(t, err)
	if r.Layout != "sciml" || r.Samples != 4 || !r.Complete {
		t.Fatalf("report %+v", r)
	}
	var in, out *DatasetReport
	for k := range r.Datasets {
		switch r.Datasets[k].Name {
		case "input":
			in = &r.Datasets[k]
		case "output":
			out = &r.Datasets[k]
		}
	}
	if in == nil || out == nil {
		t.Fatalf("datasets %+v", r.Datasets)
	}
	if in.Stats.Count != 4*32 || *in.Stats.Min != -1 || *in.Stats.Max != 2 || *in.Stats.Mean != 0.5 ||
		math.Abs(*in.Stats.Std-math.Sqrt(1.25)) > 1e-15 || in.Stats.NaN != 0 {
		t.Errorf("input stats %+v", *in.Stats)
	}
	if out.Stats.NaN != 2 || out.Stats.Inf != 1 || out.Stats.Count != 4*64 {
		t.Errorf("output stats %+v", *out.Stats)
	}
	if !slices.Equal(out.Shape, []int{4, 2, 32}) || !slices.Equal(out.Chunk, []int{1, 2, 32}) || !out.Shuffle || out.Deflate != 4 {
		t.Errorf("output %+v", *out)
	}
	var b strings.Builder
	must(t, r.WriteText(&b))
	for _, w := range []string{"sciml layout, 4 samples, complete", "/output", "float32", "(4, 2, 32)", "max (∞, 2, 32)", "shuffle+deflate(4)", "viscosity"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("text lacks %q:\n%s", w, b.String())
		}
	}
}

// TestLoaderCache: a loader with a cache gives the batches of one
// without, and once its samples are cached it reads the file no more
// (it keeps working after the file is closed); past the budget it reads
// from the file.
func TestLoaderCache(t *testing.T) {
	s, _ := DefaultSpec(Darcy)
	s.N = 5
	path := synth(t, s, tmp(t, "darcy.h5"), func(i int, f Field, v []float64) {
		for k := range v {
			v[k] = float64(i) + 1e-3*float64(k%977) + 0.5*float64(f)
		}
	})
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		d, err := Open(path)
		must(t, err)
		cfg := LoaderConfig{Resolution: 85, BatchSize: 2, Shuffle: true, Seed: 3, DType: dt, Prefetch: 1}
		plain, err := d.Loader(cfg)
		must(t, err)
		sampleBytes := int64(85 * 85 * dt.Size())
		cfg.Cache = 10 * sampleBytes // both fields of every sample
		cached, err := d.Loader(cfg)
		must(t, err)
		cfg.Cache = 3 * sampleBytes // three rows
		part, err := d.Loader(cfg)
		must(t, err)
		values := func(l *Loader, e int) ([]float64, error) {
			var v []float64
			for b, err := range l.Batches(e) {
				if err != nil {
					return nil, err
				}
				v = append(append(v, b.Input.ToFloat64s()...), b.Output.ToFloat64s()...)
			}
			return v, nil
		}
		for e := range 2 {
			want, err := values(plain, e)
			must(t, err)
			for _, l := range []*Loader{cached, part} {
				got, err := values(l, e)
				must(t, err)
				if !slices.Equal(got, want) {
					t.Fatalf("%v epoch %d: cached batches differ from the file's", dt, e)
				}
			}
		}
		if cached.cached != 10*sampleBytes || part.cached != 3*sampleBytes {
			t.Fatalf("%v: cached %d and %d bytes, want %d and %d", dt, cached.cached, part.cached, 10*sampleBytes, 3*sampleBytes)
		}
		must(t, d.Close())
		if _, err := values(cached, 2); err != nil {
			t.Fatalf("%v: fully cached loader read the closed file: %v", dt, err)
		}
		if _, err := values(part, 2); err == nil {
			t.Fatalf("%v: a loader holding 3 of 10 rows read everything without the file", dt)
		}
	}
}
