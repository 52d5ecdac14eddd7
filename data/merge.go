package data

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sciml-go/sciml/internal/atomicfile"
	"github.com/sciml-go/sciml/internal/hdf5"
)

// MergeOptions control Merge.
type MergeOptions struct {
	// Overwrite replaces an existing output file.
	Overwrite bool
	// CommandLine is written as the merge_command_line attribute.
	CommandLine string
	// Progress, when not nil, is called after each copied sample with the
	// number copied and the total.
	Progress func(done, total int)
}

// Merge combines the shard files paths, written by Generate with
// Options.Shard, into the complete dataset out. It refuses shards whose
// parameters differ (any field of the spec: PDE, N, resolution, seed,
// dtype, compression, every PDE and solver parameter), incomplete shards,
// shards that overlap, and shard sets that miss samples; the errors name
// the files. The result equals, bitwise in input, output and grid, the
// file Generate writes in one run; its attributes are the first shard's,
// with the shard attributes reset, merged_from listing the shards and
// merge_command_line recording opts.CommandLine.
func Merge(ctx context.Context, paths []string, out string, opts MergeOptions) error {
	if len(paths) == 0 {
		return fmt.Errorf("data: merge: no input files")
	}
	type shard struct {
		path string
		f    *hdf5.File
		h    *header
		in   *hdf5.Dataset
		out  *hdf5.Dataset
	}
	shards := make([]*shard, 0, len(paths))
	defer func() {
		for _, s := range shards {
			s.f.Close()
		}
	}()
	for _, p := range paths {
		if filepath.Clean(p) == filepath.Clean(out) {
			return fmt.Errorf("data: merge: output %s is also an input", out)
		}
		f, err := hdf5.Open(p, hdf5.ReadOnly)
		if err != nil {
			return fmt.Errorf("data: merge: %w", err)
		}
		s := &shard{path: p, f: f}
		shards = append(shards, s)
		if s.h, err = readHeader(f); err != nil {
			return fmt.Errorf("data: merge: %s is not a sciml dataset: %w", p, err)
		}
		if !s.h.complete() {
			return fmt.Errorf("data: merge: %s is incomplete (%d of %d samples); finish it with generate --resume", p, s.h.done, s.h.count)
		}
		if s.in, err = f.OpenDataset(InputName); err != nil {
			return fmt.Errorf("data: merge: %w", err)
		}
		if s.out, err = f.OpenDataset(OutputName); err != nil {
			return fmt.Errorf("data: merge: %w", err)
		}
	}
	first := shards[0]
	spec := first.h.spec
	key := spec.canonicalJSON()
	for _, s := range shards[1:] {
		if s.h.spec.canonicalJSON() != key {
			return fmt.Errorf("data: merge: %s and %s were generated with different parameters: %s; refusing to merge",
				first.path, s.path, specDiff(spec, s.h.spec, filepath.Base(first.path), filepath.Base(s.path)))
		}
	}
	pr, err := newProblem(spec)
	if err != nil {
		return fmt.Errorf("data: merge: %w", err)
	}
	// Every sample exactly once.
	owner := make([]int32, spec.N)
	local := make([]int32, spec.N)
	for i := range owner {
		owner[i] = -1
	}
	for si, s := range shards {
		for _, d := range []struct {
			ds    *hdf5.Dataset
			shape []int
		}{{s.in, pr.inShape}, {s.out, pr.outShape}} {
			dims, err := d.ds.Dims()
			if err != nil {
				return fmt.Errorf("data: merge: %w", err)
			}
			if len(dims) != len(d.shape)+1 || dims[0] < s.h.count || !equalInts(dims[1:], d.shape) || d.ds.DType() != h5DType(spec.DType) {
				return fmt.Errorf("data: merge: %s: dataset %q is %v %v, want %v (%d, %v)", s.path, d.ds.Name(), d.ds.DType(), dims, h5DType(spec.DType), s.h.count, d.shape)
			}
		}
		for j := 0; j < s.h.count; j++ {
			g := s.h.global(j)
			if o := owner[g]; o >= 0 {
				return fmt.Errorf("data: merge: sample %d is in both %s (shard %s) and %s (shard %s)",
					g, shards[o].path, shards[o].h.shard, s.path, s.h.shard)
			}
			owner[g], local[g] = int32(si), int32(j)
		}
	}
	var missing []string
	nMissing := 0
	for g, o := range owner {
		if o < 0 {
			if nMissing < 8 {
				missing = append(missing, fmt.Sprint(g))
			}
			nMissing++
		}
	}
	if nMissing > 0 {
		var have []string
		for _, s := range shards {
			have = append(have, fmt.Sprintf("%s (shard %s)", s.path, s.h.shard))
		}
		return fmt.Errorf("data: merge: %d of %d samples are missing (e.g. %s); the inputs are %s",
			nMissing, spec.N, strings.Join(missing, ", "), strings.Join(have, ", "))
	}

	if _, err := os.Stat(out); err == nil && !opts.Overwrite {
		return fmt.Errorf("data: merge: %s: %w; use overwrite (--force) to replace it", out, ErrExists)
	}
	partial := out + PartialSuffix
	var names []string
	for _, s := range shards {
		names = append(names, filepath.Base(s.path))
	}
	f, err := createPartial(partial, pr, fileMeta{
		version:     first.h.version,
		commandLine: first.h.commandLine,
		extra: [][2]any{
			{"merged_from", strings.Join(names, "\n")},
			{"merge_command_line", opts.CommandLine},
		},
	})
	if err != nil {
		return fmt.Errorf("data: merge: %w", err)
	}
	h := &header{spec: spec, count: spec.N, start: 0, step: 1}
	w, err := newSampleWriter(f, h, pr)
	if err != nil {
		f.Close()
		os.Remove(partial)
		return fmt.Errorf("data: merge: %w", err)
	}
	copyErr := func() error {
		inLen, outLen := prod(pr.inShape), prod(pr.outShape)
		var in, outv []float64
		var in32, out32 []float32
		if spec.DType == Float32 {
			in32, out32 = make([]float32, inLen), make([]float32, outLen)
		} else {
			in, outv = make([]float64, inLen), make([]float64, outLen)
		}
		for g := 0; g < spec.N; g++ {
			if g%64 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			s := shards[owner[g]]
			j := int(local[g])
			for _, d := range []struct {
				ds    *hdf5.Dataset
				shape []int
				f64   []float64
				f32   []float32
			}{{s.in, pr.inShape, in, in32}, {s.out, pr.outShape, outv, out32}} {
				start := make([]int, len(d.shape)+1)
				start[0] = j
				count := append([]int{1}, d.shape...)
				var err error
				if d.f32 != nil {
					err = d.ds.ReadSlab(start, count, d.f32)
				} else {
					err = d.ds.ReadSlab(start, count, d.f64)
				}
				if err != nil {
					return err
				}
			}
			if err := w.writeRaw(g, in, outv, in32, out32); err != nil {
				return err
			}
			if opts.Progress != nil {
				opts.Progress(g+1, spec.N)
			}
		}
		return nil
	}()
	if err := w.close(); err != nil && copyErr == nil {
		copyErr = err
	}
	if copyErr != nil {
		os.Remove(partial)
		return fmt.Errorf("data: merge into %s: %w", out, copyErr)
	}
	if err := atomicfile.Commit(partial, out); err != nil {
		return fmt.Errorf("data: merge: %w", err)
	}
	return nil
}

func prod(xs []int) int {
	p := 1
	for _, x := range xs {
		p *= x
	}
	return p
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
