//go:build !purego

package fft

/*
#cgo pkg-config: fftw3 fftw3f
#cgo CFLAGS: -O3
#include <fftw3.h>
#include <stdint.h>
#include <string.h>

enum { K_R2C, K_C2R, K_FWD, K_INV };

// sciml_plan creates an FFTW_ESTIMATE plan for howmany contiguous signals
// of shape n (unused trailing entries are 1), out of place, on arrays from
// fftw_malloc (so the plan expects fftw_alignment_of == 0). It returns
// NULL when FFTW cannot plan. The caller holds the planner lock.
static void *sciml_plan(int kind, int f32, int rank, int n0, int n1, int n2, int howmany) {
	int n[3] = {n0, n1, n2};
	size_t N = (size_t)n0 * (size_t)n1 * (size_t)n2;
	int last = n[rank - 1];
	size_t NH = N / (size_t)last * (size_t)(last / 2 + 1);
	size_t es = f32 ? sizeof(float) : sizeof(double);
	size_t inReals, outReals;
	int idist, odist;
	switch (kind) {
	case K_R2C:
		inReals = N; outReals = 2 * NH; idist = (int)N; odist = (int)NH;
		break;
	case K_C2R:
		inReals = 2 * NH; outReals = N; idist = (int)NH; odist = (int)N;
		break;
	default:
		inReals = outReals = 2 * N; idist = odist = (int)N;
	}
	void *in = fftw_malloc(inReals * es * (size_t)howmany);
	void *out = fftw_malloc(outReals * es * (size_t)howmany);
	void *p = NULL;
	if (in != NULL && out != NULL) {
		unsigned fl = FFTW_ESTIMATE;
		int sign = kind == K_FWD ? FFTW_FORWARD : FFTW_BACKWARD;
		if (f32) {
			switch (kind) {
			case K_R2C:
				p = fftwf_plan_many_dft_r2c(rank, n, howmany, in, NULL, 1, idist, out, NULL, 1, odist, fl);
				break;
			case K_C2R: // the input is always our scratch copy: let FFTW destroy it
				p = fftwf_plan_many_dft_c2r(rank, n, howmany, in, NULL, 1, idist, out, NULL, 1, odist, fl | FFTW_DESTROY_INPUT);
				break;
			default:
				p = fftwf_plan_many_dft(rank, n, howmany, in, NULL, 1, idist, out, NULL, 1, odist, sign, fl);
			}
		} else {
			switch (kind) {
			case K_R2C:
				p = fftw_plan_many_dft_r2c(rank, n, howmany, in, NULL, 1, idist, out, NULL, 1, odist, fl);
				break;
			case K_C2R:
				p = fftw_plan_many_dft_c2r(rank, n, howmany, in, NULL, 1, idist, out, NULL, 1, odist, fl | FFTW_DESTROY_INPUT);
				break;
			default:
				p = fftw_plan_many_dft(rank, n, howmany, in, NULL, 1, idist, out, NULL, 1, odist, sign, fl);
			}
		}
	}
	fftw_free(in);
	fftw_free(out);
	return p;
}

static void sciml_scopy(void *dst, const void *src, size_t bytes, int f32, double scale) {
	if (f32) {
		float *d = dst;
		const float *s = src;
		float c = (float)scale;
		size_t n = bytes / sizeof(float);
		for (size_t i = 0; i < n; i++) d[i] = s[i] * c;
	} else {
		double *d = dst;
		const double *s = src;
		size_t n = bytes / sizeof(double);
		for (size_t i = 0; i < n; i++) d[i] = s[i] * scale;
	}
}

// sciml_exec runs one chunk with the new-array execute functions (thread
// safe). When sin is set the input is first copied there (scaled when
// scaleIn); when sout is set FFTW writes there and the result is copied
// to out. scaleOut scales the output.
static void sciml_exec(void *p, int kind, int f32, void *in, void *out, void *sin, void *sout,
		size_t inBytes, size_t outBytes, int scaleIn, int scaleOut, double scale) {
	void *src = in, *dst = out;
	if (sin != NULL) {
		if (scaleIn) sciml_scopy(sin, in, inBytes, f32, scale);
		else memcpy(sin, in, inBytes);
		src = sin;
	}
	if (sout != NULL) dst = sout;
	if (f32) {
		switch (kind) {
		case K_R2C: fftwf_execute_dft_r2c(p, src, dst); break;
		case K_C2R: fftwf_execute_dft_c2r(p, src, dst); break;
		default: fftwf_execute_dft(p, src, dst);
		}
	} else {
		switch (kind) {
		case K_R2C: fftw_execute_dft_r2c(p, src, dst); break;
		case K_C2R: fftw_execute_dft_c2r(p, src, dst); break;
		default: fftw_execute_dft(p, src, dst);
		}
	}
	if (sout != NULL) {
		if (scaleOut) sciml_scopy(out, sout, outBytes, f32, scale);
		else memcpy(out, sout, outBytes);
	} else if (scaleOut) {
		sciml_scopy(out, out, outBytes, f32, scale);
	}
}

// sciml_align_unit returns the byte period of fftw(f)_alignment_of:
// FFTW's SIMD alignment (16 on x86), or 1 when FFTW has no alignment rule.
static int sciml_align_unit(void) {
	char *b = fftw_malloc(512);
	int unit = 1;
	if (b == NULL) return 256;
	for (int k = 1; k <= 256; k++) {
		if (fftw_alignment_of((double *)(b + k)) != 0 || fftwf_alignment_of((float *)(b + k)) != 0) {
			continue;
		}
		unit = k;
		break;
	}
	if (fftw_alignment_of((double *)b) != 0 || fftwf_alignment_of((float *)b) != 0) unit = -1;
	fftw_free(b);
	return unit;
}

static const char *sciml_version(void) { return fftw_version; }
static const char *sciml_versionf(void) { return fftwf_version; }
*/
import "C"

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// alignUnit is the period of FFTW's alignment rule: plans are made on
// arrays with fftw_alignment_of == 0 and may only be executed on such
// arrays, so chunks at other addresses go through aligned scratch.
var alignUnit = func() uintptr {
	u := int(C.sciml_align_unit())
	if u < 1 {
		panic("fft: fftw_malloc returned memory that FFTW calls unaligned")
	}
	return uintptr(u)
}()

// plan is an FFTW plan for one (kind, dtype, dims, howmany). Plans are
// never destroyed: they are cached for the life of the process.
type plan struct {
	p unsafe.Pointer // fftw_plan or fftwf_plan
}

type planKey struct {
	k    kind
	f32  bool
	rank int
	dims [3]int
	how  int
}

var (
	// plans is a copy-on-write map: lookups are lock free.
	plans atomic.Pointer[map[planKey]*plan]
	// planMu serialises FFTW's planner, which is not thread safe.
	planMu sync.Mutex
)

// lookupPlan returns the cached plan for how signals of shape s, creating
// it (under planMu) on first use.
func lookupPlan(k kind, f32 bool, s shape, how int) *plan {
	key := planKey{k: k, f32: f32, rank: s.rank, dims: s.dims, how: how}
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
	p := C.sciml_plan(C.int(k), cbool(f32), C.int(s.rank), C.int(s.dims[0]), C.int(s.dims[1]), C.int(s.dims[2]), C.int(how))
	if p == nil {
		panic(fmt.Sprintf("fft: FFTW could not plan %s (float32=%v) for dims %s, howmany %d", k, f32, s.dimsString(), how))
	}
	m := make(map[planKey]*plan, 1+lenMap(old))
	if old != nil {
		for k, v := range *old {
			m[k] = v
		}
	}
	pl := &plan{p: p}
	m[key] = pl
	plans.Store(&m)
	return pl
}

func lenMap(m *map[planKey]*plan) int {
	if m == nil {
		return 0
	}
	return len(*m)
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

// scratch holds a worker's aligned copy buffers.
type scratch struct{ a, b alignedBuf }

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

type alignedBuf struct{ mem []complex128 }

// get returns an alignUnit-aligned pointer to at least n bytes.
func (b *alignedBuf) get(n uintptr) unsafe.Pointer {
	need := int((n + alignUnit + 15) / 16)
	if len(b.mem) < need {
		b.mem = make([]complex128, need+need/4)
	}
	p := unsafe.Pointer(unsafe.SliceData(b.mem))
	if r := uintptr(p) % alignUnit; r != 0 {
		p = unsafe.Add(p, alignUnit-r)
	}
	return p
}

// execChunk executes chunk c of t on the calling goroutine.
func execChunk(t *task, c int) {
	p, in, out, how := t.chunkArgs(c)
	inB, outB := uintptr(how)*t.inSig, uintptr(how)*t.outSig
	// c2r destroys its input: always work on a copy. In-place c2c runs
	// out of place from a copy, so that results never depend on whether
	// a call was in place; likewise misaligned arrays go through aligned
	// scratch so that every signal meets the same plan.
	needIn := t.k == c2r || in == out || uintptr(in)%alignUnit != 0
	needOut := uintptr(out)%alignUnit != 0
	var sc *scratch
	var sin, sout unsafe.Pointer
	if needIn || needOut {
		sc = scratchPool.Get().(*scratch)
		if needIn {
			sin = sc.a.get(inB)
		}
		if needOut {
			sout = sc.b.get(outB)
		}
	}
	var scaleIn, scaleOut C.int
	scale := 1.0
	switch t.k {
	case c2r:
		scaleIn, scale = 1, 1/float64(t.s.n)
	case c2cInv:
		scaleOut, scale = 1, 1/float64(t.s.n)
	}
	C.sciml_exec(p.p, C.int(t.k), cbool(t.f32), in, out, sin, sout,
		C.size_t(inB), C.size_t(outB), scaleIn, scaleOut, C.double(scale))
	if sc != nil {
		scratchPool.Put(sc)
	}
}

// Backend names the FFT implementation linked in: FFTW's version and
// SIMD flavours in default builds, gonum's dsp/fourier with -tags purego.
func Backend() string {
	v := C.GoString(C.sciml_version())
	vf := C.GoString(C.sciml_versionf())
	ver, simd, _ := strings.Cut(strings.TrimPrefix(v, "fftw-"), "-")
	s := "FFTW " + ver + " (float32+float64"
	if simd != "" {
		s += ", " + simd
	}
	if vf != v {
		s += "; fftw3f is " + vf
	}
	return s + ")"
}
