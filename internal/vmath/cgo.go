//go:build !purego

package vmath

/*
#cgo CFLAGS: -std=c11 -O3
#cgo LDFLAGS: -lm
#pragma GCC optimize("fp-contract=off", "no-trapping-math")
#include <math.h>
#include <stdint.h>
#include <string.h>

#define VM_BLOCK 512
#define VM_TRIG_MAX 8192.0f
#define VM_INLINE static inline __attribute__((always_inline))

// Constants; see ref.go for their definitions.
#define VM_ROUND 0x1.8p52
#define VM_FROUND 0x1.8p23f
#define VM_FINVPIO2 0x1.45f306p-1f
#define VM_FPIO2_1 0x1.92p+0f
#define VM_FPIO2_2 0x1.fb4p-12f
#define VM_FPIO2_3 0x1.444p-24f
#define VM_FPIO2_4 0x1.68c234p-39f
#define VM_FS1 -0x1.555556p-3f
#define VM_FS2 0x1.111108p-7f
#define VM_FS3 -0x1.a00f64p-13f
#define VM_FS4 0x1.6ccb5cp-19f
#define VM_FC1 0x1.55554ap-5f
#define VM_FC2 -0x1.6c0c18p-10f
#define VM_FC3 0x1.99e376p-16f
#define VM_LOG2E 0x1.71547652b82fep+0
#define VM_LN2HI 0x1.62e42feep-1
#define VM_LN2LO 0x1.a39ef35793c76p-33
#define VM_GMAX 16.0f
#define VM_GLOG2E 0x1.715476p+0f
#define VM_GLN2A 0x1.62ep-1f
#define VM_GLN2B 0x1.0bfbe8p-15f
#define VM_GK 0x1.988454p-2f
#define VM_GP 0.5f
#define VM_GC 0x1.1c71c8p-1f
#define VM_GH 2.25f
#define VM_GE2 0x1p-1f
#define VM_GE3 0x1.555556p-3f
#define VM_GE4 0x1.555556p-5f
#define VM_GE5 0x1.111112p-7f
#define VM_GE6 0x1.6c16c2p-10f
#define VM_GE7 0x1.a01a02p-13f

VM_INLINE uint64_t vm_bits(double d) { uint64_t u; memcpy(&u, &d, sizeof u); return u; }
VM_INLINE double vm_from(uint64_t u) { double d; memcpy(&d, &u, sizeof d); return d; }

// vm_clamp limits y to [-c, c], keeping NaN.
VM_INLINE double vm_clamp(double y, double c) {
	y = y > c ? c : y;
	return y < -c ? -c : y;
}

VM_INLINE uint32_t vm_bits32(float f) { uint32_t u; memcpy(&u, &f, sizeof u); return u; }
VM_INLINE float vm_from32(uint32_t u) { float f; memcpy(&f, &u, sizeof f); return f; }

// vm_fmaf_emul returns fl32(a·b + c) rounded once, as fmaf does, without
// a fused multiply-add instruction: a·b is exact in double, the sum is
// rounded to double with round-to-odd (2Sum gives its exact error; an
// inexact sum with an even last bit moves one ulp toward the exact value),
// and rounding that to float is then correct (53 ≥ 24 + 2 bits).
VM_INLINE float vm_fmaf_emul(float a, float b, float c) {
	double p = (double)a * (double)b;
	double s = p + (double)c;
	double bb = s - p;
	double e = (p - (s - bb)) + ((double)c - bb);
	uint64_t u = vm_bits(s);
	uint64_t up = (e > 0.0) == (s > 0.0) ? 1 : (uint64_t)-1;
	u += (e != 0.0 && (u & 1) == 0) ? up : 0;
	return (float)vm_from(u);
}

// vm_quadrant returns sin(r + n·π/2) from s = sin r and c = cos r.
VM_INLINE float vm_quadrant(float s, float c, uint32_t n) {
	uint32_t m = -(n & 1);
	uint32_t v = (vm_bits32(c) & m) | (vm_bits32(s) & ~m);
	return vm_from32(v ^ ((n & 2) << 30));
}

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// vm_sinq_slow is sin(y + q·π/2) for large or non-finite y (libm).
static double vm_sinq_slow(double y, long q) {
	double v = (q & 1) ? cos(y) : sin(y);
	return (q & 2) ? -v : v;
}

// vm_exp1 returns e^y for |y| <= 120 (or NaN).
VM_INLINE double vm_exp1(double y) {
	double t = y * VM_LOG2E + VM_ROUND;
	double fn = t - VM_ROUND;
	uint64_t k = vm_bits(t) - vm_bits(VM_ROUND);
	double r = y - fn * VM_LN2HI;
	r = r - fn * VM_LN2LO;
	double p = 0x1.ae64567f544e4p-26;
	p = p * r + 0x1.27e4fb7789f5cp-22;
	p = p * r + 0x1.71de3a556c734p-19;
	p = p * r + 0x1.a01a01a01a01ap-16;
	p = p * r + 0x1.a01a01a01a01ap-13;
	p = p * r + 0x1.6c16c16c16c17p-10;
	p = p * r + 0x1.1111111111111p-7;
	p = p * r + 0x1.5555555555555p-5;
	p = p * r + 0x1.5555555555555p-3;
	p = p * r + 0.5;
	p = p * r + 1.0;
	p = p * r + 1.0;
	return p * vm_from((k + 1023) << 52);
}

// vm_tanh1 returns tanh y.
VM_INLINE double vm_tanh1(double y) {
	double a = fabs(y);
	a = a > 20.0 ? 20.0 : a;
	double e = vm_exp1(2.0 * a);
	double t = 1.0 - 2.0 / (e + 1.0);
	double z = a * a;
	double p = a + (a * z) * (-0x1.5555555555555p-2 + z * (0x1.1111111111111p-3 + z * -0x1.ba1ba1ba1ba1cp-5));
	double v = a < 0.0625 ? p : t;
	return vm_from(vm_bits(v) | (vm_bits(y) & 0x8000000000000000ull));
}

// vm_gelu_core evaluates the GELU of x in float32 (see ref.go, geluCore,
// for the method and its twin): *w = a·Φ(−a) and *dd = Φ(−a) − a·φ(a)
// with a = min(|x|, 16), so that GELU(x) = −w (x < 0) or x − w, and
// GELU′(x) = dd (x < 0) or 1 − dd.
VM_INLINE void vm_gelu_core(float x, float *wp, float *dp) {
	float a = vm_from32(vm_bits32(x) & 0x7fffffffu);
	a = a > VM_GMAX ? VM_GMAX : a;
	float ah = vm_from32(vm_bits32(a) & 0xfffff000u);
	float al = a - ah;
	float hh = (ah * ah) * 0.5f;
	float lo = (al * (a + ah)) * 0.5f;
	float y = -(hh + lo);
	float t = y * VM_GLOG2E + VM_FROUND;
	float fn = t - VM_FROUND;
	uint32_t n = vm_bits32(t) - vm_bits32(VM_FROUND);
	float r = -hh - fn * VM_GLN2A;
	r = r - fn * VM_GLN2B;
	r = r - lo;
	float p = VM_GE7;
	p = p * r + VM_GE6;
	p = p * r + VM_GE5;
	p = p * r + VM_GE4;
	p = p * r + VM_GE3;
	p = p * r + VM_GE2;
	p = p * r + 1.0f;
	p = p * r + 1.0f;
	float tt = 1.0f / (1.0f + VM_GP * a);
	float s = (tt - VM_GC) * VM_GH;
	float q = -0x1.a477a2p-16f;
	q = q * s + -0x1.45ec0cp-15f;
	q = q * s + 0x1.0da574p-12f;
	q = q * s + -0x1.f489c6p-14f;
	q = q * s + -0x1.2e7d26p-10f;
	q = q * s + 0x1.82eab8p-9f;
	q = q * s + 0x1.d7fbf2p-10f;
	q = q * s + -0x1.a015cep-6f;
	q = q * s + 0x1.ae0b7ep-7f;
	q = q * s + 0x1.323db6p-2f;
	q = q * s + 0x1.6b484cp-1f;
	float rx = tt * q;
	uint32_t n1 = (uint32_t)((int32_t)n >> 1);
	uint32_t n2 = n - n1;
	float s1 = vm_from32((n1 + 127u) << 23);
	float s2 = vm_from32((n2 + 127u) << 23);
	float u = (0.5f * p) * rx;
	*wp = ((a * u) * s1) * s2;
	float v = a * (VM_GK * p);
	*dp = ((u - v) * s1) * s2;
}

// VM_FMA(a, b, c) is fl32(a·b + c) rounded once; VM_FMX(a, b, c) is
// a·b + c where the product and the sum are exact, so that fusing them
// changes nothing but the instruction count.
#define VM_TARGET
#define VM_NAME(f) vm_##f##_generic
#define VM_FMA(a, b, c) vm_fmaf_emul(a, b, c)
#define VM_FMX(a, b, c) ((a) * (b) + (c))
#include "kernels.h"
#undef VM_TARGET
#undef VM_NAME
#undef VM_FMA
#undef VM_FMX

#if defined(__x86_64__)
#define VM_HAVE_AVX2 1
#define VM_TARGET __attribute__((target("avx2,fma")))
#define VM_NAME(f) vm_##f##_avx2
#define VM_FMA(a, b, c) __builtin_fmaf(a, b, c)
#define VM_FMX(a, b, c) __builtin_fmaf(a, b, c)
#include "kernels.h"
#undef VM_TARGET
#undef VM_NAME
#undef VM_FMA
#undef VM_FMX

// The same loops compiled for AVX-512 (the compiler's vectorisation of
// the same scalar code, contraction off: the same bits on 16 lanes).
#define VM_TARGET __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))
#define VM_NAME(f) vm_##f##_avx512
#define VM_FMA(a, b, c) __builtin_fmaf(a, b, c)
#define VM_FMX(a, b, c) __builtin_fmaf(a, b, c)
#include "kernels.h"
#undef VM_TARGET
#undef VM_NAME
#undef VM_FMA
#undef VM_FMX

// vm_sincos_avx2fma is vm_sincos_avx2 written with intrinsics: the same
// operations in the same order as VM_NAME(sincos_raw) and vm_quadrant, so
// the same bits, but 8 lanes at a time straight to the outputs (no block
// buffers), the two quadrant selections sharing one mask (blends on its
// sign bit), and arguments beyond VM_TRIG_MAX (or NaN) patched per vector
// through the slow path. It takes half the time of the compiler's
// vectorisation of the same code (0.9 against 1.8 ns an element).
__attribute__((target("avx2,fma")))
static void vm_sincos_avx2fma(float *so, float *co, const float *x, long n, float w) {
	const __m256 vw = _mm256_set1_ps(w);
	const __m256 absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
	const __m256 tmax = _mm256_set1_ps(VM_TRIG_MAX);
	const __m256 one = _mm256_set1_ps(1.0f), mhalf = _mm256_set1_ps(-0.5f), zero = _mm256_setzero_ps();
	const __m256i sign = _mm256_set1_epi32((int)0x80000000u);
	long i = 0;
	for (; i + 8 <= n; i += 8) {
		__m256 y = _mm256_mul_ps(vw, _mm256_loadu_ps(x + i));
		__m256 t = _mm256_fmadd_ps(y, _mm256_set1_ps(VM_FINVPIO2), _mm256_set1_ps(VM_FROUND));
		__m256 fn = _mm256_sub_ps(t, _mm256_set1_ps(VM_FROUND));
		__m256 r = _mm256_fmadd_ps(fn, _mm256_set1_ps(-VM_FPIO2_1), y);
		r = _mm256_fmadd_ps(fn, _mm256_set1_ps(-VM_FPIO2_2), r);
		__m256 a3 = _mm256_mul_ps(fn, _mm256_set1_ps(-VM_FPIO2_3));
		__m256 rh = _mm256_add_ps(r, a3);
		__m256 bb = _mm256_sub_ps(rh, r);
		__m256 rl = _mm256_add_ps(_mm256_sub_ps(r, _mm256_sub_ps(rh, bb)), _mm256_sub_ps(a3, bb));
		rl = _mm256_fmadd_ps(fn, _mm256_set1_ps(-VM_FPIO2_4), rl);
		__m256 z = _mm256_mul_ps(rh, rh);
		__m256 ps = _mm256_fmadd_ps(_mm256_set1_ps(VM_FS4), z, _mm256_set1_ps(VM_FS3));
		ps = _mm256_fmadd_ps(ps, z, _mm256_set1_ps(VM_FS2));
		ps = _mm256_fmadd_ps(ps, z, _mm256_set1_ps(VM_FS1));
		ps = _mm256_mul_ps(ps, z);
		__m256 sv = _mm256_add_ps(rh, _mm256_fmadd_ps(rh, ps, rl));
		sv = _mm256_blendv_ps(sv, rh, _mm256_cmp_ps(rh, zero, _CMP_EQ_OQ));
		__m256 t1 = _mm256_fmadd_ps(z, mhalf, one);
		__m256 e = _mm256_fmadd_ps(z, mhalf, _mm256_sub_ps(one, t1));
		__m256 pc = _mm256_fmadd_ps(_mm256_set1_ps(VM_FC3), z, _mm256_set1_ps(VM_FC2));
		pc = _mm256_fmadd_ps(pc, z, _mm256_set1_ps(VM_FC1));
		pc = _mm256_mul_ps(_mm256_mul_ps(pc, z), z);
		__m256 cv = _mm256_add_ps(t1, _mm256_add_ps(e, _mm256_fnmadd_ps(rh, rl, pc)));
		// quadrant n (low bits of t): odd n swaps sin and cos; the sign
		// of sin is bit 1 of n, that of cos bit 1 of n + 1.
		__m256i q = _mm256_castps_si256(t);
		__m256i q31 = _mm256_slli_epi32(q, 31);
		__m256i q30 = _mm256_and_si256(_mm256_slli_epi32(q, 30), sign);
		__m256 swap = _mm256_castsi256_ps(q31);
		__m256 so8 = _mm256_blendv_ps(sv, cv, swap);
		__m256 co8 = _mm256_blendv_ps(cv, sv, swap);
		so8 = _mm256_xor_ps(so8, _mm256_castsi256_ps(q30));
		co8 = _mm256_xor_ps(co8, _mm256_castsi256_ps(_mm256_xor_si256(q30, q31)));
		__m256 bad = _mm256_cmp_ps(_mm256_and_ps(y, absmask), tmax, _CMP_NLE_UQ);
		if (_mm256_movemask_ps(bad)) {
			float ys[8], ss[8], cs[8];
			_mm256_storeu_ps(ys, y);
			_mm256_storeu_ps(ss, so8);
			_mm256_storeu_ps(cs, co8);
			for (int j = 0; j < 8; j++) {
				if (!(fabsf(ys[j]) <= VM_TRIG_MAX)) {
					ss[j] = (float)vm_sinq_slow((double)ys[j], 0);
					cs[j] = (float)vm_sinq_slow((double)ys[j], 1);
				}
			}
			so8 = _mm256_loadu_ps(ss);
			co8 = _mm256_loadu_ps(cs);
		}
		_mm256_storeu_ps(so + i, so8);
		_mm256_storeu_ps(co + i, co8);
	}
	if (i < n) {
		vm_sincos_avx2(so + i, co + i, x + i, n - i, w);
	}
}

// vm_sincos_avx512fma is vm_sincos_avx2fma on 16 lanes: the same operations
// in the same order (masks instead of sign-bit blends), so the same bits.
__attribute__((target("avx512f,avx2,fma")))
static void vm_sincos_avx512fma(float *so, float *co, const float *x, long n, float w) {
	const __m512 vw = _mm512_set1_ps(w);
	const __m512 tmax = _mm512_set1_ps(VM_TRIG_MAX);
	const __m512 one = _mm512_set1_ps(1.0f), mhalf = _mm512_set1_ps(-0.5f), zero = _mm512_setzero_ps();
	const __m512i sign = _mm512_set1_epi32((int)0x80000000u);
	long i = 0;
	for (; i + 16 <= n; i += 16) {
		__m512 y = _mm512_mul_ps(vw, _mm512_loadu_ps(x + i));
		__m512 t = _mm512_fmadd_ps(y, _mm512_set1_ps(VM_FINVPIO2), _mm512_set1_ps(VM_FROUND));
		__m512 fn = _mm512_sub_ps(t, _mm512_set1_ps(VM_FROUND));
		__m512 r = _mm512_fmadd_ps(fn, _mm512_set1_ps(-VM_FPIO2_1), y);
		r = _mm512_fmadd_ps(fn, _mm512_set1_ps(-VM_FPIO2_2), r);
		__m512 a3 = _mm512_mul_ps(fn, _mm512_set1_ps(-VM_FPIO2_3));
		__m512 rh = _mm512_add_ps(r, a3);
		__m512 bb = _mm512_sub_ps(rh, r);
		__m512 rl = _mm512_add_ps(_mm512_sub_ps(r, _mm512_sub_ps(rh, bb)), _mm512_sub_ps(a3, bb));
		rl = _mm512_fmadd_ps(fn, _mm512_set1_ps(-VM_FPIO2_4), rl);
		__m512 z = _mm512_mul_ps(rh, rh);
		__m512 ps = _mm512_fmadd_ps(_mm512_set1_ps(VM_FS4), z, _mm512_set1_ps(VM_FS3));
		ps = _mm512_fmadd_ps(ps, z, _mm512_set1_ps(VM_FS2));
		ps = _mm512_fmadd_ps(ps, z, _mm512_set1_ps(VM_FS1));
		ps = _mm512_mul_ps(ps, z);
		__m512 sv = _mm512_add_ps(rh, _mm512_fmadd_ps(rh, ps, rl));
		sv = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(rh, zero, _CMP_EQ_OQ), sv, rh);
		__m512 t1 = _mm512_fmadd_ps(z, mhalf, one);
		__m512 e = _mm512_fmadd_ps(z, mhalf, _mm512_sub_ps(one, t1));
		__m512 pc = _mm512_fmadd_ps(_mm512_set1_ps(VM_FC3), z, _mm512_set1_ps(VM_FC2));
		pc = _mm512_fmadd_ps(pc, z, _mm512_set1_ps(VM_FC1));
		pc = _mm512_mul_ps(_mm512_mul_ps(pc, z), z);
		__m512 cv = _mm512_add_ps(t1, _mm512_add_ps(e, _mm512_fnmadd_ps(rh, rl, pc)));
		// quadrant n (low bits of t): odd n swaps sin and cos; the sign
		// of sin is bit 1 of n, that of cos bit 1 of n + 1.
		__m512i q = _mm512_castps_si512(t);
		__m512i q31 = _mm512_slli_epi32(q, 31);
		__m512i q30 = _mm512_and_si512(_mm512_slli_epi32(q, 30), sign);
		__mmask16 swap = _mm512_test_epi32_mask(q31, q31);
		__m512 s16 = _mm512_mask_blend_ps(swap, sv, cv);
		__m512 c16 = _mm512_mask_blend_ps(swap, cv, sv);
		s16 = _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(s16), q30));
		c16 = _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(c16), _mm512_xor_si512(q30, q31)));
		if (_mm512_cmp_ps_mask(_mm512_abs_ps(y), tmax, _CMP_NLE_UQ)) {
			float ys[16], ss[16], cs[16];
			_mm512_storeu_ps(ys, y);
			_mm512_storeu_ps(ss, s16);
			_mm512_storeu_ps(cs, c16);
			for (int j = 0; j < 16; j++) {
				if (!(fabsf(ys[j]) <= VM_TRIG_MAX)) {
					ss[j] = (float)vm_sinq_slow((double)ys[j], 0);
					cs[j] = (float)vm_sinq_slow((double)ys[j], 1);
				}
			}
			s16 = _mm512_loadu_ps(ss);
			c16 = _mm512_loadu_ps(cs);
		}
		_mm512_storeu_ps(so + i, s16);
		_mm512_storeu_ps(co + i, c16);
	}
	if (i < n) {
		vm_sincos_avx2fma(so + i, co + i, x + i, n - i, w);
	}
}

// vm_scatteraddrows_avx512x is VM_NAME(scatteraddrows) with the step-2
// rows in intrinsics (the compiler's version gains little there): sixteen
// values of s spread onto the even lanes of 32 positions of d, loaded,
// added and stored under the even-lane mask only, so that nothing past
// the last written position is touched (another thread may own it).
__attribute__((target("avx512f,avx2,fma")))
static void vm_scatteraddrows_avx512x(float *d, const float *s, long rows, long n, long ds, long ss, long step) {
	if (step != 2) {
		vm_scatteraddrows_avx512(d, s, rows, n, ds, ss, step);
		return;
	}
	const __m512i lo = _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
	const __m512i hi = _mm512_setr_epi32(8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15);
	const __mmask16 even = 0x5555;
	for (long r = 0; r < rows; r++) {
		float *dr = d + r * ds;
		const float *sr = s + r * ss;
		long j = 0;
		for (; j + 16 <= n; j += 16) {
			__m512 v = _mm512_loadu_ps(sr + j);
			__m512 d0 = _mm512_maskz_loadu_ps(even, dr + 2 * j);
			__m512 d1 = _mm512_maskz_loadu_ps(even, dr + 2 * j + 16);
			d0 = _mm512_add_ps(d0, _mm512_permutexvar_ps(lo, v));
			d1 = _mm512_add_ps(d1, _mm512_permutexvar_ps(hi, v));
			_mm512_mask_storeu_ps(dr + 2 * j, even, d0);
			_mm512_mask_storeu_ps(dr + 2 * j + 16, even, d1);
		}
		for (; j < n; j++) {
			dr[2 * j] = dr[2 * j] + sr[j];
		}
	}
}
#else
#define VM_HAVE_AVX2 0
static void vm_gatherrows_avx2(float *d, const float *s, long rows, long n, long ds, long ss, long step) { vm_gatherrows_generic(d, s, rows, n, ds, ss, step); }
static void vm_gatherrows_avx512(float *d, const float *s, long rows, long n, long ds, long ss, long step) { vm_gatherrows_generic(d, s, rows, n, ds, ss, step); }
static void vm_scatteraddrows_avx2(float *d, const float *s, long rows, long n, long ds, long ss, long step) { vm_scatteraddrows_generic(d, s, rows, n, ds, ss, step); }
static void vm_scatteraddrows_avx512x(float *d, const float *s, long rows, long n, long ds, long ss, long step) { vm_scatteraddrows_generic(d, s, rows, n, ds, ss, step); }
static void vm_sinq_avx2(float *d, const float *x, const float *g, long n, float w, double a, long q) { vm_sinq_generic(d, x, g, n, w, a, q); }
static void vm_exp_avx2(float *d, const float *x, long n) { vm_exp_generic(d, x, n); }
static void vm_sigmoid_avx2(float *d, const float *x, long n) { vm_sigmoid_generic(d, x, n); }
static void vm_tanh_avx2(float *d, const float *x, long n) { vm_tanh_generic(d, x, n); }
static void vm_sincos_avx2fma(float *s, float *c, const float *x, long n, float w) { vm_sincos_generic(s, c, x, n, w); }
static void vm_sincos_avx512fma(float *s, float *c, const float *x, long n, float w) { vm_sincos_generic(s, c, x, n, w); }
static void vm_mulcolsum_avx2(float *d, const float *g, const float *c, long rows, long cols, double a, double *acc) { vm_mulcolsum_generic(d, g, c, rows, cols, a, acc); }
static void vm_colsum_avx2(double *acc, const float *x, long rows, long cols) { vm_colsum_generic(acc, x, rows, cols); }
static void vm_gelu_avx2(float *y, const float *x, long n) { vm_gelu_generic(y, x, n); }
static void vm_gelu2_avx2(float *y, float *d, const float *x, long n) { vm_gelu2_generic(y, d, x, n); }
static void vm_gelugrad_avx2(float *d, const float *x, const float *g, long n) { vm_gelugrad_generic(d, x, g, n); }
static void vm_sinq_avx512(float *d, const float *x, const float *g, long n, float w, double a, long q) { vm_sinq_generic(d, x, g, n, w, a, q); }
static void vm_exp_avx512(float *d, const float *x, long n) { vm_exp_generic(d, x, n); }
static void vm_sigmoid_avx512(float *d, const float *x, long n) { vm_sigmoid_generic(d, x, n); }
static void vm_tanh_avx512(float *d, const float *x, long n) { vm_tanh_generic(d, x, n); }
static void vm_mulcolsum_avx512(float *d, const float *g, const float *c, long rows, long cols, double a, double *acc) { vm_mulcolsum_generic(d, g, c, rows, cols, a, acc); }
static void vm_colsum_avx512(double *acc, const float *x, long rows, long cols) { vm_colsum_generic(acc, x, rows, cols); }
static void vm_gelu_avx512(float *y, const float *x, long n) { vm_gelu_generic(y, x, n); }
static void vm_gelu2_avx512(float *y, float *d, const float *x, long n) { vm_gelu2_generic(y, d, x, n); }
static void vm_gelugrad_avx512(float *d, const float *x, const float *g, long n) { vm_gelugrad_generic(d, x, g, n); }
static void vm_add_avx2(float *d, const float *x, const float *y, long n) { vm_add_generic(d, x, y, n); }
static void vm_adds_avx2(float *d, const float *x, float s, long n) { vm_adds_generic(d, x, s, n); }
static void vm_mul_avx2(float *d, const float *x, const float *y, long n) { vm_mul_generic(d, x, y, n); }
static void vm_muls_avx2(float *d, const float *x, float s, long n) { vm_muls_generic(d, x, s, n); }
static double vm_sum_avx2(const float *x, long n) { return vm_sum_generic(x, n); }
static void vm_sub_avx2(float *d, const float *x, const float *y, long n) { vm_sub_generic(d, x, y, n); }
static void vm_neg_avx2(float *d, const float *x, long n) { vm_neg_generic(d, x, n); }
static void vm_sub_avx512(float *d, const float *x, const float *y, long n) { vm_sub_generic(d, x, y, n); }
static void vm_neg_avx512(float *d, const float *x, long n) { vm_neg_generic(d, x, n); }
static void vm_add_avx512(float *d, const float *x, const float *y, long n) { vm_add_generic(d, x, y, n); }
static void vm_adds_avx512(float *d, const float *x, float s, long n) { vm_adds_generic(d, x, s, n); }
static void vm_mul_avx512(float *d, const float *x, const float *y, long n) { vm_mul_generic(d, x, y, n); }
static void vm_muls_avx512(float *d, const float *x, float s, long n) { vm_muls_generic(d, x, s, n); }
static double vm_sum_avx512(const float *x, long n) { return vm_sum_generic(x, n); }
#endif

// vm_unary runs the function kernel op (the Go constants unaryExp, …) in
// the version of level lvl.
#define VM_UN(L) switch (op) { \
	case 0: vm_exp_##L(d, x, n); break; \
	case 1: vm_sigmoid_##L(d, x, n); break; \
	case 2: vm_tanh_##L(d, x, n); break; \
	default: vm_gelu_##L(d, x, n); }
static void vm_unary(int lvl, int op, float *d, const float *x, long n) {
	if (lvl == 3) {
		VM_UN(avx512)
	} else if (lvl == 2) {
		VM_UN(avx2)
	} else {
		VM_UN(generic)
	}
}

// vm_strided runs gatherrows (scatter 0) or scatteraddrows (1) in the
// version of level lvl.
static void vm_strided(int lvl, int scatter, float *d, const float *s, long rows, long n, long ds, long ss, long step) {
	if (scatter) {
		if (lvl == 3) {
			vm_scatteraddrows_avx512x(d, s, rows, n, ds, ss, step);
		} else if (lvl == 2) {
			vm_scatteraddrows_avx2(d, s, rows, n, ds, ss, step);
		} else {
			vm_scatteraddrows_generic(d, s, rows, n, ds, ss, step);
		}
	} else if (lvl == 3) {
		vm_gatherrows_avx512(d, s, rows, n, ds, ss, step);
	} else if (lvl == 2) {
		vm_gatherrows_avx2(d, s, rows, n, ds, ss, step);
	} else {
		vm_gatherrows_generic(d, s, rows, n, ds, ss, step);
	}
}

// vm_elementwise runs arithmetic kernel op (the Go constants opAdd, …) in
// the version of level lvl (the Go constants levelGeneric, levelAVX2,
// levelAVX512).
#define VM_EW(L) switch (op) { \
	case 0: vm_add_##L(d, x, y, n); break; \
	case 1: vm_adds_##L(d, x, s, n); break; \
	case 2: vm_sub_##L(d, x, y, n); break; \
	case 3: vm_mul_##L(d, x, y, n); break; \
	case 4: vm_muls_##L(d, x, s, n); break; \
	default: vm_neg_##L(d, x, n); }
static void vm_elementwise(int lvl, int op, float *d, const float *x, const float *y, float s, long n) {
	if (lvl == 3) {
		VM_EW(avx512)
	} else if (lvl == 2) {
		VM_EW(avx2)
	} else {
		VM_EW(generic)
	}
}
*/
import "C"

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// Kernel sets, selected once from the CPU features the OS reports.
const (
	levelGo = iota
	levelGeneric
	levelAVX2
	levelAVX512
)

var level = bestLevel()

func bestLevel() int {
	if C.VM_HAVE_AVX2 != 0 && cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		if cpu.X86.HasAVX512F {
			return levelAVX512
		}
		return levelAVX2
	}
	return levelGeneric
}

func levelName(l int) string {
	switch l {
	case levelAVX512:
		return "C, AVX-512"
	case levelAVX2:
		return "C, AVX2+FMA"
	case levelGeneric:
		return "C, generic"
	}
	return "Go"
}

func fp(s []float32) *C.float {
	if len(s) == 0 {
		return nil
	}
	return (*C.float)(unsafe.Pointer(&s[0]))
}

func sinq(dst, x, g []float32, w float32, a float64, q int) {
	switch level {
	case levelAVX512:
		C.vm_sinq_avx512(fp(dst), fp(x), fp(g), C.long(len(dst)), C.float(w), C.double(a), C.long(q))
	case levelAVX2:
		C.vm_sinq_avx2(fp(dst), fp(x), fp(g), C.long(len(dst)), C.float(w), C.double(a), C.long(q))
	case levelGeneric:
		C.vm_sinq_generic(fp(dst), fp(x), fp(g), C.long(len(dst)), C.float(w), C.double(a), C.long(q))
	default:
		sinqGo(dst, x, g, w, a, q)
	}
}

func sincos(s, c, x []float32, w float32) {
	switch level {
	case levelAVX512:
		C.vm_sincos_avx512fma(fp(s), fp(c), fp(x), C.long(len(s)), C.float(w))
	case levelAVX2:
		C.vm_sincos_avx2fma(fp(s), fp(c), fp(x), C.long(len(s)), C.float(w))
	case levelGeneric:
		C.vm_sincos_generic(fp(s), fp(c), fp(x), C.long(len(s)), C.float(w))
	default:
		sincosGo(s, c, x, w)
	}
}

func dp(s []float64) *C.double {
	if len(s) == 0 {
		return nil
	}
	return (*C.double)(unsafe.Pointer(&s[0]))
}

func mulColSum(dst, g, c []float32, cols int, a float64, acc []float64) {
	rows := len(dst) / max(cols, 1)
	switch level {
	case levelAVX512:
		C.vm_mulcolsum_avx512(fp(dst), fp(g), fp(c), C.long(rows), C.long(cols), C.double(a), dp(acc))
	case levelAVX2:
		C.vm_mulcolsum_avx2(fp(dst), fp(g), fp(c), C.long(rows), C.long(cols), C.double(a), dp(acc))
	case levelGeneric:
		C.vm_mulcolsum_generic(fp(dst), fp(g), fp(c), C.long(rows), C.long(cols), C.double(a), dp(acc))
	default:
		mulColSumGo(dst, g, c, cols, a, acc)
	}
}

func colSum(acc []float64, x []float32, cols int) {
	rows := len(x) / max(cols, 1)
	switch level {
	case levelAVX512:
		C.vm_colsum_avx512(dp(acc), fp(x), C.long(rows), C.long(cols))
	case levelAVX2:
		C.vm_colsum_avx2(dp(acc), fp(x), C.long(rows), C.long(cols))
	case levelGeneric:
		C.vm_colsum_generic(dp(acc), fp(x), C.long(rows), C.long(cols))
	default:
		colSumGo(acc, x, cols)
	}
}

func geluGrad(d, x, g []float32) {
	switch level {
	case levelAVX512:
		C.vm_gelugrad_avx512(fp(d), fp(x), fp(g), C.long(len(d)))
	case levelAVX2:
		C.vm_gelugrad_avx2(fp(d), fp(x), fp(g), C.long(len(d)))
	case levelGeneric:
		C.vm_gelugrad_generic(fp(d), fp(x), fp(g), C.long(len(d)))
	default:
		geluGradGo(d, x, g)
	}
}

func gelu2(y, d, x []float32) {
	switch level {
	case levelAVX512:
		C.vm_gelu2_avx512(fp(y), fp(d), fp(x), C.long(len(y)))
	case levelAVX2:
		C.vm_gelu2_avx2(fp(y), fp(d), fp(x), C.long(len(y)))
	case levelGeneric:
		C.vm_gelu2_generic(fp(y), fp(d), fp(x), C.long(len(y)))
	default:
		geluGo(y, x)
		geluGradGo(d, x, nil)
	}
}

// cgoMin is the length below which the elementwise kernels run in Go: a
// cgo call costs about as much as a few dozen elements.
const cgoMin = 64

// unary runs the function kernel op (one call into C, which picks the
// level's version).
func unary(op int, d, x []float32) {
	if level == levelGo {
		unaryGo(op, d, x)
		return
	}
	C.vm_unary(C.int(level), C.int(op), fp(d), fp(x), C.long(len(d)))
}

// elementwise runs the arithmetic kernel op (one call into C, which picks
// the level's version).
func elementwise(op int, d, x, y []float32, s float32) {
	if len(d) < cgoMin || level == levelGo {
		elementwiseGo(op, d, x, y, s)
		return
	}
	C.vm_elementwise(C.int(level), C.int(op), fp(d), fp(x), fp(y), C.float(s), C.long(len(d)))
}

func sum(x []float32) float64 {
	switch {
	case len(x) < cgoMin || level == levelGo:
		return sumGo(x)
	case level == levelAVX512:
		return float64(C.vm_sum_avx512(fp(x), C.long(len(x))))
	case level == levelAVX2:
		return float64(C.vm_sum_avx2(fp(x), C.long(len(x))))
	default:
		return float64(C.vm_sum_generic(fp(x), C.long(len(x))))
	}
}

// strided runs GatherRows (scatter false) or ScatterAddRows (true): one
// call into C, which picks the level's version.
func strided(scatter bool, d, s []float32, rows, n, ds, ss, step int) {
	if rows*n < cgoMin || level == levelGo {
		stridedGo(scatter, d, s, rows, n, ds, ss, step)
		return
	}
	sc := C.int(0)
	if scatter {
		sc = 1
	}
	C.vm_strided(C.int(level), sc, fp(d), fp(s), C.long(rows), C.long(n), C.long(ds), C.long(ss), C.long(step))
}
