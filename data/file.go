package data

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sciml-go/sciml/internal/hdf5"
)

// Format is the value of the "format" root attribute of the files this
// package writes; SchemaVersion is the "schema_version" attribute.
const (
	Format        = "sciml-dataset"
	SchemaVersion = 1
)

// Names of the datasets and of the attributes that describe a file's
// progress and place among shards.
const (
	InputName    = "input"
	OutputName   = "output"
	GridGroup    = "grid"
	ProgressName = "progress"

	attrFormat      = "format"
	attrSchema      = "schema_version"
	attrSpec        = "spec"
	attrDone        = "samples_done"
	attrPending     = "pending"
	attrCount       = "samples"
	attrStart       = "sample_start"
	attrStep        = "sample_step"
	attrShard       = "shard"
	attrShardMode   = "shard_mode"
	attrVersion     = "sciml_version"
	attrCreated     = "created"
	attrCommandLine = "command_line"
	attrCacheKey    = "cache_key"
)

// descriptions of the stored fields per PDE: input, output, and the axes of
// each (without the leading sample axis).
func fieldInfo(spec GenerateSpec) (inDesc, outDesc, inAxes, outAxes string) {
	switch spec.PDE {
	case Burgers:
		if spec.Burgers.RecordEvery > 0 {
			return "u0: initial condition", "u(t, x) at the times grid/t", "x", "t,x"
		}
		return "u0: initial condition", "u(T, x) at the final time", "x", "x"
	case Darcy:
		return "a: diffusion coefficient", "u: solution", "x,y", "x,y"
	case NavierStokes:
		return "w0: initial vorticity", "w(t, x, y): vorticity at the times grid/t", "x,y", "t,x,y"
	}
	return "", "", "", ""
}

// maxPending bounds the samples a run keeps beyond the complete prefix
// (the capacity of the progress dataset).
const maxPending = 1024

// The progress dataset is int64 (2 + maxPending): [samples_done,
// number of pending samples, pending local indices…]. Generate updates it
// in place (its storage is allocated when the file is created), so that
// recording progress never moves HDF5 metadata: a run killed between two
// flushes leaves the file as of the last flush.

// header is what a sciml file says about itself.
type header struct {
	spec        GenerateSpec
	count       int   // samples this file holds when complete
	start, step int   // global index of local sample j: start + j·step
	done        int   // complete prefix
	pending     []int // local indices beyond the prefix that are complete too
	shard       string
	shardMode   string
	version     string
	created     string
	commandLine string
}

// complete reports whether every sample of the file is present.
func (h *header) complete() bool { return h.done == h.count }

// global returns the global index of local sample j.
func (h *header) global(j int) int { return h.start + j*h.step }

// Shard selects the part of a dataset one generator run writes.
type Shard struct {
	// Index in [0, Count).
	Index int
	// Count of shards; 0 or 1 means the whole dataset.
	Count int
	// Contiguous writes the index range [Index·N/Count, (Index+1)·N/Count)
	// instead of the samples Index, Index+Count, Index+2·Count, ….
	Contiguous bool
}

// String returns "i/n".
func (s Shard) String() string {
	if s.Count <= 1 {
		return "0/1"
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// mode returns "strided" or "contiguous".
func (s Shard) mode() string {
	if s.Contiguous {
		return "contiguous"
	}
	return "strided"
}

// validate checks the shard.
func (s Shard) validate() error {
	if s.Count < 0 || s.Index < 0 || (s.Count > 1 && s.Index >= s.Count) || (s.Count <= 1 && s.Index != 0) {
		return fmt.Errorf("data: invalid shard %d/%d (want 0 ≤ index < count)", s.Index, s.Count)
	}
	return nil
}

// Samples returns the global sample indices of the shard of a dataset of n
// samples as start, step and count: start + j·step for j < count.
func (s Shard) Samples(n int) (start, step, count int) {
	if s.Count <= 1 {
		return 0, 1, n
	}
	if s.Contiguous {
		lo := s.Index * n / s.Count
		hi := (s.Index + 1) * n / s.Count
		return lo, 1, hi - lo
	}
	if s.Index >= n {
		return s.Index, s.Count, 0
	}
	return s.Index, s.Count, (n - s.Index + s.Count - 1) / s.Count
}

// ParseShard parses "i/n" (shard i of n, 0-based).
func ParseShard(text string) (Shard, error) {
	a, b, ok := strings.Cut(text, "/")
	if !ok {
		return Shard{}, fmt.Errorf("data: shard %q: want i/n, e.g. 0/4", text)
	}
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("data: shard %q: want i/n with 0 ≤ i < n", text)
	}
	return Shard{Index: i, Count: n}, nil
}

// ShardIndexFromEnv returns the shard index of an array job: the Slurm
// array task (SLURM_ARRAY_TASK_ID minus SLURM_ARRAY_TASK_MIN, so 1-based
// arrays work too) or the Kubernetes Indexed Job completion index
// (JOB_COMPLETION_INDEX). ok is false when neither is set.
func ShardIndexFromEnv(getenv func(string) string) (index int, source string, ok bool, err error) {
	if v := getenv("SLURM_ARRAY_TASK_ID"); v != "" {
		id, err := strconv.Atoi(v)
		if err != nil {
			return 0, "", false, fmt.Errorf("data: SLURM_ARRAY_TASK_ID=%q is not an integer", v)
		}
		base := 0
		if m := getenv("SLURM_ARRAY_TASK_MIN"); m != "" {
			if base, err = strconv.Atoi(m); err != nil {
				return 0, "", false, fmt.Errorf("data: SLURM_ARRAY_TASK_MIN=%q is not an integer", m)
			}
		}
		return id - base, "SLURM_ARRAY_TASK_ID", true, nil
	}
	if v := getenv("JOB_COMPLETION_INDEX"); v != "" {
		id, err := strconv.Atoi(v)
		if err != nil {
			return 0, "", false, fmt.Errorf("data: JOB_COMPLETION_INDEX=%q is not an integer", v)
		}
		return id, "JOB_COMPLETION_INDEX", true, nil
	}
	return 0, "", false, nil
}

// ShardPath replaces "{shard}" in path by the shard index, zero-padded to
// the width of Count−1 (so the files sort in order).
func ShardPath(path string, s Shard) string {
	if !strings.Contains(path, "{shard}") {
		return path
	}
	width := len(strconv.Itoa(max(s.Count-1, 0)))
	return strings.ReplaceAll(path, "{shard}", fmt.Sprintf("%0*d", width, s.Index))
}

// moduleVersion is the sciml version compiled in, for the sciml_version
// attribute when Options.Version is empty.
func moduleVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Path == "github.com/sciml-go/sciml" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			return bi.Main.Version
		}
		for _, d := range bi.Deps {
			if d.Path == "github.com/sciml-go/sciml" {
				return d.Version
			}
		}
	}
	return "devel"
}

// h5DType maps a spec dtype to the HDF5 type.
func h5DType(dtype string) hdf5.DType {
	if dtype == Float64 {
		return hdf5.Float64
	}
	return hdf5.Float32
}

// fileMeta is what createFile writes besides the spec.
type fileMeta struct {
	shard       Shard
	version     string
	commandLine string
	extra       [][2]any // more root attributes (merge provenance)
}

// createFile creates a sciml file at path with empty extendible input and
// output datasets, the grid and every attribute. The caller closes it.
func createFile(path string, pr *problem, m fileMeta) (*hdf5.File, error) {
	spec := pr.spec
	f, err := hdf5.Create(path)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*hdf5.File, error) {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	start, step, count := m.shard.Samples(spec.N)
	dt := h5DType(spec.DType)
	inDesc, outDesc, inAxes, outAxes := fieldInfo(spec)
	for _, d := range []struct {
		name, desc, axes string
		shape            []int
	}{{InputName, inDesc, inAxes, pr.inShape}, {OutputName, outDesc, outAxes, pr.outShape}} {
		dims := append([]int{0}, d.shape...)
		maxDims := append([]int{hdf5.Unlimited}, d.shape...)
		chunk := append([]int{1}, d.shape...)
		ds, err := f.CreateDataset(d.name, dt, dims, &hdf5.DatasetOptions{
			MaxDims: maxDims, Chunk: chunk, Shuffle: spec.Shuffle && spec.Deflate > 0, Deflate: spec.Deflate,
		})
		if err != nil {
			return fail(err)
		}
		if err := ds.SetAttr("description", d.desc); err != nil {
			return fail(err)
		}
		if err := ds.SetAttr("axes", "sample,"+d.axes); err != nil {
			return fail(err)
		}
	}
	for _, axis := range []string{"x", "y", "t"} {
		v, ok := pr.grid[axis]
		if !ok {
			continue
		}
		ds, err := f.CreateDataset(GridGroup+"/"+axis, hdf5.Float64, []int{len(v)}, nil)
		if err != nil {
			return fail(err)
		}
		if err := ds.Write(v); err != nil {
			return fail(err)
		}
	}
	prog, err := f.CreateDataset(ProgressName, hdf5.Int64, []int{2 + maxPending}, nil)
	if err != nil {
		return fail(err)
	}
	if err := prog.Write(make([]int64, 2+maxPending)); err != nil {
		return fail(err)
	}
	if err := prog.SetAttr("description", "[samples_done, pending count, pending local indices…]: progress of the run that writes the file"); err != nil {
		return fail(err)
	}
	version := m.version
	if version == "" {
		version = moduleVersion()
	}
	cl := m.commandLine
	if cl == "" {
		cl = "data.Generate (Go API)"
	}
	shuffle := 0
	if spec.Shuffle {
		shuffle = 1
	}
	attrs := [][2]any{
		{attrFormat, Format},
		{attrSchema, SchemaVersion},
		{"pde", spec.PDE},
		{"n", spec.N},
		{"resolution", spec.Resolution},
		{"seed", spec.Seed},
		{"dtype", spec.DType},
		{"deflate", spec.Deflate},
		{"shuffle", shuffle},
		{"solver", pr.solver},
		{attrSpec, spec.canonicalJSON()},
		{attrCacheKey, spec.CacheKey()},
		{attrVersion, version},
		{attrCreated, time.Now().UTC().Format(time.RFC3339)},
		{attrCommandLine, cl},
		{attrShard, m.shard.String()},
		{attrShardMode, m.shard.mode()},
		{attrStart, start},
		{attrStep, step},
		{attrCount, count},
		{attrDone, 0},
		{attrPending, []int64{}},
	}
	attrs = append(attrs, spec.paramAttrs()...)
	attrs = append(attrs, m.extra...)
	for _, a := range attrs {
		if err := f.SetAttr(a[0].(string), a[1]); err != nil {
			return fail(err)
		}
	}
	// Everything but the samples is on disk before the first sample is.
	if err := f.Flush(); err != nil {
		return fail(err)
	}
	return f, nil
}

// readHeader reads and checks the attributes and progress of a sciml file.
func readHeader(f *hdf5.File) (*header, error) {
	attrs := map[string]any{}
	names, err := f.AttrNames()
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		v, err := f.Attr(n)
		if err != nil {
			continue // attributes of types we do not read are not ours
		}
		attrs[n] = v
	}
	h, err := parseHeader(attrs)
	if err != nil {
		return nil, err
	}
	if err := readProgress(f, h); err != nil {
		return nil, err
	}
	return h, nil
}

// readProgress takes the progress of a file from its progress dataset,
// which is more recent than the attributes after a run was killed.
func readProgress(f *hdf5.File, h *header) error {
	ok, err := f.Exists(ProgressName)
	if err != nil || !ok {
		return err
	}
	ds, err := f.OpenDataset(ProgressName)
	if err != nil {
		return err
	}
	defer ds.Close()
	dims, err := ds.Dims()
	if err != nil {
		return err
	}
	if ds.DType() != hdf5.Int64 || len(dims) != 1 || dims[0] < 2 || dims[0] > 2+maxPending {
		return fmt.Errorf("dataset %q is %v %v, want int64 (%d)", ProgressName, ds.DType(), dims, 2+maxPending)
	}
	v := make([]int64, dims[0])
	if err := ds.Read(v); err != nil {
		return err
	}
	return h.setProgress(v[0], v[2:2+min(max(v[1], 0), int64(len(v)-2))], ProgressName)
}

// setProgress checks and sets the complete prefix and the pending samples.
func (h *header) setProgress(done int64, pending []int64, source string) error {
	if done < 0 || done > int64(h.count) {
		return fmt.Errorf("%s: %d samples done, outside [0, %d]", source, done, h.count)
	}
	h.done = int(done)
	h.pending = nil
	for _, j := range pending {
		if j <= done || j >= int64(h.count) {
			return fmt.Errorf("%s: pending sample %d outside (%d, %d)", source, j, done, h.count)
		}
		h.pending = append(h.pending, int(j))
	}
	sort.Ints(h.pending)
	h.pending = slices.Compact(h.pending)
	return nil
}

// parseHeader interprets the root attributes of a sciml file. It is the
// reader's header handling, separate from HDF5 so that it can be fuzzed.
func parseHeader(attrs map[string]any) (*header, error) {
	str := func(name string) (string, error) {
		v, ok := attrs[name]
		if !ok {
			return "", fmt.Errorf("missing attribute %q", name)
		}
		s, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("attribute %q is %T, want a string", name, v)
		}
		return s, nil
	}
	integer := func(name string) (int, error) {
		v, ok := attrs[name]
		if !ok {
			return 0, fmt.Errorf("missing attribute %q", name)
		}
		i, ok := v.(int64)
		if !ok {
			return 0, fmt.Errorf("attribute %q is %T, want an integer", name, v)
		}
		if i < 0 || i > 1<<40 {
			return 0, fmt.Errorf("attribute %q = %d is out of range", name, i)
		}
		return int(i), nil
	}
	format, err := str(attrFormat)
	if err != nil {
		return nil, err
	}
	if format != Format {
		return nil, fmt.Errorf("attribute %q is %q, want %q", attrFormat, format, Format)
	}
	schema, err := integer(attrSchema)
	if err != nil {
		return nil, err
	}
	if schema != SchemaVersion {
		return nil, fmt.Errorf("schema version %d is not supported (this build reads %d)", schema, SchemaVersion)
	}
	text, err := str(attrSpec)
	if err != nil {
		return nil, err
	}
	spec, err := parseSpecJSON(text)
	if err != nil {
		return nil, err
	}
	h := &header{spec: spec}
	for _, p := range []struct {
		name string
		dst  *int
	}{{attrCount, &h.count}, {attrStart, &h.start}, {attrStep, &h.step}} {
		if *p.dst, err = integer(p.name); err != nil {
			return nil, err
		}
	}
	if h.step < 1 {
		return nil, fmt.Errorf("attribute %q = %d, want ≥ 1", attrStep, h.step)
	}
	if h.count > 0 && h.start+(h.count-1)*h.step >= spec.N {
		return nil, fmt.Errorf("samples %d + j·%d, j < %d, exceed the dataset's %d samples", h.start, h.step, h.count, spec.N)
	}
	done, err := integer(attrDone)
	if err != nil {
		return nil, err
	}
	var pending []int64
	if v, ok := attrs[attrPending]; ok {
		if pending, ok = v.([]int64); !ok {
			return nil, fmt.Errorf("attribute %q is %T, want integers", attrPending, v)
		}
	}
	if err := h.setProgress(int64(done), pending, "attributes"); err != nil {
		return nil, err
	}
	h.shard, _ = str(attrShard)
	h.shardMode, _ = str(attrShardMode)
	h.version, _ = str(attrVersion)
	h.created, _ = str(attrCreated)
	h.commandLine, _ = str(attrCommandLine)
	return h, nil
}

// isSciml reports whether the file carries the sciml format attribute.
func isSciml(f *hdf5.File) bool {
	v, err := f.Attr(attrFormat)
	return err == nil && v == Format
}

// errIsNotExist reports whether err says a file is missing.
func errIsNotExist(err error) bool { return errors.Is(err, os.ErrNotExist) }
