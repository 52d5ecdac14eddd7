package fft

import (
	"fmt"
	"math"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"unsafe"
)

// kind is the transform kind; it is part of every plan key.
type kind uint8

const (
	r2c    kind = iota // real -> half spectrum, forward
	c2r                // half spectrum -> real, inverse (scaled)
	c2cFwd             // complex forward, unscaled
	c2cInv             // complex inverse, scaled
)

func (k kind) String() string {
	switch k {
	case r2c:
		return "r2c"
	case c2r:
		return "c2r"
	case c2cFwd:
		return "c2c forward"
	default:
		return "c2c inverse"
	}
}

// shape describes one signal: rank 1..3, dims (unused trailing entries are 1),
// n = prod(dims) and nh = prod(dims[:rank-1])*(dims[rank-1]/2+1).
type shape struct {
	rank int
	dims [3]int
	n    int
	nh   int
}

// last returns the length of the trailing (contiguous) axis.
func (s shape) last() int { return s.dims[s.rank-1] }

// dimsString formats the dims like fmt formats a []int; it is used on
// panic paths and written so that it does not make s escape.
func (s shape) dimsString() string {
	b := []byte{'['}
	for i := 0; i < s.rank; i++ {
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendInt(b, int64(s.dims[i]), 10)
	}
	return string(append(b, ']'))
}

// maxSignal is the largest number of elements per signal: FFTW takes C ints.
const maxSignal = math.MaxInt32

// newShape validates dims and howmany. It panics (a programmer error) on
// a rank outside 1..3, a non-positive dimension, a negative howmany or a
// signal too large for FFTW's int sizes.
func newShape(fn string, dims []int, howmany int) shape {
	var s shape
	if len(dims) < 1 || len(dims) > 3 {
		panic(fmt.Sprintf("fft: %s: dims %v: rank %d, want 1, 2 or 3", fn, append([]int(nil), dims...), len(dims)))
	}
	if howmany < 0 {
		panic(fmt.Sprintf("fft: %s: howmany = %d, want >= 0", fn, howmany))
	}
	s.rank = len(dims)
	s.dims = [3]int{1, 1, 1}
	s.n = 1
	for i, d := range dims {
		if d < 1 {
			panic(fmt.Sprintf("fft: %s: dims %v: dimension %d is %d, want >= 1", fn, append([]int(nil), dims...), i, d))
		}
		if s.n > maxSignal/d {
			panic(fmt.Sprintf("fft: %s: dims %v: signal larger than %d elements", fn, append([]int(nil), dims...), maxSignal))
		}
		s.dims[i] = d
		s.n *= d
	}
	s.nh = s.n / s.last() * (s.last()/2 + 1)
	if howmany > 0 && s.n > math.MaxInt/16/howmany {
		panic(fmt.Sprintf("fft: %s: howmany %d * dims %v overflows int", fn, howmany, append([]int(nil), dims...)))
	}
	return s
}

// checkLen panics unless got == howmany*per.
func checkLen(fn, what string, got, howmany, per int, s shape, perName string) {
	if got != howmany*per {
		panic(fmt.Sprintf("fft: %s: len(%s) = %d, want howmany*%s = %d*%d = %d for dims %s",
			fn, what, got, perName, howmany, per, howmany*per, s.dimsString()))
	}
}

// RFFT32 computes the forward real-to-complex DFT of howmany float32
// signals of shape dims stored back to back in src, writing the half
// spectra (shape [n0,...,n_{d-2}, n_{d-1}/2+1] each) back to back in dst.
// The transform is unscaled. len(src) must be howmany*prod(dims) and
// len(dst) howmany*prod(dims[:d-1])*(dims[d-1]/2+1). src is not modified.
func RFFT32(dst []complex64, src []float32, dims []int, howmany int) {
	s := newShape("RFFT32", dims, howmany)
	checkLen("RFFT32", "src", len(src), howmany, s.n, s, "prod(dims)")
	checkLen("RFFT32", "dst", len(dst), howmany, s.nh, s, "halfspectrum")
	if howmany == 0 {
		return
	}
	run(r2c, true, s, howmany, unsafe.Pointer(unsafe.SliceData(src)), unsafe.Pointer(unsafe.SliceData(dst)))
}

// RFFT64 is RFFT32 in float64.
func RFFT64(dst []complex128, src []float64, dims []int, howmany int) {
	s := newShape("RFFT64", dims, howmany)
	checkLen("RFFT64", "src", len(src), howmany, s.n, s, "prod(dims)")
	checkLen("RFFT64", "dst", len(dst), howmany, s.nh, s, "halfspectrum")
	if howmany == 0 {
		return
	}
	run(r2c, false, s, howmany, unsafe.Pointer(unsafe.SliceData(src)), unsafe.Pointer(unsafe.SliceData(dst)))
}

// IRFFT32 computes the inverse of RFFT32: it reads howmany half spectra
// from src and writes howmany real float32 signals of shape dims to dst,
// scaled by 1/prod(dims), so IRFFT32(RFFT32(x)) == x up to rounding.
// src is not modified. The input is taken to be the half of a Hermitian
// spectrum: as in numpy.fft.irfftn, the imaginary parts that Hermitian
// symmetry forces to zero are ignored.
func IRFFT32(dst []float32, src []complex64, dims []int, howmany int) {
	s := newShape("IRFFT32", dims, howmany)
	checkLen("IRFFT32", "src", len(src), howmany, s.nh, s, "halfspectrum")
	checkLen("IRFFT32", "dst", len(dst), howmany, s.n, s, "prod(dims)")
	if howmany == 0 {
		return
	}
	run(c2r, true, s, howmany, unsafe.Pointer(unsafe.SliceData(src)), unsafe.Pointer(unsafe.SliceData(dst)))
}

// IRFFT64 is IRFFT32 in float64.
func IRFFT64(dst []float64, src []complex128, dims []int, howmany int) {
	s := newShape("IRFFT64", dims, howmany)
	checkLen("IRFFT64", "src", len(src), howmany, s.nh, s, "halfspectrum")
	checkLen("IRFFT64", "dst", len(dst), howmany, s.n, s, "prod(dims)")
	if howmany == 0 {
		return
	}
	run(c2r, false, s, howmany, unsafe.Pointer(unsafe.SliceData(src)), unsafe.Pointer(unsafe.SliceData(dst)))
}

// FFT32 computes the complex DFT of howmany complex64 signals of shape
// dims stored back to back in src, writing them to dst. The forward
// transform (inverse false) is unscaled; the inverse is scaled by
// 1/prod(dims). len(dst) and len(src) must both be howmany*prod(dims).
// dst and src may be the same slice (in place); any other overlap panics.
// src is not modified unless it is dst.
func FFT32(dst, src []complex64, dims []int, howmany int, inverse bool) {
	s := newShape("FFT32", dims, howmany)
	checkLen("FFT32", "src", len(src), howmany, s.n, s, "prod(dims)")
	checkLen("FFT32", "dst", len(dst), howmany, s.n, s, "prod(dims)")
	if howmany == 0 {
		return
	}
	in, out := unsafe.Pointer(unsafe.SliceData(src)), unsafe.Pointer(unsafe.SliceData(dst))
	checkOverlap("FFT32", in, out, uintptr(len(src))*8)
	k := c2cFwd
	if inverse {
		k = c2cInv
	}
	run(k, true, s, howmany, in, out)
}

// FFT64 is FFT32 in complex128.
func FFT64(dst, src []complex128, dims []int, howmany int, inverse bool) {
	s := newShape("FFT64", dims, howmany)
	checkLen("FFT64", "src", len(src), howmany, s.n, s, "prod(dims)")
	checkLen("FFT64", "dst", len(dst), howmany, s.n, s, "prod(dims)")
	if howmany == 0 {
		return
	}
	in, out := unsafe.Pointer(unsafe.SliceData(src)), unsafe.Pointer(unsafe.SliceData(dst))
	checkOverlap("FFT64", in, out, uintptr(len(src))*16)
	k := c2cFwd
	if inverse {
		k = c2cInv
	}
	run(k, false, s, howmany, in, out)
}

// checkOverlap panics when [in, in+n) and [out, out+n) overlap without
// being identical.
func checkOverlap(fn string, in, out unsafe.Pointer, n uintptr) {
	a, b := uintptr(in), uintptr(out)
	if a != b && a < b+n && b < a+n {
		panic(fmt.Sprintf("fft: %s: dst and src overlap partially (offset %d bytes, length %d bytes)", fn, int64(b)-int64(a), n))
	}
}

// chunkElems is the target number of signal elements per chunk. Batches
// are cut into chunks of chunkSignals signals; the cut depends only on the
// signal shape and howmany (never on GOMAXPROCS), which keeps results
// bitwise identical however many goroutines execute the chunks.
const chunkElems = 1 << 16

// chunkSignals returns the number of signals per chunk for signals of n
// elements: a multiple of 4 when it is at least 4, so that chunk offsets
// keep the 16-byte alignment of the batch for every element type.
func chunkSignals(n int) int {
	c := chunkElems / n
	if c >= 4 {
		return c &^ 3
	}
	return max(c, 1)
}

// task is one batched transform, cut into chunks that the calling
// goroutine and up to GOMAXPROCS-1 helper goroutines claim in turn.
// Tasks are pooled, so steady-state calls allocate nothing.
type task struct {
	k       kind
	f32     bool
	s       shape
	in, out unsafe.Pointer
	inSig   uintptr // bytes per input signal
	outSig  uintptr // bytes per output signal
	chunk   int     // signals per full chunk
	nChunks int
	tailHow int   // signals in the last chunk (== chunk when it is full)
	full    *plan // plan for chunk signals
	tail    *plan // plan for tailHow signals

	next atomic.Int64 // next chunk to claim
	wg   sync.WaitGroup
	refs atomic.Int32 // caller + helpers holding the task
}

var taskPool = sync.Pool{New: func() any { return new(task) }}

// elemBytes returns the bytes per element of the input and output arrays.
func elemBytes(k kind, f32 bool) (in, out uintptr) {
	r, c := uintptr(8), uintptr(16)
	if f32 {
		r, c = 4, 8
	}
	switch k {
	case r2c:
		return r, c
	case c2r:
		return c, r
	default:
		return c, c
	}
}

// run executes kind k over howmany signals of shape s.
func run(k kind, f32 bool, s shape, howmany int, in, out unsafe.Pointer) {
	t := taskPool.Get().(*task)
	t.k, t.f32, t.s, t.in, t.out = k, f32, s, in, out
	ie, oe := elemBytes(k, f32)
	switch k {
	case r2c:
		t.inSig, t.outSig = ie*uintptr(s.n), oe*uintptr(s.nh)
	case c2r:
		t.inSig, t.outSig = ie*uintptr(s.nh), oe*uintptr(s.n)
	default:
		t.inSig, t.outSig = ie*uintptr(s.n), oe*uintptr(s.n)
	}
	t.chunk = min(chunkSignals(s.n), howmany)
	t.nChunks = (howmany + t.chunk - 1) / t.chunk
	t.tailHow = howmany - (t.nChunks-1)*t.chunk
	t.full = lookupPlan(k, f32, s, t.chunk)
	t.tail = t.full
	if t.tailHow != t.chunk {
		t.tail = lookupPlan(k, f32, s, t.tailHow)
	}
	t.refs.Store(1)
	if t.nChunks == 1 {
		execChunk(t, 0)
		t.release()
		return
	}
	t.next.Store(0)
	t.wg.Add(t.nChunks)
	if extra := min(runtime.GOMAXPROCS(0), t.nChunks) - 1; extra > 0 {
		ensureHelpers(extra)
		for range extra {
			t.refs.Add(1)
			sent := false
			select {
			case helperCh <- t:
				sent = true
			default: // every helper is busy and the queue is full
			}
			if !sent {
				t.refs.Add(-1)
				break
			}
		}
	}
	t.work()
	t.wg.Wait()
	t.release()
}

// work claims and executes chunks until none is left.
func (t *task) work() {
	for {
		c := int(t.next.Add(1) - 1)
		if c >= t.nChunks {
			return
		}
		execChunk(t, c)
		t.wg.Done()
	}
}

// release drops one reference; the last one returns t to the pool.
func (t *task) release() {
	if t.refs.Add(-1) == 0 {
		t.in, t.out, t.full, t.tail = nil, nil, nil, nil
		taskPool.Put(t)
	}
}

// chunkArgs returns the plan, pointers and signal count of chunk c.
func (t *task) chunkArgs(c int) (p *plan, in, out unsafe.Pointer, how int) {
	p, how = t.full, t.chunk
	if c == t.nChunks-1 {
		p, how = t.tail, t.tailHow
	}
	off := uintptr(c) * uintptr(t.chunk)
	return p, unsafe.Add(t.in, off*t.inSig), unsafe.Add(t.out, off*t.outSig), how
}

// Helper goroutines: started on demand (at most GOMAXPROCS-1 ever seen),
// they sleep on helperCh and never exit. A task handed to a busy pool may
// be picked up after it is finished; the helper then finds no chunk left
// and only drops its reference.
var (
	helperCh = make(chan *task, 64)
	helperMu sync.Mutex
	helperN  atomic.Int32
)

func ensureHelpers(n int) {
	if int(helperN.Load()) >= n {
		return
	}
	helperMu.Lock()
	for int(helperN.Load()) < n {
		helperN.Add(1)
		go helper()
	}
	helperMu.Unlock()
}

func helper() {
	for t := range helperCh {
		t.work()
		t.release()
	}
}
