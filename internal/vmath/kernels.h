// Float32 transcendental kernels of package vmath, compiled twice by cgo.go:
// once for the x86-64 baseline (SSE2) and once with
// __attribute__((target("avx2,fma"))). Both versions, and the pure-Go twin
// in ref.go, perform the same IEEE float and double operations in the same
// order — no reassociation, no contraction of a·b + c (fp-contract=off)
// but the fused multiply-adds written as VM_FMA (hardware FMA, or the
// exact emulation vm_fmaf_emul: the same bits) — so they give bitwise
// identical results on every CPU.
//
// This file defines the loops of one version; VM_NAME(f) names them and
// VM_TARGET gives their target attribute. The scalar helpers (vm_*1) are
// defined once in cgo.go and inlined into each loop.

// VM_NAME(sincos_raw) reduces y (|y| <= VM_TRIG_MAX) in float arithmetic:
// y = n·π/2 + (rh + rl) by Cody–Waite (exact to the last step, whose
// rounding error rl keeps), and returns the minimax sin and cos of the
// reduced argument in *s and *c and the quadrant n. The polynomials are
// evaluated with fused multiply-adds (VM_FMA: one rounding each); the
// exact steps use VM_FMX.
VM_TARGET VM_INLINE uint32_t VM_NAME(sincos_raw)(float y, float *sp, float *cp) {
	float t = VM_FMA(y, VM_FINVPIO2, VM_FROUND);
	float fn = t - VM_FROUND;
	uint32_t n = vm_bits32(t);
	float r = VM_FMX(fn, -VM_FPIO2_1, y);
	r = VM_FMX(fn, -VM_FPIO2_2, r);
	float a3 = fn * -VM_FPIO2_3;
	float rh = r + a3;
	float bb = rh - r;
	float rl = (r - (rh - bb)) + (a3 - bb);
	rl = VM_FMA(fn, -VM_FPIO2_4, rl);
	float z = rh * rh;
	float ps = VM_FMA(VM_FMA(VM_FMA(VM_FS4, z, VM_FS3), z, VM_FS2), z, VM_FS1) * z;
	float s = rh + VM_FMA(rh, ps, rl);
	*sp = rh == 0.0f ? rh : s;
	float t1 = VM_FMX(z, -0.5f, 1.0f);
	float e = VM_FMX(z, -0.5f, 1.0f - t1);
	float pc = (VM_FMA(VM_FMA(VM_FC3, z, VM_FC2), z, VM_FC1) * z) * z;
	*cp = t1 + (e + VM_FMA(-rh, rl, pc));
	return n;
}

// VM_NAME(sinqf) returns sin(y + q·π/2) for |y| <= VM_TRIG_MAX.
VM_TARGET VM_INLINE float VM_NAME(sinqf)(float y, uint32_t q) {
	float s, c;
	uint32_t n = VM_NAME(sincos_raw)(y, &s, &c);
	return vm_quadrant(s, c, n + q);
}

// VM_NAME(sinq) sets dst[i] = a·g[i]·sin(y + q·π/2) with y = fl32(w·x[i])
// (g may be NULL: ones).
VM_TARGET void VM_NAME(sinq)(float *dst, const float *x, const float *g, long n, float w, double a, long q) {
	float y[VM_BLOCK], v[VM_BLOCK];
	int plain = g == NULL && a == 1.0;
	for (long i0 = 0; i0 < n; i0 += VM_BLOCK) {
		long m = n - i0 < VM_BLOCK ? n - i0 : VM_BLOCK;
		uint32_t bad = 0;
		for (long i = 0; i < m; i++) {
			float yi = w * x[i0 + i];
			y[i] = yi;
			bad |= !(fabsf(yi) <= VM_TRIG_MAX);
			v[i] = VM_NAME(sinqf)(yi, (uint32_t)q);
		}
		if (bad) {
			for (long i = 0; i < m; i++) {
				if (!(fabsf(y[i]) <= VM_TRIG_MAX)) {
					v[i] = (float)vm_sinq_slow((double)y[i], q);
				}
			}
		}
		if (plain) {
			memcpy(dst + i0, v, (size_t)m * sizeof(float));
		} else if (g) {
			for (long i = 0; i < m; i++) {
				dst[i0 + i] = (float)((a * (double)g[i0 + i]) * (double)v[i]);
			}
		} else {
			for (long i = 0; i < m; i++) {
				dst[i0 + i] = (float)(a * (double)v[i]);
			}
		}
	}
}

// VM_NAME(sincos) sets s[i] = sin y and c[i] = cos y, y = fl32(w·x[i]),
// bitwise as sinq with q = 0 and q = 1.
VM_TARGET void VM_NAME(sincos)(float *so, float *co, const float *x, long n, float w) {
	float y[VM_BLOCK], sv[VM_BLOCK], cv[VM_BLOCK];
	for (long i0 = 0; i0 < n; i0 += VM_BLOCK) {
		long m = n - i0 < VM_BLOCK ? n - i0 : VM_BLOCK;
		uint32_t bad = 0;
		for (long i = 0; i < m; i++) {
			float yi = w * x[i0 + i];
			y[i] = yi;
			bad |= !(fabsf(yi) <= VM_TRIG_MAX);
			float s, c;
			uint32_t q = VM_NAME(sincos_raw)(yi, &s, &c);
			// vm_quadrant(s, c, q) and (s, c, q + 1), sharing the
			// swap mask: the sign of cos flips from that of sin
			// exactly when q is odd (a carry into bit 1).
			uint32_t m = (uint32_t)((int32_t)(q << 31) >> 31);
			uint32_t ss = (q << 30) & 0x80000000u;
			uint32_t sc = ss ^ (m & 0x80000000u);
			uint32_t sb = vm_bits32(s), cb = vm_bits32(c);
			sv[i] = vm_from32(((cb & m) | (sb & ~m)) ^ ss);
			cv[i] = vm_from32(((sb & m) | (cb & ~m)) ^ sc);
		}
		if (bad) {
			for (long i = 0; i < m; i++) {
				if (!(fabsf(y[i]) <= VM_TRIG_MAX)) {
					sv[i] = (float)vm_sinq_slow((double)y[i], 0);
					cv[i] = (float)vm_sinq_slow((double)y[i], 1);
				}
			}
		}
		memcpy(so + i0, sv, (size_t)m * sizeof(float));
		memcpy(co + i0, cv, (size_t)m * sizeof(float));
	}
}

// VM_NAME(mulcolsum) sets dst = fl32(a·g·c) elementwise over a rows×cols
// block and, when acc is not NULL, adds the rows of dst to acc (in
// float64, row by row).
VM_TARGET void VM_NAME(mulcolsum)(float *dst, const float *g, const float *c, long rows, long cols, double a, double *acc) {
	for (long r = 0; r < rows; r++) {
		float *d = dst + r * cols;
		const float *gr = g + r * cols, *cr = c + r * cols;
		if (acc) {
			for (long j = 0; j < cols; j++) {
				float v = (float)((a * (double)gr[j]) * (double)cr[j]);
				d[j] = v;
				acc[j] = acc[j] + (double)v;
			}
		} else {
			for (long j = 0; j < cols; j++) {
				d[j] = (float)((a * (double)gr[j]) * (double)cr[j]);
			}
		}
	}
}

// VM_NAME(colsum) adds the rows of the rows×cols block x to acc (in
// float64, row by row).
VM_TARGET void VM_NAME(colsum)(double *acc, const float *x, long rows, long cols) {
	for (long r = 0; r < rows; r++) {
		const float *xr = x + r * cols;
		for (long j = 0; j < cols; j++) {
			acc[j] = acc[j] + (double)xr[j];
		}
	}
}

// VM_NAME(add) sets d[i] = x[i] + y[i]; d may be x or y.
VM_TARGET void VM_NAME(add)(float *d, const float *x, const float *y, long n) {
	for (long i = 0; i < n; i++) {
		d[i] = x[i] + y[i];
	}
}

// VM_NAME(adds) sets d[i] = x[i] + s; d may be x.
VM_TARGET void VM_NAME(adds)(float *d, const float *x, float s, long n) {
	for (long i = 0; i < n; i++) {
		d[i] = x[i] + s;
	}
}

// VM_NAME(sub) sets d[i] = x[i] − y[i]; d may be x or y.
VM_TARGET void VM_NAME(sub)(float *d, const float *x, const float *y, long n) {
	for (long i = 0; i < n; i++) {
		d[i] = x[i] - y[i];
	}
}

// VM_NAME(neg) sets d[i] = −x[i] (the sign bit flipped); d may be x.
VM_TARGET void VM_NAME(neg)(float *d, const float *x, long n) {
	for (long i = 0; i < n; i++) {
		d[i] = -x[i];
	}
}

// VM_NAME(mul) sets d[i] = x[i]·y[i]; d may be x or y.
VM_TARGET void VM_NAME(mul)(float *d, const float *x, const float *y, long n) {
	for (long i = 0; i < n; i++) {
		d[i] = x[i] * y[i];
	}
}

// VM_NAME(muls) sets d[i] = x[i]·s; d may be x.
VM_TARGET void VM_NAME(muls)(float *d, const float *x, float s, long n) {
	for (long i = 0; i < n; i++) {
		d[i] = x[i] * s;
	}
}

// VM_NAME(sum) returns the sum of x[0…n) in double: sixteen partial sums,
// s[l] over x[i] with i ≡ l (mod 16) in the whole blocks of 16, folded
// s[l] += s[l + w] for w = 8, 4, 2, 1, then the tail added in order
// (sumGo in ref.go).
VM_TARGET double VM_NAME(sum)(const float *x, long n) {
	double s[16] = {0};
	long i = 0;
	for (; i + 16 <= n; i += 16) {
		for (int l = 0; l < 16; l++) {
			s[l] += (double)x[i + l];
		}
	}
	for (int w = 8; w >= 1; w /= 2) {
		for (int l = 0; l < w; l++) {
			s[l] += s[l + w];
		}
	}
	double t = s[0];
	for (; i < n; i++) {
		t += (double)x[i];
	}
	return t;
}

// VM_NAME(gatherrows) sets d[r·ds + j] = s[r·ss + j·step] for r < rows,
// j < n (the compiler vectorises the step-2 loop with permutations).
VM_TARGET void VM_NAME(gatherrows)(float *d, const float *s, long rows, long n, long ds, long ss, long step) {
	for (long r = 0; r < rows; r++) {
		float *dr = d + r * ds;
		const float *sr = s + r * ss;
		if (step == 1) {
			for (long j = 0; j < n; j++) {
				dr[j] = sr[j];
			}
		} else if (step == 2) {
			for (long j = 0; j < n; j++) {
				dr[j] = sr[2 * j];
			}
		} else {
			for (long j = 0; j < n; j++) {
				dr[j] = sr[j * step];
			}
		}
	}
}

// VM_NAME(scatteraddrows) adds s[r·ss + j] to d[r·ds + j·step] for
// r < rows, j < n.
VM_TARGET void VM_NAME(scatteraddrows)(float *d, const float *s, long rows, long n, long ds, long ss, long step) {
	for (long r = 0; r < rows; r++) {
		float *dr = d + r * ds;
		const float *sr = s + r * ss;
		if (step == 1) {
			for (long j = 0; j < n; j++) {
				dr[j] = dr[j] + sr[j];
			}
		} else {
			for (long j = 0; j < n; j++) {
				dr[j * step] = dr[j * step] + sr[j];
			}
		}
	}
}

// VM_NAME(exp) sets dst[i] = e^x[i].
VM_TARGET void VM_NAME(exp)(float *dst, const float *x, long n) {
	for (long i = 0; i < n; i++) {
		dst[i] = (float)vm_exp1(vm_clamp((double)x[i], 120.0));
	}
}

// VM_NAME(sigmoid) sets dst[i] = 1/(1 + e^−x[i]).
VM_TARGET void VM_NAME(sigmoid)(float *dst, const float *x, long n) {
	for (long i = 0; i < n; i++) {
		dst[i] = (float)(1.0 / (1.0 + vm_exp1(vm_clamp(-(double)x[i], 120.0))));
	}
}

// VM_NAME(tanh) sets dst[i] = tanh x[i].
VM_TARGET void VM_NAME(tanh)(float *dst, const float *x, long n) {
	for (long i = 0; i < n; i++) {
		dst[i] = (float)vm_tanh1((double)x[i]);
	}
}

// VM_NAME(gelu) sets y[i] = x·Φ(x), x = x[i] (x below −16 counts as −16:
// the result underflows to −0 either way, and −∞ gives −0, not NaN).
VM_TARGET void VM_NAME(gelu)(float *y, const float *x, long n) {
	for (long i = 0; i < n; i++) {
		float xi = x[i], w, dd;
		vm_gelu_core(xi, &w, &dd);
		y[i] = xi < 0.0f ? -w : xi - w;
	}
}

// VM_NAME(gelugrad) sets d[i] = g[i]·(Φ(x) + x·φ(x)), x = x[i] (g may be
// NULL: ones).
VM_TARGET void VM_NAME(gelugrad)(float *d, const float *x, const float *g, long n) {
	if (g) {
		for (long i = 0; i < n; i++) {
			float xi = x[i], w, dd;
			vm_gelu_core(xi, &w, &dd);
			d[i] = g[i] * (xi < 0.0f ? dd : 1.0f - dd);
		}
	} else {
		for (long i = 0; i < n; i++) {
			float xi = x[i], w, dd;
			vm_gelu_core(xi, &w, &dd);
			d[i] = xi < 0.0f ? dd : 1.0f - dd;
		}
	}
}

// VM_NAME(gelu2) sets y[i] = x·Φ(x), bitwise as gelu, and d[i] = Φ(x) +
// x·φ(x), bitwise as gelugrad without g, in one pass.
VM_TARGET void VM_NAME(gelu2)(float *y, float *d, const float *x, long n) {
	for (long i = 0; i < n; i++) {
		float xi = x[i], w, dd;
		vm_gelu_core(xi, &w, &dd);
		y[i] = xi < 0.0f ? -w : xi - w;
		d[i] = xi < 0.0f ? dd : 1.0f - dd;
	}
}
