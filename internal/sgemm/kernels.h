// AVX2+FMA float32 GEMM kernels of package sgemm (included by cgo.go on
// x86-64 only), and their AVX-512 versions at the end. Every element of C is one chain of fused multiply-adds
// over p = 0, 1, …, k−1 in order, starting from its initial value (zero,
// the bias of its column, or C itself), whatever the tile it lies in: the
// blocking changes the speed, never the bits.

#include <immintrin.h>
#include <string.h>

#define SG_INLINE static inline __attribute__((always_inline))
#define SG_T __attribute__((target("avx2,fma")))
#define SG_T5 __attribute__((target("avx512f,avx512vl,avx2,fma")))
#define SG_MR 6
#define SG_NR 16

// sg_tile runs one MR×16 tile: c[i][0..16] = init_i + Σ_p A(i,p)·b[p][0..16]
// for i < MR, with A(i,p) = a[i·rs + p·cs] and b packed (16 floats per p).
// init_i is (i0, i1) or, with load, the tile of C itself.
#define SG_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5)
SG_T SG_INLINE void sg_tile(long k, const float *a, long rs, long cs, const float *b,
	float *c, long ldc, const int MR, int load, __m256 i0, __m256 i1) {
#define SG_DECL(i) __m256 c##i##0 = i0, c##i##1 = i1;
	SG_ROWS(SG_DECL)
#define SG_LOAD(i) if (MR > i) { c##i##0 = _mm256_loadu_ps(c + i * ldc); c##i##1 = _mm256_loadu_ps(c + i * ldc + 8); }
	if (load) {
		SG_ROWS(SG_LOAD)
	}
	for (long p = 0; p < k; p++) {
		__m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
		b += SG_NR;
#define SG_STEP(i) if (MR > i) { __m256 x = _mm256_broadcast_ss(a + i * rs); \
			c##i##0 = _mm256_fmadd_ps(x, b0, c##i##0); c##i##1 = _mm256_fmadd_ps(x, b1, c##i##1); }
		SG_ROWS(SG_STEP)
		a += cs;
	}
#define SG_STORE(i) if (MR > i) { _mm256_storeu_ps(c + i * ldc, c##i##0); _mm256_storeu_ps(c + i * ldc + 8, c##i##1); }
	SG_ROWS(SG_STORE)
}

// sg_tile_any runs a tile of mr ≤ 6 rows and nr ≤ 16 columns; a partial
// tile (nr < 16) goes through a tile buffer, so C is never touched past
// its nr columns. mode: 0 init zero, 1 init bias (bias + column), 2 C.
SG_T SG_INLINE void sg_tile_any(long k, const float *a, long rs, long cs, const float *b,
	float *c, long ldc, long mr, long nr, int mode, const float *bias) {
	float tmp[SG_MR * SG_NR], bb[SG_NR];
	__m256 i0 = _mm256_setzero_ps(), i1 = i0;
	float *cc = c;
	long ld = ldc;
	if (nr < SG_NR) {
		cc = tmp;
		ld = SG_NR;
		if (mode == 2) {
			for (long i = 0; i < mr; i++) {
				memset(tmp + i * SG_NR, 0, sizeof bb);
				memcpy(tmp + i * SG_NR, c + i * ldc, (size_t)nr * sizeof(float));
			}
		}
		if (mode == 1) {
			memset(bb, 0, sizeof bb);
			memcpy(bb, bias, (size_t)nr * sizeof(float));
			bias = bb;
		}
	}
	if (mode == 1) {
		i0 = _mm256_loadu_ps(bias);
		i1 = _mm256_loadu_ps(bias + 8);
	}
	switch (mr) {
	case 6: sg_tile(k, a, rs, cs, b, cc, ld, 6, mode == 2, i0, i1); break;
	case 5: sg_tile(k, a, rs, cs, b, cc, ld, 5, mode == 2, i0, i1); break;
	case 4: sg_tile(k, a, rs, cs, b, cc, ld, 4, mode == 2, i0, i1); break;
	case 3: sg_tile(k, a, rs, cs, b, cc, ld, 3, mode == 2, i0, i1); break;
	case 2: sg_tile(k, a, rs, cs, b, cc, ld, 2, mode == 2, i0, i1); break;
	default: sg_tile(k, a, rs, cs, b, cc, ld, 1, mode == 2, i0, i1); break;
	}
	if (nr < SG_NR) {
		for (long i = 0; i < mr; i++) {
			memcpy(c + i * ldc, tmp + i * SG_NR, (size_t)nr * sizeof(float));
		}
	}
}

// The two operand layouts of A, as separate functions so that each tile
// loop is compiled with its strides known: rows (A(i,p) = a[i·lda + p], a
// row-major A) and cols (A(i,p) = a[i + p·lda], a row-major Aᵀ).
SG_T static void sg_tile_rows(long k, const float *a, long lda, const float *b,
	float *c, long ldc, long mr, long nr, int mode, const float *bias) {
	sg_tile_any(k, a, lda, 1, b, c, ldc, mr, nr, mode, bias);
}

SG_T static void sg_tile_cols(long k, const float *a, long lda, const float *b,
	float *c, long ldc, long mr, long nr, int mode, const float *bias) {
	sg_tile_any(k, a, 1, lda, b, c, ldc, mr, nr, mode, bias);
}

// sg_gemm sets C (m×n, ldc) to init + A·B, B packed by sg_pack (k×n);
// A(i,p) = a[i·lda + p] (trans 0) or a[i + p·lda] (trans 1). A row-major
// A goes by strips of 6 rows, each through all the panels of B (the strip
// stays in L1, B comes from L2); a transposed A, whose strips are
// strided, goes by panels of B, each through all the strips of A (the
// panel stays in L1). The bytes at pfs[0 … npf−1] (lengths pfl; the
// operands of the caller's next step) are prefetched a few cache lines
// per tile, so that their loads from memory overlap the arithmetic.
//
// With w5 the tiles are the AVX-512 ones (6 rows × two panels): the same
// chains, so the same bits.
#define SG_NPF 3
typedef void (*sg_tile_fn)(long, const float *, long, const float *, float *, long, long, long, int, const float *);
SG_T5 static void sg_tile5_rows(long, const float *, long, const float *, float *, long, long, long, int, const float *);
SG_T5 static void sg_tile5_cols(long, const float *, long, const float *, float *, long, long, long, int, const float *);
SG_T static void sg_gemm(long m, long n, long k, const float *a, long lda, int trans,
	const float *bp, float *c, long ldc, int mode, const float *bias,
	const float *const *pfs, const long *pfl, int npf, int w5) {
	const long W = w5 ? 2 * SG_NR : SG_NR;
	const sg_tile_fn rows = w5 ? sg_tile5_rows : sg_tile_rows, cols = w5 ? sg_tile5_cols : sg_tile_cols;
	long nt = (m + SG_MR - 1) / SG_MR * ((n + W - 1) / W);
	long total = 0, off = 0;
	int r = 0;
	for (int q = 0; q < npf; q++) {
		total += pfl[q];
	}
	long per = (total / 64 + nt) / nt;
	const char *pf = npf > 0 ? (const char *)pfs[0] : NULL;
	long pflen = npf > 0 ? pfl[0] : 0;
	long ni = trans ? (m + SG_MR - 1) / SG_MR : 1, nj = trans ? 1 : (n + W - 1) / W;
	// Outer loop over strips (trans 0) or panels (trans 1), inner over the
	// other; i0, j0 step through the outer one.
	for (long i0 = 0, j0 = 0; i0 < m && j0 < n; i0 += trans ? 0 : SG_MR, j0 += trans ? W : 0) {
		for (long t = 0; t < (trans ? ni : nj); t++) {
			long i = trans ? t * SG_MR : i0, j = trans ? j0 : t * W;
			long mr = m - i < SG_MR ? m - i : SG_MR;
			long nr = n - j < W ? n - j : W;
			for (long q = 0; q < per && r < npf; q++) {
				__builtin_prefetch(pf + off, 0, 2);
				off += 64;
				if (off >= pflen && ++r < npf) {
					pf = (const char *)pfs[r];
					pflen = pfl[r];
					off = 0;
				}
			}
			const float *bj = bp + j * k;
			const float *biasj = bias ? bias + j : NULL;
			if (trans) {
				cols(k, a + i, lda, bj, c + i * ldc + j, ldc, mr, nr, mode, biasj);
			} else {
				rows(k, a + i * lda, lda, bj, c + i * ldc + j, ldc, mr, nr, mode, biasj);
			}
		}
	}
}

// sg_pack writes B (k×n; B[p][j] = b[p·ldb + j], or b[j·ldb + p] when
// trans) as panels of 16 columns, panel j/16 at dst + j·k, row p of a
// panel at + 16·p, columns past n zero.
SG_T static void sg_pack(float *dst, const float *b, long k, long n, long ldb, int trans) {
	long nf = trans ? 0 : n / SG_NR * SG_NR;
	// Full panels of a row-major B: row by row, so that b is read in order.
	for (long p = 0; p < k; p++) {
		const float *s = b + p * ldb;
		for (long j = 0; j < nf; j += SG_NR) {
			float *d = dst + j * k + p * SG_NR;
			_mm256_storeu_ps(d, _mm256_loadu_ps(s + j));
			_mm256_storeu_ps(d + 8, _mm256_loadu_ps(s + j + 8));
		}
	}
	for (long j = nf; j < n; j += SG_NR) {
		long nr = n - j < SG_NR ? n - j : SG_NR;
		float *d = dst + j * k;
		for (long p = 0; p < k; p++) {
			for (long q = 0; q < SG_NR; q++) {
				float v = 0.0f;
				if (q < nr) {
					v = trans ? b[(j + q) * ldb + p] : b[p * ldb + j + q];
				}
				d[p * SG_NR + q] = v;
			}
		}
	}
}

// ---- Direct convolution (package doc, "Convolution") ----

// sg_conv_tile runs one tile of 6 output channels × 16 wide positions:
// y[i·ldy + t] = Σ_k W(i, k)·x[off[k] + t] for i < mr, t < nr (x at the
// tile's first position), one fma chain per element in tap order k from
// zero; w is packed, 6 floats per tap. With tail (nr < 16) loads and
// stores are masked to the nr first positions, so nothing past them is
// read or written.
SG_T SG_INLINE void sg_conv_tile(const float *x, const long *off, long nt,
	const float *w, float *y, long ldy, long mr, long nr, const int tail) {
	__m256i m0 = _mm256_setzero_si256(), m1 = m0;
	if (tail) {
		const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
		m0 = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)nr), lane);
		m1 = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)nr - 8), lane);
	}
	__m256 i0 = _mm256_setzero_ps(), i1 = i0;
	SG_ROWS(SG_DECL)
	for (long k = 0; k < nt; k++) {
		const float *xr = x + off[k];
		__m256 b0, b1;
		if (tail) {
			b0 = _mm256_maskload_ps(xr, m0);
			b1 = _mm256_maskload_ps(xr + 8, m1);
		} else {
			b0 = _mm256_loadu_ps(xr);
			b1 = _mm256_loadu_ps(xr + 8);
		}
#define SG_CSTEP(i) { __m256 s = _mm256_broadcast_ss(w + i); \
		c##i##0 = _mm256_fmadd_ps(s, b0, c##i##0); c##i##1 = _mm256_fmadd_ps(s, b1, c##i##1); }
		SG_ROWS(SG_CSTEP)
		w += SG_MR;
	}
#define SG_CSTORE(i) if (mr > i) { if (tail) { \
		_mm256_maskstore_ps(y + i * ldy, m0, c##i##0); _mm256_maskstore_ps(y + i * ldy + 8, m1, c##i##1); \
	} else { _mm256_storeu_ps(y + i * ldy, c##i##0); _mm256_storeu_ps(y + i * ldy + 8, c##i##1); } }
	SG_ROWS(SG_CSTORE)
}

// sg_conv computes y[o·ldy + t] for o < co and the n wide positions
// starting at x (t < n): position tiles of 16, each through all the
// blocks of 6 output channels (its inputs stay in L1). wpk packs W as
// ⌈co/6⌉ blocks of nt·6 floats.
SG_T static void sg_conv(const float *x, const long *off, long nt,
	const float *wpk, long co, float *y, long ldy, long n) {
	long kk = nt * SG_MR;
	for (long o = 0; o < co; o += SG_MR) {
		long mr = co - o < SG_MR ? co - o : SG_MR;
		const float *w = wpk + (o / SG_MR) * kk;
		for (long t = 0; t < n; t += SG_NR) {
			long nr = n - t < SG_NR ? n - t : SG_NR;
			if (nr == SG_NR) {
				sg_conv_tile(x + t, off, nt, w, y + o * ldy + t, ldy, mr, nr, 0);
			} else {
				sg_conv_tile(x + t, off, nt, w, y + o * ldy + t, ldy, mr, nr, 1);
			}
		}
	}
}

// ---- Filter gradient of a convolution (package doc, "Convolution") ----

// sg_hsum returns ((v0 + v4) + (v2 + v6)) + ((v1 + v5) + (v3 + v7)).
SG_T SG_INLINE float sg_hsum(__m256 v) {
	__m128 q = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
	__m128 d = _mm_add_ps(q, _mm_movehl_ps(q, q));
	return _mm_cvtss_f32(_mm_add_ss(d, _mm_shuffle_ps(d, d, 1)));
}

// sg_hsum5 is sg_hsum for the AVX-512 functions (the same additions).
SG_T5 SG_INLINE float sg_hsum5(__m256 v) {
	__m128 q = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
	__m128 d = _mm_add_ps(q, _mm_movehl_ps(q, q));
	return _mm_cvtss_f32(_mm_add_ss(d, _mm_shuffle_ps(d, d, 1)));
}

// sg_convw_tile sets dw[t·ldw + c] for t < TK taps (offsets off) and
// c < TO ≤ 2 channels (gy rows ldg apart) to Σ_{i<rows} Σ_{j<wo}
// gy[c·ldg + i·wo + j]·x[off[t] + i·wp + j]: sixteen fma chains, lane l
// over the positions j ≡ l (mod 16) in the order (i, j), the last partial
// block of a row masked to zeros; lane l + 8 is added to lane l and the
// eight sums by sg_hsum. Lanes 0–7 and 8–15 are independent chains: over
// each block of SG_WRB rows they run in two passes of twelve 8-lane
// accumulators (8 loads for 12 fused multiply-adds), kept in memory
// between passes, while the block's rows stay in the L1 cache.
#define SG_WRB 8
// SG_REG keeps v in a register: without it gcc folds the load of x into
// both multiply-adds that use it, two loads instead of one.
#define SG_REG(v) __asm__("" : "+x"(v))
SG_T SG_INLINE void sg_convw_tile(const float *x, const long *off, long wp, const float *gy, long ldg,
	long rows, long wo, float *dw, long ldw, const int TK, const int TO) {
	float acc[2][SG_MR][2][8];
	memset(acc, 0, sizeof acc);
	// The taps' rows through pointers held in registers (off[t] read once).
#define SG_WTAP(t) const float *xt##t = x + (TK > t ? off[t] : 0);
#define SG_WROW(t) const float *xr##t = xt##t + i * wp + o;
	SG_ROWS(SG_WTAP)
	const long full = wo & ~15L;
	const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
	for (long i0 = 0; i0 < rows; i0 += SG_WRB) {
		const long i1 = rows - i0 < SG_WRB ? rows : i0 + SG_WRB;
		for (int h = 0; h < 2; h++) {
			const long o = 8 * h;
			const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(wo - full - o)), lane);
			__m256 a00, a01 = _mm256_setzero_ps(), a10, a11 = a01, a20, a21 = a01, a30, a31 = a01,
				a40, a41 = a01, a50, a51 = a01;
#define SG_WLOAD(t) if (TK > t) { a##t##0 = _mm256_loadu_ps(acc[h][t][0]); if (TO > 1) a##t##1 = _mm256_loadu_ps(acc[h][t][1]); } \
			else { a##t##0 = _mm256_setzero_ps(); }
			SG_ROWS(SG_WLOAD)
			for (long i = i0; i < i1; i++) {
				const float *g0 = gy + i * wo + o, *g1 = g0 + ldg;
				SG_ROWS(SG_WROW)
				for (long j = 0; j < wo; j += 16) {
					const int tail = j == full;
					__m256 v0, v1 = _mm256_setzero_ps();
					if (tail) {
						v0 = _mm256_maskload_ps(g0 + j, mask);
						if (TO > 1) v1 = _mm256_maskload_ps(g1 + j, mask);
					} else {
						v0 = _mm256_loadu_ps(g0 + j);
						if (TO > 1) v1 = _mm256_loadu_ps(g1 + j);
					}
#define SG_WSTEP(t) if (TK > t) { \
					__m256 xv = tail ? _mm256_maskload_ps(xr##t + j, mask) : _mm256_loadu_ps(xr##t + j); \
					SG_REG(xv); \
					a##t##0 = _mm256_fmadd_ps(v0, xv, a##t##0); \
					if (TO > 1) a##t##1 = _mm256_fmadd_ps(v1, xv, a##t##1); }
					SG_ROWS(SG_WSTEP)
				}
			}
#define SG_WKEEP(t) if (TK > t) { _mm256_storeu_ps(acc[h][t][0], a##t##0); if (TO > 1) _mm256_storeu_ps(acc[h][t][1], a##t##1); }
			SG_ROWS(SG_WKEEP)
		}
	}
#define SG_WSTORE(t) if (TK > t) { \
	dw[t * ldw] = sg_hsum(_mm256_add_ps(_mm256_loadu_ps(acc[0][t][0]), _mm256_loadu_ps(acc[1][t][0]))); \
	if (TO > 1) dw[t * ldw + 1] = sg_hsum(_mm256_add_ps(_mm256_loadu_ps(acc[0][t][1]), _mm256_loadu_ps(acc[1][t][1]))); }
	SG_ROWS(SG_WSTORE)
}

#define SG_WTILE(tk, to) sg_convw_tile(x, off + k, wp, gy + c * ldg, ldg, rows, wo, dw + k * ldw + c, ldw, tk, to)

// sg_convw computes dw[k·ldw + c] for k < nt and c < co in tiles of 6
// taps × 2 channels (the edges in smaller ones; every element is computed
// the same way whatever tile it lies in).
SG_T static void sg_convw(const float *x, const long *off, long nt, long wp, const float *gy, long ldg,
	long co, long rows, long wo, float *dw, long ldw) {
	for (long c = 0; c < co; c += 2) {
		const int to = co - c < 2 ? 1 : 2;
		for (long k = 0; k < nt; k += SG_MR) {
			const long tk = nt - k < SG_MR ? nt - k : SG_MR;
#define SG_WCASES(to) switch (tk) { \
			case 6: SG_WTILE(6, to); break; case 5: SG_WTILE(5, to); break; \
			case 4: SG_WTILE(4, to); break; case 3: SG_WTILE(3, to); break; \
			case 2: SG_WTILE(2, to); break; default: SG_WTILE(1, to); }
			if (to == 2) {
				SG_WCASES(2)
			} else {
				SG_WCASES(1)
			}
		}
	}
}

// sg_mask5 selects the first n (clamped to 0…16) lanes.
SG_T5 SG_INLINE __mmask16 sg_mask5(long n) {
	return n >= 16 ? (__mmask16)0xFFFF : n <= 0 ? (__mmask16)0 : (__mmask16)((1u << n) - 1);
}

// sg_hsum16 returns sg_hsum5 of the low eight lanes of v plus the high
// eight.
SG_T5 SG_INLINE float sg_hsum16(__m512 v) {
	__m256 lo = _mm512_castps512_ps256(v), hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
	return sg_hsum5(_mm256_add_ps(lo, hi));
}

// sg_convw4_tile is sg_convw_tile on 512-bit registers, with up to 6
// taps × 4 channels: 24 accumulators of sixteen lanes, lane l the same
// chain as lane l of sg_convw_tile's pair, so the same bits. Six taps ×
// four channels read 10 vectors for 24 fused multiply-adds of 16 lanes.
SG_T5 SG_INLINE void sg_convw4_tile(const float *x, const long *off, long wp, const float *gy, long ldg,
	long rows, long wo, float *dw, long ldw, const int TK, const int TO) {
#define SG_W4DECL(t) __m512 a##t##0 = _mm512_setzero_ps(), a##t##1 = a##t##0, a##t##2 = a##t##0, a##t##3 = a##t##0;
	SG_ROWS(SG_W4DECL)
	const long full = wo & ~15L;
	const __mmask16 mask = sg_mask5(wo - full);
	SG_ROWS(SG_WTAP)
	for (long i = 0; i < rows; i++) {
		const float *g0 = gy + i * wo;
		const long o = 0;
		SG_ROWS(SG_WROW)
		for (long j = 0; j < wo; j += 16) {
			const __mmask16 m = j == full ? mask : (__mmask16)0xFFFF;
			__m512 v0, v1 = _mm512_setzero_ps(), v2 = v1, v3 = v1;
			v0 = _mm512_maskz_loadu_ps(m, g0 + j);
			if (TO > 1) v1 = _mm512_maskz_loadu_ps(m, g0 + ldg + j);
			if (TO > 2) v2 = _mm512_maskz_loadu_ps(m, g0 + 2 * ldg + j);
			if (TO > 3) v3 = _mm512_maskz_loadu_ps(m, g0 + 3 * ldg + j);
#define SG_W4STEP(t) if (TK > t) { \
			__m512 xv = _mm512_maskz_loadu_ps(m, xr##t + j); \
			a##t##0 = _mm512_fmadd_ps(v0, xv, a##t##0); \
			if (TO > 1) a##t##1 = _mm512_fmadd_ps(v1, xv, a##t##1); \
			if (TO > 2) a##t##2 = _mm512_fmadd_ps(v2, xv, a##t##2); \
			if (TO > 3) a##t##3 = _mm512_fmadd_ps(v3, xv, a##t##3); }
			SG_ROWS(SG_W4STEP)
		}
	}
#define SG_W4STORE(t) if (TK > t) { dw[t * ldw] = sg_hsum16(a##t##0); if (TO > 1) dw[t * ldw + 1] = sg_hsum16(a##t##1); \
	if (TO > 2) dw[t * ldw + 2] = sg_hsum16(a##t##2); if (TO > 3) dw[t * ldw + 3] = sg_hsum16(a##t##3); }
	SG_ROWS(SG_W4STORE)
}

#define SG_W4TILE(tk, to) sg_convw4_tile(x, off + k, wp, gy + c * ldg, ldg, rows, wo, dw + k * ldw + c, ldw, tk, to)

// sg_convw4 is sg_convw in tiles of 6 taps × 4 channels (AVX-512VL).
SG_T5 static void sg_convw4(const float *x, const long *off, long nt, long wp, const float *gy, long ldg,
	long co, long rows, long wo, float *dw, long ldw) {
	for (long c = 0; c < co; c += 4) {
		const int to = co - c < 4 ? (int)(co - c) : 4;
		for (long k = 0; k < nt; k += SG_MR) {
			const long tk = nt - k < SG_MR ? nt - k : SG_MR;
#define SG_W4CASES(to) switch (tk) { \
			case 6: SG_W4TILE(6, to); break; case 5: SG_W4TILE(5, to); break; \
			case 4: SG_W4TILE(4, to); break; case 3: SG_W4TILE(3, to); break; \
			case 2: SG_W4TILE(2, to); break; default: SG_W4TILE(1, to); }
			switch (to) {
			case 4: SG_W4CASES(4) break;
			case 3: SG_W4CASES(3) break;
			case 2: SG_W4CASES(2) break;
			default: SG_W4CASES(1)
			}
		}
	}
}

// ---- AVX-512 (package doc, "Availability") ----
//
// The same chains on 512-bit registers: a GEMM tile is 6 rows × 32
// columns (two packed panels of 16 side by side, twelve accumulators),
// a convolution tile 6 output channels × 32 positions. Each element is
// still one fma chain in p (or tap) order from the same initial value,
// so these kernels give the bits of the AVX2 ones; only partial tiles
// differ in how they are handled (masked loads and stores instead of a
// tile buffer).

// sg_tile5 runs one MR×(16·NZ) tile: panel b0 holds columns 0…15 and b1
// columns 16…31 (both 16 floats per p); m0, m1 select the columns of C
// that exist. init is (i0, i1) or, with load, C itself.
SG_T5 SG_INLINE void sg_tile5(long k, const float *a, long rs, long cs, const float *b0, const float *b1,
	float *c, long ldc, const int MR, const int NZ, int load, __m512 i0, __m512 i1, __mmask16 m0, __mmask16 m1) {
#define SG5_DECL(i) __m512 c##i##0 = i0, c##i##1 = i1;
	SG_ROWS(SG5_DECL)
#define SG5_LOAD(i) if (MR > i) { c##i##0 = _mm512_maskz_loadu_ps(m0, c + i * ldc); \
		if (NZ > 1) c##i##1 = _mm512_maskz_loadu_ps(m1, c + i * ldc + 16); }
	if (load) {
		SG_ROWS(SG5_LOAD)
	}
	for (long p = 0; p < k; p++) {
		__m512 v0 = _mm512_loadu_ps(b0 + p * SG_NR), v1 = v0;
		if (NZ > 1) v1 = _mm512_loadu_ps(b1 + p * SG_NR);
#define SG5_STEP(i) if (MR > i) { __m512 x = _mm512_set1_ps(a[i * rs]); \
		c##i##0 = _mm512_fmadd_ps(x, v0, c##i##0); if (NZ > 1) c##i##1 = _mm512_fmadd_ps(x, v1, c##i##1); }
		SG_ROWS(SG5_STEP)
		a += cs;
	}
#define SG5_STORE(i) if (MR > i) { _mm512_mask_storeu_ps(c + i * ldc, m0, c##i##0); \
		if (NZ > 1) _mm512_mask_storeu_ps(c + i * ldc + 16, m1, c##i##1); }
	SG_ROWS(SG5_STORE)
}

// sg_tile5_any runs a tile of mr ≤ 6 rows and nr ≤ 32 columns starting
// at panel b (the next panel at b + 16·k). mode as sg_tile_any.
SG_T5 SG_INLINE void sg_tile5_any(long k, const float *a, long rs, long cs, const float *b,
	float *c, long ldc, long mr, long nr, int mode, const float *bias) {
	const __mmask16 m0 = sg_mask5(nr), m1 = sg_mask5(nr - SG_NR);
	const float *b1 = nr > SG_NR ? b + SG_NR * k : b;
	__m512 i0 = _mm512_setzero_ps(), i1 = i0;
	if (mode == 1) {
		i0 = _mm512_maskz_loadu_ps(m0, bias);
		if (nr > SG_NR) i1 = _mm512_maskz_loadu_ps(m1, bias + SG_NR);
	}
#define SG5_CASE(r) case r: if (nr > SG_NR) sg_tile5(k, a, rs, cs, b, b1, c, ldc, r, 2, mode == 2, i0, i1, m0, m1); \
		else sg_tile5(k, a, rs, cs, b, b1, c, ldc, r, 1, mode == 2, i0, i1, m0, m1); break;
	switch (mr) {
	SG5_CASE(6) SG5_CASE(5) SG5_CASE(4) SG5_CASE(3) SG5_CASE(2)
	default: SG5_CASE(1)
	}
}

SG_T5 static void sg_tile5_rows(long k, const float *a, long lda, const float *b,
	float *c, long ldc, long mr, long nr, int mode, const float *bias) {
	sg_tile5_any(k, a, lda, 1, b, c, ldc, mr, nr, mode, bias);
}

SG_T5 static void sg_tile5_cols(long k, const float *a, long lda, const float *b,
	float *c, long ldc, long mr, long nr, int mode, const float *bias) {
	sg_tile5_any(k, a, 1, lda, b, c, ldc, mr, nr, mode, bias);
}

// sg_conv5 is sg_conv with tiles of 32 positions.
SG_T5 SG_INLINE void sg_conv5_tile(const float *x, const long *off, long nt,
	const float *w, float *y, long ldy, long mr, long nr, const int NZ) {
	const __mmask16 m0 = sg_mask5(nr), m1 = sg_mask5(nr - SG_NR);
	__m512 i0 = _mm512_setzero_ps(), i1 = i0;
	SG_ROWS(SG5_DECL)
	for (long k = 0; k < nt; k++) {
		const float *xr = x + off[k];
		__m512 b0 = _mm512_maskz_loadu_ps(m0, xr), b1 = b0;
		if (NZ > 1) b1 = _mm512_maskz_loadu_ps(m1, xr + SG_NR);
#define SG5_CSTEP(i) { __m512 s = _mm512_set1_ps(w[i]); \
		c##i##0 = _mm512_fmadd_ps(s, b0, c##i##0); if (NZ > 1) c##i##1 = _mm512_fmadd_ps(s, b1, c##i##1); }
		SG_ROWS(SG5_CSTEP)
		w += SG_MR;
	}
#define SG5_CSTORE(i) if (mr > i) { _mm512_mask_storeu_ps(y + i * ldy, m0, c##i##0); \
		if (NZ > 1) _mm512_mask_storeu_ps(y + i * ldy + SG_NR, m1, c##i##1); }
	SG_ROWS(SG5_CSTORE)
}

SG_T5 static void sg_conv5(const float *x, const long *off, long nt,
	const float *wpk, long co, float *y, long ldy, long n) {
	long kk = nt * SG_MR;
	for (long o = 0; o < co; o += SG_MR) {
		long mr = co - o < SG_MR ? co - o : SG_MR;
		const float *w = wpk + (o / SG_MR) * kk;
		for (long t = 0; t < n; t += 2 * SG_NR) {
			long nr = n - t < 2 * SG_NR ? n - t : 2 * SG_NR;
			if (nr > SG_NR) {
				sg_conv5_tile(x + t, off, nt, w, y + o * ldy + t, ldy, mr, nr, 2);
			} else {
				sg_conv5_tile(x + t, off, nt, w, y + o * ldy + t, ldy, mr, nr, 1);
			}
		}
	}
}

// ---- Segmented sums of outer products (package doc, "Segments") ----

// sg_seg_gather fills the n rows of vx (16 floats apart, zeros past w)
// with (float)wt[j]·vt[src(j)] for the segment's edges j = es[p] and
// returns its rows of h (k floats each): h itself where the edges are
// consecutive, else gathered into hx.
SG_T static const float *sg_seg_gather(float *hx, float *vx, const float *h, const float *vt, const long *es, long n,
	const long *from, const double *wt, long b, long e, long k, long w, long nIn) {
	for (long p = 0; p < n; p++) {
		const long j = es[p];
		const float s = (float)wt[j], *src = vt + (b * nIn + from[j]) * w;
		float *row = vx + p * SG_NR;
		for (long i = 0; i < w; i++) {
			row[i] = s * src[i];
		}
		for (long i = w; i < SG_NR; i++) {
			row[i] = 0.0f;
		}
	}
	if (es[n - 1] - es[0] == n - 1) {
		return h + (b * e + es[0]) * k;
	}
	for (long p = 0; p < n; p++) {
		memcpy(hx + p * k, h + (b * e + es[p]) * k, (size_t)k * sizeof(float));
	}
	return hx;
}

// sg_seg_sums sets m_s = H_sᵀ V_s (k×w, at m + s·k·w) for the segments
// lo ≤ s < hi (sample s / nseg, node s mod nseg, edges es = idx[ptr[x]
// … ptr[x+1]]), H_s the edges' rows of h and V_s their scaled rows of vt
// (sg_seg_gather): one product a segment, zero for a segment without
// edges.
SG_T static void sg_seg_sums(float *m, const float *h, const float *vt, const long *ptr, const long *idx,
	const long *from, const double *wt, long lo, long hi, long nseg, long e, long k, long w, long nIn,
	float *hx, float *vx, int w5) {
	for (long s = lo; s < hi; s++) {
		const long b = s / nseg, x = s % nseg, n = ptr[x + 1] - ptr[x];
		float *dst = m + s * k * w;
		if (n == 0) {
			memset(dst, 0, (size_t)(k * w) * sizeof(float));
			continue;
		}
		const float *hn = sg_seg_gather(hx, vx, h, vt, idx + ptr[x], n, from, wt, b, e, k, w, nIn);
		sg_gemm(k, w, n, hn, k, 1, vx, dst, w, 0, NULL, NULL, NULL, 0, w5);
	}
}

// sg_seg_grads is the backward pass of sg_seg_sums for the output
// gradient g: with dh, row j of sample b of dh gets (V_s g_sᵀ) at the
// edge's place in its segment; with dv, row j of dve gets H_s g_s there,
// scaled by (float)wt[j]. Edges of no segment are left alone.
SG_T static void sg_seg_grads(float *dh, float *dve, const float *g, const float *h, const float *vt,
	const long *ptr, const long *idx, const long *from, const double *wt, long lo, long hi, long nseg,
	long e, long k, long w, long nIn, float *hx, float *vx, float *rh, float *rv, float *pk, int w5) {
	for (long s = lo; s < hi; s++) {
		const long b = s / nseg, x = s % nseg, n = ptr[x + 1] - ptr[x];
		if (n == 0) {
			continue;
		}
		const long *es = idx + ptr[x];
		const int run = es[n - 1] - es[0] == n - 1; // consecutive edges: rows written in place
		const float *gs = g + s * k * w;
		const float *hn = sg_seg_gather(hx, vx, h, vt, es, n, from, wt, b, e, k, w, nIn);
		if (dh) { // V_s g_sᵀ
			sg_pack(pk, gs, w, k, w, 1);
			float *out = run ? dh + (b * e + es[0]) * k : rh;
			sg_gemm(n, k, w, vx, SG_NR, 0, pk, out, k, 0, NULL, NULL, NULL, 0, w5);
			if (!run) {
				for (long p = 0; p < n; p++) {
					memcpy(dh + (b * e + es[p]) * k, rh + p * k, (size_t)k * sizeof(float));
				}
			}
		}
		if (dve) { // H_s g_s, scaled
			sg_pack(pk, gs, k, w, w, 0);
			float *out = run ? dve + (b * e + es[0]) * w : rv;
			sg_gemm(n, w, k, hn, k, 0, pk, out, w, 0, NULL, NULL, NULL, 0, w5);
			for (long p = 0; p < n; p++) {
				const long j = es[p];
				const float sc = (float)wt[j], *r = out + p * w;
				float *d = dve + (b * e + j) * w;
				for (long i = 0; i < w; i++) {
					d[i] = sc * r[i];
				}
			}
		}
	}
}
