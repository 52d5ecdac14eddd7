package hdf5

import (
	"errors"
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

// TestH5dump checks a written file with the reference tool.
func TestH5dump(t *testing.T) {
	h5dump, err := exec.LookPath("h5dump")
	if err != nil {
		t.Skip("h5dump not on PATH")
	}
	path := tmp(t, "dump.h5")
	f, err := Create(path)
	must(t, err)
	ints, err := f.CreateDataset("grid/ints", Int64, []int{2, 3}, nil)
	must(t, err)
	must(t, ints.Write([]int64{1, 2, 3, 4, 5, -6}))
	in, err := f.CreateDataset("input", Float32, []int{2, 2},
		&DatasetOptions{Chunk: []int{1, 2}, Shuffle: true, Deflate: 5})
	must(t, err)
	must(t, in.Write([]float32{0.5, 1.25, -2, 3}))
	must(t, f.SetAttr("pde", "burgers"))
	must(t, f.SetAttr("nu", 0.01))
	must(t, f.SetAttr("res", []int64{64, 32}))
	must(t, f.Close())

	out, err := exec.Command(h5dump, "-p", path).CombinedOutput()
	if err != nil {
		t.Fatalf("h5dump: %v\n%s", err, out)
	}
	dump := string(out)
	for _, want := range []string{
		`DATASET "ints"`,
		"DATATYPE  H5T_STD_I64LE",
		"(0,0): 1, 2, 3,",
		"(1,0): 4, 5, -6",
		"DATATYPE  H5T_IEEE_F32LE",
		"(0,0): 0.5, 1.25,",
		"(1,0): -2, 3",
		"CHUNKED ( 1, 2 )",
		"PREPROCESSING SHUFFLE",
		"COMPRESSION DEFLATE { LEVEL 5 }",
		`ATTRIBUTE "pde"`,
		"STRSIZE H5T_VARIABLE;",
		"CSET H5T_CSET_UTF8;",
		"CTYPE H5T_C_S1;",
		`(0): "burgers"`,
		"(0): 0.01",
		"(0): 64, 32",
	} {
		if !strings.Contains(dump, want) {
			t.Errorf("h5dump output lacks %q", want)
		}
	}
	// The string attribute has a scalar dataspace.
	i := strings.Index(dump, `ATTRIBUTE "pde"`)
	if i < 0 || !strings.Contains(dump[i:i+300], "DATASPACE  SCALAR") {
		t.Errorf("string attribute is not scalar:\n%s", dump)
	}
	if t.Failed() {
		t.Logf("h5dump output:\n%s", dump)
	}
}

// TestH5pyFixture reads testdata/h5py.h5, written by h5py (see
// testdata/make_h5py.py).
func TestH5pyFixture(t *testing.T) {
	f, err := Open("testdata/h5py.h5", ReadOnly)
	must(t, err)
	defer f.Close()
	for name, want := range map[string]any{
		"s":     "héllo",
		"fixed": "fixed str",
		"i32":   int64(-7),
		"u8arr": []int64{1, 2, 3},
		"f32":   0.5,
	} {
		got, err := f.Attr(name)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("attr %s = %#v, %v; want %#v", name, got, err, want)
		}
	}
	for _, name := range []string{"bool", "2d"} {
		if _, err := f.Attr(name); !errors.Is(err, ErrDType) {
			t.Errorf("attr %s: %v, want ErrDType", name, err)
		}
	}
	names, err := f.AttrNames()
	must(t, err)
	if want := []string{"2d", "bool", "f32", "fixed", "i32", "s", "u8arr"}; !reflect.DeepEqual(names, want) {
		t.Errorf("AttrNames = %v", names)
	}
	m, err := f.Members()
	must(t, err)
	if want := []string{"grid", "input", "u8", "x"}; !reflect.DeepEqual(m, want) {
		t.Errorf("Members = %v", m)
	}

	u8, err := f.OpenDataset("u8")
	must(t, err)
	info, err := u8.Info()
	must(t, err)
	if info.DType != Unsupported || info.Type != "uint8" || !reflect.DeepEqual(info.Dims, []int{2, 3}) {
		t.Errorf("u8 info %+v", info)
	}
	if _, err := u8.ReadAll(); !errors.Is(err, ErrDType) {
		t.Errorf("ReadAll of uint8: %v", err)
	}

	x, err := f.OpenDataset("x")
	must(t, err)
	info, err = x.Info()
	must(t, err)
	level, ok := info.Deflate()
	if info.DType != Float32 || info.Layout != Chunked || !reflect.DeepEqual(info.Chunk, []int{4}) ||
		!info.Shuffle() || !ok || level != 7 || !reflect.DeepEqual(info.MaxDims, []int{Unlimited}) {
		t.Errorf("x info %+v", info)
	}
	xs, err := x.ReadAll()
	must(t, err)
	if !reflect.DeepEqual(xs, []float32{0, 0.25, 0.5, 0.75, 1}) {
		t.Errorf("x = %v", xs)
	}

	in, err := f.OpenDataset("input")
	must(t, err)
	buf := make([]float64, 12)
	must(t, in.ReadSlab([]int{1, 0, 0}, []int{1, 3, 4}, buf))
	for i, v := range buf {
		if v != float64(12+i) {
			t.Fatalf("input[1] = %v", buf)
		}
	}
	gx, err := f.OpenDataset("grid/x")
	must(t, err)
	gv, err := gx.ReadAll()
	must(t, err)
	if !reflect.DeepEqual(gv, []int64{0, 1, 2}) {
		t.Errorf("grid/x = %v", gv)
	}
}

func BenchmarkDispatch(b *testing.B) {
	do(func() {})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		do(func() {})
	}
}

func benchmarkReadSample(b *testing.B, opts *DatasetOptions) {
	const n, x, y = 64, 64, 64
	path := writeSamples(b, n, x, y, opts)
	f, err := Open(path, ReadOnly)
	must(b, err)
	defer f.Close()
	ds, err := f.OpenDataset("input")
	must(b, err)
	buf := make([]float32, x*y)
	b.SetBytes(int64(4 * x * y))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := ds.ReadSlab([]int{i % n, 0, 0}, []int{1, x, y}, buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadSample reads one 64×64 float32 sample of a (64, 64, 64)
// dataset per iteration.
func BenchmarkReadSample(b *testing.B) {
	b.Run("contiguous", func(b *testing.B) { benchmarkReadSample(b, nil) })
	b.Run("chunked", func(b *testing.B) { benchmarkReadSample(b, &DatasetOptions{Chunk: []int{1, 64, 64}}) })
	b.Run("deflate", func(b *testing.B) {
		benchmarkReadSample(b, &DatasetOptions{Chunk: []int{1, 64, 64}, Shuffle: true, Deflate: 4})
	})
}
