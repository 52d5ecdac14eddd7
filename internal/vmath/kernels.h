// Float32 transcendental kernels of package vmath, compiled twice by cgo.go:
// once for the x86-64 baseline (SSE2) and once with
// __attribute__((target("avx2"))). Both versions, and the pure-Go twin in
// ref.go, perform the same IEEE float and double operations in the same
// order — no fused multiply-add (fp-contract=off), no reassociation — so
// they give bitwise identical results on every CPU.
//
// This file defines the loops of one version; VM_NAME(f) names them and
// VM_TARGET gives their target attribute. The scalar helpers (vm_*1) are
// defined once in cgo.go and inlined into each loop.

// VM_NAME(sinq) sets dst[i] = a·g[i]·sin(y + q·π/2) with y = fl32(w·x[i])
// (g may be NULL: ones).
VM_TARGET void VM_NAME(sinq)(float *dst, const float *x, const float *g, long n, float w, double a, long q) {
	float y[VM_BLOCK], v[VM_BLOCK];
	int plain = g == NULL && a == 1.0;
	for (long i0 = 0; i0 < n; i0 += VM_BLOCK) {
		long m = n - i0 < VM_BLOCK ? n - i0 : VM_BLOCK;
		long bad = 0;
		for (long i = 0; i < m; i++) {
			float yi = w * x[i0 + i];
			y[i] = yi;
			bad |= !(fabsf(yi) <= VM_TRIG_MAX);
			v[i] = vm_sinqf(yi, (uint32_t)q);
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
		long bad = 0;
		for (long i = 0; i < m; i++) {
			float yi = w * x[i0 + i];
			y[i] = yi;
			bad |= !(fabsf(yi) <= VM_TRIG_MAX);
			float s, c;
			uint32_t q = vm_sincos_raw(yi, &s, &c);
			sv[i] = vm_quadrant(s, c, q);
			cv[i] = vm_quadrant(s, c, q + 1);
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
