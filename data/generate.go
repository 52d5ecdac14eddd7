package data

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sciml-go/sciml/internal/atomicfile"
	"github.com/sciml-go/sciml/internal/hdf5"
)

// PartialSuffix is appended to the output path while a file is being
// generated; the finished file is renamed to the path itself.
const PartialSuffix = ".partial"

// Options control how Generate runs; none of them changes the samples.
type Options struct {
	// Workers is the number of samples solved at once. Default (0)
	// GOMAXPROCS.
	Workers int
	// Shard selects the part of the dataset to write (zero value: all).
	Shard Shard
	// Resume continues an interrupted run from path+PartialSuffix when it
	// exists (its parameters must match). Without it such a file is an
	// error unless Overwrite is set.
	Resume bool
	// Overwrite replaces an existing file (finished or partial) whose
	// parameters differ, instead of failing.
	Overwrite bool
	// Progress, when not nil, is called (never concurrently) when a unit of
	// work finishes: a sample, or a recorded snapshot of Navier–Stokes.
	Progress func(Progress)
	// FlushInterval is the longest time finished samples stay in libhdf5's
	// buffers before the file is flushed. Default (0) 500 ms.
	FlushInterval time.Duration
	// Version is written as the sciml_version attribute. Default: the
	// module version compiled in ("devel" in a development build).
	Version string
	// CommandLine is written as the command_line attribute.
	CommandLine string
}

// Progress reports a running Generate.
type Progress struct {
	// Done is the number of samples in the file (resumed ones included);
	// Total the number the file holds when complete.
	Done, Total int
	// Resumed is the number of samples found in the file at the start.
	Resumed int
	// Units counts finished units of work of this run (samples, or
	// snapshots for Navier–Stokes, including those of samples still
	// running); TotalUnits is the number this run has to do.
	Units, TotalUnits int
	// Unit names the unit: "sample" or "snapshot".
	Unit string
}

// ErrExists is wrapped by Generate's error when the output file exists with
// other parameters and Options.Overwrite is not set, or when a partial
// file exists and neither Resume nor Overwrite is set.
var ErrExists = errors.New("file exists")

// Generate writes the dataset of spec (or the shard opts.Shard of it) to the
// HDF5 file path, solving samples in parallel and streaming them to disk.
//
// While it runs the file is path+".partial": datasets input and output grow
// along the sample axis as samples finish, and the attribute samples_done
// says how many leading samples are complete (pending lists later ones
// that finished early). The file is flushed at least every
// opts.FlushInterval. When ctx is cancelled, Generate writes every sample
// that finished, flushes, closes the partial file and returns an error
// wrapping ctx.Err(); rerun with opts.Resume to continue. When all samples
// are written, the file is closed, synced and renamed to path, so path is
// never a half-written file.
//
// If path already holds a complete file of the same spec and shard,
// Generate does nothing and returns nil (generate-if-missing).
func Generate(ctx context.Context, spec GenerateSpec, path string, opts Options) error {
	_, err := generate(ctx, spec, path, opts)
	return err
}

// generateResult says what generate did.
type generateResult struct {
	upToDate bool
}

// UpToDate reports whether path holds the complete dataset of spec (or of
// its shard), so that Generate would do nothing.
func UpToDate(spec GenerateSpec, path string, shard Shard) bool {
	if spec.Validate() != nil || shard.validate() != nil {
		return false
	}
	h, err := fileHeader(path)
	if err != nil {
		return false
	}
	start, step, count := shard.Samples(spec.N)
	return h.spec.canonicalJSON() == spec.canonicalJSON() && h.start == start && h.step == step &&
		h.count == count && h.complete()
}

func generate(ctx context.Context, spec GenerateSpec, path string, opts Options) (generateResult, error) {
	var res generateResult
	if err := spec.Validate(); err != nil {
		return res, fmt.Errorf("data: generate %s: invalid spec: %w", path, err)
	}
	if err := opts.Shard.validate(); err != nil {
		return res, err
	}
	spec = spec.normalized()
	pr, err := newProblem(spec)
	if err != nil {
		return res, fmt.Errorf("data: generate %s: %w", path, err)
	}
	start, step, count := opts.Shard.Samples(spec.N)
	key := spec.canonicalJSON()
	matches := func(h *header) error {
		if got := h.spec.canonicalJSON(); got != key {
			return fmt.Errorf("its parameters differ: %s", specDiff(h.spec, spec, "file", "requested"))
		}
		if h.start != start || h.step != step || h.count != count {
			return fmt.Errorf("it holds shard %s (samples %d + j·%d, j < %d), want shard %s",
				h.shard, h.start, h.step, h.count, opts.Shard)
		}
		return nil
	}

	// An existing finished file.
	if _, err := os.Stat(path); err == nil {
		h, err := fileHeader(path)
		switch {
		case err == nil && matches(h) == nil && h.complete():
			res.upToDate = true
			return res, nil
		case opts.Overwrite:
		case err != nil:
			return res, fmt.Errorf("data: generate %s: %w: not a sciml dataset (%v); use overwrite (--force) to replace it", path, ErrExists, err)
		case matches(h) != nil:
			return res, fmt.Errorf("data: generate %s: %w and %v; use overwrite (--force) to replace it", path, ErrExists, matches(h))
		default:
			return res, fmt.Errorf("data: generate %s: %w but is incomplete (%d of %d samples); use overwrite (--force) to replace it", path, ErrExists, h.done, h.count)
		}
	}

	partial := path + PartialSuffix
	var f *hdf5.File
	var h *header
	if _, err := os.Stat(partial); err == nil {
		if busy(partial) {
			return res, fmt.Errorf("data: generate %s: %s is locked: another process (a running generate?) is writing it", path, partial)
		}
		switch {
		case opts.Resume:
			f, h, err = openPartial(partial)
			if err == nil {
				if merr := matches(h); merr != nil {
					f.Close()
					f, err = nil, fmt.Errorf("cannot resume: %w", merr)
				}
			}
			if err != nil && !opts.Overwrite {
				return res, fmt.Errorf("data: generate %s: %s: %w (use overwrite (--force) to start over)", path, partial, err)
			}
		case !opts.Overwrite:
			return res, fmt.Errorf("data: generate %s: %w: %s is left from an interrupted run; resume it (--resume) or start over (--force)", path, ErrExists, partial)
		}
	}
	if f == nil {
		f, err = createPartial(partial, pr, fileMeta{shard: opts.Shard, version: opts.Version, commandLine: opts.CommandLine})
		if err != nil {
			return res, fmt.Errorf("data: generate %s: %w", path, err)
		}
		h = &header{spec: spec, count: count, start: start, step: step}
	}
	w, err := newSampleWriter(f, h, pr)
	if err != nil {
		f.Close()
		return res, fmt.Errorf("data: generate %s: %w", partial, err)
	}
	runErr := w.run(ctx, opts)
	if runErr != nil && w.doneCount() == count && ctx.Err() != nil && errors.Is(runErr, ctx.Err()) {
		runErr = nil // cancelled after the last sample: the file is complete
	}
	if cerr := w.close(); cerr != nil && runErr == nil {
		runErr = cerr
	}
	if runErr != nil {
		if ctx.Err() != nil && errors.Is(runErr, ctx.Err()) {
			return res, fmt.Errorf("data: generate %s: interrupted with %d of %d samples kept in %s: %w",
				path, w.doneCount(), count, partial, runErr)
		}
		return res, fmt.Errorf("data: generate %s: %w (%d of %d samples kept in %s)", path, runErr, w.doneCount(), count, partial)
	}
	if err := atomicfile.Commit(partial, path); err != nil {
		return res, fmt.Errorf("data: generate %s: %w", path, err)
	}
	return res, nil
}

// createPartial creates an empty sciml file at path atomically: it is
// written under a temporary name, closed, renamed to path and reopened, so
// a run killed while creating it leaves no unreadable file at path.
func createPartial(path string, pr *problem, m fileMeta) (*hdf5.File, error) {
	tmp := path + ".init"
	os.Remove(path)
	os.Remove(tmp)
	f, err := createFile(tmp, pr, m)
	if err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return nil, err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return nil, err
	}
	return hdf5.Open(path, hdf5.ReadWrite)
}

// busy reports whether libhdf5 finds the file locked by a writer.
func busy(path string) bool {
	f, err := hdf5.Open(path, hdf5.ReadOnly)
	if err != nil {
		return strings.Contains(err.Error(), "unable to lock file")
	}
	f.Close()
	return false
}

// fileHeader opens path read-only and reads its header.
func fileHeader(path string) (*header, error) {
	f, err := hdf5.Open(path, hdf5.ReadOnly)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readHeader(f)
}

// openPartial opens a partial file for writing and reads its header.
func openPartial(path string) (*hdf5.File, *header, error) {
	f, err := hdf5.Open(path, hdf5.ReadWrite)
	if err != nil {
		return nil, nil, err
	}
	h, err := readHeader(f)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, h, nil
}

// specDiff names the first fields in which two specs differ, labelling
// the values by where they come from.
func specDiff(have, want GenerateSpec, haveLabel, wantLabel string) string {
	if have.PDE != want.PDE {
		return fmt.Sprintf("pde: %s %q, %s %q", haveLabel, have.PDE, wantLabel, want.PDE)
	}
	a, b := flatSpec(have), flatSpec(want)
	var out []string
	for _, k := range sortedKeys(a, b) {
		if a[k] != b[k] {
			out = append(out, fmt.Sprintf("%s: %s %v, %s %v", k, haveLabel, orNone(a[k]), wantLabel, orNone(b[k])))
		}
	}
	if len(out) == 0 {
		return "(none)"
	}
	if len(out) > 4 {
		out = append(out[:4], fmt.Sprintf("and %d more", len(out)-4))
	}
	return strings.Join(out, "; ")
}

func orNone(v any) any {
	if v == nil {
		return "(none)"
	}
	return v
}

// flatSpec lists the fields of a spec by their config keys.
func flatSpec(s GenerateSpec) map[string]any {
	m := map[string]any{
		"pde": s.PDE, "n": s.N, "resolution": s.Resolution, "seed": s.Seed,
		"dtype": s.DType, "deflate": s.Deflate, "shuffle": s.Shuffle,
	}
	prefix := map[string]string{Burgers: "burgers.", Darcy: "darcy.", NavierStokes: "navier_stokes."}[s.PDE]
	for _, kv := range s.paramAttrs() {
		m[prefix+kv[0].(string)] = kv[1]
	}
	return m
}

func sortedKeys(ms ...map[string]any) []string {
	var keys []string
	for _, m := range ms {
		for k := range m {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// sampleWriter writes finished samples into a (partial) sciml file.
type sampleWriter struct {
	f        *hdf5.File
	in, out  *hdf5.Dataset
	h        *header
	pr       *problem
	inShape  []int
	outShape []int
	done     []bool
	prefix   atomic.Int64 // complete leading samples
	extent   int          // current size of the sample axis
	dirty    bool
	f32      bool
	bufIn    []float32
	bufOut   []float32
	progress *hdf5.Dataset
}

func newSampleWriter(f *hdf5.File, h *header, pr *problem) (*sampleWriter, error) {
	w := &sampleWriter{f: f, h: h, pr: pr, done: make([]bool, h.count), f32: pr.spec.DType == Float32}
	var err error
	if w.in, err = f.OpenDataset(InputName); err != nil {
		return nil, err
	}
	if w.out, err = f.OpenDataset(OutputName); err != nil {
		return nil, err
	}
	if w.progress, err = f.OpenDataset(ProgressName); err != nil {
		return nil, err
	}
	want := h5DType(pr.spec.DType)
	for _, d := range []struct {
		ds    *hdf5.Dataset
		shape []int
		dst   *[]int
	}{{w.in, pr.inShape, &w.inShape}, {w.out, pr.outShape, &w.outShape}} {
		dims, err := d.ds.Dims()
		if err != nil {
			return nil, err
		}
		if d.ds.DType() != want || len(dims) != len(d.shape)+1 || !slices.Equal(dims[1:], d.shape) {
			return nil, fmt.Errorf("dataset %q is %v %v, want %v (N, %v)", d.ds.Name(), d.ds.DType(), dims, want, d.shape)
		}
		*d.dst = d.shape
		if dims[0] < h.done {
			return nil, fmt.Errorf("dataset %q holds %d samples, but %s says %d are done", d.ds.Name(), dims[0], attrDone, h.done)
		}
		w.extent = max(w.extent, dims[0])
	}
	for j := 0; j < h.done; j++ {
		w.done[j] = true
	}
	for _, j := range h.pending {
		if j >= w.extent {
			return nil, fmt.Errorf("pending sample %d lies beyond the datasets' %d samples", j, w.extent)
		}
		w.done[j] = true
	}
	w.advance()
	return w, nil
}

// doneCount returns the number of complete samples.
func (w *sampleWriter) doneCount() int {
	n := 0
	for _, d := range w.done {
		if d {
			n++
		}
	}
	return n
}

// advance moves the prefix past complete samples.
func (w *sampleWriter) advance() {
	p := int(w.prefix.Load())
	for p < len(w.done) && w.done[p] {
		p++
	}
	w.prefix.Store(int64(p))
}

// write stores local sample j, converting to the stored type.
func (w *sampleWriter) write(j int, in, out []float64) error {
	if !w.f32 {
		return w.writeRaw(j, in, out, nil, nil)
	}
	w.bufIn = toFloat32(w.bufIn, in)
	w.bufOut = toFloat32(w.bufOut, out)
	return w.writeRaw(j, nil, nil, w.bufIn, w.bufOut)
}

// toFloat32 converts v into buf, reallocating it if short.
func toFloat32(buf []float32, v []float64) []float32 {
	if cap(buf) < len(v) {
		buf = make([]float32, len(v))
	}
	buf = buf[:len(v)]
	for i, x := range v {
		buf[i] = float32(x)
	}
	return buf
}

// writeRaw stores local sample j from slices of the stored type: in64 and
// out64 for float64 files, in32 and out32 for float32 ones.
func (w *sampleWriter) writeRaw(j int, in64, out64 []float64, in32, out32 []float32) error {
	if j >= w.extent {
		// Grow in steps of up to 64 samples (never beyond the file's
		// count), so that most samples cost two HDF5 calls.
		ext := min(len(w.done), max(j+1, w.extent+64))
		for _, d := range []struct {
			ds    *hdf5.Dataset
			shape []int
		}{{w.in, w.inShape}, {w.out, w.outShape}} {
			if err := d.ds.Extend(append([]int{ext}, d.shape...)); err != nil {
				return err
			}
		}
		w.extent = ext
	}
	for _, d := range []struct {
		ds    *hdf5.Dataset
		shape []int
		v     any
	}{{w.in, w.inShape, pick(in64, in32)}, {w.out, w.outShape, pick(out64, out32)}} {
		start := make([]int, len(d.shape)+1)
		start[0] = j
		count := append([]int{1}, d.shape...)
		if err := d.ds.WriteSlab(start, count, d.v); err != nil {
			return err
		}
	}
	w.done[j] = true
	w.advance()
	w.dirty = true
	return nil
}

// pick returns whichever slice is set.
func pick(f64 []float64, f32 []float32) any {
	if f32 != nil {
		return f32
	}
	return f64
}

// progressValues returns the complete prefix and the pending samples.
func (w *sampleWriter) progressValues() (int, []int64) {
	p := int(w.prefix.Load())
	pending := []int64{}
	for j := p + 1; j < len(w.done); j++ {
		if w.done[j] {
			pending = append(pending, int64(j))
		}
	}
	return p, pending
}

// commit makes the samples written so far durable in two steps: a flush
// puts their data and chunk index on disk, then the progress dataset is
// overwritten in place and flushed again. A run killed at any point leaves
// a progress record that claims only samples whose data are on disk.
func (w *sampleWriter) commit() error {
	if !w.dirty {
		return nil
	}
	if err := w.f.Flush(); err != nil {
		return err
	}
	p, pending := w.progressValues()
	v := make([]int64, 2+maxPending)
	v[0], v[1] = int64(p), int64(len(pending))
	copy(v[2:], pending)
	if err := w.progress.Write(v); err != nil {
		return err
	}
	if err := w.f.Flush(); err != nil {
		return err
	}
	w.dirty = false
	return nil
}

// close records the progress in the attributes too (for people and tools
// that read attributes) and closes the file.
func (w *sampleWriter) close() error {
	err := w.commit()
	p, pending := w.progressValues()
	if e := w.f.SetAttr(attrDone, p); e != nil && err == nil {
		err = e
	}
	if e := w.f.SetAttr(attrPending, pending); e != nil && err == nil {
		err = e
	}
	if e := w.f.Close(); e != nil && err == nil {
		err = e
	}
	return err
}

type result struct {
	j       int
	in, out []float64
	err     error
}

// run solves every missing sample on opts.Workers goroutines and writes
// them as they finish. It returns the first error, or ctx's.
func (w *sampleWriter) run(ctx context.Context, opts Options) error {
	var todo []int
	for j, d := range w.done {
		if !d {
			todo = append(todo, j)
		}
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, len(todo)))
	flushEvery := opts.FlushInterval
	if flushEvery <= 0 {
		flushEvery = 500 * time.Millisecond
	}
	// Workers run at most `window` samples ahead of the complete prefix, so
	// that the pending list stays short.
	window := min(max(16, 4*workers), maxPending)

	resumed := w.doneCount()
	prog := Progress{Done: resumed, Total: w.h.count, Resumed: resumed,
		TotalUnits: len(todo) * w.pr.units, Unit: w.pr.unit}
	var progMu sync.Mutex
	report := func(unit, sample int) {
		if opts.Progress == nil {
			return
		}
		progMu.Lock()
		prog.Units += unit
		prog.Done += sample
		opts.Progress(prog)
		progMu.Unlock()
	}
	report(0, 0)
	if len(todo) == 0 {
		return nil
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int)
	results := make(chan result, workers)
	advanced := make(chan struct{}, 1)
	go func() {
		defer close(jobs)
		for _, j := range todo {
			for int64(j) >= w.prefix.Load()+int64(window) {
				select {
				case <-advanced:
				case <-ctx.Done():
					return
				}
			}
			select {
			case jobs <- j:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if ctx.Err() != nil {
					return
				}
				var unitProgress func()
				if w.pr.units > 1 {
					unitProgress = func() { report(1, 0) }
				}
				g := w.h.global(j)
				in, out, err := w.pr.solve(ctx, g, unitProgress)
				if err != nil && ctx.Err() == nil {
					err = fmt.Errorf("sample %d: %w", g, err)
				}
				results <- result{j: j, in: in, out: out, err: err}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	var firstErr error
	last := time.Now()
	for r := range results {
		if r.err != nil {
			if firstErr == nil {
				firstErr = r.err
			}
			cancel()
			continue
		}
		if err := w.write(r.j, r.in, r.out); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			cancel()
			continue
		}
		select {
		case advanced <- struct{}{}:
		default:
		}
		if w.pr.units > 1 {
			report(0, 1)
		} else {
			report(1, 1)
		}
		if time.Since(last) >= flushEvery {
			if err := w.commit(); err != nil && firstErr == nil {
				firstErr = err
				cancel()
			}
			last = time.Now()
		}
	}
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	if firstErr == nil && w.doneCount() != len(w.done) {
		firstErr = errors.New("internal error: samples missing after a complete run")
	}
	return firstErr
}
