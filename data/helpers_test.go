package data

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sciml-go/sciml/internal/hdf5"
)

// smallSpec returns a quick version of the PDE's spec (tests take
// milliseconds per sample).
func smallSpec(t testing.TB, name string) GenerateSpec {
	t.Helper()
	s, err := DefaultSpec(name)
	if err != nil {
		t.Fatal(err)
	}
	s.Seed = 11
	switch name {
	case Burgers:
		s.N = 7
		s.Burgers.SolveResolution = 64
		s.Resolution = 32
		s.Burgers.FinalTime = 0.2
		s.Burgers.RecordEvery = 0.1
		s.Burgers.TimeStep = 2e-3
	case Darcy:
		s.N = 5
		s.Darcy.SolveResolution = 33
		s.Resolution = 17
	case NavierStokes:
		s.N = 4
		s.NavierStokes.SolveResolution = 32
		s.Resolution = 16
		s.NavierStokes.FinalTime = 0.2
		s.NavierStokes.RecordEvery = 0.1
		s.NavierStokes.TimeStep = 1e-3
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	return s
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func tmp(t testing.TB, name string) string { return filepath.Join(t.TempDir(), name) }

func gen(t testing.TB, s GenerateSpec, path string, opts Options) string {
	t.Helper()
	must(t, Generate(context.Background(), s, path, opts))
	return path
}

// rawBits reads a whole dataset as the bit patterns of its values.
func rawBits(t testing.TB, path, name string) ([]int, []uint64) {
	t.Helper()
	f, err := hdf5.Open(path, hdf5.ReadOnly)
	must(t, err)
	defer f.Close()
	ds, err := f.OpenDataset(name)
	must(t, err)
	dims, err := ds.Dims()
	must(t, err)
	v, err := ds.ReadAll()
	must(t, err)
	var bits []uint64
	switch x := v.(type) {
	case []float32:
		for _, e := range x {
			bits = append(bits, uint64(math.Float32bits(e)))
		}
	case []float64:
		for _, e := range x {
			bits = append(bits, math.Float64bits(e))
		}
	default:
		t.Fatalf("%s: unexpected %T", name, v)
	}
	return dims, bits
}

// sameData fails unless a and b hold bitwise-equal input, output and grid.
func sameData(t testing.TB, a, b string) {
	t.Helper()
	for _, name := range []string{InputName, OutputName, "grid/x", "grid/y", "grid/t"} {
		fa, _ := hdf5.Open(a, hdf5.ReadOnly)
		ok, _ := fa.Exists(name)
		fa.Close()
		if !ok {
			continue
		}
		da, ba := rawBits(t, a, name)
		db, bb := rawBits(t, b, name)
		if !slices.Equal(da, db) {
			t.Fatalf("%s: shape %v in %s, %v in %s", name, da, a, db, b)
		}
		if !slices.Equal(ba, bb) {
			t.Fatalf("%s differs between %s and %s", name, a, b)
		}
	}
}

func attrOf(t testing.TB, path, name string) any {
	t.Helper()
	f, err := hdf5.Open(path, hdf5.ReadOnly)
	must(t, err)
	defer f.Close()
	v, err := f.Attr(name)
	must(t, err)
	return v
}
