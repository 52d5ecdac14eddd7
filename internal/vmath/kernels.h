// Float32 transcendental kernels of package vmath, compiled twice by cgo.go:
// once for the x86-64 baseline (SSE2) and once with
// __attribute__((target("avx2"))). Both versions, and the pure-Go twin in
// ref.go, perform the same IEEE double operations in the same order — no
// fused multiply-add (-ffp-contract=off), no reassociation — so they give
// bitwise identical results on every CPU.
//
// This file defines the loops of one version; VM_NAME(f) names them and
// VM_TARGET gives their target attribute. The scalar helpers (vm_*1) are
// defined once in cgo.go and inlined into each loop.

// VM_NAME(sinq) sets dst[i] = a·g[i]·sin(w·x[i] + q·π/2) (g may be NULL:
// then a·sin(...)).
VM_TARGET void VM_NAME(sinq)(float *dst, const float *x, const float *g, long n, double w, double a, long q) {
	// Blocks are widened to double, computed, and narrowed in separate
	// loops: the middle one then runs on full double vectors.
	double y[VM_BLOCK], f[VM_BLOCK];
	for (long i0 = 0; i0 < n; i0 += VM_BLOCK) {
		long m = n - i0 < VM_BLOCK ? n - i0 : VM_BLOCK;
		for (long i = 0; i < m; i++) {
			y[i] = w * (double)x[i0 + i];
		}
		if (g) {
			for (long i = 0; i < m; i++) {
				f[i] = a * (double)g[i0 + i];
			}
		} else {
			for (long i = 0; i < m; i++) {
				f[i] = a;
			}
		}
		long bad = 0;
		for (long i = 0; i < m; i++) {
			double v = y[i];
			long ok = fabs(v) <= VM_TRIG_MAX;
			bad |= !ok;
			f[i] = f[i] * vm_sinq1(ok ? v : 0.0, q);
		}
		if (bad) {
			for (long i = 0; i < m; i++) {
				if (!(fabs(y[i]) <= VM_TRIG_MAX)) {
					double fi = a * (g ? (double)g[i0 + i] : 1.0);
					f[i] = fi * vm_sinq_slow(y[i], q);
				}
			}
		}
		for (long i = 0; i < m; i++) {
			dst[i0 + i] = (float)f[i];
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
