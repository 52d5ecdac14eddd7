package data

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sciml-go/sciml/internal/hdf5"
)

// A dataset generated in one run equals, bitwise, the merge of its shards,
// strided or contiguous, for every PDE and any number of workers.
func TestShardMergeBitwise(t *testing.T) {
	for _, name := range PDEs {
		t.Run(name, func(t *testing.T) {
			s := smallSpec(t, name)
			dir := t.TempDir()
			whole := gen(t, s, filepath.Join(dir, "whole.h5"), Options{Workers: 3})
			for _, tc := range []struct {
				n          int
				contiguous bool
			}{{3, false}, {2, true}} {
				var parts []string
				for i := tc.n - 1; i >= 0; i-- { // merge order must not matter
					p := filepath.Join(dir, fmt.Sprintf("shard-%d-%d-%v.h5", tc.n, i, tc.contiguous))
					gen(t, s, p, Options{Workers: 1 + i%2, Shard: Shard{Index: i, Count: tc.n, Contiguous: tc.contiguous}})
					parts = append(parts, p)
				}
				merged := filepath.Join(dir, fmt.Sprintf("merged-%d.h5", tc.n))
				must(t, Merge(context.Background(), parts, merged, MergeOptions{CommandLine: "test merge"}))
				sameData(t, whole, merged)
				for _, a := range []string{"spec", "cache_key", "pde", "samples", "samples_done", "sample_start", "sample_step", "shard"} {
					if x, y := attrOf(t, whole, a), attrOf(t, merged, a); fmt.Sprint(x) != fmt.Sprint(y) {
						t.Errorf("attribute %s: %v in the one-run file, %v merged", a, x, y)
					}
				}
				if got := attrOf(t, merged, "merge_command_line"); got != "test merge" {
					t.Errorf("merge_command_line = %v", got)
				}
			}
		})
	}
}

// The shard helpers split [0, N) into disjoint covering sets.
func TestShardSamples(t *testing.T) {
	for _, n := range []int{0, 1, 5, 7, 100} {
		for _, count := range []int{1, 2, 3, 8} {
			for _, contiguous := range []bool{false, true} {
				seen := make([]int, n)
				for i := range count {
					start, step, c := Shard{Index: i, Count: count, Contiguous: contiguous}.Samples(n)
					for j := 0; j < c; j++ {
						g := start + j*step
						if g < 0 || g >= n {
							t.Fatalf("n=%d shard %d/%d (contiguous %v): sample %d out of range", n, i, count, contiguous, g)
						}
						seen[g]++
					}
				}
				for g, k := range seen {
					if k != 1 {
						t.Fatalf("n=%d count=%d contiguous=%v: sample %d covered %d times", n, count, contiguous, g, k)
					}
				}
			}
		}
	}
	if _, err := ParseShard("3/3"); err == nil {
		t.Error("ParseShard(3/3) accepted")
	}
	if s, err := ParseShard("2/5"); err != nil || s.Index != 2 || s.Count != 5 {
		t.Errorf("ParseShard(2/5) = %v, %v", s, err)
	}
	env := map[string]string{"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_MIN": "1"}
	if i, src, ok, err := ShardIndexFromEnv(func(k string) string { return env[k] }); err != nil || !ok || i != 3 || src != "SLURM_ARRAY_TASK_ID" {
		t.Errorf("Slurm: %d %q %v %v", i, src, ok, err)
	}
	env = map[string]string{"JOB_COMPLETION_INDEX": "2"}
	if i, _, ok, err := ShardIndexFromEnv(func(k string) string { return env[k] }); err != nil || !ok || i != 2 {
		t.Errorf("k8s: %d %v %v", i, ok, err)
	}
	if got := ShardPath("d/part-{shard}.h5", Shard{Index: 3, Count: 12}); got != "d/part-03.h5" {
		t.Errorf("ShardPath = %q", got)
	}
}

// Cancelling a run keeps every finished sample in a readable partial file;
// resuming completes it to the one-run result.
func TestResumeAfterCancel(t *testing.T) {
	s := smallSpec(t, Burgers)
	s.N = 16
	dir := t.TempDir()
	whole := gen(t, s, filepath.Join(dir, "whole.h5"), Options{})

	path := filepath.Join(dir, "cut.h5")
	ctx, cancel := context.WithCancel(context.Background())
	var seen atomic.Int64
	err := Generate(ctx, s, path, Options{Workers: 2, Progress: func(p Progress) {
		seen.Store(int64(p.Done))
		if p.Done >= 5 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run returned %v", err)
	}
	if !strings.Contains(err.Error(), path+PartialSuffix) {
		t.Errorf("error does not name the partial file: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the final path exists after an interrupted run: %v", err)
	}
	partial := path + PartialSuffix
	h, err := fileHeader(partial)
	must(t, err)
	if kept := h.done + len(h.pending); kept < 5 || kept >= s.N {
		t.Errorf("partial file keeps %d samples (prefix %d, pending %v), want 5..%d", kept, h.done, h.pending, s.N-1)
	}
	d, err := Open(partial)
	must(t, err)
	if d.Len() != h.done {
		t.Errorf("Open sees %d samples, the complete prefix is %d", d.Len(), h.done)
	}
	// The complete prefix already equals the one-run file.
	ref, err := Open(whole)
	must(t, err)
	for i := 0; i < d.Len(); i++ {
		a, err := d.ReadSample(Output, i)
		must(t, err)
		b, err := ref.ReadSample(Output, i)
		must(t, err)
		for k := range a {
			if a[k] != b[k] {
				t.Fatalf("sample %d differs from the one-run file", i)
			}
		}
	}
	d.Close()
	ref.Close()

	// Without --resume the partial file is an error, not silently replaced.
	if err := Generate(context.Background(), s, path, Options{}); !errors.Is(err, ErrExists) {
		t.Fatalf("second run without resume: %v", err)
	}
	// Resuming with other parameters is refused.
	other := s.clone()
	other.Burgers.Viscosity = 0.05
	if err := Generate(context.Background(), other, path, Options{Resume: true}); err == nil || !strings.Contains(err.Error(), "viscosity") {
		t.Fatalf("resume with another viscosity: %v", err)
	}
	var resumed int
	must(t, Generate(context.Background(), s, path, Options{Resume: true, Progress: func(p Progress) { resumed = p.Resumed }}))
	if resumed < 5 {
		t.Errorf("resume started from %d samples", resumed)
	}
	if _, err := os.Stat(partial); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("partial file left after completion: %v", err)
	}
	sameData(t, whole, path)
}

// Samples that finished after a gap are kept (attribute pending) and not
// recomputed on resume.
func TestResumePending(t *testing.T) {
	s := smallSpec(t, Darcy)
	dir := t.TempDir()
	whole := gen(t, s, filepath.Join(dir, "whole.h5"), Options{})
	ref, err := Open(whole)
	must(t, err)
	defer ref.Close()

	path := filepath.Join(dir, "gap.h5")
	pr, err := newProblem(s)
	must(t, err)
	f, err := createFile(path+PartialSuffix, pr, fileMeta{})
	must(t, err)
	h := &header{spec: s, count: s.N, start: 0, step: 1}
	w, err := newSampleWriter(f, h, pr)
	must(t, err)
	for _, j := range []int{0, 3} {
		in, err := ref.ReadSample(Input, j)
		must(t, err)
		out, err := ref.ReadSample(Output, j)
		must(t, err)
		must(t, w.write(j, in, out))
	}
	must(t, w.close())
	if got := attrOf(t, path+PartialSuffix, "samples_done"); got != int64(1) {
		t.Errorf("samples_done = %v, want 1", got)
	}
	if got := fmt.Sprint(attrOf(t, path+PartialSuffix, "pending")); got != "[3]" {
		t.Errorf("pending = %v, want [3]", got)
	}
	var total int
	must(t, Generate(context.Background(), s, path, Options{Resume: true, Progress: func(p Progress) { total = p.TotalUnits }}))
	if total != s.N-2 {
		t.Errorf("resume solved %d samples, want %d", total, s.N-2)
	}
	sameData(t, whole, path)
}

// An existing complete file of the same spec is reused; one of another
// spec is an error unless overwriting.
func TestGenerateExisting(t *testing.T) {
	s := smallSpec(t, Darcy)
	path := gen(t, s, tmp(t, "d.h5"), Options{})
	st1, _ := os.Stat(path)
	created := attrOf(t, path, "created")
	must(t, Generate(context.Background(), s, path, Options{}))
	if st2, _ := os.Stat(path); !st2.ModTime().Equal(st1.ModTime()) || attrOf(t, path, "created") != created {
		t.Error("an up-to-date file was rewritten")
	}
	other := s.clone()
	other.Seed++
	err := Generate(context.Background(), other, path, Options{})
	if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), "seed") {
		t.Fatalf("other seed: %v", err)
	}
	must(t, Generate(context.Background(), other, path, Options{Overwrite: true}))
	if got := attrOf(t, path, "seed"); got != other.Seed {
		t.Errorf("seed after overwrite = %v", got)
	}
}

// Merge refuses mismatched, overlapping, incomplete and missing shards.
func TestMergeRefuses(t *testing.T) {
	s := smallSpec(t, Burgers)
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	a := gen(t, s, p("a.h5"), Options{Shard: Shard{Index: 0, Count: 2}})
	b := gen(t, s, p("b.h5"), Options{Shard: Shard{Index: 1, Count: 2}})
	other := s.clone()
	other.Burgers.Viscosity = 0.2
	bOther := gen(t, other, p("b-other.h5"), Options{Shard: Shard{Index: 1, Count: 2}})
	c3 := gen(t, s, p("c3.h5"), Options{Shard: Shard{Index: 0, Count: 3, Contiguous: true}})
	for _, tc := range []struct {
		name  string
		in    []string
		wants string
	}{
		{"mismatch", []string{a, bOther}, "different parameters"},
		{"missing", []string{a}, "missing"},
		{"overlap", []string{a, b, c3}, "is in both"},
		{"duplicate", []string{a, a, b}, "is in both"},
		{"not a file", []string{a, p("nope.h5")}, "does not exist"},
	} {
		out := p("out-" + strings.ReplaceAll(tc.name, " ", "-") + ".h5")
		err := Merge(context.Background(), tc.in, out, MergeOptions{})
		if err == nil || !strings.Contains(err.Error(), tc.wants) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.wants)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s: output written", tc.name)
		}
	}
	// viscosity is named in the mismatch.
	err := Merge(context.Background(), []string{a, bOther}, p("x.h5"), MergeOptions{})
	if err == nil || !strings.Contains(err.Error(), "viscosity") {
		t.Errorf("mismatch error does not name the parameter: %v", err)
	}
	// An incomplete shard is refused.
	long := s.clone()
	long.N = 40
	ctx, cancel := context.WithCancel(context.Background())
	Generate(ctx, long, p("cut.h5"), Options{Workers: 1, Shard: Shard{Index: 1, Count: 2}, Progress: func(pp Progress) {
		if pp.Done >= 1 {
			cancel()
		}
	}})
	err = Merge(context.Background(), []string{p("cut.h5") + PartialSuffix}, p("y.h5"), MergeOptions{})
	if err == nil || !strings.Contains(err.Error(), "incomplete") {
		t.Errorf("incomplete shard: %v", err)
	}
}

// Every parameter reaches the attributes, and the file describes itself.
func TestAttributes(t *testing.T) {
	s := smallSpec(t, NavierStokes)
	path := gen(t, s, tmp(t, "ns.h5"), Options{Version: "v9.9.9", CommandLine: "sciml generate navier-stokes …"})
	want := map[string]any{
		"pde": "navier-stokes", "n": int64(s.N), "resolution": int64(16), "seed": int64(11),
		"dtype": "float32", "deflate": int64(4), "shuffle": int64(1),
		"viscosity": 1e-3, "final_time": 0.2, "record_every": 0.1, "solve_resolution": int64(32),
		"forcing_amplitude": 0.1, "forcing_wavenumber": int64(1), "tau": 7.0, "gamma": 2.5,
		"convention": "torch-fft", "scheme": "cn-euler", "time_step": 1e-3, "advection": "advective",
		"downsample": "spectral", "solver": "navier-stokes-pseudospectral-cn-euler",
		"sciml_version": "v9.9.9", "command_line": "sciml generate navier-stokes …",
		"format": Format, "schema_version": int64(SchemaVersion), "shard": "0/1",
		"samples": int64(s.N), "samples_done": int64(s.N), "cache_key": s.CacheKey(),
	}
	for k, v := range want {
		if got := attrOf(t, path, k); fmt.Sprint(got) != fmt.Sprint(v) {
			t.Errorf("attribute %s = %v (%T), want %v", k, got, got, v)
		}
	}
	if _, ok := attrOf(t, path, "created").(string); !ok {
		t.Error("no creation time")
	}
	d, err := Open(path)
	must(t, err)
	defer d.Close()
	if got, _ := d.Spec(); got.CacheKey() != s.CacheKey() {
		t.Error("spec read back differs")
	}
	if g := d.Grid("t"); len(g) != 2 || g[1] != 0.2 {
		t.Errorf("grid/t = %v", g)
	}
	if g := d.Grid("x"); len(g) != 16 || g[1] != 1.0/16 {
		t.Errorf("grid/x = %v", g)
	}
	if sh := d.Shape(Output); fmt.Sprint(sh) != "[2 16 16]" {
		t.Errorf("output shape %v", sh)
	}
}

// The cache key depends on every parameter and only on them.
func TestCacheKey(t *testing.T) {
	a := smallSpec(t, NavierStokes)
	b := a.clone()
	if a.CacheKey() != b.CacheKey() {
		t.Fatal("equal specs, different keys")
	}
	b.NavierStokes.TimeStep = 0 // the scheme's default is 1e-4
	c := a.clone()
	c.NavierStokes.TimeStep = 1e-4
	if b.CacheKey() != c.CacheKey() {
		t.Error("an implied default changes the key")
	}
	for _, mod := range []func(*GenerateSpec){
		func(s *GenerateSpec) { s.Seed++ },
		func(s *GenerateSpec) { s.N++ },
		func(s *GenerateSpec) { s.DType = Float64 },
		func(s *GenerateSpec) { s.Deflate = 0 },
		func(s *GenerateSpec) { s.NavierStokes.Tau = 6 },
		func(s *GenerateSpec) { s.NavierStokes.Scheme = "etdrk4" },
	} {
		d := a.clone()
		mod(&d)
		if d.CacheKey() == a.CacheKey() {
			t.Errorf("modified spec %+v keeps the key", d.NavierStokes)
		}
	}
}

// Validate names every bad field.
func TestValidate(t *testing.T) {
	s := smallSpec(t, Darcy)
	s.N = 0
	s.Resolution = 8 // 32 is not a multiple of 7
	s.Darcy.Low = -1
	s.Burgers = &BurgersParams{}
	err := s.Validate()
	for _, want := range []string{"n:", "resolution:", "darcy.low:", "burgers:"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want %q", err, want)
		}
	}
	if _, err := DefaultSpec("heat"); err == nil {
		t.Error("DefaultSpec(heat) accepted")
	}
	for _, name := range PDEs {
		s, _ := DefaultSpec(name)
		if err := s.Validate(); err != nil {
			t.Errorf("default %s spec: %v", name, err)
		}
	}
}

// Float64 output and uncompressed storage are honoured.
func TestStorageOptions(t *testing.T) {
	s := smallSpec(t, Burgers)
	s.DType = Float64
	s.Deflate = 0
	path := gen(t, s, tmp(t, "b.h5"), Options{})
	r, err := Inspect(context.Background(), path)
	must(t, err)
	for _, d := range r.Datasets {
		if d.Name != InputName && d.Name != OutputName {
			continue
		}
		if d.DType != "float64" || d.Deflate != 0 || len(d.Filters) != 0 {
			t.Errorf("%s: %+v", d.Name, d)
		}
		if fmt.Sprint(d.Chunk[0]) != "1" || d.MaxShape[0] != -1 {
			t.Errorf("%s: chunk %v max %v, want one sample per chunk and an unlimited sample axis", d.Name, d.Chunk, d.MaxShape)
		}
	}
}

// navier_stokes.precision selects the solver's arithmetic; float64, the
// default, stays implicit so that cache keys of older specs are unchanged.
func TestNavierStokesPrecision(t *testing.T) {
	s := smallSpec(t, NavierStokes)
	if strings.Contains(s.canonicalJSON(), "precision") {
		t.Errorf("default spec encodes a precision: %s", s.canonicalJSON())
	}
	implicit := s.clone()
	implicit.NavierStokes.Precision = ""
	if implicit.CacheKey() != s.CacheKey() {
		t.Error(`precision "" and "float64" have different cache keys`)
	}
	s32 := s.clone()
	s32.NavierStokes.Precision = "float32"
	must(t, s32.Validate())
	if s32.CacheKey() == s.CacheKey() {
		t.Error("float32 and float64 specs share a cache key")
	}
	bad := s.clone()
	bad.NavierStokes.Precision = "float16"
	var fe *FieldError
	if err := bad.Validate(); !errors.As(err, &fe) || fe.Key != "navier_stokes.precision" {
		t.Errorf("precision float16: %v", err)
	}
	p64 := gen(t, s, tmp(t, "ns64.h5"), Options{})
	p32 := gen(t, s32, tmp(t, "ns32.h5"), Options{})
	if got := attrOf(t, p32, "precision"); got != "float32" {
		t.Errorf("precision attribute %v", got)
	}
	if got := attrOf(t, p32, "solver"); got != "navier-stokes-pseudospectral-cn-euler-float32" {
		t.Errorf("solver attribute %v", got)
	}
	f, err := hdf5.Open(p64, hdf5.ReadOnly)
	must(t, err)
	if _, err := f.Attr("precision"); err == nil {
		t.Error("float64 file has a precision attribute")
	}
	f.Close()
	// Both files store float32; the float32 solve differs from the
	// float64 one by float32 rounding (a few ulps after 200 steps).
	_, a := rawBits(t, p64, OutputName)
	_, b := rawBits(t, p32, OutputName)
	var num, den float64
	differ := false
	for i := range a {
		x, y := float64(math.Float32frombits(uint32(a[i]))), float64(math.Float32frombits(uint32(b[i])))
		num += (x - y) * (x - y)
		den += x * x
		differ = differ || a[i] != b[i]
	}
	if e := math.Sqrt(num / den); !differ || e > 1e-5 {
		t.Errorf("float32 vs float64 solve: relative L2 %.2e (differ %v)", e, differ)
	}
	d, err := Open(p32)
	must(t, err)
	defer d.Close()
	if got, _ := d.Spec(); got.CacheKey() != s32.CacheKey() {
		t.Error("float32 spec read back differs")
	}
}
