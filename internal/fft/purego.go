//go:build purego

package fft

import (
	"sync"
	"sync/atomic"
	"unsafe"

	"gonum.org/v1/gonum/dsp/fourier"
)

// plan holds what one (kind, dtype, dims) needs; gonum's transforms are
// not safe for concurrent use, so each executing goroutine takes its own
// state from the pool.
type plan struct {
	k    kind
	f32  bool
	s    shape
	pool sync.Pool // *state
}

type planKey struct {
	k    kind
	f32  bool
	rank int
	dims [3]int
}

var (
	plans  atomic.Pointer[map[planKey]*plan]
	planMu sync.Mutex
)

// lookupPlan returns the cached plan for signals of shape s. The pure-Go
// transforms work signal by signal, so how is not part of the key.
func lookupPlan(k kind, f32 bool, s shape, how int) *plan {
	key := planKey{k: k, f32: f32, rank: s.rank, dims: s.dims}
	if m := plans.Load(); m != nil {
		if p, ok := (*m)[key]; ok {
			return p
		}
	}
	planMu.Lock()
	defer planMu.Unlock()
	old := plans.Load()
	if old != nil {
		if p, ok := (*old)[key]; ok {
			return p
		}
	}
	p := &plan{k: k, f32: f32, s: s}
	p.pool.New = func() any { return p.newState() }
	m := make(map[planKey]*plan)
	if old != nil {
		for k, v := range *old {
			m[k] = v
		}
	}
	m[key] = p
	plans.Store(&m)
	return p
}

// state is one goroutine's transforms and buffers for a plan.
type state struct {
	rfft *fourier.FFT         // real transform along the last axis (r2c, c2r), smooth lengths
	rc   *fourier.CmplxFFT    // complex transform for real rows of other lengths
	rowc []complex128         // one full complex row for rc
	cfft [3]*fourier.CmplxFFT // complex transform per axis (nil where unused)
	cdim [3]int               // shape of the complex work array
	work []complex128         // one signal, complex
	line []complex128         // gather buffer for strided axes
	rbuf []float64            // one real row
}

func (p *plan) newState() *state {
	s := p.s
	st := &state{cdim: s.dims}
	caxes := s.rank // axes transformed as complex
	size := s.n
	if p.k == r2c || p.k == c2r {
		if smooth(s.last()) {
			st.rfft = fourier.NewFFT(s.last())
		} else {
			st.rc = fourier.NewCmplxFFT(s.last())
			st.rowc = make([]complex128, s.last())
		}
		st.rbuf = make([]float64, s.last())
		st.cdim[s.rank-1] = s.last()/2 + 1
		caxes = s.rank - 1
		size = s.nh
	}
	maxd := 0
	for a := 0; a < caxes; a++ {
		st.cfft[a] = fourier.NewCmplxFFT(s.dims[a])
		maxd = max(maxd, s.dims[a])
	}
	st.work = make([]complex128, size)
	st.line = make([]complex128, maxd)
	return st
}

// smooth reports whether n has no prime factor above 5. gonum's real FFT
// (FFTPACK's rfftf/rfftb) loses accuracy on larger prime factors (relative
// errors up to 1e-10 at n = 8191), while its complex FFT stays accurate,
// so real rows of other lengths are transformed as complex rows.
func smooth(n int) bool {
	for _, p := range []int{2, 3, 5} {
		for n%p == 0 {
			n /= p
		}
	}
	return n == 1
}

// realForward writes the half spectrum of the real row x to dst.
func (st *state) realForward(dst []complex128, x []float64) {
	if st.rfft != nil {
		st.rfft.Coefficients(dst, x)
		return
	}
	for j, v := range x {
		st.rowc[j] = complex(v, 0)
	}
	st.rc.Coefficients(st.rowc, st.rowc)
	copy(dst, st.rowc)
}

// realInverse writes the unscaled real inverse of the half spectrum c to
// dst, ignoring the imaginary parts of the DC and Nyquist bins.
func (st *state) realInverse(dst []float64, c []complex128) {
	if st.rfft != nil {
		st.rfft.Sequence(dst, c)
		return
	}
	n := len(dst)
	st.rowc[0] = complex(real(c[0]), 0)
	for k := 1; k < len(c); k++ {
		st.rowc[k] = c[k]
		st.rowc[n-k] = complex(real(c[k]), -imag(c[k]))
	}
	if n%2 == 0 {
		st.rowc[n/2] = complex(real(c[n/2]), 0)
	}
	st.rc.Sequence(st.rowc, st.rowc)
	for j := range dst {
		dst[j] = real(st.rowc[j])
	}
}

// axis transforms st.work along axis a (in place).
func (st *state) axis(rank, a int, inverse bool) {
	n := st.cdim[a]
	if n == 1 {
		return
	}
	stride := 1
	for i := a + 1; i < rank; i++ {
		stride *= st.cdim[i]
	}
	outer := len(st.work) / (n * stride)
	t := st.cfft[a]
	line := st.line[:n]
	for o := 0; o < outer; o++ {
		for i := 0; i < stride; i++ {
			base := o*n*stride + i
			if stride == 1 {
				seg := st.work[base : base+n]
				if inverse {
					t.Sequence(seg, seg)
				} else {
					t.Coefficients(seg, seg)
				}
				continue
			}
			for j := range line {
				line[j] = st.work[base+j*stride]
			}
			if inverse {
				t.Sequence(line, line)
			} else {
				t.Coefficients(line, line)
			}
			for j, v := range line {
				st.work[base+j*stride] = v
			}
		}
	}
}

// execChunk executes chunk c of t on the calling goroutine.
func execChunk(t *task, c int) {
	p, in, out, how := t.chunkArgs(c)
	st := p.pool.Get().(*state)
	s := t.s
	for i := 0; i < how; i++ {
		pin := unsafe.Add(in, uintptr(i)*t.inSig)
		pout := unsafe.Add(out, uintptr(i)*t.outSig)
		switch t.k {
		case r2c:
			st.forwardReal(s, t.f32, pin, pout)
		case c2r:
			st.inverseReal(s, t.f32, pin, pout)
		default:
			st.complex(s, t.f32, pin, pout, t.k == c2cInv)
		}
	}
	p.pool.Put(st)
}

func (st *state) forwardReal(s shape, f32 bool, in, out unsafe.Pointer) {
	last, hl := s.last(), s.last()/2+1
	rows := s.n / last
	for r := 0; r < rows; r++ {
		var row []float64
		if f32 {
			src := unsafe.Slice((*float32)(in), s.n)[r*last : (r+1)*last]
			for j, v := range src {
				st.rbuf[j] = float64(v)
			}
			row = st.rbuf
		} else {
			row = unsafe.Slice((*float64)(in), s.n)[r*last : (r+1)*last]
		}
		st.realForward(st.work[r*hl:(r+1)*hl], row)
	}
	for a := 0; a < s.rank-1; a++ {
		st.axis(s.rank, a, false)
	}
	if f32 {
		dst := unsafe.Slice((*complex64)(out), s.nh)
		for j, v := range st.work {
			dst[j] = complex64(v)
		}
	} else {
		copy(unsafe.Slice((*complex128)(out), s.nh), st.work)
	}
}

func (st *state) inverseReal(s shape, f32 bool, in, out unsafe.Pointer) {
	last, hl := s.last(), s.last()/2+1
	if f32 {
		for j, v := range unsafe.Slice((*complex64)(in), s.nh) {
			st.work[j] = complex128(v)
		}
	} else {
		copy(st.work, unsafe.Slice((*complex128)(in), s.nh))
	}
	for a := 0; a < s.rank-1; a++ {
		st.axis(s.rank, a, true)
	}
	scale := 1 / float64(s.n)
	rows := s.n / last
	for r := 0; r < rows; r++ {
		st.realInverse(st.rbuf, st.work[r*hl:(r+1)*hl])
		if f32 {
			dst := unsafe.Slice((*float32)(out), s.n)[r*last : (r+1)*last]
			for j, v := range st.rbuf {
				dst[j] = float32(v * scale)
			}
		} else {
			dst := unsafe.Slice((*float64)(out), s.n)[r*last : (r+1)*last]
			for j, v := range st.rbuf {
				dst[j] = v * scale
			}
		}
	}
}

func (st *state) complex(s shape, f32 bool, in, out unsafe.Pointer, inverse bool) {
	if f32 {
		for j, v := range unsafe.Slice((*complex64)(in), s.n) {
			st.work[j] = complex128(v)
		}
	} else {
		copy(st.work, unsafe.Slice((*complex128)(in), s.n))
	}
	for a := 0; a < s.rank; a++ {
		st.axis(s.rank, a, inverse)
	}
	scale := 1.0
	if inverse {
		scale = 1 / float64(s.n)
	}
	if f32 {
		dst := unsafe.Slice((*complex64)(out), s.n)
		for j, v := range st.work {
			dst[j] = complex(float32(real(v)*scale), float32(imag(v)*scale))
		}
	} else {
		dst := unsafe.Slice((*complex128)(out), s.n)
		for j, v := range st.work {
			dst[j] = complex(real(v)*scale, imag(v)*scale)
		}
	}
}

// Backend names the FFT implementation linked in: FFTW's version and
// SIMD flavours in default builds, gonum's dsp/fourier with -tags purego.
func Backend() string { return "gonum dsp/fourier (purego)" }
