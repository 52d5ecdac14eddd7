//go:build !purego

package taylor

/*
#cgo CFLAGS: -std=gnu11 -O3
#pragma GCC optimize("fp-contract=fast", "no-math-errno", "no-trapping-math")
#cgo LDFLAGS: -lm
#include <math.h>
#include <stdint.h>
#include <string.h>

#define TM_BLOCK 32
#define TM_MAXL 64
#define TM_TANH 1
#define TM_SIN 2
#define TM_INLINE static inline __attribute__((always_inline))

typedef double tm_v4 __attribute__((vector_size(32), aligned(8)));
#define TM_LD(p) (*(const tm_v4 *)(p))
#define TM_ST(p, v) (*(tm_v4 *)(p) = (v))

// tm_layout is meta decoded, with the offsets of every array (see doc.go).
typedef struct {
	long layers, k, nf, np, act;
	const long *widths, *pairs;
	long w_off[TM_MAXL + 1], b_off[TM_MAXL + 1], wt_off[TM_MAXL + 1];
	long h_off[TM_MAXL + 1], a_off[TM_MAXL + 1]; // per point (times the block size)
	long t_off[TM_MAXL + 1];                     // saved tanh values, per point (times n)
	long tmp_off, ga_off, gh_off;
} tm_layout;

static void tm_parse(tm_layout *L, const long *meta) {
	L->layers = meta[0];
	L->k = meta[1];
	L->nf = meta[2];
	L->np = meta[3];
	L->act = meta[4];
	L->widths = meta + 5;
	L->pairs = meta + 5 + L->layers + 1;
	long po = 0, wo = 0, so = 0, maxw = 0, to = 0;
	for (long l = 0; l <= L->layers; l++) {
		if (L->widths[l] > maxw) maxw = L->widths[l];
		L->h_off[l] = so;
		so += L->k * L->widths[l];
	}
	for (long l = 1; l <= L->layers; l++) {
		long wi = L->widths[l - 1], w = L->widths[l];
		L->w_off[l] = po;
		po += w * wi;
		L->b_off[l] = po;
		po += w;
		L->wt_off[l] = wo;
		wo += w * wi;
		L->a_off[l] = so;
		so += L->k * w;
		L->t_off[l] = to;
		if (l < L->layers) to += w;
	}
	L->tmp_off = so;
	so += 3 * maxw;
	L->ga_off = so;
	so += L->k * maxw;
	L->gh_off = so;
}

static inline uint64_t tm_bits(double d) { uint64_t u; memcpy(&u, &d, sizeof u); return u; }
static inline double tm_from(uint64_t u) { double d; memcpy(&d, &u, sizeof d); return d; }

// tm_exp returns e^y for 0 <= y <= 64: y = k ln 2 + r by Cody–Waite,
// |r| <= ln 2 / 2, and the degree-13 Taylor polynomial of e^r (truncation
// error below 5e-18 relative), evaluated by Estrin's scheme (four
// dependent multiply-adds instead of thirteen).
TM_INLINE double tm_exp(double y) {
	const double round = 0x1.8p52;
	double t = y * 0x1.71547652b82fep+0 + round;
	double fn = t - round;
	uint64_t k = tm_bits(t) - tm_bits(round);
	double r = y - fn * 0x1.62e42feep-1;
	r = r - fn * 0x1.a39ef35793c76p-33;
	double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
	double q0 = 1.0 + r, q1 = 0.5 + r * (1.0 / 6.0);
	double q2 = 1.0 / 24.0 + r * (1.0 / 120.0), q3 = 1.0 / 720.0 + r * (1.0 / 5040.0);
	double q4 = 1.0 / 40320.0 + r * (1.0 / 362880.0), q5 = 1.0 / 3628800.0 + r * (1.0 / 39916800.0);
	double q6 = 1.0 / 479001600.0 + r * (1.0 / 6227020800.0);
	double s0 = q0 + q1 * r2, s1 = q2 + q3 * r2, s2 = q4 + q5 * r2;
	double t0 = s0 + s1 * r4, t1 = s2 + q6 * r4;
	double p = t0 + t1 * r8;
	return p * tm_from((k + 1023) << 52);
}

// tm_tanh is tanh y by Cephes' method (as Go's math.Tanh): the rational
// approximation y + y³P(y²)/Q(y²) below |y| = 0.625, 1 − 2/(e^{2|y|} + 1)
// with the sign of y above; written without branches (and with one
// division) so loops vectorise.
TM_INLINE double tm_tanh(double y) {
	double a = fabs(y);
	double ac = a > 22.0 ? 22.0 : a;
	double e = tm_exp(2.0 * ac);
	double s = a * a;
	double p = (-9.64399179425052238628e-1 * s - 9.92877231001918586564e1) * s - 1.61468768441708447952e3;
	double q = ((s + 1.12811678491632931402e2) * s + 2.23548839060100448583e3) * s + 4.84406305325125486048e3;
	int small = a < 0.625;
	double d = (small ? p : 2.0) / (small ? q : e + 1.0); // one division for both forms
	double v = small ? a + a * s * d : 1.0 - d;
	return tm_from(tm_bits(v) | (tm_bits(y) & 0x8000000000000000ull));
}

#define TM_TARGET
#define TM_NAME(f) tm_##f##_generic
#include "kernels.h"
#undef TM_TARGET
#undef TM_NAME

#if defined(__x86_64__)
#define TM_HAVE_AVX2 1
#define TM_TARGET __attribute__((target("avx2,fma")))
#define TM_NAME(f) tm_##f##_avx2
#include "kernels.h"
#undef TM_TARGET
#undef TM_NAME
#else
#define TM_HAVE_AVX2 0
static void tm_forward_avx2(const long *meta, const double *s0, long n, long p0, long p1, const double *params, const double *wt, double *out, double *tsave, double *scratch) {
	tm_forward_generic(meta, s0, n, p0, p1, params, wt, out, tsave, scratch);
}
static void tm_backward_avx2(const long *meta, const double *s0, long n, long p0, long p1, const double *params, const double *wt, const double *g, double *gparams, double *gs0, double *tsave, double *scratch) {
	tm_backward_generic(meta, s0, n, p0, p1, params, wt, g, gparams, gs0, tsave, scratch);
}
#endif
*/
import "C"

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

const (
	levelGo = iota
	levelGeneric
	levelAVX2
)

var level = bestLevel()

func bestLevel() int {
	if C.TM_HAVE_AVX2 != 0 && cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		return levelAVX2
	}
	return levelGeneric
}

func levelName(l int) string {
	switch l {
	case levelAVX2:
		return "C, AVX2+FMA"
	case levelGeneric:
		return "C, generic"
	}
	return "Go"
}

func dp(s []float64) *C.double {
	if len(s) == 0 {
		return nil
	}
	return (*C.double)(unsafe.Pointer(&s[0]))
}

func lp(s []int64) *C.long { return (*C.long)(unsafe.Pointer(&s[0])) }

func forwardRange(lv int, k *kernel, p0, p1 int, out, saved, scratch []float64) {
	switch lv {
	case levelAVX2:
		C.tm_forward_avx2(lp(k.meta), dp(k.s0), C.long(k.n), C.long(p0), C.long(p1), dp(k.params), dp(k.wt), dp(out), dp(saved), dp(scratch))
	case levelGeneric:
		C.tm_forward_generic(lp(k.meta), dp(k.s0), C.long(k.n), C.long(p0), C.long(p1), dp(k.params), dp(k.wt), dp(out), dp(saved), dp(scratch))
	default:
		forwardGo(k, p0, p1, out, scratch)
	}
}

func backwardRange(lv int, k *kernel, p0, p1 int, g, gparams, gs0, saved, scratch []float64) {
	switch lv {
	case levelAVX2:
		C.tm_backward_avx2(lp(k.meta), dp(k.s0), C.long(k.n), C.long(p0), C.long(p1), dp(k.params), dp(k.wt), dp(g), dp(gparams), dp(gs0), dp(saved), dp(scratch))
	case levelGeneric:
		C.tm_backward_generic(lp(k.meta), dp(k.s0), C.long(k.n), C.long(p0), C.long(p1), dp(k.params), dp(k.wt), dp(g), dp(gparams), dp(gs0), dp(saved), dp(scratch))
	default:
		backwardGo(k, p0, p1, g, gparams, gs0, scratch)
	}
}
