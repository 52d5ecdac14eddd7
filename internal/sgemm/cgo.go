//go:build !purego

package sgemm

/*
#cgo CFLAGS: -std=c11 -O3
#include <stddef.h>

#if defined(__x86_64__)
#define SG_HAVE_AVX2 1
#include "kernels.h"

static void sg_gemm_c(long m, long n, long k, const float *a, long lda, int trans,
	const float *bp, float *c, long ldc, int mode, const float *bias,
	const float *pf0, long l0, const float *pf1, long l1, const float *pf2, long l2, int w5) {
	const float *pfs[SG_NPF];
	long pfl[SG_NPF];
	int npf = 0;
	if (l0 > 0) { pfs[npf] = pf0; pfl[npf++] = l0; }
	if (l1 > 0) { pfs[npf] = pf1; pfl[npf++] = l1; }
	if (l2 > 0) { pfs[npf] = pf2; pfl[npf++] = l2; }
	sg_gemm(m, n, k, a, lda, trans, bp, c, ldc, mode, bias, pfs, pfl, npf, w5);
}

static void sg_pack_c(float *dst, const float *b, long k, long n, long ldb, int trans) {
	sg_pack(dst, b, k, n, ldb, trans);
}

static void sg_conv_c(const float *x, const long *off, long nt,
	const float *wpk, long co, float *y, long ldy, long n, int w5) {
	if (w5) {
		sg_conv5(x, off, nt, wpk, co, y, ldy, n);
	} else {
		sg_conv(x, off, nt, wpk, co, y, ldy, n);
	}
}

static void sg_convw_c(const float *x, const long *off, long nt, long wp, const float *gy, long ldg,
	long co, long rows, long wo, float *dw, long ldw, int w5) {
	if (w5) {
		sg_convw4(x, off, nt, wp, gy, ldg, co, rows, wo, dw, ldw);
	} else {
		sg_convw(x, off, nt, wp, gy, ldg, co, rows, wo, dw, ldw);
	}
}

static void sg_seg_sums_c(float *m, const float *h, const float *vt, const long *ptr, const long *idx,
	const long *from, const double *wt, long lo, long hi, long nseg, long e, long k, long w, long nIn,
	float *hx, float *vx, int w5) {
	sg_seg_sums(m, h, vt, ptr, idx, from, wt, lo, hi, nseg, e, k, w, nIn, hx, vx, w5);
}

static void sg_seg_grads_c(float *dh, float *dve, const float *g, const float *h, const float *vt,
	const long *ptr, const long *idx, const long *from, const double *wt, long lo, long hi, long nseg,
	long e, long k, long w, long nIn, float *hx, float *vx, float *rh, float *rv, float *pk, int w5) {
	sg_seg_grads(dh, dve, g, h, vt, ptr, idx, from, wt, lo, hi, nseg, e, k, w, nIn, hx, vx, rh, rv, pk, w5);
}
#else
#define SG_HAVE_AVX2 0
static void sg_gemm_c(long m, long n, long k, const float *a, long lda, int trans,
	const float *bp, float *c, long ldc, int mode, const float *bias,
	const float *pf0, long l0, const float *pf1, long l1, const float *pf2, long l2, int w5) {}
static void sg_pack_c(float *dst, const float *b, long k, long n, long ldb, int trans) {}
static void sg_conv_c(const float *x, const long *off, long nt,
	const float *wpk, long co, float *y, long ldy, long n, int w5) {}
static void sg_convw_c(const float *x, const long *off, long nt, long wp, const float *gy, long ldg,
	long co, long rows, long wo, float *dw, long ldw, int w5) {}
static void sg_seg_sums_c(float *m, const float *h, const float *vt, const long *ptr, const long *idx,
	const long *from, const double *wt, long lo, long hi, long nseg, long e, long k, long w, long nIn,
	float *hx, float *vx, int w5) {}
static void sg_seg_grads_c(float *dh, float *dve, const float *g, const float *h, const float *vt,
	const long *ptr, const long *idx, const long *from, const double *wt, long lo, long hi, long nseg,
	long e, long k, long w, long nIn, float *hx, float *vx, float *rh, float *rv, float *pk, int w5) {}
#endif
*/
import "C"

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

var available = C.SG_HAVE_AVX2 != 0 && cpu.X86.HasAVX2 && cpu.X86.HasFMA

// use512 selects the AVX-512 tiles (the same chains, so the same bits);
// the tests switch it off to check the AVX2 ones on the same machine.
// The kernels are compiled with AVX-512VL as well (the filter gradient's
// 4-channel tiles need the upper sixteen vector registers).
var use512 = available && cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL

func fp(s []float32) *C.float {
	if len(s) == 0 {
		return nil
	}
	return (*C.float)(unsafe.Pointer(&s[0]))
}

func cb(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

func gemm(m, n, k int, a []float32, lda int, trans bool, bp, c []float32, ldc int, mode int, bias []float32, pf [3][]float32) {
	C.sg_gemm_c(C.long(m), C.long(n), C.long(k), fp(a), C.long(lda), cb(trans), fp(bp), fp(c), C.long(ldc), C.int(mode), fp(bias),
		fp(pf[0]), C.long(4*len(pf[0])), fp(pf[1]), C.long(4*len(pf[1])), fp(pf[2]), C.long(4*len(pf[2])), cb(use512))
}

func pack(dst, b []float32, k, n, ldb int, trans bool) {
	C.sg_pack_c(fp(dst), fp(b), C.long(k), C.long(n), C.long(ldb), cb(trans))
}

func conv(x []float32, taps []int, wpk []float32, co int, y []float32, ldy, n int) {
	// int and C long are both 64 bits where the kernels exist (amd64).
	C.sg_conv_c(fp(x), (*C.long)(unsafe.Pointer(&taps[0])), C.long(len(taps)), fp(wpk), C.long(co), fp(y), C.long(ldy), C.long(n), cb(use512))
}

func convWeight(x []float32, taps []int, wp int, gy []float32, ldg, co, rows, wo int, dw []float32, ldw int) {
	C.sg_convw_c(fp(x), (*C.long)(unsafe.Pointer(&taps[0])), C.long(len(taps)), C.long(wp), fp(gy), C.long(ldg),
		C.long(co), C.long(rows), C.long(wo), fp(dw), C.long(ldw), cb(use512))
}

func lp(s []int) *C.long {
	if len(s) == 0 {
		return nil
	}
	return (*C.long)(unsafe.Pointer(&s[0]))
}

func dp(s []float64) *C.double {
	if len(s) == 0 {
		return nil
	}
	return (*C.double)(unsafe.Pointer(&s[0]))
}

func segSums(m, h, vt []float32, sg *Segments, lo, hi int, hx, vx []float32) {
	C.sg_seg_sums_c(fp(m), fp(h), fp(vt), lp(sg.ptr), lp(sg.idx), lp(sg.from), dp(sg.wt), C.long(lo), C.long(hi),
		C.long(sg.nseg()), C.long(sg.e), C.long(sg.k), C.long(sg.w), C.long(sg.nIn), fp(hx), fp(vx), cb(use512))
}

func segGrads(dh, dve, g, h, vt []float32, sg *Segments, lo, hi int, hx, vx, rh, rv, pk []float32) {
	C.sg_seg_grads_c(fp(dh), fp(dve), fp(g), fp(h), fp(vt), lp(sg.ptr), lp(sg.idx), lp(sg.from), dp(sg.wt),
		C.long(lo), C.long(hi), C.long(sg.nseg()), C.long(sg.e), C.long(sg.k), C.long(sg.w), C.long(sg.nIn),
		fp(hx), fp(vx), fp(rh), fp(rv), fp(pk), cb(use512))
}
