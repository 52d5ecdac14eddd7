// Kernels of the fused Taylor-mode MLP, included twice by cgo.go: once for
// the x86-64 baseline and once with AVX2 and FMA (TM_TARGET, TM_NAME). See
// doc.go for the layout of meta, params, streams and scratch.

// gemm computes C[r, j] (+)= Σ_k A(r, k)·B[k, j] for r < m, j < n, k < kk,
// with A(r, k) = a[r·sar + k·sak], B row-major with leading dimension ldb
// and C with ldc; acc selects C += instead of C =. Each C entry sums over k
// in increasing order, so the result depends only on the operands.
TM_TARGET static void TM_NAME(gemm)(long m, long n, long kk, const double *a, long sar, long sak,
                                    const double *b, long ldb, double *c, long ldc, int acc) {
	long r = 0;
	for (; r + 4 <= m; r += 4) {
		const double *a0 = a + r * sar, *a1 = a0 + sar, *a2 = a1 + sar, *a3 = a2 + sar;
		double *c0 = c + r * ldc, *c1 = c0 + ldc, *c2 = c1 + ldc, *c3 = c2 + ldc;
		long j = 0;
		for (; j + 12 <= n && n - j != 16; j += 12) {
			tm_v4 z = {0, 0, 0, 0};
			tm_v4 x00 = z, x01 = z, x02 = z, x10 = z, x11 = z, x12 = z;
			tm_v4 x20 = z, x21 = z, x22 = z, x30 = z, x31 = z, x32 = z;
			if (acc) {
				x00 = TM_LD(c0 + j); x01 = TM_LD(c0 + j + 4); x02 = TM_LD(c0 + j + 8);
				x10 = TM_LD(c1 + j); x11 = TM_LD(c1 + j + 4); x12 = TM_LD(c1 + j + 8);
				x20 = TM_LD(c2 + j); x21 = TM_LD(c2 + j + 4); x22 = TM_LD(c2 + j + 8);
				x30 = TM_LD(c3 + j); x31 = TM_LD(c3 + j + 4); x32 = TM_LD(c3 + j + 8);
			}
			for (long k = 0; k < kk; k++) {
				const double *bk = b + k * ldb + j;
				tm_v4 b0 = TM_LD(bk), b1 = TM_LD(bk + 4), b2 = TM_LD(bk + 8);
				double s;
				s = a0[k * sak]; x00 += s * b0; x01 += s * b1; x02 += s * b2;
				s = a1[k * sak]; x10 += s * b0; x11 += s * b1; x12 += s * b2;
				s = a2[k * sak]; x20 += s * b0; x21 += s * b1; x22 += s * b2;
				s = a3[k * sak]; x30 += s * b0; x31 += s * b1; x32 += s * b2;
			}
			TM_ST(c0 + j, x00); TM_ST(c0 + j + 4, x01); TM_ST(c0 + j + 8, x02);
			TM_ST(c1 + j, x10); TM_ST(c1 + j + 4, x11); TM_ST(c1 + j + 8, x12);
			TM_ST(c2 + j, x20); TM_ST(c2 + j + 4, x21); TM_ST(c2 + j + 8, x22);
			TM_ST(c3 + j, x30); TM_ST(c3 + j + 4, x31); TM_ST(c3 + j + 8, x32);
		}
		for (; j + 8 <= n; j += 8) {
			tm_v4 z = {0, 0, 0, 0};
			tm_v4 x00 = z, x01 = z, x10 = z, x11 = z, x20 = z, x21 = z, x30 = z, x31 = z;
			if (acc) {
				x00 = TM_LD(c0 + j); x01 = TM_LD(c0 + j + 4);
				x10 = TM_LD(c1 + j); x11 = TM_LD(c1 + j + 4);
				x20 = TM_LD(c2 + j); x21 = TM_LD(c2 + j + 4);
				x30 = TM_LD(c3 + j); x31 = TM_LD(c3 + j + 4);
			}
			for (long k = 0; k < kk; k++) {
				tm_v4 b0 = TM_LD(b + k * ldb + j), b1 = TM_LD(b + k * ldb + j + 4);
				double s0 = a0[k * sak], s1 = a1[k * sak], s2 = a2[k * sak], s3 = a3[k * sak];
				x00 += s0 * b0; x01 += s0 * b1;
				x10 += s1 * b0; x11 += s1 * b1;
				x20 += s2 * b0; x21 += s2 * b1;
				x30 += s3 * b0; x31 += s3 * b1;
			}
			TM_ST(c0 + j, x00); TM_ST(c0 + j + 4, x01);
			TM_ST(c1 + j, x10); TM_ST(c1 + j + 4, x11);
			TM_ST(c2 + j, x20); TM_ST(c2 + j + 4, x21);
			TM_ST(c3 + j, x30); TM_ST(c3 + j + 4, x31);
		}
		for (; j + 4 <= n; j += 4) {
			tm_v4 z = {0, 0, 0, 0};
			tm_v4 x0 = z, x1 = z, x2 = z, x3 = z;
			if (acc) {
				x0 = TM_LD(c0 + j); x1 = TM_LD(c1 + j); x2 = TM_LD(c2 + j); x3 = TM_LD(c3 + j);
			}
			for (long k = 0; k < kk; k++) {
				tm_v4 b0 = TM_LD(b + k * ldb + j);
				x0 += a0[k * sak] * b0;
				x1 += a1[k * sak] * b0;
				x2 += a2[k * sak] * b0;
				x3 += a3[k * sak] * b0;
			}
			TM_ST(c0 + j, x0); TM_ST(c1 + j, x1); TM_ST(c2 + j, x2); TM_ST(c3 + j, x3);
		}
		for (; j < n; j++) {
			double x0 = acc ? c0[j] : 0, x1 = acc ? c1[j] : 0, x2 = acc ? c2[j] : 0, x3 = acc ? c3[j] : 0;
			for (long k = 0; k < kk; k++) {
				double bk = b[k * ldb + j];
				x0 += a0[k * sak] * bk;
				x1 += a1[k * sak] * bk;
				x2 += a2[k * sak] * bk;
				x3 += a3[k * sak] * bk;
			}
			c0[j] = x0; c1[j] = x1; c2[j] = x2; c3[j] = x3;
		}
	}
	for (; r < m; r++) {
		const double *a0 = a + r * sar;
		double *c0 = c + r * ldc;
		long j = 0;
		for (; j + 4 <= n; j += 4) {
			tm_v4 x0 = {0, 0, 0, 0};
			if (acc) x0 = TM_LD(c0 + j);
			for (long k = 0; k < kk; k++) x0 += a0[k * sak] * TM_LD(b + k * ldb + j);
			TM_ST(c0 + j, x0);
		}
		for (; j < n; j++) {
			double x0 = acc ? c0[j] : 0;
			for (long k = 0; k < kk; k++) x0 += a0[k * sak] * b[k * ldb + j];
			c0[j] = x0;
		}
	}
}

// act_fwd maps the pre-activation streams a ([K][m]) to h = σ(a):
// h = σ(a₀), h_i = σ′a_i, h_pq = σ′a_pq + σ″a_p a_q; d1, d2 are scratch
// of m entries.
TM_TARGET static void TM_NAME(act_fwd)(long act, long nf, long np, const long *pairs, long m,
                                       const double *restrict a, double *restrict h,
                                       double *restrict d1, double *restrict d2) {
	if (act == TM_TANH) {
		for (long e = 0; e < m; e++) {
			double t = tm_tanh(a[e]);
			double s = 1.0 - t * t;
			h[e] = t;
			d1[e] = s;
			d2[e] = -2.0 * t * s;
		}
	} else {
		for (long e = 0; e < m; e++) {
			double s = sin(a[e]), c = cos(a[e]);
			h[e] = s;
			d1[e] = c;
			d2[e] = -s;
		}
	}
	for (long i = 1; i <= nf; i++) {
		const double *restrict ai = a + i * m;
		double *restrict hi = h + i * m;
		for (long e = 0; e < m; e++) hi[e] = d1[e] * ai[e];
	}
	for (long p = 0; p < np; p++) {
		long q = (1 + nf + p) * m;
		const double *restrict ap = a + (1 + pairs[2 * p]) * m, *restrict aq = a + (1 + pairs[2 * p + 1]) * m;
		const double *restrict apq = a + q;
		double *restrict hq = h + q;
		for (long e = 0; e < m; e++) hq[e] = d1[e] * apq[e] + d2[e] * ap[e] * aq[e];
	}
}

// act_bwd is the backward of act_fwd: from the gradient gh of h, the
// pre-activation streams a and the value h₀ = σ(a₀) it writes ga:
// with s1, s2, s3 = σ′, σ″, σ‴ at a₀,
//
//	ga₀   = gh₀ s1 + Σ_i gh_i a_i s2 + Σ_pq gh_pq (a_pq s2 + a_p a_q s3)
//	ga_i  = gh_i s1 + Σ_{pq ∋ i} gh_pq s2 a_(other index)
//	ga_pq = gh_pq s1.
//
// s is scratch of 3m entries.
TM_TARGET static void TM_NAME(act_bwd)(long act, long nf, long np, const long *pairs, long m,
                                       const double *restrict gh, const double *restrict a,
                                       const double *restrict h0, double *restrict ga, double *restrict s) {
	double *restrict s1 = s, *restrict s2 = s + m, *restrict s3 = s + 2 * m;
	if (act == TM_TANH) {
		for (long e = 0; e < m; e++) {
			double t = h0[e];
			double d = 1.0 - t * t;
			s1[e] = d;
			s2[e] = -2.0 * t * d;
			s3[e] = -2.0 * d * (1.0 - 3.0 * t * t);
		}
	} else {
		for (long e = 0; e < m; e++) {
			double c = cos(a[e]);
			s1[e] = c;
			s2[e] = -h0[e];
			s3[e] = -c;
		}
	}
	for (long e = 0; e < m; e++) ga[e] = gh[e] * s1[e];
	for (long i = 1; i <= nf; i++) {
		const double *restrict gi = gh + i * m, *restrict ai = a + i * m;
		double *restrict oi = ga + i * m;
		for (long e = 0; e < m; e++) {
			ga[e] += gi[e] * ai[e] * s2[e];
			oi[e] = gi[e] * s1[e];
		}
	}
	for (long p = 0; p < np; p++) {
		long q = (1 + nf + p) * m;
		const double *restrict gq = gh + q, *restrict aq = a + q;
		const double *restrict ai = a + (1 + pairs[2 * p]) * m, *restrict aj = a + (1 + pairs[2 * p + 1]) * m;
		double *oi = ga + (1 + pairs[2 * p]) * m, *oj = ga + (1 + pairs[2 * p + 1]) * m;
		double *restrict oq = ga + q;
		for (long e = 0; e < m; e++) {
			double g = gq[e];
			ga[e] += g * (aq[e] * s2[e] + ai[e] * aj[e] * s3[e]);
		}
		for (long e = 0; e < m; e++) oq[e] = gq[e] * s1[e];
		// separate loops: oi and oj are the same row for a pure second
		// derivative (p = q), which then gets both terms.
		for (long e = 0; e < m; e++) oi[e] += gq[e] * s2[e] * aj[e];
		for (long e = 0; e < m; e++) oj[e] += gq[e] * s2[e] * ai[e];
	}
}

// The tanh activation in one pass over the elements for the common stream
// counts (F ≤ 3 first derivatives, P ≤ 3 pairs; the stream loops unroll and
// the element loop vectorises): the same formulas as act_fwd and act_bwd.
// A pair (p, q) contributes to the gradients of a_p and a_q through the 0/1
// weights wp, wq, so no stream index is needed at run time.
TM_TARGET TM_INLINE void TM_NAME(tanh_fwd_body)(const long NF, const long NP, const int USE_T, const long *pairs, long m,
                                                const double *restrict a, const double *restrict tin, double *restrict h) {
	long po[3] = {0, 0, 0}, qo[3] = {0, 0, 0};
	for (long p = 0; p < NP; p++) {
		po[p] = (1 + pairs[2 * p]) * m;
		qo[p] = (1 + pairs[2 * p + 1]) * m;
	}
	// tanh first, in a loop of its own: short iterations, so the processor
	// overlaps many of them and hides the latency of the division
	if (!USE_T)
		for (long e = 0; e < m; e++) h[e] = tm_tanh(a[e]);
	for (long e = 0; e < m; e++) {
		double t = USE_T ? tin[e] : h[e];
		double s1 = 1.0 - t * t;
		double s2 = -2.0 * t * s1;
		h[e] = t;
		for (long i = 1; i <= NF; i++) h[i * m + e] = s1 * a[i * m + e];
		for (long p = 0; p < NP; p++) {
			long q = (1 + NF + p) * m;
			h[q + e] = s1 * a[q + e] + s2 * a[po[p] + e] * a[qo[p] + e];
		}
	}
}

TM_TARGET TM_INLINE void TM_NAME(tanh_bwd_body)(const long NF, const long NP, const long *pairs, long m,
                                                const double *restrict gh, const double *restrict a,
                                                const double *restrict h0, double *restrict ga) {
	long po[3] = {0, 0, 0}, qo[3] = {0, 0, 0};
	double wp[3][3] = {{0}}, wq[3][3] = {{0}};
	for (long p = 0; p < NP; p++) {
		po[p] = (1 + pairs[2 * p]) * m;
		qo[p] = (1 + pairs[2 * p + 1]) * m;
		wp[p][pairs[2 * p]] = 1.0;
		wq[p][pairs[2 * p + 1]] = 1.0;
	}
	for (long e = 0; e < m; e++) {
		double t = h0[e];
		double s1 = 1.0 - t * t;
		double s2 = -2.0 * t * s1;
		double s3 = -2.0 * s1 * (1.0 - 3.0 * t * t);
		double g0 = gh[e] * s1;
		double gi[3] = {0, 0, 0};
		for (long i = 0; i < NF; i++) {
			double g = gh[(1 + i) * m + e];
			g0 += g * a[(1 + i) * m + e] * s2;
			gi[i] = g * s1;
		}
		for (long p = 0; p < NP; p++) {
			long q = (1 + NF + p) * m;
			double g = gh[q + e], ap = a[po[p] + e], aq = a[qo[p] + e];
			g0 += g * (a[q + e] * s2 + ap * aq * s3);
			double gs = g * s2;
			// ∂(a_p a_q)/∂a_i = [i = p] a_q + [i = q] a_p
			for (long i = 0; i < NF; i++) gi[i] += gs * (wp[p][i] * aq + wq[p][i] * ap);
			ga[q + e] = g * s1;
		}
		for (long i = 0; i < NF; i++) ga[(1 + i) * m + e] = gi[i];
		ga[e] = g0;
	}
}

#define TM_CASES(X) \
	X(0, 0) X(1, 0) X(1, 1) X(2, 0) X(2, 1) X(2, 2) X(2, 3) X(3, 0) X(3, 1) X(3, 2) X(3, 3)

// tanh_fwd and tanh_bwd run the one-pass kernels and report whether the
// stream counts have one; tanh_fwd takes tanh a₀ from tin when it is not
// NULL (values Forward saved).
TM_TARGET static int TM_NAME(tanh_fwd)(long nf, long np, const long *pairs, long m, const double *a, const double *tin, double *h) {
#define TM_CASE(F, P) \
	if (nf == F && np == P) { \
		if (tin) TM_NAME(tanh_fwd_body)(F, P, 1, pairs, m, a, tin, h); \
		else TM_NAME(tanh_fwd_body)(F, P, 0, pairs, m, a, tin, h); \
		return 1; \
	}
	TM_CASES(TM_CASE)
#undef TM_CASE
	return 0;
}

TM_TARGET static int TM_NAME(tanh_bwd)(long nf, long np, const long *pairs, long m, const double *gh,
                                       const double *a, const double *h0, double *ga) {
#define TM_CASE(F, P) \
	if (nf == F && np == P) { TM_NAME(tanh_bwd_body)(F, P, pairs, m, gh, a, h0, ga); return 1; }
	TM_CASES(TM_CASE)
#undef TM_CASE
	return 0;
}
#undef TM_CASES

// block_fwd runs the block of pb points starting at point p through the
// network, keeping every layer's pre-activation (A_l) and activation (H_l)
// streams in the scratch; H_0 is the input block. With tsave, mode 1
// stores the values tanh a₀ of every hidden layer there ([n][w_l] per
// layer) and mode 2 reads them back instead of evaluating tanh again.
TM_TARGET static void TM_NAME(block_fwd)(const tm_layout *L, const double *s0, long n, long p, long pb,
                                         const double *params, const double *wt, double *scratch,
                                         double *tsave, int mode) {
	long K = L->k, in0 = L->widths[0];
	double *h0 = scratch + L->h_off[0] * pb;
	for (long s = 0; s < K; s++) memcpy(h0 + s * pb * in0, s0 + (s * n + p) * in0, pb * in0 * sizeof(double));
	for (long l = 1; l <= L->layers; l++) {
		long wi = L->widths[l - 1], wo = L->widths[l];
		const double *hin = scratch + L->h_off[l - 1] * pb;
		double *al = scratch + L->a_off[l] * pb;
		TM_NAME(gemm)(K * pb, wo, wi, hin, wi, 1, wt + L->wt_off[l], wo, al, wo, 0);
		const double *b = params + L->b_off[l];
		for (long r = 0; r < pb; r++)
			for (long o = 0; o < wo; o++) al[r * wo + o] += b[o];
		if (l == L->layers) break;
		double *hl = scratch + L->h_off[l] * pb;
		double *ts = tsave ? tsave + L->t_off[l] * n + p * wo : NULL;
		if (!(L->act == TM_TANH && TM_NAME(tanh_fwd)(L->nf, L->np, L->pairs, pb * wo, al, mode == 2 ? ts : NULL, hl))) {
			double *d = scratch + L->tmp_off * pb;
			TM_NAME(act_fwd)(L->act, L->nf, L->np, L->pairs, pb * wo, al, hl, d, d + pb * wo);
		}
		if (ts && mode == 1) memcpy(ts, hl, pb * wo * sizeof(double));
	}
}

// forward writes the output streams of points [p0, p1) into out
// ([K][n][wL]) and, when tsave is not NULL, the hidden layers' values
// tanh a₀ into tsave.
TM_TARGET static void TM_NAME(forward)(const long *meta, const double *s0, long n, long p0, long p1,
                                       const double *params, const double *wt, double *out, double *tsave,
                                       double *scratch) {
	tm_layout L;
	tm_parse(&L, meta);
	long wl = L.widths[L.layers];
	for (long p = p0; p < p1; p += TM_BLOCK) {
		long pb = p1 - p < TM_BLOCK ? p1 - p : TM_BLOCK;
		TM_NAME(block_fwd)(&L, s0, n, p, pb, params, wt, scratch, tsave, 1);
		const double *al = scratch + L.a_off[L.layers] * pb;
		for (long s = 0; s < L.k; s++) memcpy(out + (s * n + p) * wl, al + s * pb * wl, pb * wl * sizeof(double));
	}
}

// backward adds the gradient of Σ g·out over points [p0, p1) with respect
// to the parameters to gparams and, when gs0 is not NULL, writes the
// gradient with respect to the input streams of those points into gs0;
// tsave, when not NULL, holds the values forward saved.
TM_TARGET static void TM_NAME(backward)(const long *meta, const double *s0, long n, long p0, long p1,
                                        const double *params, const double *wt, const double *g,
                                        double *gparams, double *gs0, double *tsave, double *scratch) {
	tm_layout L;
	tm_parse(&L, meta);
	long K = L.k, wl = L.widths[L.layers];
	for (long p = p0; p < p1; p += TM_BLOCK) {
		long pb = p1 - p < TM_BLOCK ? p1 - p : TM_BLOCK;
		TM_NAME(block_fwd)(&L, s0, n, p, pb, params, wt, scratch, tsave, 2);
		double *ga = scratch + L.ga_off * pb, *gh = scratch + L.gh_off * pb;
		for (long s = 0; s < K; s++) memcpy(ga + s * pb * wl, g + (s * n + p) * wl, pb * wl * sizeof(double));
		for (long l = L.layers; l >= 1; l--) {
			long wi = L.widths[l - 1], wo = L.widths[l];
			const double *hin = scratch + L.h_off[l - 1] * pb;
			// dW[o, i] += Σ_r ga[r, o] h[r, i]; db[o] += Σ_{value rows} ga[r, o]
			TM_NAME(gemm)(wo, wi, K * pb, ga, 1, wo, hin, wi, gparams + L.w_off[l], wi, 1);
			double *db = gparams + L.b_off[l];
			for (long r = 0; r < pb; r++)
				for (long o = 0; o < wo; o++) db[o] += ga[r * wo + o];
			if (l == 1 && gs0 == NULL) break;
			// gh[r, i] = Σ_o ga[r, o] W[o, i]
			TM_NAME(gemm)(K * pb, wi, wo, ga, wo, 1, params + L.w_off[l], wi, gh, wi, 0);
			if (l == 1) {
				for (long s = 0; s < K; s++) memcpy(gs0 + (s * n + p) * wi, gh + s * pb * wi, pb * wi * sizeof(double));
				break;
			}
			const double *al = scratch + L.a_off[l - 1] * pb, *hl = scratch + L.h_off[l - 1] * pb;
			if (!(L.act == TM_TANH && TM_NAME(tanh_bwd)(L.nf, L.np, L.pairs, pb * wi, gh, al, hl, ga)))
				TM_NAME(act_bwd)(L.act, L.nf, L.np, L.pairs, pb * wi, gh, al, hl, ga, scratch + L.tmp_off * pb);
		}
	}
}
