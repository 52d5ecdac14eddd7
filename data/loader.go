package data

import (
	"fmt"
	"iter"
	"math/rand/v2"
	"slices"
	"unsafe"

	"github.com/sciml-go/sciml/internal/hdf5"
	"github.com/sciml-go/sciml/tensor"
)

// LoaderConfig selects the samples, resolution and batching of a Loader.
type LoaderConfig struct {
	// Start and End select the samples [Start, End) (a train/test split is
	// two loaders over disjoint ranges). End 0 means Len().
	Start, End int
	// Resolution is the number of points per spatial axis of the batches;
	// 0 keeps the stored resolution.
	Resolution int
	// Method moves samples to Resolution: Stride (default) or Spectral.
	Method Method
	// BatchSize is the number of samples per batch. Default (0) 1.
	BatchSize int
	// Shuffle permutes the samples each epoch, deterministically from Seed
	// and the epoch number.
	Shuffle bool
	// Seed seeds the shuffling.
	Seed uint64
	// DropLast drops the last batch when it is short.
	DropLast bool
	// DType of the batch tensors: tensor.Float32 (default) or
	// tensor.Float64.
	DType tensor.DType
	// Prefetch is the number of batches read ahead on another goroutine
	// while the caller works on the current one. 0 reads synchronously.
	Prefetch int
	// Cache is the number of bytes of samples, as the batches hold them
	// (resampled and converted), that the loader keeps in memory after
	// reading them once, so that later epochs read the file no more: a
	// Darcy epoch at s = 85 otherwise decompresses and strides 1000
	// samples stored at 421² again. Samples past the budget are read from
	// the file every time. 0 keeps nothing.
	Cache int64
}

// Batch is a batch of samples: Input and Output are channel-first tensors
// [B, C, spatial...] (C = 1 for scalar fields, the number of time steps for
// trajectories), Index the sample indices in the file.
type Batch struct {
	Input, Output *tensor.Tensor
	Index         []int
}

// fieldPlan says how to turn the stored samples of one field into batch
// rows.
type fieldPlan struct {
	src   *source
	shape []int // per-sample target shape [C, s, …]
	size  int   // values per target sample
	lead  int   // C
	n, s  int   // stored and target points per axis
	rank  int
	step  int  // stride step (Stride)
	spec  bool // spectral resampling
}

// Loader reads batches of a sample range of a Dataset at a chosen
// resolution. It holds no data beyond the batches being read and the
// samples it caches (LoaderConfig.Cache). Run one
// iteration (Batches or Field) of a Loader at a time; make one Loader per
// goroutine.
type Loader struct {
	d     *Dataset
	cfg   LoaderConfig
	plans [2]*fieldPlan
	// scratch buffers of the stored type, per field
	scratch32 [2][]float32
	scratch64 [2][]float64
	spectral  [2]*spectralPlan
	// cached rows per field and sample (float32 or float64 slices, the
	// batch dtype), and the bytes they hold
	cache  [2]map[int]any
	cached int64
}

// Loader returns a loader over cfg's sample range. It fails when the range
// is outside the file, or the resolution is not reachable by the method
// (striding only coarsens by whole steps; spectral resampling needs
// periodic data).
func (d *Dataset) Loader(cfg LoaderConfig) (*Loader, error) {
	fail := func(format string, args ...any) (*Loader, error) {
		return nil, fmt.Errorf("data: loader for %s: %s", d.path, fmt.Sprintf(format, args...))
	}
	if cfg.End == 0 {
		cfg.End = d.n
	}
	if cfg.Start < 0 || cfg.End > d.n || cfg.Start > cfg.End {
		return fail("sample range [%d, %d) outside the file's [0, %d)", cfg.Start, cfg.End, d.n)
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 1
	}
	if cfg.BatchSize < 0 {
		return fail("batch size %d", cfg.BatchSize)
	}
	if cfg.DType == 0 {
		cfg.DType = tensor.Float32
	}
	if cfg.DType != tensor.Float32 && cfg.DType != tensor.Float64 {
		return fail("dtype %v (want float32 or float64)", cfg.DType)
	}
	if cfg.Resolution == 0 {
		cfg.Resolution = d.res
	}
	if cfg.Method != Stride && cfg.Method != Spectral {
		return fail("unknown method %v", cfg.Method)
	}
	l := &Loader{d: d, cfg: cfg}
	for k, f := range []Field{Input, Output} {
		src := d.src(f)
		p := &fieldPlan{src: src, n: d.res, s: cfg.Resolution, rank: d.rank, lead: src.shape[0]}
		p.shape = []int{p.lead}
		for range d.rank {
			p.shape = append(p.shape, p.s)
		}
		p.size = prod(p.shape)
		if p.s != p.n {
			switch cfg.Method {
			case Stride:
				step, err := strideStep(p.n, p.s, d.periodic)
				if err != nil {
					return fail("%v", err)
				}
				p.step = step
			case Spectral:
				if !d.periodic {
					return fail("spectral resampling needs periodic data, and %s is not periodic; use striding (reachable: %s)",
						d.describe(), d.strideChoices())
				}
				if p.s < 2 {
					return fail("resolution %d is too small for spectral resampling", p.s)
				}
				p.spec = true
				l.spectral[k] = newSpectralPlan(d.rank, p.n, p.s)
			}
		}
		l.plans[k] = p
	}
	return l, nil
}

// describe names the data for messages.
func (d *Dataset) describe() string {
	if d.spec != nil {
		return d.spec.PDE + " data"
	}
	return "this " + d.layout.String() + " file (declare it with SetPeriodic)"
}

func (d *Dataset) strideChoices() string {
	if d.periodic {
		return strideChoices(d.res, 0)
	}
	return strideChoices(d.res-1, 1)
}

// Len returns the number of samples of the loader's range.
func (l *Loader) Len() int { return l.cfg.End - l.cfg.Start }

// NumBatches returns the number of batches of an epoch.
func (l *Loader) NumBatches() int {
	n, b := l.Len(), l.cfg.BatchSize
	if l.cfg.DropLast {
		return n / b
	}
	return (n + b - 1) / b
}

// Shape returns the per-sample shape [C, spatial...] of the field's batch
// rows at the loader's resolution.
func (l *Loader) Shape(f Field) []int {
	return append([]int(nil), l.plans[f].shape...)
}

// Order returns the sample indices of an epoch in the order they are
// batched: the range in order, or, with Shuffle, a permutation drawn from
// a PCG seeded with (Seed, epoch), the same for the same seed and epoch
// on every machine.
func (l *Loader) Order(epoch int) []int {
	idx := make([]int, l.Len())
	for i := range idx {
		idx[i] = l.cfg.Start + i
	}
	if l.cfg.Shuffle {
		r := rand.New(rand.NewPCG(l.cfg.Seed, uint64(epoch)))
		r.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	}
	return idx
}

// Batches iterates over the batches of an epoch. Iteration stops at the
// first error, which is yielded with a zero Batch.
func (l *Loader) Batches(epoch int) iter.Seq2[Batch, error] {
	order := l.Order(epoch)
	nb := l.NumBatches()
	bs := l.cfg.BatchSize
	read := func(b int) (Batch, error) {
		idx := order[b*bs : min((b+1)*bs, len(order))]
		in, err := l.readField(Input, idx)
		if err != nil {
			return Batch{}, err
		}
		out, err := l.readField(Output, idx)
		if err != nil {
			return Batch{}, err
		}
		return Batch{Input: in, Output: out, Index: append([]int(nil), idx...)}, nil
	}
	return prefetch(nb, l.cfg.Prefetch, read)
}

// Field iterates over the batches of one field, in index order and
// without resampling anything else: what fitting a normalizer needs.
func (l *Loader) Field(f Field) iter.Seq2[*tensor.Tensor, error] {
	order := make([]int, l.Len())
	for i := range order {
		order[i] = l.cfg.Start + i
	}
	bs := l.cfg.BatchSize
	nb := (len(order) + bs - 1) / bs
	return prefetch(nb, l.cfg.Prefetch, func(b int) (*tensor.Tensor, error) {
		return l.readField(f, order[b*bs:min((b+1)*bs, len(order))])
	})
}

// prefetch yields read(0), …, read(n−1), reading up to ahead items in
// advance on another goroutine.
func prefetch[T any](n, ahead int, read func(int) (T, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		if ahead <= 0 {
			for b := 0; b < n; b++ {
				v, err := read(b)
				if !yield(v, err) || err != nil {
					return
				}
			}
			return
		}
		type item struct {
			v   T
			err error
		}
		ch := make(chan item, ahead)
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer close(ch)
			for b := 0; b < n; b++ {
				v, err := read(b)
				select {
				case ch <- item{v, err}:
				case <-stop:
					return
				}
				if err != nil {
					return
				}
			}
		}()
		defer func() {
			close(stop)
			<-done
		}()
		for it := range ch {
			if !yield(it.v, it.err) || it.err != nil {
				return
			}
		}
	}
}

// readField reads the samples idx of a field into a new batch tensor.
func (l *Loader) readField(f Field, idx []int) (*tensor.Tensor, error) {
	p := l.plans[f]
	shape := append([]int{len(idx)}, p.shape...)
	t := tensor.Empty(l.cfg.DType, shape)
	var err error
	switch l.cfg.DType {
	case tensor.Float32:
		err = fillBatch(l, f, p, t.Float32s(), idx)
	default:
		err = fillBatch(l, f, p, t.Float64s(), idx)
	}
	if err != nil {
		return nil, err
	}
	return t, nil
}

// fillBatch reads each sample of idx into its row of dst, from the
// loader's cache when it holds the sample, and keeps the rows it reads
// while the cache has room. When neither resampling nor conversion is
// needed, libhdf5 writes straight into the tensor's storage.
func fillBatch[T float32 | float64](l *Loader, f Field, p *fieldPlan, dst []T, idx []int) error {
	src := p.src
	n := src.size()
	direct := p.s == p.n && ((src.dtype == hdf5.Float32) == isFloat32[T]())
	for b, i := range idx {
		row := dst[b*p.size : (b+1)*p.size]
		if c, ok := l.cache[f][i]; ok {
			copy(row, c.([]T))
			continue
		}
		if err := fillRow(l, f, p, row, i, direct, n); err != nil {
			return err
		}
		if bytes := int64(len(row)) * int64(unsafe.Sizeof(row[0])); l.cached+bytes <= l.cfg.Cache {
			if l.cache[f] == nil {
				l.cache[f] = map[int]any{}
			}
			l.cache[f][i] = slices.Clone(row)
			l.cached += bytes
		}
	}
	return nil
}

// fillRow reads sample i of a field into row (resampled and converted).
func fillRow[T float32 | float64](l *Loader, f Field, p *fieldPlan, row []T, i int, direct bool, n int) error {
	src := p.src
	if direct {
		return l.d.readSample(src, i, any(row))
	}
	if src.dtype == hdf5.Float32 {
		if len(l.scratch32[f]) != n {
			l.scratch32[f] = make([]float32, n)
		}
		buf := l.scratch32[f]
		if err := l.d.readSample(src, i, buf); err != nil {
			return err
		}
		transform(l, f, p, row, buf)
		return nil
	}
	if len(l.scratch64[f]) != n {
		l.scratch64[f] = make([]float64, n)
	}
	buf := l.scratch64[f]
	if err := l.d.readSample(src, i, buf); err != nil {
		return err
	}
	transform(l, f, p, row, buf)
	return nil
}

func isFloat32[T float32 | float64]() bool {
	var z T
	_, is32 := any(z).(float32)
	return is32
}

// transform moves one stored sample to the target resolution and type.
func transform[D, S float32 | float64](l *Loader, f Field, p *fieldPlan, dst []D, src []S) {
	switch {
	case p.s == p.n:
		for i, v := range src {
			dst[i] = D(v)
		}
	case p.spec:
		resampleFields(l.spectral[f], dst, src, p.lead)
	default:
		strideGrid(dst, src, p.lead, p.rank, p.n, p.s, p.step)
	}
}
